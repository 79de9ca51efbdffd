//! template.yaml must not drift from the rules' own metadata, and the suite must pass its own
//! rules (its IAM statements, its function timeouts).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;

use config_rules::catalog::{metas, pascal};
use config_rules_core::{Compliance, ConfigurationItem, ParamKind, RuleMeta};
use e2e_tests::workspace_root;
use serde_json::{json, Value};
use serde_yaml::Value as Yaml;

/// template.yaml as JSON; CloudFormation short forms become `{"!Tag": value}`.
fn template() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    let yaml: Yaml = serde_yaml::from_str(&text).unwrap();
    to_json(&yaml)
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => json!(b),
        Yaml::Number(n) => n
            .as_i64()
            .map(|i| json!(i))
            .or_else(|| n.as_f64().map(|f| json!(f)))
            .unwrap(),
        Yaml::String(s) => json!(s),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str().map(str::to_string).unwrap_or_else(|| format!("{k:?}")),
                        to_json(v),
                    )
                })
                .collect(),
        ),
        Yaml::Tagged(t) => json!({ format!("{}", t.tag): to_json(&t.value) }),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn resource<'a>(t: &'a Value, name: &str) -> &'a Value {
    t["Resources"]
        .get(name)
        .unwrap_or_else(|| panic!("template.yaml has no resource {name}"))
}

fn expected_message_types(meta: &RuleMeta) -> Vec<&'static str> {
    let mut m = Vec::new();
    if meta.trigger.on_change() {
        m.push("ConfigurationItemChangeNotification");
        m.push("OversizedConfigurationItemChangeNotification");
    }
    if meta.trigger.periodic() {
        m.push("ScheduledNotification");
    }
    m
}

#[test]
fn every_rule_crate_is_in_the_catalog() {
    let dirs: BTreeSet<String> = std::fs::read_dir(workspace_root().join("crates/rules"))
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let ids: BTreeSet<String> = metas().iter().map(|m| m.id.to_string()).collect();
    assert_eq!(
        dirs, ids,
        "crates/rules/* and the catalog in crates/config-rules/src/catalog.rs"
    );
    for id in &ids {
        assert!(
            workspace_root().join("events").join(id).is_dir(),
            "events/{id}/ is missing"
        );
    }
}

#[test]
fn every_rule_has_its_function_permission_and_config_rule() {
    let t = template();
    for meta in metas() {
        let p = pascal(meta.id);
        let condition = json!(format!("{p}Enabled"));

        let function = resource(&t, &format!("{p}Function"));
        assert_eq!(function["Type"], "AWS::Serverless::Function", "{p}Function");
        assert_eq!(function["Condition"], condition);
        assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda");
        assert_eq!(
            function["Metadata"]["BuildProperties"]["Binary"], meta.id,
            "binary name of {p}Function"
        );
        assert_eq!(
            function["Properties"]["Timeout"],
            json!(meta.timeout_seconds),
            "timeout of {p}Function"
        );
        assert_eq!(
            function["Properties"]["Role"],
            json!({"!GetAtt": format!("{p}Role.Arn")})
        );
        assert_eq!(
            function["Properties"]["LoggingConfig"]["LogGroup"],
            json!({"!Ref": format!("{p}LogGroup")})
        );
        assert_eq!(function["Properties"]["LoggingConfig"]["LogFormat"], "JSON");
        assert_eq!(
            resource(&t, &format!("{p}LogGroup"))["Properties"]["RetentionInDays"],
            json!({"!Ref": "LogRetentionDays"})
        );

        let permission = resource(&t, &format!("{p}Permission"));
        assert_eq!(permission["Type"], "AWS::Lambda::Permission");
        assert_eq!(permission["Properties"]["Principal"], "config.amazonaws.com");
        assert_eq!(permission["Properties"]["Action"], "lambda:InvokeFunction");
        assert_eq!(
            permission["Properties"]["SourceAccount"],
            json!({"!Ref": "AWS::AccountId"}),
            "confused deputy guard"
        );
        assert_eq!(
            permission["Properties"]["FunctionName"],
            json!({"!GetAtt": format!("{p}Function.Arn")})
        );

        let rule = resource(&t, &format!("{p}ConfigRule"));
        let props = &rule["Properties"];
        assert_eq!(rule["Type"], "AWS::Config::ConfigRule");
        assert_eq!(rule["Condition"], condition);
        assert_eq!(rule["DependsOn"], json!(format!("{p}Permission")));
        assert_eq!(
            props["ConfigRuleName"],
            json!({"!Sub": format!("${{NamePrefix}}{}", meta.id)})
        );
        assert_eq!(props["Description"], meta.summary);
        if meta.trigger.on_change() && meta.resource_types.is_empty() {
            // The scope is a deployment choice: a list parameter.
            let scope_param = format!("{p}ResourceTypes");
            assert_eq!(
                props["Scope"]["ComplianceResourceTypes"],
                json!({"!Ref": scope_param}),
                "scope of {}",
                meta.id
            );
            assert_eq!(t["Parameters"][&scope_param]["Type"], "CommaDelimitedList");
        } else if meta.trigger.on_change() {
            assert_eq!(
                props["Scope"]["ComplianceResourceTypes"],
                json!(meta.resource_types),
                "scope of {}",
                meta.id
            );
        } else {
            assert!(
                props.get("Scope").is_none(),
                "{}: a periodic-only rule has no change scope",
                meta.id
            );
        }
        assert_eq!(props["Source"]["Owner"], "CUSTOM_LAMBDA");
        assert_eq!(
            props["Source"]["SourceIdentifier"],
            json!({"!GetAtt": format!("{p}Function.Arn")})
        );
        let details = props["Source"]["SourceDetails"].as_array().unwrap();
        let types: Vec<&str> = details.iter().map(|d| d["MessageType"].as_str().unwrap()).collect();
        assert_eq!(types, expected_message_types(meta), "trigger of {}", meta.id);
        for d in details {
            assert_eq!(d["EventSource"], "aws.config");
            if d["MessageType"] == "ScheduledNotification" {
                assert_eq!(d["MaximumExecutionFrequency"], json!({"!Ref": "PeriodicFrequency"}));
            }
        }

        // Parameters: wired by name, defaults equal to the code's.
        let inputs = props["InputParameters"].as_object().cloned().unwrap_or_default();
        let names: BTreeSet<&str> = meta.parameters.iter().map(|s| s.name).collect();
        assert_eq!(
            inputs.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            names,
            "InputParameters of {}",
            meta.id
        );
        for spec in meta.parameters {
            let param_name = format!("{p}{}", pascal(spec.name));
            assert_eq!(inputs[spec.name], json!({"!Ref": param_name}));
            let param = t["Parameters"]
                .get(&param_name)
                .unwrap_or_else(|| panic!("no template parameter {param_name}"));
            assert_eq!(
                scalar(&param["Default"]),
                spec.default.unwrap_or(""),
                "default of {param_name}"
            );
            match spec.kind {
                ParamKind::Boolean => assert_eq!(param["AllowedValues"], json!(["true", "false"]), "{param_name}"),
                // An optional integer must be able to stay empty: a String of digits (the
                // engine checks the range); one with a default is a bounded Number.
                ParamKind::Integer { .. } if spec.default.is_none() => assert_eq!(
                    (&param["Type"], &param["AllowedPattern"]),
                    (&json!("String"), &json!("^[0-9]*$")),
                    "{param_name}"
                ),
                ParamKind::Integer { min, max } => {
                    assert_eq!(param["Type"], "Number", "{param_name}");
                    assert_eq!(
                        (param["MinValue"].as_i64(), param["MaxValue"].as_i64()),
                        (Some(min), Some(max)),
                        "{param_name}"
                    )
                }
                ParamKind::OneOf(words) => {
                    assert_eq!(param["AllowedValues"], json!(words), "{param_name}")
                }
                ParamKind::Text | ParamKind::List => {}
            }
        }
        // A rule that cannot run without a parameter value is opt-in.
        let enable = &t["Parameters"][format!("Enable{p}")];
        let opt_in = meta.parameters.iter().any(|s| s.required);
        assert_eq!(enable["Default"], if opt_in { "false" } else { "true" }, "Enable{p}");
        assert_eq!(
            t["Conditions"][format!("{p}Enabled")],
            json!({"!Equals": [{"!Ref": format!("Enable{p}")}, "true"]})
        );
        assert!(
            t["Outputs"].get(format!("{p}ConfigRuleName")).is_some()
                && t["Outputs"].get(format!("{p}FunctionArn")).is_some()
        );
    }
}

/// Every Allow statement of a role's inline policies (both branches of an `!If`).
fn statements(role: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for policy in role["Properties"]["Policies"].as_array().into_iter().flatten() {
        for s in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
            match s.get("!If") {
                Some(branches) => out.extend(
                    branches.as_array().unwrap()[1..]
                        .iter()
                        .filter(|b| b.is_object() && b.get("!Ref").is_none())
                        .cloned(),
                ),
                None => out.push(s.clone()),
            }
        }
    }
    out
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
        _ => vec![],
    }
}

#[test]
fn each_function_role_allows_exactly_what_its_rule_calls() {
    let t = template();
    for meta in metas() {
        let p = pascal(meta.id);
        let role = resource(&t, &format!("{p}Role"));
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "lambda.amazonaws.com"})
        );
        let mut granted = BTreeSet::new();
        for s in statements(role) {
            assert_eq!(s["Effect"], "Allow");
            let sid = s["Sid"].as_str().unwrap_or_default();
            if sid == "Logs" {
                assert_eq!(
                    s["Resource"],
                    json!({"!GetAtt": format!("{p}LogGroup.Arn")}),
                    "logs only to the rule's group"
                );
                continue;
            }
            if sid == "Tracing" {
                continue;
            }
            granted.extend(actions(&s));
        }
        let needed: BTreeSet<String> = meta.required_actions().into_iter().map(String::from).collect();
        assert_eq!(granted, needed, "actions of {p}Role");
    }
}

#[test]
fn the_suite_passes_its_own_iam_rule() {
    let t = template();
    let params = iam_no_wildcard_permissions::Params::default();
    for (name, r) in t["Resources"].as_object().unwrap() {
        if r["Type"] != "AWS::IAM::Role" {
            continue;
        }
        let policies: Vec<Value> = r["Properties"]["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let document = json!({"Version": "2012-10-17", "Statement": statements(r)});
                json!({"policyName": p["PolicyName"], "policyDocument": document.to_string()})
            })
            .collect();
        let item = ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::IAM::Role", "resourceId": name, "configuration": {"roleName": name, "rolePolicyList": policies}}),
            name,
        )
        .unwrap();
        let verdict = iam_no_wildcard_permissions::evaluate(&item, &params);
        assert_eq!(
            verdict.compliance,
            Compliance::Compliant,
            "{name}: {}",
            verdict.annotation
        );
    }
}

#[test]
fn the_suite_passes_its_own_timeout_rule() {
    let t = template();
    let params = lambda_timeout_within_limit::Params::default();
    let mut functions = 0;
    for (name, r) in t["Resources"].as_object().unwrap() {
        if r["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        functions += 1;
        let item = ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": name,
                    "configuration": {"functionName": name, "timeout": r["Properties"]["Timeout"]}}),
            name,
        )
        .unwrap();
        let verdict = lambda_timeout_within_limit::evaluate(&item, &params);
        assert_eq!(
            verdict.compliance,
            Compliance::Compliant,
            "{name}: {}",
            verdict.annotation
        );
    }
    assert_eq!(functions, metas().len());
}

#[test]
fn alerts_cover_every_rule() {
    let t = template();
    let names = &t["Resources"]["AlertsRule"]["Properties"]["EventPattern"]["detail"]["configRuleName"];
    let expected: Vec<Value> = metas()
        .iter()
        .map(|m| json!({"!Sub": format!("${{NamePrefix}}{}", m.id)}))
        .collect();
    assert_eq!(names, &json!(expected));
}

#[test]
fn globals_follow_the_platform_choices() {
    let t = template();
    let g = &t["Globals"]["Function"];
    assert_eq!(g["Runtime"], "provided.al2023");
    assert_eq!(g["Architectures"], json!(["arm64"]));
    assert_eq!(g["Handler"], "bootstrap");
    let memory = g["MemorySize"].as_i64().unwrap();
    assert!((128..=256).contains(&memory));
    assert_eq!(g["Tracing"], json!({"!Ref": "Tracing"}));
}
