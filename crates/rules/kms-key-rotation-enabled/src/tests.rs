use super::*;
use config_rules_core::Compliance::{self, *};
use std::collections::BTreeMap;

fn key(manager: &str, spec: &str, state: &str, origin: &str) -> KeyInfo {
    KeyInfo {
        id: "k1".into(),
        manager: manager.into(),
        spec: spec.into(),
        state: state.into(),
        origin: origin.into(),
    }
}

#[test]
fn fixture_cases() {
    let on = Some(Rotation {
        enabled: true,
        period_days: Some(365),
    });
    let off = Some(Rotation {
        enabled: false,
        period_days: None,
    });
    type Case<'a> = (&'a str, KeyInfo, Option<Rotation>, Compliance, &'a str);
    let cases: Vec<Case> = vec![
        (
            "rotating",
            key("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS"),
            on,
            Compliant,
            "Key k1 rotates automatically every 365 days.",
        ),
        (
            "rotating, no period",
            key("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS"),
            Some(Rotation {
                enabled: true,
                period_days: None,
            }),
            Compliant,
            "Key k1 rotates automatically.",
        ),
        (
            "not rotating",
            key("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS"),
            off,
            NonCompliant,
            "Key k1 is customer managed and does not rotate automatically.",
        ),
        (
            "disabled keys still count",
            key("CUSTOMER", "SYMMETRIC_DEFAULT", "Disabled", "AWS_KMS"),
            off,
            NonCompliant,
            "Key k1 is customer managed and does not rotate automatically.",
        ),
        (
            "AWS managed",
            key("AWS", "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS"),
            None,
            NotApplicable,
            "Key k1 is AWS managed: AWS rotates it.",
        ),
        (
            "asymmetric",
            key("CUSTOMER", "RSA_2048", "Enabled", "AWS_KMS"),
            None,
            NotApplicable,
            "Key k1 is a RSA_2048 key: automatic rotation supports symmetric encryption keys only.",
        ),
        (
            "HMAC",
            key("CUSTOMER", "HMAC_256", "Enabled", "AWS_KMS"),
            None,
            NotApplicable,
            "Key k1 is a HMAC_256 key: automatic rotation supports symmetric encryption keys only.",
        ),
        (
            "imported",
            key("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "EXTERNAL"),
            None,
            NotApplicable,
            "Key k1 has key material from EXTERNAL: automatic rotation is not supported.",
        ),
        (
            "pending deletion",
            key("CUSTOMER", "SYMMETRIC_DEFAULT", "PendingDeletion", "AWS_KMS"),
            None,
            NotApplicable,
            "Key k1 is PendingDeletion.",
        ),
    ];
    for (name, k, rotation, compliance, annotation) in cases {
        assert_eq!(
            evaluate_key(&k, rotation),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

#[derive(Default)]
struct Fake {
    keys: BTreeMap<String, (KeyInfo, bool)>,
    /// Keys whose DescribeKey answers this error code.
    refuse: BTreeMap<String, &'static str>,
}

#[async_trait]
impl KeyApi for Fake {
    async fn list_keys(&self) -> Result<Vec<String>, Error> {
        // "vanished" is listed, then deleted before DescribeKey.
        Ok(self
            .keys
            .keys()
            .cloned()
            .chain(std::iter::once("vanished".to_string()))
            .collect())
    }
    async fn describe_key(&self, key_id: &str) -> Result<Option<KeyInfo>, Error> {
        if let Some(code) = self.refuse.get(key_id) {
            return Err(Error::AwsApi {
                operation: "DescribeKey".into(),
                message: format!("{code}: refused"),
                code: Some(code.to_string()),
            });
        }
        Ok(self.keys.get(key_id).map(|k| k.0.clone()))
    }
    async fn rotation(&self, key_id: &str) -> Result<Rotation, Error> {
        assert_ne!(key_id, "aws-managed", "no rotation call for keys that cannot rotate");
        Ok(Rotation {
            enabled: self.keys[key_id].1,
            period_days: None,
        })
    }
}

#[tokio::test]
async fn a_sweep_asks_rotation_only_of_keys_that_can_rotate() {
    let mut fake = Fake::default();
    for (id, manager, rotates) in [
        ("cmk-on", "CUSTOMER", true),
        ("cmk-off", "CUSTOMER", false),
        ("aws-managed", "AWS", false),
    ] {
        let mut k = key(manager, "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS");
        k.id = id.into();
        fake.keys.insert(id.into(), (k, rotates));
    }
    let ctx = AccountContext::at("1", chrono::Utc::now());
    let out = KmsKeyRotationEnabled::new(fake)
        .evaluate_account(&ctx, &())
        .await
        .unwrap();
    let got: Vec<(&str, Compliance)> = out
        .iter()
        .map(|v| (v.resource_id.as_str(), v.verdict.compliance))
        .collect();
    assert_eq!(
        got,
        vec![
            ("aws-managed", NotApplicable),
            ("cmk-off", NonCompliant),
            ("cmk-on", Compliant)
        ]
    );
}

#[tokio::test]
async fn a_key_the_role_may_not_read_gets_its_own_result_and_the_sweep_goes_on() {
    let mut fake = Fake::default();
    for id in ["a-locked", "b-open"] {
        let mut k = key("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS");
        k.id = id.into();
        fake.keys.insert(id.into(), (k, true));
    }
    fake.refuse.insert("a-locked".into(), "AccessDeniedException");
    let ctx = AccountContext::at("1", chrono::Utc::now());
    let out = KmsKeyRotationEnabled::new(fake)
        .evaluate_account(&ctx, &())
        .await
        .unwrap();
    let got: Vec<(&str, Compliance, &str)> = out
        .iter()
        .map(|v| {
            (
                v.resource_id.as_str(),
                v.verdict.compliance,
                v.verdict.annotation.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "a-locked",
                NonCompliant,
                "Key a-locked could not be checked: AWS API call DescribeKey failed: AccessDeniedException: refused."
            ),
            ("b-open", Compliant, "Key b-open rotates automatically.")
        ]
    );
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_fails_the_run() {
    let mut fake = Fake::default();
    let mut k = key("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "AWS_KMS");
    k.id = "k".into();
    fake.keys.insert("k".into(), (k, true));
    fake.refuse.insert("k".into(), "ThrottlingException");
    let ctx = AccountContext::at("1", chrono::Utc::now());
    let err = KmsKeyRotationEnabled::new(fake)
        .evaluate_account(&ctx, &())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "AwsApi");
}
