//! The Lambda side: logging, the SDK configuration, and the handler every rule binary runs.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

use crate::config_api::{ConfigApi, SdkConfigApi};
use crate::evaluation::Compliance;
use crate::event::RuleEvent;
use crate::post::post_evaluations;
use crate::rule::{AnyRule, Rule};
use crate::Error;

/// The error type a rule binary's `main` returns.
pub type BoxError = lambda_runtime::Error;

/// Attempts per AWS call (the first try and retries) under the SDK's standard retry mode,
/// which backs off on throttling and 5xx errors.
pub const MAX_ATTEMPTS: u32 = 6;

/// Installs the JSON log subscriber (one JSON object per line). The level comes from
/// `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's log configuration) or `RUST_LOG`, default `info`.
pub fn init_logging<W>(writer: W)
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_string())
        .to_lowercase();
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(writer)
        .try_init();
}

/// The SDK configuration every function and the CLI use: the default credential chain and
/// region, `AWS_ENDPOINT_URL` honoured, standard retries with [`MAX_ATTEMPTS`].
pub async fn load_sdk_config() -> SdkConfig {
    load_sdk_config_in(None).await
}

/// [`load_sdk_config`] with an explicit region instead of the region chain's.
pub async fn load_sdk_config_in(region: Option<String>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region));
    }
    loader
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(100)),
        )
        .load()
        .await
}

/// Runs a rule as a Lambda function. `make_rule` builds the rule from the SDK configuration
/// (rules that call AWS create their clients there).
pub async fn run<R, F>(make_rule: F) -> Result<(), lambda_runtime::Error>
where
    R: Rule + 'static,
    F: FnOnce(&SdkConfig) -> R,
{
    init_logging(std::io::stdout);
    let sdk = load_sdk_config().await;
    let rule = make_rule(&sdk);
    let api = SdkConfigApi::new(aws_sdk_config::Client::new(&sdk));
    let (rule, api) = (&rule, &api);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(rule, api, &event.payload, Duration::from_millis(250)).await
    }))
    .await
}

/// Handles one invocation: decode, evaluate, post. Returns a short summary; every error is
/// logged with its `error_type` and returned, so Config marks the rule's run as failed.
pub async fn handle(
    rule: &dyn AnyRule,
    api: &dyn ConfigApi,
    payload: &Value,
    resend_backoff: Duration,
) -> Result<Value, Error> {
    let started = Instant::now();
    let rule_id = rule.meta().id;
    let result = async {
        let event = RuleEvent::parse(payload)?;
        let message_type = event.invocation.message_type();
        tracing::info!(rule = rule_id, message_type, config_rule_name = event.config_rule_name.as_deref(), test_mode = event.is_test_mode(), "invocation");
        let evaluations = rule.evaluate_event(&event, api).await?;
        let evaluated_ms = started.elapsed().as_millis() as u64;
        for e in &evaluations {
            tracing::info!(rule = rule_id, resource_type = %e.resource_type, resource_id = %e.resource_id, compliance = e.compliance.as_str(), "evaluation");
        }
        let report = post_evaluations(api, &event.result_token, event.is_test_mode(), &evaluations, resend_backoff).await?;
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
    .await;
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
