//! # iam-access-keys-rotated
//!
//! **Checks** that no IAM user has an active access key older than a maximum age, and
//! optionally none left unused for that long.
//!
//! **Why it matters.** Practice 4, *authentication*, of the serverless security practices:
//! long-lived access keys are the credentials that leak — in CI logs, laptops, old
//! repositories — and the older a key, the more places it has been. Rotating them bounds how
//! long a leaked key is useful; an unused key is pure risk and should be deleted. Serverless
//! workloads should need none at all (functions use their execution roles).
//!
//! **Resource type reported:** `AWS::IAM::User` (the user id).
//! **Trigger:** periodic: a key ages without any configuration change. The rule lists the
//! users (IAM `ListUsers`) and their keys (`ListAccessKeys`), and, with `flagUnusedKeys`,
//! when each active key was last used (`GetAccessKeyLastUsed`).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `maxAccessKeyAgeDays` | integer 1–3650 | `90` | the oldest an active key may be |
//! | `flagUnusedKeys` | boolean | `false` | also fail an active key not used for `maxAccessKeyAgeDays` (or never used and that old) |
//!
//! **Scenarios**
//!
//! | user | result |
//! |---|---|
//! | no active access keys (none, or only inactive ones) | COMPLIANT |
//! | active keys all younger than the maximum (and used, with `flagUnusedKeys`) | COMPLIANT |
//! | an active key older than the maximum | NON_COMPLIANT, with the key's age in days |
//! | with `flagUnusedKeys`, an active key unused for the maximum | NON_COMPLIANT |
//! | a user deleted since the last run | NOT_APPLICABLE (its old result is retired) |
//!
//! Annotations show key ids masked to their last four characters. A user whose keys the rule
//! may not read (`AccessDenied`, e.g. a service control policy) is NON_COMPLIANT with the
//! refused call named; the other users are judged as usual. Throttling and server errors that
//! outlast the SDK's retries fail the run instead, so no user is judged on a passing fault.
//!
//! **Remediation.** Create a second key, move its users to it, deactivate and then delete the
//! old one (`aws iam create-access-key`, `update-access-key --status Inactive`,
//! `delete-access-key`). Better: replace the user with a role (IAM Identity Center for people,
//! roles or OIDC federation for CI).
//!
//! **References.** IAM user guide, "Rotate access keys" and "Security best practices in IAM";
//! AWS Config managed rule `access-keys-rotated`; CIS AWS Foundations 1.14.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use config_rules_core::{
    arn, sdk_error, AccountContext, Error, FromParams, ParamSpec, ParamValues, Permission, ReportsOn, ResourceVerdict,
    Rule, RuleMeta, Trigger, Verdict,
};

pub const META: RuleMeta = RuleMeta {
    id: "iam-access-keys-rotated",
    summary: "IAM users have no active access key older than a maximum age (default 90 days).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::IAM::User"],
    trigger: Trigger::Periodic,
    reports_on: ReportsOn::Account,
    parameters: &[
        ParamSpec::integer(
            "maxAccessKeyAgeDays",
            1,
            3650,
            "90",
            "The oldest an active access key may be, in days.",
        ),
        ParamSpec::boolean(
            "flagUnusedKeys",
            false,
            "Also fail an active key not used for maxAccessKeyAgeDays.",
        ),
    ],
    permissions: &[
        Permission::any("iam:ListUsers"),
        Permission::on("iam:ListAccessKeys", &[arn::IAM_USERS]),
        Permission::on("iam:GetAccessKeyLastUsed", &[arn::IAM_USERS]),
    ],
    item_calls_aws: false,
    // Sized for 5,000 resources: two AWS calls each, 8 at a time, at up to 100 ms per call is
    // 125 s; twice that for margin (a 5,000-key sweep took 51 s against the emulator).
    timeout_seconds: 300,
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub max_age_days: i64,
    pub flag_unused: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_age_days: 90,
            flag_unused: false,
        }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            max_age_days: values.integer("maxAccessKeyAgeDays")?,
            flag_unused: values.boolean("flagUnusedKeys")?,
        })
    }
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub id: String,
}

/// An access key and what is known of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub active: bool,
    pub created: DateTime<Utc>,
    /// `Some(None)`: never used; `None`: not asked.
    pub last_used: Option<Option<DateTime<Utc>>>,
}

/// The IAM calls this rule makes.
#[async_trait]
pub trait AccessKeyApi: Send + Sync {
    /// `ListUsers`, all pages.
    async fn list_users(&self) -> Result<Vec<User>, Error>;
    /// `ListAccessKeys` of a user (without `last_used`); `None` when the user is gone
    /// (deleted since `ListUsers`).
    async fn access_keys(&self, user_name: &str) -> Result<Option<Vec<AccessKey>>, Error>;
    /// `GetAccessKeyLastUsed`: `None` when never used.
    async fn last_used(&self, key_id: &str) -> Result<Option<DateTime<Utc>>, Error>;
}

/// `AKIAIOSFODNN7EXAMPLE` → `…MPLE`.
pub fn mask(key_id: &str) -> String {
    let tail: String = key_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// The decision for one user at `now`, as a pure function.
pub fn evaluate_user(user: &User, keys: &[AccessKey], now: DateTime<Utc>, params: &Params) -> Verdict {
    let max = params.max_age_days;
    let mut problems = Vec::new();
    let active: Vec<&AccessKey> = keys.iter().filter(|k| k.active).collect();
    for k in &active {
        let age = (now - k.created).num_days();
        if age > max {
            problems.push(format!("active key {} is {age} days old", mask(&k.id)));
            continue;
        }
        if params.flag_unused {
            match k.last_used {
                Some(Some(t)) if (now - t).num_days() > max => problems.push(format!(
                    "active key {} was last used {} days ago",
                    mask(&k.id),
                    (now - t).num_days()
                )),
                Some(None) if age >= max => {
                    problems.push(format!("active key {} was never used in {age} days", mask(&k.id)))
                }
                _ => {}
            }
        }
    }
    if !problems.is_empty() {
        return Verdict::non_compliant(format!(
            "User {}: {} (maximum {max} days).",
            user.name,
            problems.join("; ")
        ));
    }
    match active.len() {
        0 => Verdict::compliant(format!("User {} has no active access keys.", user.name)),
        n => Verdict::compliant(format!(
            "User {} has {n} active access key{} younger than {max} days.",
            user.name,
            if n == 1 { "" } else { "s" }
        )),
    }
}

/// The rule as the runner sees it.
pub struct IamAccessKeysRotated<A> {
    api: A,
}

impl<A: AccessKeyApi> IamAccessKeysRotated<A> {
    pub fn new(api: A) -> Self {
        IamAccessKeysRotated { api }
    }
}

#[async_trait]
impl<A: AccessKeyApi> Rule for IamAccessKeysRotated<A> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_account(&self, ctx: &AccountContext, params: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        let mut users = self.api.list_users().await?;
        users.sort_by(|a, b| a.name.cmp(&b.name));
        let judged = config_rules_core::sweep::map_bounded(users, |user| async move {
            let keys = self.user_keys(&user.name, params).await;
            (user, keys)
        })
        .await;
        let mut out = Vec::with_capacity(judged.len());
        for (user, keys) in judged {
            let verdict = match keys {
                Ok(Some(keys)) => evaluate_user(&user, &keys, ctx.evaluation_time, params),
                // Deleted mid-sweep: no result now; a stored one is retired as not applicable.
                Ok(None) => continue,
                // A user the role may not read (an SCP, a permissions boundary): its own result.
                Err(e) if e.is_access_denied() => Verdict::unreadable(&format!("User {}", user.name), &e),
                Err(e) => return Err(e),
            };
            out.push(ResourceVerdict {
                resource_type: "AWS::IAM::User".to_string(),
                verdict,
                resource_id: user.id,
            });
        }
        Ok(out)
    }
}

impl<A: AccessKeyApi> IamAccessKeysRotated<A> {
    /// A user's access keys (with their last use when `flagUnusedKeys`); `None` when the user is gone.
    async fn user_keys(&self, user: &str, params: &Params) -> Result<Option<Vec<AccessKey>>, Error> {
        let Some(mut keys) = self.api.access_keys(user).await? else {
            return Ok(None);
        };
        if params.flag_unused {
            for k in keys.iter_mut().filter(|k| k.active) {
                k.last_used = Some(self.api.last_used(&k.id).await?);
            }
        }
        Ok(Some(keys))
    }
}

fn to_chrono(t: Option<&aws_sdk_iam::primitives::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos()))
}

/// [`AccessKeyApi`] over the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkIam {
    client: aws_sdk_iam::Client,
}

impl SdkIam {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkIam {
            client: aws_sdk_iam::Client::new(sdk),
        }
    }
}

#[async_trait]
impl AccessKeyApi for SdkIam {
    async fn list_users(&self) -> Result<Vec<User>, Error> {
        let mut out = Vec::new();
        let mut pages = self.client.list_users().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListUsers", e))?;
            out.extend(page.users().iter().map(|u| User {
                name: u.user_name().to_string(),
                id: u.user_id().to_string(),
            }));
        }
        Ok(out)
    }

    async fn access_keys(&self, user_name: &str) -> Result<Option<Vec<AccessKey>>, Error> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .list_access_keys()
            .user_name(user_name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => return Ok(None),
                Err(e) => return Err(sdk_error("ListAccessKeys", e)),
            };
            for k in page.access_key_metadata() {
                let (Some(id), Some(created)) = (k.access_key_id(), to_chrono(k.create_date())) else {
                    continue;
                };
                out.push(AccessKey {
                    id: id.to_string(),
                    active: k.status().is_some_and(|s| s.as_str() == "Active"),
                    created,
                    last_used: None,
                });
            }
        }
        Ok(Some(out))
    }

    async fn last_used(&self, key_id: &str) -> Result<Option<DateTime<Utc>>, Error> {
        let out = self
            .client
            .get_access_key_last_used()
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| sdk_error("GetAccessKeyLastUsed", e))?;
        Ok(to_chrono(out.access_key_last_used().and_then(|l| l.last_used_date())))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    IamAccessKeysRotated::new(SdkIam::new(sdk))
}

#[cfg(test)]
mod tests {
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
}
