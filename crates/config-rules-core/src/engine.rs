//! From a decoded event to the evaluations to post, for any rule: parameter validation,
//! oversized items, applicability (deleted, not recorded, out of scope, exempted), the rule
//! itself, and results for resources that disappeared since the last periodic run.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::config_api::ConfigApi;
use crate::evaluation::{Compliance, Evaluation, ResourceVerdict, Verdict};
use crate::event::{Invocation, RuleEvent};
use crate::item::{ConfigurationItem, EXEMPT_TAG};
use crate::params::{FromParams, ParamValues};
use crate::rule::{AccountContext, ItemContext, ReportsOn, Rule, RuleMeta};
use crate::Error;

/// An object-safe view of any [`Rule`], for code that holds many rules (the CLI).
#[async_trait::async_trait]
pub trait AnyRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Everything the Lambda function would post for this event.
    async fn evaluate_event(&self, event: &RuleEvent, config: &dyn ConfigApi) -> Result<Vec<Evaluation>, Error>;
}

#[async_trait::async_trait]
impl<R: Rule> AnyRule for R {
    fn meta(&self) -> &'static RuleMeta {
        Rule::meta(self)
    }
    async fn evaluate_event(&self, event: &RuleEvent, config: &dyn ConfigApi) -> Result<Vec<Evaluation>, Error> {
        evaluate_event(self, event, config).await
    }
}

/// Everything the rule's Lambda function posts for `event`, each evaluation checked against
/// PutEvaluations' constraints (an invalid one is an error: nothing is posted or printed).
pub async fn evaluate_event<R: Rule + ?Sized>(
    rule: &R,
    event: &RuleEvent,
    config: &dyn ConfigApi,
) -> Result<Vec<Evaluation>, Error> {
    let evaluations = evaluate_unchecked(rule, event, config).await?;
    for e in &evaluations {
        e.validate()?;
    }
    Ok(evaluations)
}

async fn evaluate_unchecked<R: Rule + ?Sized>(
    rule: &R,
    event: &RuleEvent,
    config: &dyn ConfigApi,
) -> Result<Vec<Evaluation>, Error> {
    let meta = rule.meta();
    let values = ParamValues::parse(meta.parameters, event.rule_parameters.as_ref())?;
    let params = R::Params::from_params(&values)?;
    // Dates are judged when Config asks, not when the item was captured.
    let evaluation_time = event.invocation.notification_time().unwrap_or_else(Utc::now);
    let item_ctx = ItemContext { evaluation_time };

    match &event.invocation {
        Invocation::Scheduled {
            account_id,
            notification_time,
        } => {
            if !meta.trigger.periodic() {
                tracing::warn!(
                    rule = meta.id,
                    "scheduled notification for a change-triggered rule; nothing to evaluate"
                );
                return Ok(Vec::new());
            }
            let ctx = AccountContext {
                account_id: account_id.clone(),
                ordering_time: *notification_time,
                evaluation_time,
            };
            evaluate_account(rule, &ctx, &params, event, config).await
        }
        Invocation::Change { item, .. } if meta.reports_on == ReportsOn::Account => {
            let ctx = account_context(
                event,
                item.aws_account_id.as_deref(),
                item.configuration_item_capture_time,
                evaluation_time,
            )?;
            evaluate_account(rule, &ctx, &params, event, config).await
        }
        Invocation::Oversized { summary, .. } if meta.reports_on == ReportsOn::Account => {
            // The account is re-evaluated as a whole; the item's content is not needed.
            let ctx = account_context(
                event,
                summary.aws_account_id.as_deref(),
                Some(summary.configuration_item_capture_time),
                evaluation_time,
            )?;
            evaluate_account(rule, &ctx, &params, event, config).await
        }
        Invocation::Change {
            item,
            notification_time,
        } => {
            let time = item
                .configuration_item_capture_time
                .or(*notification_time)
                .ok_or_else(|| {
                    Error::malformed(
                        "invokingEvent.configurationItem.configurationItemCaptureTime",
                        "missing",
                    )
                })?;
            let verdict = judge_item(rule, item, &item_ctx, &params, event.event_left_scope).await?;
            Ok(vec![Evaluation::new(
                &item.resource_type,
                &item.resource_id,
                verdict,
                time,
            )])
        }
        Invocation::Oversized { summary, .. } => {
            let time = summary.configuration_item_capture_time;
            let item = config
                .resource_config_history(&summary.resource_type, &summary.resource_id, time)
                .await?
                .ok_or_else(|| {
                    Error::aws(
                        "GetResourceConfigHistory",
                        format!(
                            "no configuration item for {} {} at or before {}",
                            crate::bounded(&summary.resource_type, 100),
                            crate::bounded(&summary.resource_id, crate::MAX_QUOTED_CHARS),
                            time
                        ),
                    )
                })?;
            tracing::info!(rule = meta.id, resource_type = %summary.resource_type, resource_id = %summary.resource_id, "fetched oversized configuration item");
            let verdict = judge_item(rule, &item, &item_ctx, &params, event.event_left_scope).await?;
            Ok(vec![Evaluation::new(
                &summary.resource_type,
                &summary.resource_id,
                verdict,
                time,
            )])
        }
    }
}

fn account_context(
    event: &RuleEvent,
    item_account: Option<&str>,
    time: Option<DateTime<Utc>>,
    evaluation_time: DateTime<Utc>,
) -> Result<AccountContext, Error> {
    let account_id = item_account
        .or(event.account_id.as_deref())
        .ok_or_else(|| Error::malformed("accountId", "missing"))?
        .to_string();
    let time = time.ok_or_else(|| {
        Error::malformed(
            "invokingEvent.configurationItem.configurationItemCaptureTime",
            "missing",
        )
    })?;
    Ok(AccountContext {
        account_id,
        ordering_time: time,
        evaluation_time,
    })
}

/// Applicability first, then the rule.
async fn judge_item<R: Rule + ?Sized>(
    rule: &R,
    item: &ConfigurationItem,
    ctx: &ItemContext,
    params: &R::Params,
    event_left_scope: bool,
) -> Result<Verdict, Error> {
    let meta = rule.meta();
    if let Some(verdict) = applicability(meta.id, meta.resource_types, item, event_left_scope) {
        return Ok(verdict);
    }
    rule.evaluate_item(item, ctx, params).await
}

/// `Some(NOT_APPLICABLE)` when the rule must not judge this item, with the reason.
pub fn applicability(
    rule_id: &str,
    resource_types: &[&str],
    item: &ConfigurationItem,
    event_left_scope: bool,
) -> Option<Verdict> {
    if event_left_scope {
        return Some(Verdict::not_applicable("The resource left the rule's scope."));
    }
    if item.is_deleted() {
        return Some(Verdict::not_applicable("The resource was deleted."));
    }
    if item.is_not_recorded() {
        return Some(Verdict::not_applicable(
            "AWS Config does not record this resource's configuration.",
        ));
    }
    // An empty list means "whatever the Config rule's scope sends" (the scope is configured).
    if !resource_types.is_empty() && !resource_types.contains(&item.resource_type.as_str()) {
        return Some(Verdict::not_applicable(format!(
            "Rule {rule_id} does not evaluate resources of type {}.",
            item.resource_type
        )));
    }
    if item.is_exempt_from(rule_id) {
        return Some(Verdict::not_applicable(format!(
            "Exempted from {rule_id} by tag {EXEMPT_TAG}={}.",
            item.exemption().unwrap_or_default()
        )));
    }
    None
}

async fn evaluate_account<R: Rule + ?Sized>(
    rule: &R,
    ctx: &AccountContext,
    params: &R::Params,
    event: &RuleEvent,
    config: &dyn ConfigApi,
) -> Result<Vec<Evaluation>, Error> {
    let verdicts = rule.evaluate_account(ctx, params).await?;
    let mut evaluations: Vec<Evaluation> = verdicts
        .iter()
        .map(|v| Evaluation::new(&v.resource_type, &v.resource_id, v.verdict.clone(), ctx.ordering_time))
        .collect();
    // A rule that reports only on the account always reports it again: nothing can be stale,
    // so the stored results are not read (one AWS call less per invocation). An empty sweep
    // is not such a run: the last resource may just have been deleted, and its old result
    // must be retired.
    let account_only = !verdicts.is_empty() && verdicts.iter().all(|v| v.resource_type == crate::ACCOUNT_RESOURCE_TYPE);
    let rule_name = event
        .config_rule_name
        .as_deref()
        .filter(|_| !event.is_test_mode() && !account_only);
    if let Some(name) = rule_name {
        let previous = config.reported_resources(name).await?;
        evaluations.extend(stale_evaluations(&verdicts, &previous, ctx.ordering_time));
    }
    Ok(evaluations)
}

/// NOT_APPLICABLE for every resource with a stored COMPLIANT or NON_COMPLIANT result that
/// this run no longer reports (it was deleted since), so no stale result stays visible.
pub fn stale_evaluations(
    current: &[ResourceVerdict],
    previous: &[crate::config_api::ReportedResource],
    time: DateTime<Utc>,
) -> Vec<Evaluation> {
    let seen: BTreeSet<(&str, &str)> = current
        .iter()
        .map(|v| (v.resource_type.as_str(), v.resource_id.as_str()))
        .collect();
    let mut stale: Vec<Evaluation> = previous
        .iter()
        .filter(|p| p.compliance != Compliance::NotApplicable)
        .filter(|p| !seen.contains(&(p.resource_type.as_str(), p.resource_id.as_str())))
        .map(|p| {
            Evaluation::new(
                &p.resource_type,
                &p.resource_id,
                Verdict::not_applicable("The resource no longer exists."),
                time,
            )
        })
        .collect();
    stale.sort_by(|a, b| (&a.resource_type, &a.resource_id).cmp(&(&b.resource_type, &b.resource_id)));
    stale.dedup_by(|a, b| a.resource_type == b.resource_type && a.resource_id == b.resource_id);
    stale
}
