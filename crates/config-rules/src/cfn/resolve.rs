//! A template's parameters, conditions, mappings and intrinsic functions, resolved the way
//! CloudFormation resolves them at deploy, as far as that can be known before deploy.
//!
//! - `Ref` to a parameter: its `--template-parameters` value, else its `Default`; to a pseudo
//!   parameter: `AWS::AccountId`, `AWS::Region`, ... (stand-ins, overridable the same way).
//! - `Ref` and `Fn::GetAtt ... .Arn` to a resource of the same template: a stable stand-in for
//!   the physical id it will get (its name property when the template sets it literally, else
//!   its logical id; ARNs built in the service's documented format from it), so rules can tell
//!   "the same role" or "a key of this template"; no rule judges a stand-in's text.
//! - `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` with `Conditions`,
//!   `Fn::FindInMap`, `Fn::Base64`, `Fn::ToJsonString`, `Fn::Length`, `AWS::NoValue`.
//! - What exists only after deploy (another attribute of a resource, `Fn::ImportValue`,
//!   `Fn::GetAZs`, `Fn::Cidr`, a parameter with neither value nor default, an SSM parameter
//!   type, a macro) never becomes a guess: it resolves to an *unknown* marker that names it, and
//!   the verdicts that depend on it are reported as unknown (see `super::judge`).
//!
//! A template CloudFormation would refuse (a `Ref` to nothing, a malformed function, a cycle in
//! `Conditions`) is an error naming the line.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value as Json};

use super::yaml::{Node, Value};

/// A template error: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    pub line: u32,
    pub message: String,
}

fn err<T>(line: u32, message: impl Into<String>) -> Result<T, ResolveError> {
    Err(ResolveError {
        line,
        message: message.into(),
    })
}

/// A value that cannot be known before deploy: what it is, and where the template asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub what: String,
    pub line: u32,
}

/// The text an unknown value resolves to. It appears inside strings (`Fn::Sub`), so it is found
/// by [`markers_in`].
pub fn marker(index: usize) -> String {
    format!("<unknown:{index}>")
}

/// The indexes of every unknown marker in a text.
pub fn markers_in(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<unknown:") {
        rest = &rest[start + "<unknown:".len()..];
        if let Some(end) = rest.find('>') {
            if let Ok(i) = rest[..end].parse() {
                out.push(i);
            }
        }
    }
    out
}

/// A resource as the template declares it.
#[derive(Debug, Clone)]
pub struct RawResource {
    pub id: String,
    pub kind: String,
    pub line: u32,
    pub properties: Option<Node>,
    pub condition: Option<(String, u32)>,
}

/// The physical-id stand-in of each resource type with a name property: the property that
/// names it.
fn name_property(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "FunctionName",
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::User" => "UserName",
        "AWS::IAM::Group" => "GroupName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::CloudTrail::Trail" => "TrailName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => "TableName",
        "AWS::StepFunctions::StateMachine" => "StateMachineName",
        "AWS::Serverless::StateMachine" => "Name",
        "AWS::SecretsManager::Secret" => "Name",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => "LayerName",
        // `Ref` of a stage is its name.
        "AWS::ApiGateway::Stage" | "AWS::ApiGatewayV2::Stage" => "StageName",
        _ => return None,
    })
}

/// The pseudo parameters and their stand-ins.
pub const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
];

/// The stand-in account id of a template evaluation (overridable with
/// `--template-parameters AWS::AccountId=...`).
pub const DEFAULT_ACCOUNT: &str = "123456789012";

#[derive(Debug, Clone)]
enum Tri {
    Known(bool),
    Unknown(String),
}

/// Resolves a template's intrinsic functions.
pub struct Resolver {
    parameters: HashMap<String, Json>,
    conditions: BTreeMap<String, Node>,
    condition_values: HashMap<String, Tri>,
    mappings: Option<Node>,
    /// Logical id → (type, physical-id stand-in).
    resources: HashMap<String, (String, String)>,
    pub unknowns: Vec<Unknown>,
    pub account: String,
    pub region: String,
    pub partition: String,
    /// SAM's `Globals.Api` and `Globals.HttpApi`, resolved: the settings of the implicit APIs.
    pub globals_api: Option<Map<String, Json>>,
    pub globals_http_api: Option<Map<String, Json>>,
}

impl Resolver {
    /// A resolver for a template: parameters from `overrides` (which must name declared or
    /// pseudo parameters), defaults and stand-ins.
    pub fn new(
        root: &Node,
        resources: &[RawResource],
        overrides: &BTreeMap<String, String>,
        stack_name: &str,
    ) -> Result<Resolver, ResolveError> {
        let mut r = Resolver {
            parameters: HashMap::new(),
            conditions: BTreeMap::new(),
            condition_values: HashMap::new(),
            mappings: root.get("Mappings").cloned(),
            resources: HashMap::new(),
            unknowns: Vec::new(),
            account: overrides
                .get("AWS::AccountId")
                .cloned()
                .unwrap_or_else(|| DEFAULT_ACCOUNT.into()),
            region: overrides
                .get("AWS::Region")
                .cloned()
                .unwrap_or_else(|| "us-east-1".into()),
            partition: String::new(),
            globals_api: None,
            globals_http_api: None,
        };
        r.partition = overrides.get("AWS::Partition").cloned().unwrap_or_else(|| {
            if r.region.starts_with("cn-") {
                "aws-cn".into()
            } else if r.region.starts_with("us-gov-") {
                "aws-us-gov".into()
            } else {
                "aws".into()
            }
        });
        let stack = overrides
            .get("AWS::StackName")
            .cloned()
            .unwrap_or_else(|| stack_name.to_string());
        let suffix = if r.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let pseudo = [
            ("AWS::AccountId", json!(r.account)),
            ("AWS::Region", json!(r.region)),
            ("AWS::Partition", json!(r.partition)),
            ("AWS::StackName", json!(stack)),
            (
                "AWS::StackId",
                json!(format!(
                    "arn:{}:cloudformation:{}:{}:stack/{stack}/stand-in",
                    r.partition, r.region, r.account
                )),
            ),
            ("AWS::URLSuffix", json!(suffix)),
            ("AWS::NotificationARNs", json!([])),
        ];
        for (k, v) in pseudo {
            r.parameters.insert(k.to_string(), v);
        }
        let declared = root.get("Parameters");
        if let Some(params) = declared {
            let Value::Map(entries) = &params.value else {
                return err(params.line, "Parameters must be a map");
            };
            for (name, decl) in entries {
                let kind = decl.get("Type").and_then(Node::as_str).unwrap_or("String");
                let value = match (overrides.get(name), decl.get("Default")) {
                    _ if kind.starts_with("AWS::SSM::Parameter::Value<") => Json::String(r.unknown(
                        format!("parameter {name} (read from SSM Parameter Store at deploy)"),
                        decl.line,
                    )),
                    (Some(v), _) => json!(v),
                    (None, Some(d)) => match &d.value {
                        Value::String(s) => json!(s),
                        Value::Number(n) => json!(n.to_string()),
                        Value::Bool(b) => json!(b.to_string()),
                        Value::Seq(items) => json!(items
                            .iter()
                            .map(|i| scalar_text(&i.to_json()))
                            .collect::<Vec<_>>()
                            .join(",")),
                        _ => return err(d.line, format!("parameter {name}: Default must be a plain value")),
                    },
                    (None, None) => Json::String(r.unknown(
                        format!("parameter {name} (no Default; give it with --template-parameters {name}=...)"),
                        decl.line,
                    )),
                };
                let value = if kind.starts_with("List<") || kind == "CommaDelimitedList" {
                    match value {
                        Json::String(s) if markers_in(&s).is_empty() => {
                            Json::Array(s.split(',').map(|p| json!(p.trim())).collect())
                        }
                        other => other,
                    }
                } else {
                    value
                };
                r.parameters.insert(name.clone(), value);
            }
        }
        for name in overrides.keys() {
            let known = declared.and_then(|p| p.get(name)).is_some() || PSEUDO.contains(&name.as_str());
            if !known {
                let names: Vec<String> = match declared.map(|d| &d.value) {
                    Some(Value::Map(entries)) => entries.iter().map(|(k, _)| k.clone()).collect(),
                    _ => Vec::new(),
                };
                let hint = names
                    .iter()
                    .map(|n| (strsim::normalized_damerau_levenshtein(n, name), n))
                    .filter(|(score, _)| *score >= 0.6)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, n)| format!(" (did you mean {n}?)"))
                    .unwrap_or_default();
                return err(
                    1,
                    format!("--template-parameters names {name}, which the template does not declare{hint}"),
                );
            }
        }
        if let Some(conditions) = root.get("Conditions") {
            let Value::Map(entries) = &conditions.value else {
                return err(conditions.line, "Conditions must be a map");
            };
            r.conditions = entries.iter().cloned().collect();
        }
        for res in resources {
            let name = name_property(&res.kind)
                .and_then(|p| res.properties.as_ref()?.get(p)?.as_str().map(str::to_string))
                .unwrap_or_else(|| stand_in_name(&res.kind, &res.id));
            r.resources.insert(res.id.clone(), (res.kind.clone(), name));
        }
        // Every condition is evaluated up front, so a cycle is an error even if nothing uses it.
        let names: Vec<String> = r.conditions.keys().cloned().collect();
        for name in names {
            r.condition(&name, 1, &mut Vec::new())?;
        }
        Ok(r)
    }

    /// Registers a resource SAM creates implicitly (so `Ref` and `Fn::GetAtt` reach it).
    pub fn add_implicit(&mut self, id: &str, kind: &str) {
        self.resources
            .entry(id.to_string())
            .or_insert_with(|| (kind.to_string(), stand_in_name(kind, id)));
    }

    /// The physical-id stand-in of a resource (what `Ref` gives).
    pub fn physical(&self, id: &str) -> Option<&str> {
        self.resources.get(id).map(|(_, n)| n.as_str())
    }

    /// Records an unknown value and returns its marker.
    pub fn unknown(&mut self, what: String, line: u32) -> String {
        self.unknowns.push(Unknown { what, line });
        marker(self.unknowns.len() - 1)
    }

    /// Whether a resource `Condition` holds (an unknown condition counts as holding: the
    /// resource is judged as if created).
    pub fn holds(&mut self, name: &str, line: u32) -> Result<bool, ResolveError> {
        Ok(match self.condition(name, line, &mut Vec::new())? {
            Tri::Known(b) => b,
            Tri::Unknown(_) => true,
        })
    }

    fn condition(&mut self, name: &str, line: u32, visiting: &mut Vec<String>) -> Result<Tri, ResolveError> {
        if let Some(v) = self.condition_values.get(name) {
            return Ok(v.clone());
        }
        if visiting.iter().any(|v| v == name) {
            visiting.push(name.to_string());
            return err(line, format!("a cycle in Conditions: {}", visiting.join(" -> ")));
        }
        let Some(node) = self.conditions.get(name).cloned() else {
            return err(line, format!("the condition {name} is not defined in Conditions"));
        };
        visiting.push(name.to_string());
        let value = self.condition_expr(&node, visiting)?;
        visiting.pop();
        self.condition_values.insert(name.to_string(), value.clone());
        Ok(value)
    }

    fn condition_expr(&mut self, node: &Node, visiting: &mut Vec<String>) -> Result<Tri, ResolveError> {
        let Some((f, arg)) = node.single_key() else {
            return err(
                node.line,
                "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition",
            );
        };
        let list = |arg: &Node| match &arg.value {
            Value::Seq(items) => Ok(items.clone()),
            _ => err(arg.line, format!("{f} takes a list")),
        };
        match f {
            "Condition" => match arg.as_str() {
                Some(name) => self.condition(name, arg.line, visiting),
                None => err(arg.line, "Condition takes a condition's name"),
            },
            "Fn::Equals" => {
                let items = list(arg)?;
                if items.len() != 2 {
                    return err(arg.line, "Fn::Equals takes two values");
                }
                let a = self.resolve(&items[0])?.unwrap_or(Json::Null);
                let b = self.resolve(&items[1])?.unwrap_or(Json::Null);
                let (ta, tb) = (scalar_text(&a), scalar_text(&b));
                let unknown: Vec<usize> = markers_in(&ta).into_iter().chain(markers_in(&tb)).collect();
                Ok(match unknown.first() {
                    Some(i) => Tri::Unknown(self.unknowns[*i].what.clone()),
                    None => Tri::Known(ta == tb),
                })
            }
            "Fn::Not" => {
                let items = list(arg)?;
                let [inner] = items.as_slice() else {
                    return err(arg.line, "Fn::Not takes one condition");
                };
                Ok(match self.condition_expr(inner, visiting)? {
                    Tri::Known(b) => Tri::Known(!b),
                    u => u,
                })
            }
            "Fn::And" | "Fn::Or" => {
                let want = f == "Fn::Or";
                let mut unknown = None;
                for inner in list(arg)? {
                    match self.condition_expr(&inner, visiting)? {
                        Tri::Known(b) if b == want => return Ok(Tri::Known(want)),
                        Tri::Known(_) => {}
                        Tri::Unknown(u) => unknown = Some(u),
                    }
                }
                Ok(unknown.map(Tri::Unknown).unwrap_or(Tri::Known(!want)))
            }
            other => err(node.line, format!("{other} cannot be used in a condition")),
        }
    }

    /// Resolves a node: `None` is `AWS::NoValue` (the property is left out).
    pub fn resolve(&mut self, node: &Node) -> Result<Option<Json>, ResolveError> {
        match &node.value {
            Value::Null => Ok(Some(Json::Null)),
            Value::Bool(b) => Ok(Some(Json::Bool(*b))),
            Value::Number(n) => Ok(Some(Json::Number(n.clone()))),
            Value::String(s) => Ok(Some(Json::String(s.clone()))),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    if let Some(v) = self.resolve(item)? {
                        out.push(v);
                    }
                }
                Ok(Some(Json::Array(out)))
            }
            Value::Map(entries) => {
                if let Some((f, arg)) = node.single_key() {
                    if f == "Ref" || f.starts_with("Fn::") {
                        return self.function(f, arg, node.line);
                    }
                }
                let mut out = Map::new();
                for (k, v) in entries {
                    if let Some(v) = self.resolve(v)? {
                        out.insert(k.clone(), v);
                    }
                }
                Ok(Some(Json::Object(out)))
            }
        }
    }

    fn known(&mut self, node: &Node) -> Result<Json, ResolveError> {
        Ok(self.resolve(node)?.unwrap_or(Json::Null))
    }

    fn function(&mut self, f: &str, arg: &Node, line: u32) -> Result<Option<Json>, ResolveError> {
        let args = |n: &Node, count: usize| -> Result<Vec<Node>, ResolveError> {
            match &n.value {
                Value::Seq(items) if items.len() == count => Ok(items.clone()),
                _ => err(n.line, format!("{f} takes a list of {count}")),
            }
        };
        Ok(Some(match f {
            "Ref" => {
                let Some(name) = arg.as_str() else {
                    return err(line, "Ref takes a name");
                };
                return self.reference(name, line);
            }
            "Fn::GetAtt" => {
                let (res, attr) = match &arg.value {
                    Value::Seq(items) if items.len() == 2 => {
                        let res = self.known(&items[0])?;
                        let attr = self.known(&items[1])?;
                        (scalar_text(&res), scalar_text(&attr))
                    }
                    Value::String(s) => match s.split_once('.') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => return err(line, format!("Fn::GetAtt {s}: expected Resource.Attribute")),
                    },
                    _ => return err(line, "Fn::GetAtt takes [Resource, Attribute]"),
                };
                json!(self.attribute(&res, &attr, line)?)
            }
            "Fn::Sub" => {
                let (text, vars) = match &arg.value {
                    Value::String(s) => (s.clone(), Map::new()),
                    Value::Seq(items) if items.len() == 2 => {
                        let Some(text) = items[0].as_str() else {
                            return err(items[0].line, "Fn::Sub's first item must be a string");
                        };
                        let vars = match self.known(&items[1])? {
                            Json::Object(m) => m,
                            _ => return err(items[1].line, "Fn::Sub's variables must be a map"),
                        };
                        (text.to_string(), vars)
                    }
                    _ => return err(line, "Fn::Sub takes a string or [string, variables]"),
                };
                json!(self.substitute(&text, &vars, line)?)
            }
            "Fn::Join" => {
                let items = args(arg, 2)?;
                let sep = scalar_text(&self.known(&items[0])?);
                let parts = match self.known(&items[1])? {
                    Json::Array(parts) => parts,
                    Json::String(s) if !markers_in(&s).is_empty() => return Ok(Some(json!(s))),
                    _ => return err(items[1].line, "Fn::Join's second item must be a list"),
                };
                json!(parts.iter().map(scalar_text).collect::<Vec<_>>().join(&sep))
            }
            "Fn::Select" => {
                let items = args(arg, 2)?;
                let index = scalar_text(&self.known(&items[0])?);
                let list = self.known(&items[1])?;
                match (index.parse::<usize>(), list) {
                    (_, Json::String(s)) if !markers_in(&s).is_empty() => json!(s),
                    (Ok(i), Json::Array(list)) => match list.get(i) {
                        Some(v) => v.clone(),
                        None => return err(arg.line, format!("Fn::Select: no item {i} in a list of {}", list.len())),
                    },
                    _ => return err(arg.line, "Fn::Select takes [index, list]"),
                }
            }
            "Fn::Split" => {
                let items = args(arg, 2)?;
                let sep = scalar_text(&self.known(&items[0])?);
                let text = scalar_text(&self.known(&items[1])?);
                if sep.is_empty() {
                    return err(arg.line, "Fn::Split needs a delimiter");
                }
                json!(text.split(sep.as_str()).collect::<Vec<_>>())
            }
            "Fn::If" => {
                let items = args(arg, 3)?;
                let Some(name) = items[0].as_str() else {
                    return err(items[0].line, "Fn::If's first item must be a condition's name");
                };
                return match self.condition(name, items[0].line, &mut Vec::new())? {
                    Tri::Known(true) => self.resolve(&items[1]),
                    Tri::Known(false) => self.resolve(&items[2]),
                    Tri::Unknown(why) => Ok(Some(json!(
                        self.unknown(format!("Fn::If on condition {name}, which depends on {why}"), line)
                    ))),
                };
            }
            "Fn::FindInMap" => {
                let items = match &arg.value {
                    Value::Seq(items) if items.len() == 3 || items.len() == 4 => items.clone(),
                    _ => return err(arg.line, "Fn::FindInMap takes [map, key, key]"),
                };
                let mut keys = Vec::new();
                for k in &items[..3] {
                    keys.push(scalar_text(&self.known(k)?));
                }
                if keys.iter().any(|k| !markers_in(k).is_empty()) {
                    return Ok(Some(json!(
                        self.unknown(format!("Fn::FindInMap {} with an unknown key", keys[0]), line)
                    )));
                }
                let found = self
                    .mappings
                    .as_ref()
                    .and_then(|m| m.get(&keys[0]))
                    .and_then(|m| m.get(&keys[1]))
                    .and_then(|m| m.get(&keys[2]))
                    .cloned();
                match found {
                    Some(v) => self.known(&v)?,
                    None => match items.get(3).and_then(|d| d.get("DefaultValue")) {
                        Some(d) => self.known(d)?,
                        None => return err(line, format!("Fn::FindInMap: Mappings has no {}", keys.join("/"))),
                    },
                }
            }
            "Fn::Base64" => self.known(arg)?,
            "Fn::ToJsonString" => json!(self.known(arg)?.to_string()),
            "Fn::Length" => match self.known(arg)? {
                Json::Array(a) => json!(a.len()),
                _ => return err(line, "Fn::Length takes a list"),
            },
            "Fn::ImportValue" => {
                let name = scalar_text(&self.known(arg)?);
                json!(self.unknown(format!("Fn::ImportValue {name} (another stack's export)"), line))
            }
            "Fn::GetAZs" | "Fn::Cidr" => json!(self.unknown(format!("{f} (known only at deploy)"), line)),
            "Fn::Transform" => json!(self.unknown("Fn::Transform (a macro runs only at deploy)".into(), line)),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                return err(line, format!("{f} can only be used in Conditions"));
            }
            other => {
                return err(
                    line,
                    format!("{other} is not an intrinsic function CloudFormation knows"),
                )
            }
        }))
    }

    fn reference(&mut self, name: &str, line: u32) -> Result<Option<Json>, ResolveError> {
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if let Some(v) = self.parameters.get(name) {
            return Ok(Some(v.clone()));
        }
        if let Some((kind, physical)) = self.resources.get(name) {
            return Ok(Some(match kind.as_str() {
                "AWS::IAM::ManagedPolicy" => json!(format!(
                    "arn:{}:iam::{}:policy/{physical}",
                    self.partition, self.account
                )),
                "AWS::SNS::Topic" => json!(format!(
                    "arn:{}:sns:{}:{}:{physical}",
                    self.partition, self.region, self.account
                )),
                // A state machine's and a secret's Ref is its ARN (a secret's ARN ends with six
                // random characters AWS adds; the stand-in has none).
                "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => json!(format!(
                    "arn:{}:states:{}:{}:stateMachine:{physical}",
                    self.partition, self.region, self.account
                )),
                "AWS::SecretsManager::Secret" => json!(format!(
                    "arn:{}:secretsmanager:{}:{}:secret:{physical}",
                    self.partition, self.region, self.account
                )),
                // A queue's Ref is its URL.
                "AWS::SQS::Queue" => json!(format!(
                    "https://sqs.{}.amazonaws.com/{}/{physical}",
                    self.region, self.account
                )),
                // A layer version's Ref is its ARN (the version number is assigned at deploy;
                // the stand-in says 1).
                "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => json!(format!(
                    "arn:{}:lambda:{}:{}:layer:{physical}:1",
                    self.partition, self.region, self.account
                )),
                _ => json!(physical),
            }));
        }
        err(line, format!("Ref {name}: no parameter or resource of that name"))
    }

    /// `Fn::GetAtt`: the attributes whose value follows from the template (ARNs and ids built
    /// from the stand-in), an unknown marker for the rest.
    fn attribute(&mut self, res: &str, attr: &str, line: u32) -> Result<String, ResolveError> {
        let Some((kind, name)) = self.resources.get(res).cloned() else {
            return err(
                line,
                format!("Fn::GetAtt {res}.{attr}: no resource {res} in the template"),
            );
        };
        let (p, r, a) = (self.partition.clone(), self.region.clone(), self.account.clone());
        let known = match (kind.as_str(), attr) {
            ("AWS::Lambda::Function" | "AWS::Serverless::Function", "Arn") => {
                Some(format!("arn:{p}:lambda:{r}:{a}:function:{name}"))
            }
            ("AWS::IAM::Role", "Arn") => Some(format!("arn:{p}:iam::{a}:role/{name}")),
            ("AWS::IAM::User", "Arn") => Some(format!("arn:{p}:iam::{a}:user/{name}")),
            ("AWS::IAM::Group", "Arn") => Some(format!("arn:{p}:iam::{a}:group/{name}")),
            ("AWS::KMS::Key", "Arn") => Some(format!("arn:{p}:kms:{r}:{a}:key/{name}")),
            ("AWS::KMS::Key", "KeyId") => Some(name),
            ("AWS::S3::Bucket", "Arn") => Some(format!("arn:{p}:s3:::{name}")),
            ("AWS::SQS::Queue", "Arn") => Some(format!("arn:{p}:sqs:{r}:{a}:{name}")),
            ("AWS::SQS::Queue", "QueueName") => Some(name),
            ("AWS::SQS::Queue", "QueueUrl") => Some(format!("https://sqs.{r}.amazonaws.com/{a}/{name}")),
            ("AWS::SNS::Topic", "TopicArn") => Some(format!("arn:{p}:sns:{r}:{a}:{name}")),
            ("AWS::SNS::Topic", "TopicName") => Some(name),
            ("AWS::Logs::LogGroup", "Arn") => Some(format!("arn:{p}:logs:{r}:{a}:log-group:{name}:*")),
            ("AWS::CloudTrail::Trail", "Arn") => Some(format!("arn:{p}:cloudtrail:{r}:{a}:trail/{name}")),
            ("AWS::Lambda::CodeSigningConfig", "CodeSigningConfigArn") => {
                Some(format!("arn:{p}:lambda:{r}:{a}:code-signing-config:{name}"))
            }
            ("AWS::WAFv2::WebACL", "Arn") => Some(format!("arn:{p}:wafv2:{r}:{a}:regional/webacl/{name}/{name}")),
            ("AWS::ApiGateway::RestApi" | "AWS::Serverless::Api", "RootResourceId") => Some(format!("{name}/")),
            ("AWS::ApiGatewayV2::Api" | "AWS::Serverless::HttpApi", "ApiId") => Some(name),
            _ => None,
        };
        Ok(match known {
            Some(v) => v,
            None => self.unknown(format!("Fn::GetAtt {res}.{attr} (known only after deploy)"), line),
        })
    }

    fn substitute(&mut self, text: &str, vars: &Map<String, Json>, line: u32) -> Result<String, ResolveError> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return err(line, format!("Fn::Sub: an unclosed ${{ in {text:?}"));
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(&scalar_text(v));
            } else if let Some((res, attr)) = name.split_once('.').filter(|_| !self.parameters.contains_key(name)) {
                let v = self.attribute(res, attr, line)?;
                out.push_str(&v);
            } else {
                let v = self.reference(name, line)?.unwrap_or(Json::Null);
                out.push_str(&scalar_text(&v));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The stand-in physical name of a resource the template does not name.
fn stand_in_name(kind: &str, id: &str) -> String {
    // Bucket names are lowercase: the stand-in must be a valid one.
    if kind == "AWS::S3::Bucket" {
        id.to_lowercase()
    } else {
        id.to_string()
    }
}

/// A property's text, `None` when the template leaves it out (null).
pub fn optional_text(v: &Json) -> Option<String> {
    (!v.is_null()).then(|| scalar_text(v))
}

/// A scalar's text, as `Fn::Join` and `Fn::Sub` write it.
pub fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::yaml::parse;

    fn resolver(text: &str, overrides: &[(&str, &str)]) -> Result<(Resolver, Node), ResolveError> {
        let root = parse(text).unwrap();
        let overrides = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let resources = vec![
            RawResource {
                id: "Role".into(),
                kind: "AWS::IAM::Role".into(),
                line: 1,
                properties: None,
                condition: None,
            },
            RawResource {
                id: "Fn".into(),
                kind: "AWS::Lambda::Function".into(),
                line: 1,
                properties: parse("FunctionName: orders").ok(),
                condition: None,
            },
        ];
        Ok((Resolver::new(&root, &resources, &overrides, "stack")?, root))
    }

    fn value(text: &str, overrides: &[(&str, &str)]) -> (Json, Vec<Unknown>) {
        let (mut r, root) = resolver(text, overrides).unwrap();
        let v = r.resolve(root.get("V").unwrap()).unwrap().unwrap_or(json!("<NoValue>"));
        (v, r.unknowns)
    }

    #[test]
    fn intrinsics_resolve_as_cloudformation_does() {
        let header =
            "Parameters:\n  Env: {Type: String, Default: dev}\n  Nets: {Type: CommaDelimitedList, Default: 'a,b'}\n\
Conditions:\n  Prod: !Equals [!Ref Env, prod]\n  NotProd: !Not [!Condition Prod]\n\
Mappings:\n  Sizes: {dev: {Mem: 128}, prod: {Mem: 1024}}\n";
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Json);
        let cases: &[Case] = &[
            ("V: !Ref Env", &[], json!("dev")),
            ("V: !Ref Env", &[("Env", "prod")], json!("prod")),
            (
                "V: !Sub '${Env}-${AWS::Region}-${!Literal}'",
                &[],
                json!("dev-us-east-1-${Literal}"),
            ),
            (
                "V: !Sub ['${A}/${Fn.Arn}', {A: !Ref Env}]",
                &[],
                json!("dev/arn:aws:lambda:us-east-1:123456789012:function:orders"),
            ),
            ("V: !Join ['-', [a, !Ref Env, 3]]", &[], json!("a-dev-3")),
            ("V: !Select [1, !Ref Nets]", &[], json!("b")),
            ("V: !Split [',', 'x,y']", &[], json!(["x", "y"])),
            ("V: !If [Prod, 900, 30]", &[], json!(30)),
            ("V: !If [NotProd, 900, 30]", &[], json!(900)),
            ("V: !If [Prod, 900, !Ref AWS::NoValue]", &[], json!("<NoValue>")),
            ("V: [a, !Ref AWS::NoValue, b]", &[], json!(["a", "b"])),
            ("V: !FindInMap [Sizes, !Ref Env, Mem]", &[("Env", "prod")], json!(1024)),
            ("V: !GetAtt Role.Arn", &[], json!("arn:aws:iam::123456789012:role/Role")),
            ("V: !Ref Fn", &[], json!("orders")),
            (
                "V: !Ref AWS::Partition",
                &[("AWS::Region", "cn-north-1")],
                json!("aws-cn"),
            ),
            ("V: !ToJsonString {a: !Ref Env}", &[], json!("{\"a\":\"dev\"}")),
        ];
        for (text, overrides, want) in cases {
            let (got, unknowns) = value(&format!("{header}{text}\n"), overrides);
            assert_eq!(&got, want, "{text}");
            assert!(unknowns.is_empty(), "{text}: {unknowns:?}");
        }
    }

    #[test]
    fn what_exists_only_after_deploy_is_unknown_and_named() {
        let cases = [
            ("V: !ImportValue shared-key", "Fn::ImportValue shared-key"),
            ("V: !GetAtt Role.RoleId", "Fn::GetAtt Role.RoleId"),
            ("V: !Sub 'x-${Role.RoleId}'", "Fn::GetAtt Role.RoleId"),
            ("V: !Ref NoDefault", "parameter NoDefault (no Default"),
            (
                "V: !If [Maybe, 1, 2]",
                "Fn::If on condition Maybe, which depends on parameter NoDefault",
            ),
            ("V: !Ref FromSsm", "parameter FromSsm (read from SSM"),
        ];
        let header = "Parameters:\n  NoDefault: {Type: String}\n  FromSsm: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /x}\n\
Conditions:\n  Maybe: !Equals [!Ref NoDefault, yes]\n";
        for (text, what) in cases {
            let (got, unknowns) = value(&format!("{header}{text}\n"), &[]);
            let got = scalar_text(&got);
            let indexes = markers_in(&got);
            assert_eq!(indexes.len(), 1, "{text}: {got}");
            assert!(
                unknowns[indexes[0]].what.starts_with(what),
                "{text}: {:?}",
                unknowns[indexes[0]]
            );
        }
    }

    #[test]
    fn templates_cloudformation_refuses_are_errors_with_lines() {
        let cases = [
            (
                "Conditions:\n  A: !Condition B\n  B: !Condition A\nV: 1\n",
                "a cycle in Conditions: A -> B -> A",
            ),
            ("V: !Ref Nothing\n", "Ref Nothing: no parameter or resource"),
            ("V: !GetAtt Nothing.Arn\n", "no resource Nothing"),
            ("V: !If [Undefined, 1, 2]\n", "the condition Undefined is not defined"),
            ("V: {'Fn::Nope': 1}\n", "Fn::Nope is not an intrinsic function"),
            ("V: !Join [',']\n", "Fn::Join takes a list of 2"),
        ];
        for (text, message) in cases {
            let outcome = resolver(text, &[]).and_then(|(mut r, root)| r.resolve(root.get("V").unwrap()));
            let e = outcome.unwrap_err();
            assert!(e.message.contains(message), "{text}: {e:?}");
        }
        let e = resolver("Parameters:\n  Env: {Type: String}\nV: 1\n", &[("Evn", "x")])
            .err()
            .unwrap();
        assert!(e.message.contains("did you mean Env?"), "{e:?}");
    }
}
