//! The Lambda side: logging, the SDK configuration, and the handler every rule binary runs.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use futures_util::FutureExt;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

use crate::accounts::{member_sdk, own_account, AccountLister, Gate, Mode, NoAccounts, OrganizationsLister};
use crate::config_api::{ConfigApi, SdkConfigApi};
use crate::deadline::Budget;
use crate::engine::AnyRule;
use crate::evaluation::Compliance;
use crate::event::RuleEvent;
use crate::post::post_evaluations_within;
use crate::rule::Rule;
use crate::suppressions::{Place, Suppressions, PARAMETER_ENV};
use crate::{bounded, Error};
use tokio::sync::Mutex;

/// The error type a rule binary's `main` returns.
pub type BoxError = lambda_runtime::Error;

/// Attempts per AWS call (the first try and retries) under the SDK's standard retry mode,
/// which backs off on throttling and 5xx errors.
pub const MAX_ATTEMPTS: u32 = 6;

/// The crates whose log level follows the configured level; every other crate (the Lambda
/// runtime, the AWS SDK, hyper) stays at `warn` whatever the level, because at `debug` and
/// `trace` they print raw events and response bodies: whole configuration items, environment
/// variable values, policies.
pub const OUR_CRATES: &[&str] = &["config_rules_core", "lambda_facts", "config_rules"];

/// The log filter for `level` (`AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG`, a level name; anything
/// else reads as `info`): our crates and `rule_crate` at that level, all others at `warn`.
pub fn log_filter(level: Option<&str>, rule_crate: &str) -> String {
    let level = match level.map(|l| l.trim().to_ascii_lowercase()) {
        Some(l) if ["trace", "debug", "info", "warn", "error"].contains(&l.as_str()) => l,
        Some(l) if l == "fatal" => "error".to_string(),
        _ => "info".to_string(),
    };
    let mut filter = "warn".to_string();
    for target in OUR_CRATES.iter().copied().chain(std::iter::once(rule_crate)) {
        if !target.is_empty() {
            filter.push_str(&format!(",{target}={level}"));
        }
    }
    filter
}

/// Installs the JSON log subscriber (one JSON object per line) and a panic hook that logs a
/// panic as one bounded JSON line. The level comes from `AWS_LAMBDA_LOG_LEVEL` (set by
/// Lambda's log configuration) or `RUST_LOG`, default `info`, and applies to this suite's
/// crates only (see [`OUR_CRATES`]); `rule_crate` is the rule's crate name (`lambda_timeout_within_limit`).
pub fn init_logging<W>(writer: W, rule_crate: &str)
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new(log_filter(
            level.as_deref(),
            rule_crate,
        )))
        .with_writer(writer)
        .try_init();
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info.payload());
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        tracing::error!(error_type = "Panic", location, error = %message, "panic");
    }));
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    crate::bounded(&text, crate::MAX_QUOTED_CHARS)
}

/// Time limits of every AWS call: to connect, per attempt, and per operation (all attempts).
/// A Lambda invocation is bounded by its deadline as well ([`Budget`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
}

impl Default for Timeouts {
    /// 3 s to connect, 20 s per attempt, 60 s per operation with its retries.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(20),
            operation: Duration::from_secs(60),
        }
    }
}

/// The SDK configuration every function and the CLI use: the default credential chain and
/// region, `AWS_ENDPOINT_URL` honoured, standard retries with [`MAX_ATTEMPTS`], and the
/// default [`Timeouts`].
pub async fn load_sdk_config() -> SdkConfig {
    load_sdk_config_with(None, Timeouts::default()).await
}

/// [`load_sdk_config`] with an explicit region and time limits.
pub async fn load_sdk_config_with(region: Option<String>, timeouts: Timeouts) -> SdkConfig {
    load_sdk_config_for(region, None, timeouts).await
}

/// [`load_sdk_config_with`] with a named profile of the shared AWS configuration (the CLI's
/// `--profile`).
pub async fn load_sdk_config_for(region: Option<String>, profile: Option<&str>, timeouts: Timeouts) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region));
    }
    loader
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(100)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .operation_attempt_timeout(timeouts.attempt.min(timeouts.operation))
                .operation_timeout(timeouts.operation)
                .build(),
        )
        .load()
        .await
}

/// Runs a rule as a Lambda function. `make_rule` builds the rule from an SDK configuration
/// (rules that call AWS create their clients there; rules that call nothing ignore it, so a
/// new account costs them nothing). It is called once for the function's own account and,
/// in organization mode ([`crate::accounts`]), once per member account the function works in,
/// with that account's assumed-role credentials. Each invocation works within its deadline
/// less [`crate::deadline::DEADLINE_MARGIN`].
pub async fn run<R, F>(make_rule: F) -> Result<(), lambda_runtime::Error>
where
    R: Rule + 'static,
    F: Fn(&SdkConfig) -> R,
{
    let sdk = load_sdk_config().await;
    let own_rule = make_rule(&sdk);
    init_logging(std::io::stdout, &Rule::meta(&own_rule).id.replace('-', "_"));
    let own_api = SdkConfigApi::new(aws_sdk_config::Client::new(&sdk));
    // An Organizations client only where organization mode reads the account list: nothing
    // more in every function's cold start.
    let mode = Mode::from_env();
    let lister: Box<dyn AccountLister> = match mode {
        Mode::Organization { .. } => Box::new(OrganizationsLister(aws_sdk_organizations::Client::new(&sdk))),
        Mode::Account => Box::new(NoAccounts),
    };
    let gate = Gate::new(mode, lister);
    let members: Mutex<HashMap<String, Arc<(R, SdkConfigApi)>>> = Mutex::new(HashMap::new());
    let suppressions: tokio::sync::OnceCell<Option<Suppressions>> = tokio::sync::OnceCell::new();
    let (own_rule, own_api, gate, members, make_rule, sdk, suppressions) =
        (&own_rule, &own_api, &gate, &members, &make_rule, &sdk, &suppressions);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default();
        let budget = Budget::from_lambda_deadline(event.context.deadline, now_ms);
        let rule_id = Rule::meta(own_rule).id;
        let (own, partition) = own_account(&event.context.invoked_function_arn)
            .unwrap_or_else(|| ("".to_string(), "aws".to_string()));
        let account = event.payload.get("accountId").and_then(Value::as_str).unwrap_or(&own).to_string();
        // Reading the organization's accounts is bounded by the invocation's deadline too.
        let admitted = budget.run(gate.admit(&own, &account)).await.unwrap_or_else(|_| {
            Err(Error::Deadline {
                activity: "reading the organization's accounts".into(),
            })
        });
        let member = match admitted {
            Ok(true) => None,
            Ok(false) => {
                let Mode::Organization { role_name, .. } = gate.mode() else {
                    return Err(Error::AccountRefused { account, reason: "not this function's account".into() });
                };
                match member_for(members, sdk, make_rule, &partition, &account, role_name, budget).await {
                    Ok(m) => Some(m),
                    Err(err) => {
                        tracing::error!(rule = rule_id, error_type = err.error_type(), account = %account, error = %err, "invocation failed");
                        return Err(err);
                    }
                }
            }
            Err(err) => {
                tracing::warn!(rule = rule_id, error_type = err.error_type(), account = %bounded(&account, 20), error = %err, "event refused");
                return Err(err);
            }
        };
        // The suppressions file, read once per cold start (again after a failed read).
        let load = || async {
            budget.run(load_suppressions(sdk)).await.unwrap_or_else(|_| {
                Err(Error::Deadline {
                    activity: "reading the suppressions parameter".into(),
                })
            })
        };
        let accepted = match suppressions.get_or_try_init(load).await {
            Ok(s) => s.as_ref(),
            Err(err) => {
                tracing::error!(rule = rule_id, error_type = err.error_type(), error = %err, "invocation failed");
                return Err(err);
            }
        };
        let backoff = Duration::from_millis(250);
        match &member {
            None => handle_accepting(own_rule, own_api, &event.payload, backoff, budget, accepted).await,
            Some(m) => handle_accepting(&m.0, &m.1, &event.payload, backoff, budget, accepted).await,
        }
    }))
    .await
}

/// The suppressions file named by [`PARAMETER_ENV`] (an SSM parameter of the function's own
/// account), or `None` when none is given.
async fn load_suppressions(sdk: &SdkConfig) -> Result<Option<Suppressions>, Error> {
    let Some(name) = std::env::var(PARAMETER_ENV).ok().filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    let source = format!("ssm:{name}");
    let out = aws_sdk_ssm::Client::new(sdk)
        .get_parameter()
        .name(&name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| Error::Suppressions {
            file: crate::bounded(&source, crate::MAX_QUOTED_CHARS),
            reason: crate::sdk_error("GetParameter", e).to_string(),
        })?;
    let text = out.parameter().and_then(|p| p.value()).unwrap_or_default();
    let parsed = Suppressions::parse(text, &source)?;
    tracing::info!(source = %source, entries = parsed.entries().count(), "suppressions loaded");
    Ok(Some(parsed))
}

/// The rule and Config client for a member account, built once per account and kept.
async fn member_for<R, F>(
    members: &Mutex<HashMap<String, Arc<(R, SdkConfigApi)>>>,
    own: &SdkConfig,
    make_rule: &F,
    partition: &str,
    account: &str,
    role_name: &str,
    budget: Budget,
) -> Result<Arc<(R, SdkConfigApi)>, Error>
where
    R: Rule + 'static,
    F: Fn(&SdkConfig) -> R,
{
    let mut members = members.lock().await;
    if let Some(m) = members.get(account) {
        return Ok(m.clone());
    }
    let sdk = budget
        .run(member_sdk(own, partition, account, role_name))
        .await
        .map_err(|_| Error::Deadline {
            activity: format!("assuming {role_name} in account {account}"),
        })??;
    let member = Arc::new((make_rule(&sdk), SdkConfigApi::new(aws_sdk_config::Client::new(&sdk))));
    members.insert(account.to_string(), member.clone());
    tracing::info!(account, role = role_name, "working in a member account");
    Ok(member)
}

/// [`handle_within`], posting the findings `accepted` accepts as NOT_APPLICABLE with the
/// entry's reason ([`crate::suppressions`]).
pub async fn handle_accepting(
    rule: &dyn AnyRule,
    api: &dyn ConfigApi,
    payload: &Value,
    resend_backoff: Duration,
    budget: Budget,
    accepted: Option<&Suppressions>,
) -> Result<Value, Error> {
    handle_inner(rule, api, payload, resend_backoff, budget, accepted).await
}

/// [`handle_within`] without a deadline (tests, local runs).
pub async fn handle(
    rule: &dyn AnyRule,
    api: &dyn ConfigApi,
    payload: &Value,
    resend_backoff: Duration,
) -> Result<Value, Error> {
    handle_within(rule, api, payload, resend_backoff, Budget::unlimited()).await
}

/// Handles one invocation: decode, evaluate, post, within `budget`. Returns a short summary;
/// every error is logged with its `error_type` and returned, so Config marks the rule's run
/// as failed: a rule that runs out of time, an AWS call that hangs, even a panic in a library,
/// ends in an error response before the deadline, never in a killed process.
pub async fn handle_within(
    rule: &dyn AnyRule,
    api: &dyn ConfigApi,
    payload: &Value,
    resend_backoff: Duration,
    budget: Budget,
) -> Result<Value, Error> {
    handle_inner(rule, api, payload, resend_backoff, budget, None).await
}

async fn handle_inner(
    rule: &dyn AnyRule,
    api: &dyn ConfigApi,
    payload: &Value,
    resend_backoff: Duration,
    budget: Budget,
    accepted: Option<&Suppressions>,
) -> Result<Value, Error> {
    let started = Instant::now();
    let rule_id = rule.meta().id;
    let work = AssertUnwindSafe(invoke(rule, api, payload, resend_backoff, budget, started, accepted));
    let result = match work.catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(Error::Panic {
            message: panic_message(payload.as_ref()),
        }),
    };
    if let Err(err) = &result {
        match err {
            Error::Unposted { unposted, total, .. } => {
                tracing::error!(rule = rule_id, error_type = err.error_type(), unposted, total, error = %err, "invocation failed")
            }
            _ => {
                tracing::error!(rule = rule_id, error_type = err.error_type(), error = %err, "invocation failed")
            }
        }
    }
    result
}

async fn invoke(
    rule: &dyn AnyRule,
    api: &dyn ConfigApi,
    payload: &Value,
    resend_backoff: Duration,
    budget: Budget,
    started: Instant,
    accepted: Option<&Suppressions>,
) -> Result<Value, Error> {
    let rule_id = rule.meta().id;
    let event = RuleEvent::parse(payload)?;
    let message_type = event.invocation.message_type();
    tracing::info!(
        rule = rule_id,
        message_type,
        config_rule_name = event.config_rule_name.as_deref(),
        test_mode = event.is_test_mode(),
        "invocation"
    );
    let mut evaluations = budget
        .run(rule.evaluate_event(&event, api))
        .await
        .map_err(|_| Error::Deadline {
            activity: format!("the rule was still judging ({} ms in)", started.elapsed().as_millis()),
        })??;
    if let Some(accepted) = accepted {
        // The item's name, for entries written with names (a role's, a policy's).
        let named = match &event.invocation {
            crate::Invocation::Change { item, .. } => item.resource_name.clone().map(|n| (item.resource_id.clone(), n)),
            crate::Invocation::Oversized { summary, .. } => {
                summary.resource_name.clone().map(|n| (summary.resource_id.clone(), n))
            }
            crate::Invocation::Scheduled { .. } => None,
        };
        let region = std::env::var("AWS_REGION").ok();
        let place = Place {
            account: event.account_id.as_deref(),
            region: region.as_deref(),
        };
        let today = event
            .invocation
            .notification_time()
            .unwrap_or_else(chrono::Utc::now)
            .date_naive();
        let name_of = |e: &crate::Evaluation| {
            named
                .as_ref()
                .filter(|(id, _)| *id == e.resource_id)
                .map(|(_, n)| n.clone())
        };
        let n = accepted.apply_to_evaluations(rule_id, &mut evaluations, name_of, place, today);
        if n > 0 {
            tracing::info!(rule = rule_id, suppressed = n, source = %accepted.source, "suppressed");
        }
    }
    let evaluated_ms = started.elapsed().as_millis() as u64;
    for e in &evaluations {
        tracing::info!(rule = rule_id, resource_type = %e.resource_type, resource_id = %e.resource_id, compliance = e.compliance.as_str(), "evaluation");
    }
    let report = post_evaluations_within(
        api,
        &event.result_token,
        event.is_test_mode(),
        &evaluations,
        resend_backoff,
        budget,
    )
    .await?;
    let count = |c: Compliance| evaluations.iter().filter(|e| e.compliance == c).count();
    let summary = json!({
        "rule": rule_id,
        "messageType": message_type,
        "evaluations": evaluations.len(),
        "compliant": count(Compliance::Compliant),
        "nonCompliant": count(Compliance::NonCompliant),
        "notApplicable": count(Compliance::NotApplicable),
        "putEvaluationsCalls": report.calls,
    });
    tracing::info!(
        rule = rule_id,
        message_type,
        evaluations = evaluations.len(),
        compliant = count(Compliance::Compliant),
        non_compliant = count(Compliance::NonCompliant),
        not_applicable = count(Compliance::NotApplicable),
        put_evaluations_calls = report.calls,
        evaluate_ms = evaluated_ms,
        total_ms = started.elapsed().as_millis() as u64,
        "posted"
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_level_reaches_our_crates_only() {
        assert_eq!(
            log_filter(Some("TRACE"), "lambda_timeout_within_limit"),
            "warn,config_rules_core=trace,lambda_facts=trace,config_rules=trace,lambda_timeout_within_limit=trace"
        );
        // Not a level (a directive list, say): our crates at info, everything else at warn.
        assert_eq!(
            log_filter(Some("aws_smithy_runtime=trace"), ""),
            "warn,config_rules_core=info,lambda_facts=info,config_rules=info"
        );
        assert_eq!(log_filter(None, "x").split(',').next(), Some("warn"));
        assert!(log_filter(Some("FATAL"), "x").ends_with("x=error"));
    }
}
