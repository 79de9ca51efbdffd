use super::*;
use config_rules_core::Compliance::{self, *};
use std::collections::BTreeMap;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const NOW: &str = "2026-11-28T00:00:00Z";

fn key(id: &str, active: bool, created: &str, last_used: Option<Option<&str>>) -> AccessKey {
    AccessKey {
        id: id.into(),
        active,
        created: t(created),
        last_used: last_used.map(|l| l.map(t)),
    }
}

#[test]
fn fixture_cases() {
    let u = User {
        name: "ci".into(),
        id: "AIDA1".into(),
    };
    let p = Params::default();
    let unused = Params {
        max_age_days: 90,
        flag_unused: true,
    };
    type Case<'a> = (&'a str, Vec<AccessKey>, Params, Compliance, &'a str);
    let cases: Vec<Case> = vec![
        ("no keys", vec![], p, Compliant, "User ci has no active access keys."),
        (
            "only an old inactive key",
            vec![key("AKIAOLDINACTIVE0001", false, "2020-01-01T00:00:00Z", None)],
            p,
            Compliant,
            "User ci has no active access keys.",
        ),
        (
            "young key",
            vec![key("AKIAYOUNG0000000001", true, "2026-10-01T00:00:00Z", None)],
            p,
            Compliant,
            "User ci has 1 active access key younger than 90 days.",
        ),
        (
            "exactly 90 days",
            vec![key("AKIAEXACT0000000001", true, "2026-08-30T00:00:00Z", None)],
            p,
            Compliant,
            "User ci has 1 active access key younger than 90 days.",
        ),
        (
            "91 days",
            vec![key("AKIAOLD000000000091", true, "2026-08-29T00:00:00Z", None)],
            p,
            NonCompliant,
            "User ci: active key …0091 is 91 days old (maximum 90 days).",
        ),
        (
            "two keys, one old",
            vec![
                key("AKIAYOUNG0000000002", true, "2026-11-01T00:00:00Z", None),
                key("AKIAOLD000000000500", true, "2025-07-16T00:00:00Z", None),
            ],
            p,
            NonCompliant,
            "User ci: active key …0500 is 500 days old (maximum 90 days).",
        ),
        (
            "unused for long",
            vec![key(
                "AKIAUNUSED000000001",
                true,
                "2026-10-01T00:00:00Z",
                Some(Some("2026-08-01T00:00:00Z")),
            )],
            unused,
            NonCompliant,
            "User ci: active key …0001 was last used 119 days ago (maximum 90 days).",
        ),
        (
            "never used, young",
            vec![key("AKIANEVER0000000001", true, "2026-11-01T00:00:00Z", Some(None))],
            unused,
            Compliant,
            "User ci has 1 active access key younger than 90 days.",
        ),
        (
            "never used, 90 days",
            vec![key("AKIANEVER0000000002", true, "2026-08-30T00:00:00Z", Some(None))],
            unused,
            NonCompliant,
            "User ci: active key …0002 was never used in 90 days (maximum 90 days).",
        ),
        (
            "used recently",
            vec![key(
                "AKIAUSED00000000001",
                true,
                "2026-10-01T00:00:00Z",
                Some(Some("2026-11-27T00:00:00Z")),
            )],
            unused,
            Compliant,
            "User ci has 1 active access key younger than 90 days.",
        ),
    ];
    for (name, keys, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate_user(&u, &keys, t(NOW), &params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

#[derive(Default)]
struct Fake {
    users: Vec<User>,
    keys: BTreeMap<String, Vec<AccessKey>>,
    last_used: BTreeMap<String, Option<DateTime<Utc>>>,
}

#[async_trait]
impl AccessKeyApi for Fake {
    async fn list_users(&self) -> Result<Vec<User>, Error> {
        Ok(self.users.clone())
    }
    async fn access_keys(&self, user_name: &str) -> Result<Option<Vec<AccessKey>>, Error> {
        if user_name == "vanished" {
            return Ok(None);
        }
        if user_name == "fenced" {
            return Err(Error::AwsApi {
                operation: "ListAccessKeys".into(),
                message: "AccessDenied: explicit deny in a service control policy".into(),
                code: Some("AccessDenied".into()),
            });
        }
        Ok(Some(self.keys.get(user_name).cloned().unwrap_or_default()))
    }
    async fn last_used(&self, key_id: &str) -> Result<Option<DateTime<Utc>>, Error> {
        self.last_used
            .get(key_id)
            .cloned()
            .ok_or_else(|| Error::aws("GetAccessKeyLastUsed", "NoSuchEntity"))
    }
}

#[tokio::test]
async fn a_sweep_reports_every_user_by_id() {
    let fake = Fake {
        users: vec![
            User {
                name: "zed".into(),
                id: "AIDAZ".into(),
            },
            User {
                name: "amy".into(),
                id: "AIDAA".into(),
            },
            // Listed, then deleted before its keys are read: skipped, not an error.
            User {
                name: "vanished".into(),
                id: "AIDAV".into(),
            },
            // Its keys may not be read: its own result, and the sweep goes on.
            User {
                name: "fenced".into(),
                id: "AIDAF".into(),
            },
        ],
        keys: BTreeMap::from([(
            "zed".to_string(),
            vec![key("AKIAZED000000000001", true, "2026-01-01T00:00:00Z", None)],
        )]),
        last_used: BTreeMap::from([("AKIAZED000000000001".to_string(), None)]),
    };
    let rule = IamAccessKeysRotated::new(fake);
    let ctx = AccountContext::at("1", t(NOW));
    let out = rule
        .evaluate_account(
            &ctx,
            &Params {
                max_age_days: 90,
                flag_unused: true,
            },
        )
        .await
        .unwrap();
    let got: Vec<(&str, Compliance)> = out
        .iter()
        .map(|v| (v.resource_id.as_str(), v.verdict.compliance))
        .collect();
    assert_eq!(
        got,
        vec![("AIDAA", Compliant), ("AIDAF", NonCompliant), ("AIDAZ", NonCompliant)]
    );
    assert_eq!(
        out[1].verdict.annotation,
        "User fenced could not be checked: AWS API call ListAccessKeys failed: AccessDenied: explicit deny in a service control policy."
    );
    assert_eq!(
        out[2].verdict.annotation,
        "User zed: active key …0001 is 331 days old (maximum 90 days)."
    );
}

#[test]
fn parameters_are_validated() {
    let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
    assert_eq!(parse(serde_json::json!({})).unwrap(), Params::default());
    assert!(matches!(
        parse(serde_json::json!({"maxAccessKeyAgeDays": "0"})),
        Err(Error::InvalidParameters { .. })
    ));
}
