//! The template mode's pieces together: SAM's expansion, and how a verdict is found to depend
//! on an unknown value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeMap;

use chrono::TimeZone;
use serde_json::json;

use super::*;

fn template(text: &str) -> Template {
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();
    from_text(text, "t.yaml", "stack", &BTreeMap::new(), now).unwrap()
}

fn item<'a>(t: &'a Template, resource_type: &str, id: &str) -> &'a ConfigurationItem {
    t.items
        .iter()
        .find(|i| i.resource_type == resource_type && i.resource_id == id)
        .unwrap_or_else(|| panic!("no {resource_type} {id}"))
}

#[test]
fn sam_functions_become_what_the_transform_creates() {
    let t = template(
        r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 20
    Environment: {Variables: {A: '1'}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: src/
      Environment: {Variables: {B: '2'}}
      Tags: {team: web}
      Events:
        Get: {Type: Api, Properties: {Path: /x, Method: get}}
"#,
    );
    let f = item(&t, "AWS::Lambda::Function", "Fn");
    assert_eq!(f.configuration["timeout"], json!(20), "Globals apply");
    assert_eq!(f.configuration["memorySize"], json!(128), "SAM's default");
    assert_eq!(
        f.configuration["environment"]["variables"],
        json!({"A": "1", "B": "2"}),
        "maps merge"
    );
    assert_eq!(f.configuration["role"], json!("arn:aws:iam::123456789012:role/FnRole"));
    assert_eq!(f.tags.get("lambda:createdBy").map(String::as_str), Some("SAM"));
    let policy: serde_json::Value =
        serde_json::from_str(f.supplementary_configuration["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Condition"]["ArnLike"]["AWS:SourceArn"],
        json!("arn:aws:execute-api:us-east-1:123456789012:ServerlessRestApi/*/GET/x"),
        "SAM scopes the API's permission to the API"
    );
    let role = item(&t, "AWS::IAM::Role", "FnRole");
    assert_eq!(
        role.configuration["attachedManagedPolicies"][0]["policyArn"],
        json!("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    );
    assert_eq!(
        role.tags.get("team"),
        None,
        "tags reach the role only with PropagateTags"
    );
    let stage = item(
        &t,
        "AWS::ApiGateway::Stage",
        "arn:aws:apigateway:us-east-1::/restapis/ServerlessRestApi/stages/Prod",
    );
    assert_eq!(stage.configuration["restApiId"], json!("ServerlessRestApi"));
    let at = t.location(
        crate::catalog::meta("api-gw-waf-associated").unwrap(),
        &stage.resource_type,
        &stage.resource_id,
    );
    assert_eq!(
        at,
        Some(("ServerlessRestApiProdStage".to_string(), 15)),
        "the implicit API points at the event"
    );
}

#[test]
fn conditions_decide_which_resources_exist() {
    let t = template(
        r#"Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  A:
    Type: AWS::S3::Bucket
    Condition: Prod
  B:
    Type: AWS::S3::Bucket
"#,
    );
    let ids: Vec<&str> = t.items.iter().map(|i| i.resource_id.as_str()).collect();
    assert_eq!(ids, ["b"]);
}

#[test]
fn unknown_values_are_recorded_where_the_template_asks_for_them() {
    let t = template(
        r#"Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: p
          PolicyDocument: {Statement: [{Effect: Allow, Action: !ImportValue act, Resource: '*'}]}
"#,
    );
    let role = item(&t, "AWS::IAM::Role", "R");
    let doc = role.configuration["rolePolicyList"][0]["policyDocument"]
        .as_str()
        .unwrap();
    assert!(
        doc.contains("<unknown:0>"),
        "the marker stays readable in the encoded document: {doc}"
    );
    assert_eq!(
        describe_unknowns(doc, &t.unknowns),
        ["Fn::ImportValue act (another stack's export) (line 8)"]
    );
}

#[test]
fn sam_simple_tables_become_the_table_the_transform_creates() {
    // The transform's SamSimpleTable: PointInTimeRecoverySpecification and SSESpecification
    // pass through, no deletion protection (SAM has no property for it).
    let t = template(
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Sessions:
    Type: AWS::Serverless::SimpleTable
    Properties:
      TableName: sessions
      PrimaryKey: {Name: sessionId, Type: String}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      SSESpecification: {SSEEnabled: true}
  Plain:
    Type: AWS::Serverless::SimpleTable
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment: {Variables: {TABLE: !Ref Sessions}}
"#,
    );
    let sessions = item(&t, "AWS::DynamoDB::Table", "sessions");
    assert_eq!(
        sessions.supplementary_configuration["ContinuousBackupsDescription"]["pointInTimeRecoveryDescription"]
            ["pointInTimeRecoveryStatus"],
        json!("ENABLED")
    );
    assert_eq!(sessions.configuration["deletionProtectionEnabled"], json!(false));
    assert_eq!(sessions.configuration["ssedescription"]["status"], json!("ENABLED"));
    let plain = item(&t, "AWS::DynamoDB::Table", "Plain");
    assert_eq!(
        plain.supplementary_configuration["ContinuousBackupsDescription"]["pointInTimeRecoveryDescription"]
            ["pointInTimeRecoveryStatus"],
        json!("DISABLED")
    );
    let reader = item(&t, "AWS::Lambda::Function", "Reader");
    assert_eq!(
        reader.configuration["environment"]["variables"]["TABLE"],
        json!("sessions"),
        "a simple table's Ref is its name"
    );
}
