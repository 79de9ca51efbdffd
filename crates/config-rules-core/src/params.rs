//! Rule parameters: declared once per rule ([`ParamSpec`]), validated once here.
//!
//! AWS Config passes `ruleParameters` as a JSON object inside a string, and every value as a
//! string (`{"maxTimeoutSeconds":"60"}`). This module accepts those strings as well as native
//! JSON numbers and booleans (hand-written test events often use them), treats an empty
//! string as "not set" (the console sends one for a cleared field), rejects unknown keys,
//! fills in defaults, and names the key and the expected form in every error.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Error;

/// The form a parameter's value takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A whole number within `min..=max`.
    Integer { min: i64, max: i64 },
    /// `true` or `false`.
    Boolean,
    /// Free text.
    Text,
    /// A comma-separated list; blanks around items are trimmed and empty items dropped.
    List,
    /// One of a fixed set of words (compared exactly).
    OneOf(&'static [&'static str]),
}

impl ParamKind {
    /// How the expected form is described in errors and documentation.
    pub fn describe(&self) -> String {
        match self {
            ParamKind::Integer { min, max } => format!("an integer from {min} to {max}"),
            ParamKind::Boolean => "true or false".to_string(),
            ParamKind::Text => "a string".to_string(),
            ParamKind::List => "a comma-separated list".to_string(),
            ParamKind::OneOf(words) => format!("one of {}", words.join(", ")),
        }
    }
}

/// A parameter a rule accepts, with its default. This declaration is the single source of
/// truth for the code, the documentation, the CLI and the SAM template's parameter defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// The key in `ruleParameters`, e.g. `maxTimeoutSeconds`.
    pub name: &'static str,
    pub kind: ParamKind,
    /// The default in Config's string form; `None` means the parameter is optional and unset.
    pub default: Option<&'static str>,
    /// The rule cannot run without a value (and so has no default).
    pub required: bool,
    pub description: &'static str,
}

/// A validated parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    Integer(i64),
    Boolean(bool),
    Text(String),
    List(Vec<String>),
}

/// Validated parameters of one invocation: every declared parameter with its value or default.
///
/// Read them by name with the accessor of their kind; each default lives only in the
/// [`ParamSpec`] (the value is filled in here), and reading a name the rule did not declare,
/// or with the wrong kind, is an error rather than a silent `false` or empty value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParamValues {
    values: BTreeMap<&'static str, ParamValue>,
    declared: BTreeMap<&'static str, ParamKind>,
}

impl ParamValues {
    /// Validates `ruleParameters` (already decoded from its string; `None` or `null` when
    /// absent) against `specs`.
    pub fn parse(specs: &[ParamSpec], raw: Option<&Value>) -> Result<Self, Error> {
        let given = match raw {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                return Err(Error::malformed(
                    "ruleParameters",
                    format!("expected a JSON object, found {}", json_kind(other)),
                ))
            }
        };
        if let Some(unknown) = given.keys().find(|k| !specs.iter().any(|s| s.name == k.as_str())) {
            let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
            return Err(Error::InvalidParameters {
                key: crate::bounded(unknown, crate::MAX_QUOTED_CHARS),
                reason: "unknown parameter".to_string(),
                expected: if known.is_empty() {
                    "no parameters".to_string()
                } else {
                    format!("one of {}", known.join(", "))
                },
            });
        }
        let mut values = BTreeMap::new();
        let declared = specs.iter().map(|s| (s.name, s.kind)).collect();
        for spec in specs {
            let text = match given.get(spec.name) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
                Some(other) => return Err(invalid(spec, &format!("found {}", json_kind(other)))),
            };
            let text = match (text, spec.default) {
                (Some(t), _) => t,
                (None, Some(d)) => d.to_string(),
                (None, None) if spec.required => return Err(invalid(spec, "is required")),
                (None, None) => continue,
            };
            values.insert(spec.name, convert(spec, &text)?);
        }
        Ok(ParamValues { values, declared })
    }

    /// The value of a declared parameter, or `None` when it is optional and unset.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// Checks that the rule declared `name` with a kind `accepts`; the value, if set.
    fn declared(&self, name: &str, what: &str, accepts: fn(&ParamKind) -> bool) -> Result<Option<&ParamValue>, Error> {
        match self.declared.get(name) {
            Some(kind) if accepts(kind) => Ok(self.values.get(name)),
            Some(kind) => Err(Error::InvalidParameters {
                key: name.to_string(),
                reason: format!("read as {what}, but declared as {}", kind.describe()),
                expected: "the declared kind (a bug in the rule)".to_string(),
            }),
            None => Err(Error::InvalidParameters {
                key: name.to_string(),
                reason: "read by the rule but not declared in its META".to_string(),
                expected: "a declared parameter (a bug in the rule)".to_string(),
            }),
        }
    }

    /// An integer parameter with a default (or required): its value.
    pub fn integer(&self, name: &str) -> Result<i64, Error> {
        self.optional_integer(name)?.ok_or_else(|| unset(name))
    }

    /// An optional integer parameter: `None` when unset.
    pub fn optional_integer(&self, name: &str) -> Result<Option<i64>, Error> {
        Ok(
            match self.declared(name, "an integer", |k| matches!(k, ParamKind::Integer { .. }))? {
                Some(ParamValue::Integer(i)) => Some(*i),
                _ => None,
            },
        )
    }

    /// A boolean parameter (declared with a default).
    pub fn boolean(&self, name: &str) -> Result<bool, Error> {
        match self.declared(name, "a boolean", |k| *k == ParamKind::Boolean)? {
            Some(ParamValue::Boolean(b)) => Ok(*b),
            _ => Err(unset(name)),
        }
    }

    /// A list parameter; unset reads as empty.
    pub fn list(&self, name: &str) -> Result<Vec<String>, Error> {
        Ok(match self.declared(name, "a list", |k| *k == ParamKind::List)? {
            Some(ParamValue::List(items)) => items.clone(),
            _ => Vec::new(),
        })
    }

    /// A text or one-of parameter: `None` when optional and unset.
    pub fn text(&self, name: &str) -> Result<Option<&str>, Error> {
        Ok(
            match self.declared(name, "text", |k| matches!(k, ParamKind::Text | ParamKind::OneOf(_)))? {
                Some(ParamValue::Text(t)) => Some(t),
                _ => None,
            },
        )
    }

    /// A text or one-of parameter with a default (or required): its value.
    pub fn word(&self, name: &str) -> Result<&str, Error> {
        self.text(name)?.ok_or_else(|| unset(name))
    }
}

fn unset(name: &str) -> Error {
    Error::InvalidParameters {
        key: name.to_string(),
        reason: "read as always set, but declared without a default (a bug in the rule)".to_string(),
        expected: "a default in its ParamSpec, or the optional accessor".to_string(),
    }
}

impl ParamSpec {
    /// An integer parameter within `min..=max`, with a default (Config's string form).
    pub const fn integer(
        name: &'static str,
        min: i64,
        max: i64,
        default: &'static str,
        description: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            kind: ParamKind::Integer { min, max },
            default: Some(default),
            required: false,
            description,
        }
    }

    /// An optional integer parameter within `min..=max`, unset by default.
    pub const fn optional_integer(name: &'static str, min: i64, max: i64, description: &'static str) -> Self {
        ParamSpec {
            name,
            kind: ParamKind::Integer { min, max },
            default: None,
            required: false,
            description,
        }
    }

    /// A boolean parameter with a default.
    pub const fn boolean(name: &'static str, default: bool, description: &'static str) -> Self {
        ParamSpec {
            name,
            kind: ParamKind::Boolean,
            default: Some(if default { "true" } else { "false" }),
            required: false,
            description,
        }
    }

    /// A comma-separated list, empty by default.
    pub const fn list(name: &'static str, description: &'static str) -> Self {
        ParamSpec {
            name,
            kind: ParamKind::List,
            default: None,
            required: false,
            description,
        }
    }

    /// One of a fixed set of words, with a default.
    pub const fn one_of(
        name: &'static str,
        words: &'static [&'static str],
        default: &'static str,
        description: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            kind: ParamKind::OneOf(words),
            default: Some(default),
            required: false,
            description,
        }
    }

    /// Free text, unset by default.
    pub const fn text(name: &'static str, description: &'static str) -> Self {
        ParamSpec {
            name,
            kind: ParamKind::Text,
            default: None,
            required: false,
            description,
        }
    }

    /// The same parameter, which the rule cannot run without (no default).
    pub const fn required(self) -> Self {
        ParamSpec {
            default: None,
            required: true,
            ..self
        }
    }
}

/// Typed parameters of a rule, built from validated [`ParamValues`].
pub trait FromParams: Sized {
    fn from_params(values: &ParamValues) -> Result<Self, Error>;
}

/// For rules without parameters.
impl FromParams for () {
    fn from_params(_: &ParamValues) -> Result<Self, Error> {
        Ok(())
    }
}

fn convert(spec: &ParamSpec, text: &str) -> Result<ParamValue, Error> {
    match spec.kind {
        ParamKind::Integer { min, max } => match text.parse::<i64>() {
            Ok(i) if (min..=max).contains(&i) => Ok(ParamValue::Integer(i)),
            Ok(i) => Err(invalid(spec, &format!("{i} is out of range"))),
            Err(_) => Err(invalid(spec, &format!("{text:?} is not an integer"))),
        },
        ParamKind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(ParamValue::Boolean(true)),
            "false" => Ok(ParamValue::Boolean(false)),
            _ => Err(invalid(spec, &format!("{text:?} is not a boolean"))),
        },
        ParamKind::Text => Ok(ParamValue::Text(text.to_string())),
        ParamKind::List => Ok(ParamValue::List(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )),
        ParamKind::OneOf(words) => {
            if words.contains(&text) {
                Ok(ParamValue::Text(text.to_string()))
            } else {
                Err(invalid(spec, &format!("{text:?} is not allowed")))
            }
        }
    }
}

fn invalid(spec: &ParamSpec, reason: &str) -> Error {
    Error::InvalidParameters {
        key: spec.name.to_string(),
        reason: crate::bounded(reason, crate::MAX_QUOTED_CHARS),
        expected: spec.kind.describe(),
    }
}

/// How a JSON value's kind reads in messages: `null`, `a string`, `an object`, ...
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPECS: &[ParamSpec] = &[
        ParamSpec {
            name: "maxTimeoutSeconds",
            kind: ParamKind::Integer { min: 1, max: 900 },
            default: Some("60"),
            required: false,
            description: "limit",
        },
        ParamSpec {
            name: "strict",
            kind: ParamKind::Boolean,
            default: Some("false"),
            required: false,
            description: "strict",
        },
        ParamSpec {
            name: "exemptServices",
            kind: ParamKind::List,
            default: None,
            required: false,
            description: "services",
        },
        ParamSpec {
            name: "level",
            kind: ParamKind::OneOf(&["ERROR", "INFO"]),
            default: Some("ERROR"),
            required: false,
            description: "level",
        },
    ];

    fn parse(v: Value) -> Result<ParamValues, Error> {
        ParamValues::parse(SPECS, Some(&v))
    }

    fn invalid_key(v: Value) -> String {
        match parse(v) {
            Err(Error::InvalidParameters { key, .. }) => key,
            other => panic!("expected InvalidParameters, got {other:?}"),
        }
    }

    #[test]
    fn defaults_fill_unset_parameters() {
        let p = ParamValues::parse(SPECS, None).unwrap();
        assert_eq!(p.integer("maxTimeoutSeconds"), Ok(60));
        assert_eq!(p.boolean("strict"), Ok(false));
        assert_eq!(p.list("exemptServices"), Ok(Vec::<String>::new()));
        assert_eq!(p.get("exemptServices"), None);
        assert_eq!(p.word("level"), Ok("ERROR"));
    }

    #[test]
    fn config_string_values_are_accepted() {
        let p = parse(json!({"maxTimeoutSeconds": "120", "strict": "TRUE",
            "exemptServices": " s3, logs ,,", "level": "INFO"}))
        .unwrap();
        assert_eq!(p.integer("maxTimeoutSeconds"), Ok(120));
        assert_eq!(p.boolean("strict"), Ok(true));
        assert_eq!(p.list("exemptServices"), Ok(vec!["s3".to_string(), "logs".to_string()]));
        assert_eq!(p.word("level"), Ok("INFO"));
    }

    #[test]
    fn native_json_values_and_empty_strings() {
        let p = parse(json!({"maxTimeoutSeconds": 30, "strict": true, "level": ""})).unwrap();
        assert_eq!(p.integer("maxTimeoutSeconds"), Ok(30));
        assert_eq!(p.boolean("strict"), Ok(true));
        assert_eq!(p.word("level"), Ok("ERROR"));
    }

    #[test]
    fn bad_values_name_the_key_and_the_form() {
        let err = parse(json!({"maxTimeoutSeconds": "abc"})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid rule parameter maxTimeoutSeconds: \"abc\" is not an integer (expected an integer from 1 to 900)"
        );
        assert_eq!(err.error_type(), "InvalidParameters");
        assert_eq!(invalid_key(json!({"maxTimeoutSeconds": "0"})), "maxTimeoutSeconds");
        assert_eq!(invalid_key(json!({"maxTimeoutSeconds": "901"})), "maxTimeoutSeconds");
        assert_eq!(invalid_key(json!({"strict": "yes"})), "strict");
        assert_eq!(invalid_key(json!({"level": "DEBUG"})), "level");
        assert_eq!(invalid_key(json!({"strict": ["a"]})), "strict");
    }

    #[test]
    fn required_parameters_must_be_given() {
        const REQ: &[ParamSpec] = &[ParamSpec {
            name: "tagKeys",
            kind: ParamKind::List,
            default: None,
            required: true,
            description: "keys",
        }];
        for raw in [None, Some(json!({})), Some(json!({"tagKeys": " "}))] {
            let err = ParamValues::parse(REQ, raw.as_ref()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "invalid rule parameter tagKeys: is required (expected a comma-separated list)"
            );
        }
        let ok = ParamValues::parse(REQ, Some(&json!({"tagKeys": "owner"}))).unwrap();
        assert_eq!(ok.list("tagKeys"), Ok(vec!["owner".to_string()]));
    }

    #[test]
    fn reading_an_undeclared_or_mistyped_parameter_is_an_error_not_a_default() {
        let p = ParamValues::parse(SPECS, None).unwrap();
        let key = |r: Result<bool, Error>| match r {
            Err(Error::InvalidParameters { key, reason, .. }) => (key, reason),
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(
            key(p.boolean("stirct")),
            (
                "stirct".to_string(),
                "read by the rule but not declared in its META".to_string()
            )
        );
        assert_eq!(
            key(p.boolean("maxTimeoutSeconds")),
            (
                "maxTimeoutSeconds".to_string(),
                "read as a boolean, but declared as an integer from 1 to 900".to_string()
            )
        );
        // An optional parameter read as always set.
        assert!(matches!(p.word("exemptServices"), Err(Error::InvalidParameters { .. })));
        assert_eq!(p.optional_integer("maxTimeoutSeconds"), Ok(Some(60)));
    }

    #[test]
    fn const_constructors_declare_what_they_say() {
        const TIMEOUT: ParamSpec = ParamSpec::integer("maxTimeoutSeconds", 1, 900, "60", "limit");
        assert_eq!(TIMEOUT, SPECS[0]);
        assert_eq!(ParamSpec::boolean("strict", false, "strict"), SPECS[1]);
        assert_eq!(ParamSpec::list("exemptServices", "services"), SPECS[2]);
        assert_eq!(
            ParamSpec::one_of("level", &["ERROR", "INFO"], "ERROR", "level"),
            SPECS[3]
        );
        let required = ParamSpec::list("tagKeys", "keys").required();
        assert_eq!((required.required, required.default), (true, None));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = parse(json!({"maxTimeout": "10"})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid rule parameter maxTimeout: unknown parameter (expected one of maxTimeoutSeconds, strict, exemptServices, level)"
        );
    }

    #[test]
    fn parameters_must_be_an_object() {
        let err = parse(json!(["x"])).unwrap_err();
        assert_eq!(
            err,
            Error::malformed("ruleParameters", "expected a JSON object, found an array")
        );
    }
}
