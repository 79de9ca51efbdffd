//! Which account an invocation works in, and with which credentials.
//!
//! **Account mode** (the default): the function serves its own account only; Config's invoke
//! permission names that account (`SourceAccount`), and an event naming another account is
//! refused.
//!
//! **Organization mode** ([`MEMBER_ROLE_ENV`] set): the function lives in the management or a
//! delegated administrator account and Config in every member account invokes it (an
//! `AWS::Config::OrganizationConfigRule`). The invoke permission cannot name one
//! `SourceAccount`, so anyone's Config could send it events; [`Gate::admit`] refuses, before any
//! AWS call of that invocation, an event whose `accountId` is excluded
//! ([`EXCLUDED_ACCOUNTS_ENV`]) or not an active account of the organization. The organization's
//! accounts come from Organizations `ListAccounts`, read at the first event that needs them and
//! again when older than [`MEMBERS_TTL`] (or, for an account not in the list, when older than
//! [`MEMBERS_RECHECK`], so a new account is served within a minute and a stranger cannot make
//! the function call Organizations more than once a minute).
//!
//! For a member account the runner assumes [`MEMBER_ROLE_ENV`] in that account and uses the
//! credentials for everything of the invocation: the rule's reads, `GetResourceConfigHistory`
//! for oversized items, the stored-result reads of sweeps, and `PutEvaluations` (the result
//! token belongs to the member account). The SDK caches the credentials per account and
//! refreshes them before they expire.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_config::SdkConfig;
use tokio::sync::Mutex;

use crate::{bounded, sdk_error, Error, MAX_QUOTED_CHARS};

/// The name of the role every member account provides (member-role.yaml); setting it turns
/// organization mode on.
pub const MEMBER_ROLE_ENV: &str = "CONFIG_RULES_MEMBER_ROLE";
/// Accounts never served, comma separated (the template's `ExcludedAccounts`).
pub const EXCLUDED_ACCOUNTS_ENV: &str = "CONFIG_RULES_EXCLUDED_ACCOUNTS";
/// How long the organization's account list is trusted.
pub const MEMBERS_TTL: Duration = Duration::from_secs(15 * 60);
/// How soon an unknown account may make the list be read again.
pub const MEMBERS_RECHECK: Duration = Duration::from_secs(60);

/// How the function was deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Account,
    Organization {
        role_name: String,
        excluded: BTreeSet<String>,
    },
}

impl Mode {
    /// From the function's environment ([`MEMBER_ROLE_ENV`], [`EXCLUDED_ACCOUNTS_ENV`]).
    pub fn from_env() -> Mode {
        Mode::from_values(
            std::env::var(MEMBER_ROLE_ENV).ok().as_deref(),
            std::env::var(EXCLUDED_ACCOUNTS_ENV).ok().as_deref(),
        )
    }

    pub fn from_values(role: Option<&str>, excluded: Option<&str>) -> Mode {
        match role.map(str::trim).filter(|r| !r.is_empty()) {
            None => Mode::Account,
            Some(role_name) => Mode::Organization {
                role_name: role_name.to_string(),
                excluded: excluded
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
            },
        }
    }
}

/// The organization's active accounts.
#[async_trait]
pub trait AccountLister: Send + Sync {
    async fn active_accounts(&self) -> Result<BTreeSet<String>, Error>;
}

/// [`AccountLister`] over Organizations `ListAccounts` (paginated).
pub struct OrganizationsLister(pub aws_sdk_organizations::Client);

#[async_trait]
impl AccountLister for OrganizationsLister {
    async fn active_accounts(&self) -> Result<BTreeSet<String>, Error> {
        let mut out = BTreeSet::new();
        let mut pages = self.0.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListAccounts", e))?;
            for account in page.accounts() {
                let active = account.state().is_none_or(|s| s.as_str() == "ACTIVE");
                if let (Some(id), true) = (account.id(), active) {
                    out.insert(id.to_string());
                }
            }
        }
        Ok(out)
    }
}

/// The lister of account mode, which serves its own account only and never asks.
pub struct NoAccounts;

#[async_trait]
impl AccountLister for NoAccounts {
    async fn active_accounts(&self) -> Result<BTreeSet<String>, Error> {
        Ok(BTreeSet::new())
    }
}

/// Decides which events an invocation may serve.
pub struct Gate {
    mode: Mode,
    lister: Box<dyn AccountLister>,
    members: Mutex<Option<(Instant, BTreeSet<String>)>>,
}

impl Gate {
    pub fn new(mode: Mode, lister: Box<dyn AccountLister>) -> Gate {
        Gate {
            mode,
            lister,
            members: Mutex::new(None),
        }
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// `Ok(true)` for the function's own account, `Ok(false)` for a member account it may
    /// serve, [`Error::AccountRefused`] otherwise.
    pub async fn admit(&self, own: &str, account: &str) -> Result<bool, Error> {
        let refuse = |reason: &str| Error::AccountRefused {
            account: bounded(account, MAX_QUOTED_CHARS),
            reason: reason.to_string(),
        };
        if account == own {
            return Ok(true);
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse("not an AWS account id"));
        }
        let Mode::Organization { excluded, .. } = &self.mode else {
            return Err(refuse(
                "this function serves its own account only (deploy with DeploymentMode=organization to evaluate member accounts)",
            ));
        };
        if excluded.contains(account) {
            return Err(refuse("the account is excluded (ExcludedAccounts)"));
        }
        let mut members = self.members.lock().await;
        let age = members.as_ref().map(|(at, _)| at.elapsed());
        let known = members.as_ref().is_some_and(|(_, ids)| ids.contains(account));
        let stale = age.is_none_or(|a| a > MEMBERS_TTL || (!known && a > MEMBERS_RECHECK));
        if stale {
            let ids = self.lister.active_accounts().await?;
            *members = Some((Instant::now(), ids));
        }
        if members.as_ref().is_some_and(|(_, ids)| ids.contains(account)) {
            Ok(false)
        } else {
            Err(refuse("not an active account of this organization"))
        }
    }
}

/// The account and partition of the function, from its ARN
/// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
pub fn own_account(function_arn: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = function_arn.split(':').collect();
    (parts.len() >= 6 && parts[0] == "arn" && !parts[4].is_empty())
        .then(|| (parts[4].to_string(), parts[1].to_string()))
}

/// The SDK configuration for `account`: `role_name` in that account, assumed from `own` (its
/// credentials are checked once here, so a missing role or trust is a clear error before
/// anything is read or posted; the SDK's identity cache then refreshes them before expiry).
pub async fn member_sdk(own: &SdkConfig, partition: &str, account: &str, role_name: &str) -> Result<SdkConfig, Error> {
    use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
    let role_arn = format!("arn:{partition}:iam::{account}:role/{role_name}");
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn.clone())
        .session_name("config-rules")
        .configure(own)
        .build()
        .await;
    if let Err(err) = provider.provide_credentials().await {
        return Err(Error::AssumeRole {
            account: account.to_string(),
            role_arn,
            message: bounded(&assume_role_failure(&err), MAX_QUOTED_CHARS),
        });
    }
    Ok(own
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

/// STS's error code and message when STS answered (`AccessDenied: User: ... is not
/// authorized to perform: sts:AssumeRole ...`), else the whole chain of causes.
fn assume_role_failure(err: &(dyn std::error::Error + 'static)) -> String {
    use aws_sdk_sts::error::ProvideErrorMetadata;
    type StsError = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_sdk_sts::config::http::HttpResponse,
    >;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(service) = e.downcast_ref::<StsError>().and_then(|s| s.as_service_error()) {
            return format!(
                "{}: {}",
                service.code().unwrap_or("UnknownError"),
                service.message().unwrap_or("no message")
            );
        }
        cause = e.source();
    }
    aws_smithy_types::error::display::DisplayErrorContext(err).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Fixed(BTreeSet<String>, Arc<AtomicUsize>);

    #[async_trait]
    impl AccountLister for Fixed {
        async fn active_accounts(&self) -> Result<BTreeSet<String>, Error> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(self.0.clone())
        }
    }

    fn gate(mode: Mode) -> (Gate, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let ids = ["111111111111", "222222222222"].into_iter().map(String::from).collect();
        (Gate::new(mode, Box::new(Fixed(ids, calls.clone()))), calls)
    }

    const OWN: &str = "123456789012";

    #[test]
    fn organization_mode_is_on_when_a_member_role_is_named() {
        assert_eq!(Mode::from_values(None, Some("1")), Mode::Account);
        assert_eq!(Mode::from_values(Some("  "), None), Mode::Account);
        assert_eq!(
            Mode::from_values(Some("config-rules-member"), Some(" 111111111111, ,222222222222")),
            Mode::Organization {
                role_name: "config-rules-member".into(),
                excluded: ["111111111111", "222222222222"].into_iter().map(String::from).collect()
            }
        );
    }

    #[tokio::test]
    async fn account_mode_serves_its_own_account_only() {
        let (g, calls) = gate(Mode::Account);
        assert_eq!(g.admit(OWN, OWN).await, Ok(true));
        let err = g.admit(OWN, "111111111111").await.unwrap_err();
        assert_eq!(err.error_type(), "AccountRefused");
        assert!(err.to_string().contains("serves its own account only"), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn organization_mode_serves_members_and_refuses_strangers_and_excluded_accounts() {
        let excluded = ["222222222222".to_string()].into_iter().collect();
        let (g, calls) = gate(Mode::Organization {
            role_name: "member".into(),
            excluded,
        });
        assert_eq!(g.admit(OWN, "111111111111").await, Ok(false));
        assert_eq!(g.admit(OWN, "111111111111").await, Ok(false));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the list is read once");
        let err = g.admit(OWN, "222222222222").await.unwrap_err();
        assert!(err.to_string().contains("excluded"), "{err}");
        let err = g.admit(OWN, "999999999999").await.unwrap_err();
        assert!(
            err.to_string().contains("not an active account of this organization"),
            "{err}"
        );
        // A stranger right after a read does not make the function read the list again.
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let err = g.admit(OWN, "not-an-account").await.unwrap_err();
        assert!(err.to_string().contains("not an AWS account id"), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_own_account_comes_from_the_function_arn() {
        assert_eq!(
            own_account("arn:aws:lambda:us-east-1:123456789012:function:rule"),
            Some(("123456789012".into(), "aws".into()))
        );
        assert_eq!(own_account("not an arn"), None);
    }
}
