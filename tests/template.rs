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
    yaml_file("template.yaml")
}

fn yaml_file(name: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join(name)).unwrap();
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
        // `make build` builds every rule once with cargo-lambda; SAM packages the zips.
        assert_eq!(
            function["Properties"]["CodeUri"],
            json!(format!("target/lambda/{}/bootstrap.zip", meta.id)),
            "artifact of {p}Function"
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
        // Account mode names the account (confused deputy guard); organization modes cannot
        // name one, and the function refuses accounts outside the organization itself.
        assert_eq!(
            permission["Properties"]["SourceAccount"],
            json!({"!If": ["AccountMode", {"!Ref": "AWS::AccountId"}, {"!Ref": "AWS::NoValue"}]}),
            "confused deputy guard"
        );
        assert_eq!(
            permission["Properties"]["FunctionName"],
            json!({"!GetAtt": format!("{p}Function.Arn")})
        );

        let rule = resource(&t, &format!("{p}ConfigRule"));
        let props = &rule["Properties"];
        assert_eq!(rule["Type"], "AWS::Config::ConfigRule");
        assert_eq!(rule["Condition"], json!(format!("{p}AccountRule")));
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
            // An unset optional parameter is left out, never sent blank: Config rejects blank
            // values ("Blank spaces are not acceptable for input parameter").
            if !spec.required && spec.default.is_none_or(str::is_empty) {
                assert_eq!(
                    inputs[spec.name],
                    json!({"!If": [format!("{param_name}Set"), {"!Ref": param_name}, {"!Ref": "AWS::NoValue"}]}),
                    "{param_name}"
                );
                assert_eq!(
                    t["Conditions"][format!("{param_name}Set")],
                    json!({"!Not": [{"!Equals": [{"!Ref": param_name}, ""]}]})
                );
            } else {
                assert_eq!(inputs[spec.name], json!({"!Ref": param_name}));
            }
            if spec.required {
                let assertion = &t["Rules"][format!("{p}Needs{}", pascal(spec.name))];
                assert_eq!(
                    assertion["RuleCondition"],
                    json!({"!Equals": [{"!Ref": format!("Enable{p}")}, "true"]})
                );
                assert_eq!(
                    assertion["Assertions"][0]["Assert"],
                    json!({"!Not": [{"!Equals": [{"!Ref": param_name}, ""]}]}),
                    "{param_name} is checked at deploy time"
                );
            }
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
                ParamKind::Text | ParamKind::List => assert!(
                    param["MaxLength"].as_u64().is_some_and(|l| l > 0),
                    "{param_name} has a MaxLength"
                ),
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

/// `DeploymentMode=organization`: one organization rule per rule, bound to the same function,
/// with the same triggers, scope and parameters as the account-mode rule.
#[test]
fn organization_mode_binds_every_rule_in_every_member_account() {
    let t = template();
    assert_eq!(
        t["Transform"],
        json!(["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"])
    );
    for meta in metas() {
        let p = pascal(meta.id);
        let org = resource(&t, &format!("{p}OrganizationConfigRule"));
        assert_eq!(org["Type"], "AWS::Config::OrganizationConfigRule");
        assert_eq!(org["Condition"], format!("{p}OrganizationRule"));
        assert_eq!(
            resource(&t, &format!("{p}ConfigRule"))["Condition"],
            format!("{p}AccountRule")
        );
        let custom = &org["Properties"]["OrganizationCustomRuleMetadata"];
        assert_eq!(
            custom["LambdaFunctionArn"],
            json!({"!GetAtt": format!("{p}Function.Arn")})
        );
        let triggers: Vec<&str> = custom["OrganizationConfigRuleTriggerTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            triggers.contains(&"ConfigurationItemChangeNotification"),
            meta.trigger.on_change(),
            "{p}"
        );
        assert_eq!(
            triggers.contains(&"ScheduledNotification"),
            meta.trigger.periodic(),
            "{p}"
        );
        let text = custom["InputParameters"].to_string();
        for spec in meta.parameters {
            assert!(
                text.contains(&format!("{}{}", p, pascal(spec.name))),
                "{p}: {} not passed",
                spec.name
            );
        }
        if meta.parameters.is_empty() {
            assert!(custom.get("InputParameters").is_none(), "{p}");
        }
    }
    let conditions = &t["Conditions"];
    assert_eq!(
        conditions["AccountMode"],
        json!({"!Equals": [{"!Ref": "DeploymentMode"}, "account"]})
    );
    // Remediation and alerts act on this account's rules: account mode only.
    assert!(conditions["RemediationEnabled"].to_string().contains("AccountMode"));
    assert!(conditions["AlertsEnabled"].to_string().contains("AccountMode"));
}

/// member-role.yaml and conformance-pack.yaml are what the rules' metadata generates.
#[test]
fn generated_files_have_not_drifted() {
    for (name, text) in config_rules::template::generated_files(&metas()) {
        let on_disk = std::fs::read_to_string(workspace_root().join(name)).unwrap_or_default();
        assert!(on_disk == text, "{name} is out of date: run `make docs`");
    }
}

/// The member role: trusted by the central stack's function roles only; allows
/// `config:PutEvaluations` and, per enabled rule, exactly what that rule calls.
#[test]
fn the_member_role_allows_exactly_what_the_enabled_rules_call() {
    let t = yaml_file("member-role.yaml");
    let role = &t["Resources"]["MemberRole"]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Principal"]["AWS"],
        json!({"!Sub": "arn:${AWS::Partition}:iam::${ManagementAccountId}:root"})
    );
    assert_eq!(
        trust["Condition"]["ArnLike"]["aws:PrincipalArn"],
        json!({"!Sub": "arn:${AWS::Partition}:iam::${ManagementAccountId}:role/config-rules/${CentralStackName}/*"})
    );
    let all = role["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
    assert_eq!(all[0]["Action"], json!(["config:PutEvaluations"]));
    for meta in metas() {
        let p = pascal(meta.id);
        let mut granted: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
        for s in all.iter().filter_map(|s| s.get("!If")) {
            if s[0] != json!(format!("{p}Enabled")) {
                continue;
            }
            assert_eq!(s[2], json!({"!Ref": "AWS::NoValue"}));
            let resources: Vec<String> = match &s[1]["Resource"] {
                Value::Array(list) => list.iter().map(|r| r["!Sub"].as_str().unwrap().to_string()).collect(),
                _ => Vec::new(),
            };
            for a in actions(&s[1]) {
                granted.insert((a, resources.clone()));
            }
        }
        let needed: BTreeSet<(String, Vec<String>)> = meta
            .required_permissions()
            .into_iter()
            .filter(|perm| perm.action != "config:PutEvaluations")
            .map(|perm| {
                (
                    perm.action.to_string(),
                    perm.resources.iter().map(|r| r.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(granted, needed, "member role statements of {p}");
    }
}

/// The conformance pack binds every rule to its central function, with the same triggers.
#[test]
fn the_conformance_pack_binds_every_rule_to_its_function() {
    let pack = yaml_file("conformance-pack.yaml");
    for meta in metas() {
        let p = pascal(meta.id);
        let rule = &pack["Resources"][&p];
        assert_eq!(rule["Type"], "AWS::Config::ConfigRule", "{p}");
        assert_eq!(
            rule["Properties"]["Source"]["SourceIdentifier"],
            json!({"Ref": format!("{p}FunctionArn")})
        );
        let types: Vec<&str> = rule["Properties"]["Source"]["SourceDetails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["MessageType"].as_str().unwrap())
            .collect();
        assert_eq!(types, expected_message_types(meta), "{p}");
        assert!(pack["Parameters"][format!("{p}FunctionArn")].is_object());
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
        // The member role trusts the roles under this path (member-role.yaml).
        assert_eq!(
            role["Properties"]["Path"],
            json!({"!Sub": "/config-rules/${AWS::StackName}/"})
        );
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "lambda.amazonaws.com"})
        );
        let mut granted: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
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
            // Organization modes only: the member role, and the list of accounts to serve.
            if sid == "MemberAccounts" {
                assert_eq!(actions(&s), ["sts:AssumeRole"]);
                assert_eq!(
                    s["Resource"],
                    json!({"!Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"})
                );
                continue;
            }
            // With SuppressionsParameter: read that one parameter.
            if sid == "Suppressions" {
                assert_eq!(actions(&s), ["ssm:GetParameter"]);
                assert_eq!(
                    s["Resource"],
                    json!({"!Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SuppressionsParameter}"})
                );
                continue;
            }
            if sid == "OrganizationAccounts" {
                assert_eq!(actions(&s), ["organizations:ListAccounts"]);
                assert_eq!(s["Resource"], "*");
                continue;
            }
            let resources: Vec<String> = match &s["Resource"] {
                Value::String(star) => {
                    assert_eq!(star, "*");
                    Vec::new()
                }
                Value::Array(list) => list.iter().map(|r| r["!Sub"].as_str().unwrap().to_string()).collect(),
                other => panic!("{p}Role: unexpected Resource {other}"),
            };
            for a in actions(&s) {
                granted.insert((a, resources.clone()));
            }
        }
        let needed: BTreeSet<(String, Vec<String>)> = meta
            .required_permissions()
            .into_iter()
            .map(|perm| {
                (
                    perm.action.to_string(),
                    perm.resources.iter().map(|r| r.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(granted, needed, "actions and resources of {p}Role");
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
        let tags = r["Properties"].get("Tags").cloned().unwrap_or(json!({}));
        let item = ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": name, "tags": tags,
                    "configuration": {"functionName": name, "timeout": r["Properties"]["Timeout"]}}),
            name,
        )
        .unwrap();
        // Sweeps that call AWS per resource run longer and say so with the exemption tag,
        // which the engine honours (applicability), so judge the way the deployed rule would.
        let verdict = config_rules_core::engine::applicability(
            lambda_timeout_within_limit::META.id,
            lambda_timeout_within_limit::META.resource_types,
            &item,
            false,
        )
        .unwrap_or_else(|| lambda_timeout_within_limit::evaluate(&item, &params));
        let exempt_from_timeout = tags
            .get("config-rules:exempt")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.split_whitespace().any(|w| w == lambda_timeout_within_limit::META.id));
        let expected = if exempt_from_timeout {
            assert!(
                r["Properties"]["Timeout"].as_u64() > Some(60),
                "{name}: exempt without need"
            );
            Compliance::NotApplicable
        } else {
            Compliance::Compliant
        };
        assert_eq!(verdict.compliance, expected, "{name}: {}", verdict.annotation);
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
    assert_eq!(g["Architectures"], json!([{"!Ref": "Architecture"}]));
    let arch = &t["Parameters"]["Architecture"];
    assert_eq!(arch["Default"], "arm64");
    assert_eq!(arch["AllowedValues"], json!(["arm64", "x86_64"]));
    assert_eq!(g["Handler"], "bootstrap");
    let memory = g["MemorySize"].as_i64().unwrap();
    assert!((128..=256).contains(&memory));
    assert_eq!(g["Tracing"], json!({"!Ref": "Tracing"}));
}

/// The per-rule blocks are generated from the rules' metadata: the file must be what
/// `config-rules template --write` (`make docs`) writes.
#[test]
fn the_generated_blocks_have_not_drifted() {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    let generated = config_rules::template::with_blocks(&text, &metas()).unwrap();
    assert!(generated == text, "template.yaml is out of date: run `make docs`");
}

/// EventBridge publishes to the encrypted alert topic: the key lets events.amazonaws.com use
/// it for that topic only (SNS's documented statement), and not under aws:SourceAccount, which
/// KMS does not receive on this path (every alert would be dropped).
#[test]
fn the_alert_key_lets_eventbridge_publish_to_its_topic() {
    let t = template();
    let statements = t["Resources"]["AlertsKey"]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    let events = statements
        .iter()
        .find(|s| s["Principal"]["Service"] == "events.amazonaws.com")
        .expect("a statement for EventBridge");
    assert_eq!(events["Action"], json!(["kms:GenerateDataKey*", "kms:Decrypt"]));
    assert!(
        events["Condition"]
            .to_string()
            .contains("kms:EncryptionContext:aws:sns:topicArn"),
        "{events}"
    );
    assert!(
        !events["Condition"].to_string().contains("aws:SourceAccount"),
        "{events}"
    );
    let topic_name = &t["Resources"]["AlertsTopic"]["Properties"]["TopicName"];
    assert_eq!(topic_name, &json!({"!Sub": "${AWS::StackName}-config-rules-alerts"}));
    assert!(events["Condition"]
        .to_string()
        .contains(":${AWS::StackName}-config-rules-alerts"));
}

/// A remediation runs automatically only where that is safe; the timeout fix, which can cut
/// a long-running function, needs its own explicit opt-in.
#[test]
fn only_safe_remediations_run_automatically_by_default() {
    let t = template();
    for meta in metas() {
        let p = pascal(meta.id);
        let config = t["Resources"].get(format!("{p}RemediationConfiguration"));
        let Some(r) = meta.remediation else {
            assert!(config.is_none(), "{p} has no remediation in its metadata");
            continue;
        };
        let config = config.unwrap_or_else(|| panic!("{p}RemediationConfiguration"));
        let document = format!("{p}RemediationDocument");
        assert_eq!(config["Properties"]["TargetId"], json!({"!Ref": document}));
        assert_eq!(t["Resources"][&document]["Type"], "AWS::SSM::Document", "{document}");
        // The template embeds the rule's remediation.yaml as it is.
        let content: Value = serde_yaml::from_str(r.document).unwrap();
        assert_eq!(
            t["Resources"][&document]["Properties"]["Content"], content,
            "{document}"
        );
        let automatic = &config["Properties"]["Automatic"]["!If"][0];
        if r.automatic_safe {
            assert_eq!(automatic, "RemediationAutomatic");
        } else {
            assert_eq!(automatic, &json!(format!("{p}RemediationAutomatic")));
            assert_eq!(t["Parameters"][format!("{p}AutomaticRemediation")]["Default"], "false");
        }
    }
    assert!(metas().iter().any(|m| m.remediation.is_some_and(|r| !r.automatic_safe)));
}
