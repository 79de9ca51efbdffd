//! A CloudFormation template's text as a tree whose every node knows its line.
//!
//! YAML (with CloudFormation's short-form tags, `!Ref x` read as `{"Ref": "x"}`, as AWS's
//! "Intrinsic function reference" defines them) and JSON (a JSON template is YAML) are read with
//! yaml-rust2's event parser, the one kept library that gives both the line of each node and its
//! tag. Anything CloudFormation would refuse (an unknown `!Tag`, a key that is not a scalar, a
//! key given twice, several documents) is an error naming the line.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One node of a template: its value and its line (1-based): a map's value is at its key's
/// line.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub value: Value,
}

/// A node's value. Maps keep their order (CloudFormation's own reports follow it).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn new(line: u32, value: Value) -> Node {
        Node { line, value }
    }

    /// The value under `key` of a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A map with exactly one key (the shape of every intrinsic function).
    pub fn single_key(&self) -> Option<(&str, &Node)> {
        match &self.value {
            Value::Map(entries) if entries.len() == 1 => Some((entries[0].0.as_str(), &entries[0].1)),
            _ => None,
        }
    }

    /// The node as JSON, intrinsic functions left as they are (for hashing and messages).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => entries.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
        }
    }
}

/// Why a template could not be read: the line, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u32,
    pub message: String,
}

/// The short-form tags CloudFormation accepts, and the long form each stands for.
fn long_form(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "FindInMap" => "Fn::FindInMap",
        "GetAtt" => "Fn::GetAtt",
        "GetAZs" => "Fn::GetAZs",
        "ImportValue" => "Fn::ImportValue",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "Sub" => "Fn::Sub",
        "Transform" => "Fn::Transform",
        "And" => "Fn::And",
        "Equals" => "Fn::Equals",
        "If" => "Fn::If",
        "Not" => "Fn::Not",
        "Or" => "Fn::Or",
        "ToJsonString" => "Fn::ToJsonString",
        "Length" => "Fn::Length",
        "ForEach" => "Fn::ForEach",
        _ => return None,
    })
}

/// Parses a template's text (YAML or JSON).
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| SyntaxError {
        line: line_of(e.marker()),
        message: e.info().to_string(),
    })?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    if builder.documents > 1 {
        return Err(SyntaxError {
            line: builder.second_document_line,
            message: "a template is one YAML document; found another".into(),
        });
    }
    builder.root.ok_or(SyntaxError {
        line: 1,
        message: "the file is empty".into(),
    })
}

fn line_of(mark: &Marker) -> u32 {
    u32::try_from(mark.line()).unwrap_or(u32::MAX).max(1)
}

enum Frame {
    Seq {
        line: u32,
        tag: Option<Tag>,
        items: Vec<Node>,
    },
    Map {
        line: u32,
        tag: Option<Tag>,
        entries: Vec<(String, Node)>,
        key: Option<(String, u32)>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    second_document_line: u32,
    error: Option<SyntaxError>,
}

impl Builder {
    fn fail(&mut self, line: u32, message: String) {
        if self.error.is_none() {
            self.error = Some(SyntaxError { line, message });
        }
    }

    /// Adds a finished node to the open collection (or makes it the document).
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let line = node.line;
                    match node.value {
                        Value::String(k) => *key = Some((k, line)),
                        Value::Number(n) => *key = Some((n.to_string(), line)),
                        Value::Bool(b) => *key = Some((b.to_string(), line)),
                        _ => self.fail(line, "a map key must be a plain string".into()),
                    }
                }
                Some((k, line)) => {
                    if entries.iter().any(|(e, _)| *e == k) {
                        let message = format!("the key {k} is given twice in the same map");
                        self.fail(line, message);
                    } else {
                        // A value is placed at its key's line (a block map or list below its
                        // key starts on the next line): where a finding should point.
                        let mut node = node;
                        node.line = node.line.min(line);
                        entries.push((k, node));
                    }
                }
            },
        }
    }

    /// A tagged node becomes the intrinsic function the tag stands for.
    fn apply_tag(&mut self, tag: Option<Tag>, node: Node) -> Node {
        let Some(tag) = tag else { return node };
        if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
            // YAML's own core tags: the scalar as the named type.
            return match (tag.suffix.as_str(), &node.value) {
                ("str", Value::Number(n)) => Node::new(node.line, Value::String(n.to_string())),
                ("str", Value::Bool(b)) => Node::new(node.line, Value::String(b.to_string())),
                ("str", Value::Null) => Node::new(node.line, Value::String(String::new())),
                _ => node,
            };
        }
        let Some(name) = (tag.handle == "!").then(|| long_form(&tag.suffix)).flatten() else {
            self.fail(
                node.line,
                format!(
                    "unknown tag {}{} (CloudFormation's short forms are !Ref, !Sub, !GetAtt, ...)",
                    tag.handle, tag.suffix
                ),
            );
            return node;
        };
        let line = node.line;
        let inner = match (name, node.value) {
            // `!GetAtt Resource.Attribute` is `Fn::GetAtt: [Resource, Attribute]`.
            ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                Some((resource, attribute)) => Node::new(
                    line,
                    Value::Seq(vec![
                        Node::new(line, Value::String(resource.to_string())),
                        Node::new(line, Value::String(attribute.to_string())),
                    ]),
                ),
                None => {
                    self.fail(line, format!("!GetAtt {s}: expected Resource.Attribute"));
                    Node::new(line, Value::String(s))
                }
            },
            (_, value) => Node::new(line, value),
        };
        Node::new(line, Value::Map(vec![(name.to_string(), inner)]))
    }
}

/// A plain scalar's type, as YAML's core schema reads it.
fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        // A leading zero ("0123", an account id or an octal-looking code) stays text, as
        // CloudFormation keeps it.
        let digits = text.trim_start_matches(['-', '+']);
        let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
        if !leading_zero {
            if let Ok(i) = text.parse::<i64>() {
                return Value::Number(i.into());
            }
            if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                return Value::Number(n);
            }
        }
    }
    Value::String(text.to_string())
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = line_of(&mark);
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents == 2 {
                    self.second_document_line = line;
                }
            }
            Event::Scalar(text, style, _anchor, tag) => {
                let value = match style {
                    TScalarStyle::Plain => plain(&text),
                    _ => Value::String(text),
                };
                let node = self.apply_tag(tag, Node::new(line, value));
                if self.documents <= 1 {
                    self.push(node);
                }
            }
            // CloudFormation refuses YAML aliases ("Template format error: YAML aliases are not
            // allowed in CloudFormation templates"): so does the template mode.
            Event::Alias(_) => self.fail(
                line,
                "YAML aliases (*name) are not allowed in CloudFormation templates".into(),
            ),
            Event::SequenceStart(_, tag) => self.stack.push(Frame::Seq {
                line,
                tag,
                items: Vec::new(),
            }),
            Event::MappingStart(_, tag) => self.stack.push(Frame::Map {
                line,
                tag,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (line, tag, value) = match self.stack.pop() {
                    Some(Frame::Seq { line, tag, items }) => (line, tag, Value::Seq(items)),
                    Some(Frame::Map { line, tag, entries, .. }) => (line, tag, Value::Map(entries)),
                    None => return,
                };
                let node = self.apply_tag(tag, Node::new(line, value));
                if self.documents <= 1 {
                    self.push(node);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: u32, text: &str) -> Node {
        Node::new(line, Value::String(text.to_string()))
    }

    #[test]
    fn short_forms_become_long_forms_with_lines() {
        let doc = parse("A:\n  B: !Ref Param\n  C: !GetAtt Role.Arn\n  D: !Sub\n    - x-${y}\n    - {y: 1}\n").unwrap();
        let a = doc.get("A").unwrap();
        assert_eq!(
            a.get("B").unwrap(),
            &Node::new(2, Value::Map(vec![("Ref".into(), s(2, "Param"))]))
        );
        let getatt = a.get("C").unwrap();
        assert_eq!(getatt.line, 3);
        assert_eq!(
            getatt.single_key().unwrap().1.value,
            Value::Seq(vec![s(3, "Role"), s(3, "Arn")])
        );
        let sub = a.get("D").unwrap();
        assert_eq!(sub.single_key().unwrap().0, "Fn::Sub");
        assert_eq!(sub.line, 4, "a value is at its key's line");
    }

    #[test]
    fn scalars_follow_the_core_schema_and_keep_leading_zeros() {
        let doc = parse("a: 30\nb: '30'\nc: true\nd: 012345678901\ne: 1.5\nf: ~\ng: !!str 5\n").unwrap();
        assert_eq!(doc.get("a").unwrap().value, Value::Number(30.into()));
        assert_eq!(doc.get("b").unwrap().value, Value::String("30".into()));
        assert_eq!(doc.get("c").unwrap().value, Value::Bool(true));
        assert_eq!(doc.get("d").unwrap().value, Value::String("012345678901".into()));
        assert_eq!(doc.get("e").unwrap().to_json(), serde_json::json!(1.5));
        assert_eq!(doc.get("f").unwrap().value, Value::Null);
        assert_eq!(doc.get("g").unwrap().value, Value::String("5".into()));
    }

    #[test]
    fn json_templates_read_with_lines() {
        let doc = parse("{\n  \"Resources\": {\n    \"F\": {\"Type\": \"AWS::Lambda::Function\"}\n  }\n}\n").unwrap();
        assert_eq!(doc.get("Resources").unwrap().get("F").unwrap().line, 3);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("a: 1\nb: !Reff x\n", 2, "unknown tag !Reff"),
            ("a: 1\na: 2\n", 2, "given twice"),
            ("a: [1\n", 2, ""),
            ("a: 1\n---\nb: 2\n", 2, "one YAML document"),
            ("", 1, "empty"),
            ("a: &x 1\nb: *x\n", 2, "aliases"),
            ("a: !GetAtt NoDot\n", 1, "Resource.Attribute"),
        ];
        for (text, line, message) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err:?}");
            assert!(err.message.contains(message), "{text:?}: {err:?}");
        }
    }
}
