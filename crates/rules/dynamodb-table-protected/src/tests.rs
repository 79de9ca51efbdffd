#![allow(clippy::unwrap_used)]
use super::*;
use config_rules_core::Compliance::{self, *};
use serde_json::json;
use std::sync::Mutex;

const KEY: &str = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// AWS's sample table (aws-config-rdk `rdk/template/example_ci/AWS_DynamoDB_Table.json`:
/// point-in-time recovery `DISABLED`, no `ssedescription`), with `configuration` fields added
/// per case.
fn table(configuration: Value, pitr: Option<&str>) -> ConfigurationItem {
    let mut c = json!({"tableName": "test", "tableStatus": "ACTIVE",
                       "tableArn": "arn:aws:dynamodb:us-east-2:123456789012:table/test", "tableId": "test",
                       "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"}});
    if let (Some(c), Value::Object(extra)) = (c.as_object_mut(), configuration) {
        c.extend(extra);
    }
    let supplementary = match pitr {
        Some(status) => json!({"ContinuousBackupsDescription": {"continuousBackupsStatus": "ENABLED",
                               "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": status}}, "Tags": []}),
        None => json!({"Tags": []}),
    };
    ConfigurationItem::from_notification_json(
        &json!({"resourceType": "AWS::DynamoDB::Table", "resourceId": "test", "resourceName": "test",
                "configuration": c, "supplementaryConfiguration": supplementary}),
        "item",
    )
    .unwrap()
}

#[test]
fn reading_the_item() {
    let sample = table(json!({}), Some("DISABLED"));
    assert_eq!(recorded_pitr(&sample), Fact::Recorded(false));
    assert_eq!(recorded_deletion_protection(&sample), Fact::NotRecorded);
    assert_eq!(recorded_key(&sample), Fact::Recorded(None));
    let full = table(
        json!({"deletionProtectionEnabled": true,
               "ssedescription": {"ssetype": "KMS", "status": "ENABLED", "kmsmasterKeyArn": KEY}}),
        Some("ENABLED"),
    );
    assert_eq!(recorded_pitr(&full), Fact::Recorded(true));
    assert_eq!(recorded_deletion_protection(&full), Fact::Recorded(true));
    assert_eq!(recorded_key(&full), Fact::Recorded(Some(KEY.to_string())));
    assert_eq!(recorded_pitr(&table(json!({}), None)), Fact::NotRecorded);
    let odd = table(
        json!({"deletionProtectionEnabled": "yes", "ssedescription": "KMS"}),
        Some("ENABLED"),
    );
    assert_eq!(
        recorded_deletion_protection(&odd),
        Fact::Unreadable("configuration.deletionProtectionEnabled")
    );
    assert_eq!(recorded_key(&odd), Fact::Unreadable("configuration.ssedescription"));
    let mut silent = table(json!({}), Some("ENABLED"));
    silent.supplementary_configuration["ContinuousBackupsDescription"] = json!({"continuousBackupsStatus": "ENABLED"});
    assert_eq!(recorded_pitr(&silent), Fact::NotRecorded, "no status is not \"off\"");
    let disabled = table(
        json!({"ssedescription": {"status": "DISABLED", "kmsmasterKeyArn": KEY}}),
        None,
    );
    assert_eq!(recorded_key(&disabled), Fact::Recorded(None));
}

#[test]
fn fixture_cases() {
    let p = Params::default();
    let cmk = Params {
        require_customer_managed_key: true,
        ..Params::default()
    };
    let listed = Params {
        kms_key_arns: vec!["1234abcd-12ab-34cd-56ef-1234567890ab".into()],
        ..Params::default()
    };
    let nothing = Params {
        require_pitr: false,
        require_deletion_protection: false,
        ..Params::default()
    };
    let found = |pitr, dp, key: Option<(&str, Option<bool>)>| Protection {
        pitr,
        deletion_protection: dp,
        key: key.map(|(k, c)| (k.to_string(), c)),
    };
    type Case<'a> = (&'a str, Protection, &'a Params, Compliance, String);
    let cases: Vec<Case> = vec![
        (
            "protected",
            found(true, true, None),
            &p,
            Compliant,
            "Table test has point-in-time recovery, deletion protection.".into(),
        ),
        (
            "the sample",
            found(false, false, None),
            &p,
            NonCompliant,
            "Table test: point-in-time recovery is off; deletion protection is off.".into(),
        ),
        (
            "customer managed key",
            found(true, true, Some((KEY, Some(true)))),
            &cmk,
            Compliant,
            format!("Table test has point-in-time recovery, deletion protection, KMS key {KEY}."),
        ),
        (
            "aws owned key, cmk required",
            found(true, true, None),
            &cmk,
            NonCompliant,
            "Table test: it is encrypted with the AWS owned key, not a customer managed key.".into(),
        ),
        (
            "aws managed key, cmk required",
            found(true, false, Some((KEY, Some(false)))),
            &cmk,
            NonCompliant,
            format!("Table test: deletion protection is off; its KMS key {KEY} is AWS managed, not customer managed."),
        ),
        (
            "listed",
            found(true, true, Some((KEY, None))),
            &listed,
            Compliant,
            format!("Table test has point-in-time recovery, deletion protection, KMS key {KEY}."),
        ),
        (
            "not listed",
            found(true, true, Some(("arn:aws:kms:us-east-2:123456789012:key/other", None))),
            &listed,
            NonCompliant,
            "Table test: its KMS key arn:aws:kms:us-east-2:123456789012:key/other is not in kmsKeyArns.".into(),
        ),
        (
            "everything switched off",
            found(false, false, None),
            &nothing,
            NotApplicable,
            "Table test: every requirement of the rule is switched off by its parameters.".into(),
        ),
    ];
    for (name, found, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate("test", &found, params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

#[derive(Default)]
struct Fake {
    deletion_protection: bool,
    pitr: bool,
    manager: &'static str,
    calls: Mutex<Vec<String>>,
}

#[async_trait]
impl TableApi for Fake {
    async fn deletion_protection(&self, table: &str) -> Result<bool, Error> {
        self.calls.lock().unwrap().push(format!("DescribeTable {table}"));
        Ok(self.deletion_protection)
    }
    async fn point_in_time_recovery(&self, table: &str) -> Result<bool, Error> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("DescribeContinuousBackups {table}"));
        Ok(self.pitr)
    }
}

#[async_trait]
impl KeyManagerApi for Fake {
    async fn key_manager(&self, key: &str) -> Result<String, Error> {
        self.calls.lock().unwrap().push(format!("DescribeKey {key}"));
        Ok(self.manager.to_string())
    }
}

#[tokio::test]
async fn services_are_asked_only_for_what_the_item_does_not_record() {
    let rule = DynamodbTableProtected::new(Fake {
        deletion_protection: true,
        pitr: true,
        manager: "AWS",
        ..Fake::default()
    });
    let ctx = ItemContext::now();
    let sample = table(json!({}), Some("ENABLED"));
    let v = rule.evaluate_item(&sample, &ctx, &Params::default()).await.unwrap();
    assert_eq!(
        v,
        Verdict::compliant("Table test has point-in-time recovery, deletion protection.")
    );
    assert_eq!(*rule.api.calls.lock().unwrap(), vec!["DescribeTable test".to_string()]);
    let with_key = table(
        json!({"deletionProtectionEnabled": false, "ssedescription": {"ssetype": "KMS", "status": "ENABLED", "kmsmasterKeyArn": KEY}}),
        None,
    );
    let cmk = Params {
        require_customer_managed_key: true,
        ..Params::default()
    };
    let v = rule.evaluate_item(&with_key, &ctx, &cmk).await.unwrap();
    assert_eq!(
        v,
        Verdict::non_compliant(format!(
            "Table test: deletion protection is off; its KMS key {KEY} is AWS managed, not customer managed."
        ))
    );
    assert_eq!(
        rule.api.calls.lock().unwrap()[1..],
        [
            "DescribeContinuousBackups test".to_string(),
            format!("DescribeKey {KEY}")
        ]
    );
}

#[tokio::test]
async fn an_unreadable_value_is_a_finding_not_an_absence() {
    let rule = DynamodbTableProtected::new(Fake::default());
    let odd = table(json!({"deletionProtectionEnabled": "yes"}), Some("ENABLED"));
    let v = rule
        .evaluate_item(&odd, &ItemContext::now(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        v,
        Verdict::non_compliant(
            "Table test: configuration.deletionProtectionEnabled is present but unreadable; its protection cannot be confirmed."
        )
    );
    assert!(rule.api.calls.lock().unwrap().is_empty());
}

#[test]
fn parameters_are_validated() {
    let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
    assert_eq!(parse(json!({})).unwrap(), Params::default());
    assert_eq!(
        parse(json!({"requireDeletionProtection": "false", "kmsKeyArns": "k1"})).unwrap(),
        Params {
            require_deletion_protection: false,
            kms_key_arns: vec!["k1".into()],
            ..Params::default()
        }
    );
    assert!(matches!(
        parse(json!({"requirePointInTimeRecovery": "often"})),
        Err(Error::InvalidParameters { .. })
    ));
}
