//! Running rules over configuration items, through the same engine the Lambda functions use.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use config_rules_core::{AnyRule, ConfigurationItem, Evaluation, Invocation, ReportsOn, RuleEvent};
use offline::OfflineConfig;
use serde_json::Value;

use crate::CliError;

/// One rule's results, or why it produced none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleRun {
    pub rule_id: &'static str,
    pub evaluations: Vec<Evaluation>,
    /// Why the rule was skipped (account-level rules without `--live`).
    pub note: Option<String>,
    /// An AWS error the rule met (live runs).
    pub error: Option<String>,
    /// The account the run judged, in scans of several accounts (`None`: the only one).
    pub account: Option<String>,
    /// The region the run judged, in scans of several regions.
    pub region: Option<String>,
    /// NON_COMPLIANT findings a suppressions file accepted (moved out of `evaluations`).
    pub suppressed: Vec<crate::suppress::Suppressed>,
    /// Resources whose verdict depends on what exists only after deploy (template mode).
    pub unknown: Vec<UnknownResult>,
}

/// A resource the rule could not judge before deploy, and the values it would need.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnknownResult {
    pub resource_type: String,
    pub resource_id: String,
    pub reason: String,
}

/// The Config client of runs that post nothing.
pub fn offline_config() -> impl config_rules_core::ConfigApi {
    offline::OfflineConfig
}

/// How many items a rule that calls AWS per item judges at once (as many as the scan's
/// collection calls: [`crate::scan::CONCURRENCY`]).
pub const ITEM_CONCURRENCY: usize = crate::scan::CONCURRENCY;

/// Parameters per rule id, as in `--params-file`: `{"rule-id": {"param": "value"}}`.
pub type ParamsByRule = BTreeMap<String, Value>;

/// A synthetic event, as Config would send it, evaluated without posting.
pub fn event(invocation: Invocation, params: Option<&Value>, account_id: Option<&str>) -> RuleEvent {
    RuleEvent {
        invocation,
        rule_parameters: params.cloned(),
        result_token: config_rules_core::event::TEST_MODE_TOKEN.to_string(),
        event_left_scope: false,
        account_id: account_id.map(str::to_string),
        config_rule_name: None,
        config_rule_arn: None,
        execution_role_arn: None,
        evaluation_mode: Some("DETECTIVE".to_string()),
    }
}

/// Why a rule cannot run with these parameters: a required one nobody gave (`Ok(Some)`: the
/// rule is skipped, saying which); an invalid one is a usage error (`Err`), found once, before
/// any work.
pub fn unusable_params(
    meta: &config_rules_core::RuleMeta,
    rule_params: Option<&Value>,
) -> Result<Option<String>, CliError> {
    let missing: Vec<&str> = meta
        .parameters
        .iter()
        .filter(|p| p.required)
        .filter(|p| {
            rule_params
                .and_then(|v| v.get(p.name))
                .and_then(Value::as_str)
                .is_none_or(|s| s.trim().is_empty())
        })
        .map(|p| p.name)
        .collect();
    if !missing.is_empty() {
        return Ok(Some(format!(
            "needs parameter {} (give it with --params-file)",
            missing.join(", ")
        )));
    }
    config_rules_core::ParamValues::parse(meta.parameters, rule_params).map_err(CliError::Rule)?;
    Ok(None)
}

/// Runs every rule on the items in its scope; account-level rules run against the live
/// account when `live` holds its id, and are skipped with a note otherwise.
pub async fn evaluate_items(
    rules: &[Box<dyn AnyRule>],
    items: &[ConfigurationItem],
    params: &ParamsByRule,
    live_account: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<RuleRun>, CliError> {
    let offline = OfflineConfig;
    let mut runs = Vec::new();
    for rule in rules {
        let meta = rule.meta();
        let rule_params = params.get(meta.id);
        let mut run = RuleRun {
            rule_id: meta.id,
            evaluations: Vec::new(),
            note: None,
            error: None,
            account: None,
            region: None,
            suppressed: Vec::new(),
            unknown: Vec::new(),
        };
        if let Some(note) = unusable_params(meta, rule_params)? {
            run.note = Some(note);
            runs.push(run);
            continue;
        }
        match meta.reports_on {
            ReportsOn::EachResource if meta.item_calls_aws && live_account.is_none() => {
                run.note = Some(format!(
                    "calls AWS for each item ({}): run with --live (or use scan)",
                    meta.permissions.iter().map(|p| p.action).collect::<Vec<_>>().join(", ")
                ));
            }
            ReportsOn::EachResource => {
                use futures_util::stream::{self, StreamExt};
                let in_scope = items.iter().filter(|i| {
                    meta.resource_types.is_empty() || meta.resource_types.contains(&i.resource_type.as_str())
                });
                // A rule that calls AWS per item waits on the network for each: its items are
                // judged [`ITEM_CONCURRENCY`] at a time (results kept in item order; the SDK's
                // retries absorb throttling). A pure rule needs no waiting: one at a time.
                let width = if meta.item_calls_aws { ITEM_CONCURRENCY } else { 1 };
                let offline = &offline;
                let mut judged = stream::iter(in_scope)
                    .map(|item| async move {
                        let ev = event(
                            Invocation::Change {
                                item: Box::new(item.clone()),
                                notification_time: Some(now),
                            },
                            rule_params,
                            item.aws_account_id.as_deref(),
                        );
                        (item, rule.evaluate_event(&ev, offline).await)
                    })
                    .buffered(width);
                while let Some((item, outcome)) = judged.next().await {
                    match outcome {
                        Ok(e) => run.evaluations.extend(e),
                        Err(err @ config_rules_core::Error::InvalidParameters { .. }) => {
                            return Err(CliError::Rule(err))
                        }
                        Err(err) => {
                            run.error = Some(format!("{} {}: {err}", item.resource_type, item.resource_id));
                            break;
                        }
                    }
                }
            }
            ReportsOn::Account => match live_account {
                Some(account) => {
                    let ev = event(
                        Invocation::Scheduled {
                            account_id: account.to_string(),
                            notification_time: now,
                        },
                        rule_params,
                        Some(account),
                    );
                    match rule.evaluate_event(&ev, &offline).await {
                        Ok(e) => run.evaluations = e,
                        Err(err) => run.error = Some(err.to_string()),
                    }
                }
                None => {
                    run.note = Some("account-level rule: it calls AWS, run with --live (or use scan)".to_string());
                }
            },
        }
        runs.push(run);
    }
    Ok(runs)
}

mod offline {
    use chrono::{DateTime, Utc};
    use config_rules_core::config_api::{FailedEvaluation, ReportedResource};
    use config_rules_core::{async_trait, ConfigApi, ConfigurationItem, Error, Evaluation};

    /// The CLI evaluates items it already holds and posts nothing: any Config call is a bug.
    pub struct OfflineConfig;

    #[async_trait]
    impl ConfigApi for OfflineConfig {
        async fn put_evaluations(&self, _: &str, _: bool, _: &[Evaluation]) -> Result<Vec<FailedEvaluation>, Error> {
            Err(Error::aws("PutEvaluations", "the CLI does not post evaluations"))
        }
        async fn resource_config_history(
            &self,
            _: &str,
            _: &str,
            _: DateTime<Utc>,
        ) -> Result<Option<ConfigurationItem>, Error> {
            Err(Error::aws("GetResourceConfigHistory", "items are evaluated as loaded"))
        }
        async fn reported_resources(&self, _: &str) -> Result<Vec<ReportedResource>, Error> {
            Ok(Vec::new())
        }
    }
}
