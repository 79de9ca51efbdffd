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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParamValues {
    values: BTreeMap<&'static str, ParamValue>,
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
        Ok(ParamValues { values })
    }

    /// The value of a declared parameter, or `None` when it is optional and unset.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// An integer parameter (`None` when optional and unset).
    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(ParamValue::Integer(i)) => Some(*i),
            _ => None,
        }
    }

    /// A boolean parameter; unset reads as `false`.
    pub fn boolean(&self, name: &str) -> bool {
        matches!(self.get(name), Some(ParamValue::Boolean(true)))
    }

    /// A list parameter; unset reads as empty.
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(ParamValue::List(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// A text or one-of parameter (`None` when optional and unset).
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(ParamValue::Text(t)) => Some(t),
            _ => None,
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

pub(crate) fn json_kind(v: &Value) -> &'static str {
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
        assert_eq!(p.integer("maxTimeoutSeconds"), Some(60));
        assert!(!p.boolean("strict"));
        assert_eq!(p.list("exemptServices"), Vec::<String>::new());
        assert_eq!(p.get("exemptServices"), None);
        assert_eq!(p.text("level"), Some("ERROR"));
    }

    #[test]
    fn config_string_values_are_accepted() {
        let p = parse(json!({"maxTimeoutSeconds": "120", "strict": "TRUE",
            "exemptServices": " s3, logs ,,", "level": "INFO"}))
        .unwrap();
        assert_eq!(p.integer("maxTimeoutSeconds"), Some(120));
        assert!(p.boolean("strict"));
        assert_eq!(p.list("exemptServices"), vec!["s3", "logs"]);
        assert_eq!(p.text("level"), Some("INFO"));
    }

    #[test]
    fn native_json_values_and_empty_strings() {
        let p = parse(json!({"maxTimeoutSeconds": 30, "strict": true, "level": ""})).unwrap();
        assert_eq!(p.integer("maxTimeoutSeconds"), Some(30));
        assert!(p.boolean("strict"));
        assert_eq!(p.text("level"), Some("ERROR"));
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
        assert_eq!(ok.list("tagKeys"), vec!["owner"]);
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
