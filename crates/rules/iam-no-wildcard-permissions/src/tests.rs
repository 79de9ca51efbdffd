use super::*;
use config_rules_core::Compliance::{self, *};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::json;

fn encode(doc: &Value) -> Value {
    Value::String(utf8_percent_encode(&doc.to_string(), NON_ALPHANUMERIC).to_string())
}

fn item(resource_type: &str, config: Value) -> ConfigurationItem {
    ConfigurationItem::from_notification_json(
        &json!({"resourceType": resource_type, "resourceId": "ID", "configurationItemStatus": "OK",
                "configuration": config}),
        "item",
    )
    .unwrap()
}

fn role_with(doc: Value) -> ConfigurationItem {
    item(
        "AWS::IAM::Role",
        json!({"roleName": "app", "rolePolicyList": [{"policyName": "p", "policyDocument": encode(&doc)}]}),
    )
}

fn allow(action: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

#[test]
fn fixture_cases() {
    let p = Params::default();
    let cases: Vec<(&str, ConfigurationItem, Params, Compliance, &str)> = vec![
        ("star", role_with(allow(json!("*"))), p.clone(), NonCompliant,
         "inline policy p statement #1 allows \"*\" (all actions)."),
        ("star colon star in a list", role_with(allow(json!(["s3:GetObject", "*:*"]))), p.clone(), NonCompliant,
         "inline policy p statement #1 allows \"*:*\" (all actions)."),
        ("service wildcard", role_with(allow(json!("s3:*"))), p.clone(), NonCompliant,
         "inline policy p statement #1 allows \"s3:*\" (a whole service)."),
        ("service wildcard, mixed case", role_with(allow(json!("S3:*"))), p.clone(), NonCompliant,
         "inline policy p statement #1 allows \"S3:*\" (a whole service)."),
        ("service wildcard allowed by parameter", role_with(allow(json!("s3:*"))),
         Params { allow_service_wildcards: true, exempt_services: vec![] }, Compliant,
         "The policy document allows no wildcard actions."),
        ("service exempted", role_with(allow(json!(["logs:*", "xray:*"]))),
         Params { allow_service_wildcards: false, exempt_services: vec!["logs".into()] }, NonCompliant,
         "inline policy p statement #1 allows \"xray:*\" (a whole service)."),
        ("all still fails when service wildcards are allowed", role_with(allow(json!("*"))),
         Params { allow_service_wildcards: true, exempt_services: vec![] }, NonCompliant,
         "inline policy p statement #1 allows \"*\" (all actions)."),
        ("partial wildcard is fine", role_with(allow(json!("s3:Get*"))), p.clone(), Compliant,
         "The policy document allows no wildcard actions."),
        ("wildcard in Deny is fine",
         role_with(json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})), p.clone(), Compliant,
         "The policy document allows no wildcard actions."),
        ("NotAction with Allow, statement as an object with Sid",
         role_with(json!({"Statement": {"Sid": "Broad", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})),
         p.clone(), NonCompliant, "inline policy p statement Broad uses NotAction with Allow."),
        ("NotAction with Deny is fine",
         role_with(json!({"Statement": [{"Effect": "Deny", "NotAction": ["s3:*"], "Resource": "*"}]})), p.clone(), Compliant,
         "The policy document allows no wildcard actions."),
        ("wildcard service prefix", role_with(allow(json!("*:GetObject"))), p.clone(), NonCompliant,
         "inline policy p statement #1 allows \"*:GetObject\" (all actions)."),
        ("a literal plus stays a plus",
         item("AWS::IAM::Role", json!({"rolePolicyList": [{"policyName": "p", "policyDocument":
             encode(&json!({"Statement": [{"Sid": "a+b", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
                 .as_str().unwrap().replace("%2B", "+")}]})),
         p.clone(), NonCompliant, "inline policy p statement a+b allows \"s3:*\" (a whole service)."),
        ("decoded document accepted",
         item("AWS::IAM::User", json!({"userName": "u", "userPolicyList": [{"policyName": "d", "policyDocument": allow(json!("*")).to_string()}]})),
         p.clone(), NonCompliant, "inline policy d statement #1 allows \"*\" (all actions)."),
        ("document as an object accepted",
         item("AWS::IAM::Group", json!({"groupName": "g", "groupPolicyList": [{"policyName": "o", "policyDocument": allow(json!("ec2:*"))}]})),
         p.clone(), NonCompliant, "inline policy o statement #1 allows \"ec2:*\" (a whole service)."),
        ("unreadable document",
         item("AWS::IAM::Role", json!({"rolePolicyList": [{"policyName": "bad", "policyDocument": "%7Bnot-json"}]})),
         p.clone(), NonCompliant, "inline policy bad is not readable: not JSON: key must be a string at line 1 column 2."),
        // AWS's sample items (aws-config-rdk rdk/template/example_ci/AWS_IAM_Policy.json and
        // AWS_IAM_User.json) hold documents decoded, inside a one-element list.
        ("decoded document in a list, as in AWS_IAM_Policy.json",
         item("AWS::IAM::Policy", json!({"policyName": "ELB-policy", "defaultVersionId": "v1", "policyVersionList": [
             {"document": [{"Version": "2012-10-17", "Statement": [{"Sid": "Stmt1461949544000", "Effect": "Allow",
                 "Action": ["elasticloadbalancing:Describe*"], "Resource": ["*"]}]}],
              "versionId": "v1", "isDefaultVersion": true}]})),
         p.clone(), Compliant, "The policy document allows no wildcard actions."),
        ("decoded document in a list, as in AWS_IAM_User.json",
         item("AWS::IAM::User", json!({"userName": "johndoe", "userPolicyList": [{"policyName": "policygen-johndoe-201611060951",
             "policyDocument": [{"Version": "2012-10-17", "Statement": [{"Sid": "Stmt1478454695000", "Effect": "Allow",
                 "Action": ["codedeploy:*"], "Resource": ["*"]}]}]}]})),
         p.clone(), NonCompliant, "inline policy policygen-johndoe-201611060951 statement Stmt1478454695000 allows \"codedeploy:*\" (a whole service)."),
        // Structures IAM itself rejects are never compliant.
        ("an action list nested in a list", role_with(allow(json!([["*"]]))), p.clone(), NonCompliant,
         "inline policy p statement #1 is not readable: Action lists something other than strings."),
        ("a Statement that is a string", role_with(json!({"Version": "2012-10-17", "Statement": "x"})), p.clone(), NonCompliant,
         "inline policy p is not readable: Statement is an object or a list of objects, found a string."),
        ("no Statement", role_with(json!({"Version": "2012-10-17"})), p.clone(), NonCompliant,
         "inline policy p is not readable: it has no Statement."),
        ("a statement without Effect", role_with(json!({"Statement": [{"Action": "s3:GetObject", "Resource": "*"}]})), p.clone(), NonCompliant,
         "inline policy p statement #1 is not readable: Effect is missing."),
        ("an Action that is a number", role_with(allow(json!(7))), p.clone(), NonCompliant,
         "inline policy p statement #1 is not readable: Action is a string or a list of strings, found a number."),
        ("a document that is a number",
         item("AWS::IAM::Role", json!({"rolePolicyList": [{"policyName": "n", "policyDocument": 5}]})),
         p.clone(), NonCompliant, "inline policy n is not readable: a document is a JSON object, found a number."),
        ("AdministratorAccess attached",
         item("AWS::IAM::Role", json!({"rolePolicyList": [], "attachedManagedPolicies": [{"policyName": "AdministratorAccess", "policyArn": ADMINISTRATOR_ACCESS_ARN}]})),
         p.clone(), NonCompliant, "attached managed policy AdministratorAccess grants all actions."),
        ("other attached policies are not judged here",
         item("AWS::IAM::Role", json!({"attachedManagedPolicies": [{"policyName": "ReadOnlyAccess", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]})),
         p.clone(), Compliant, "No inline policies and no AdministratorAccess attached."),
        ("several findings in several documents",
         item("AWS::IAM::Role", json!({"rolePolicyList": [
             {"policyName": "a", "policyDocument": encode(&allow(json!(["s3:*", "dynamodb:GetItem"])))},
             {"policyName": "b", "policyDocument": encode(&json!({"Statement": [
                 {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
                 {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}))}]})),
         p.clone(), NonCompliant,
         "inline policy a statement #1 allows \"s3:*\" (a whole service); inline policy b statement All allows \"*\" (all actions)."),
        ("several clean documents",
         item("AWS::IAM::Role", json!({"rolePolicyList": [
             {"policyName": "a", "policyDocument": encode(&allow(json!("s3:GetObject")))},
             {"policyName": "b", "policyDocument": encode(&allow(json!(["sqs:SendMessage"])))}]})),
         p.clone(), Compliant, "None of the 2 policy documents allows wildcard actions."),
        ("managed policy default version",
         item("AWS::IAM::Policy", json!({"policyName": "AppPolicy", "defaultVersionId": "v2", "policyVersionList": [
             {"versionId": "v1", "isDefaultVersion": false, "document": encode(&allow(json!("*")))},
             {"versionId": "v2", "isDefaultVersion": true, "document": encode(&allow(json!("lambda:*")))}]})),
         p.clone(), NonCompliant, "policy AppPolicy (version v2) statement #1 allows \"lambda:*\" (a whole service)."),
        ("managed policy: old versions are not judged",
         item("AWS::IAM::Policy", json!({"policyName": "AppPolicy", "defaultVersionId": "v2", "policyVersionList": [
             {"versionId": "v1", "isDefaultVersion": false, "document": encode(&allow(json!("*")))},
             {"versionId": "v2", "isDefaultVersion": true, "document": encode(&allow(json!("lambda:InvokeFunction")))}]})),
         p.clone(), Compliant, "The policy document allows no wildcard actions."),
        ("managed policy without versions",
         item("AWS::IAM::Policy", json!({"policyName": "Empty", "policyVersionList": []})),
         p.clone(), NotApplicable, "The configuration item holds no default policy version document."),
    ];
    for (name, item, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate(&item, &params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

#[test]
fn parameters_are_validated() {
    let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
    assert_eq!(parse(json!({})).unwrap(), Params::default());
    assert_eq!(
        parse(json!({"allowServiceWildcards": "true", "exemptServices": "Logs, xray"})).unwrap(),
        Params {
            allow_service_wildcards: true,
            exempt_services: vec!["logs".into(), "xray".into()]
        }
    );
    let err = parse(json!({"allowServiceWildcards": "maybe"})).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameters { key, .. } if key == "allowServiceWildcards"),
        "{err}"
    );
}

#[test]
fn large_policies_are_analyzed_whole() {
    let statements: Vec<Value> = (0..5000)
        .map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": [format!("s3:GetObject{i}")], "Resource": "*"}))
        .chain(std::iter::once(json!({"Sid": "Last", "Effect": "Allow", "Action": "iam:*", "Resource": "*"})))
        .collect();
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    let found = analyze_document("big", &doc, &Params::default());
    assert_eq!(
        found,
        vec![Finding {
            policy: "big".into(),
            statement: Some("Last".into()),
            problem: Problem::ServiceWildcard("iam:*".into())
        }]
    );
}
