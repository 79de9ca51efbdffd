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
    arn, AccountContext, Error, FromParams, ParamSpec, ParamValues, Permission, ReportsOn, ResourceVerdict, Rule,
    RuleMeta, Severity, Trigger, Verdict,
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
    severity: Severity::Medium,
    practices: &[4],
    template_mode: "not judged: an access key's age and use exist only after deploy",
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

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    IamAccessKeysRotated::new(SdkIam::new(sdk))
}

mod sdk;
pub use sdk::*;

#[cfg(test)]
mod tests;
