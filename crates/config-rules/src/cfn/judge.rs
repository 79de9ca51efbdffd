//! Every selected rule on a template's items and facts, through the same engine as the Lambda
//! functions, with the verdicts that depend on unknown values set apart.
//!
//! How a verdict is known not to depend on an unknown value: an item holding unknown markers is
//! judged three times, with the markers as they are, with other marker text, and with every
//! value holding a marker left out. A rule that reads the value (to compare it, parse it, or
//! test its presence) gives different verdicts or annotations, or fails; the result is then
//! *unknown*, naming the values. A rule that does not read it gives the same verdict three
//! times, which is reported as known.

use chrono::{DateTime, Utc};
use config_rules_core::{AnyRule, ConfigurationItem, Evaluation, Invocation, ReportsOn, RuleMeta, SdkConfig};
use serde_json::Value as Json;

use super::resolve::markers_in;
use super::world::World;
use super::Template;
use crate::run::{event, ParamsByRule, RuleRun, UnknownResult};
use crate::CliError;

/// The rule `id` as the template mode runs it: its clients answer from the template. `Err` says
/// why the rule cannot judge a template.
pub fn template_rule(meta: &'static RuleMeta, world: &World) -> Result<Box<dyn AnyRule>, String> {
    let w = world.clone();
    Ok(match meta.id {
        "lambda-no-public-access" => Box::new(lambda_no_public_access::LambdaNoPublicAccess::new(w)),
        "lambda-code-signing-enabled" => Box::new(lambda_code_signing_enabled::LambdaCodeSigningEnabled::new(w)),
        "lambda-async-failures-captured" => {
            Box::new(lambda_async_failures_captured::LambdaAsyncFailuresCaptured::new(w))
        }
        "dynamodb-table-protected" => Box::new(dynamodb_table_protected::DynamodbTableProtected::new(w)),
        "lambda-env-encrypted-with-cmk" => Box::new(lambda_env_encrypted_with_cmk::LambdaEnvEncryptedWithCmk::new(w)),
        "lambda-env-no-plaintext-secrets" => {
            Box::new(lambda_env_no_plaintext_secrets::LambdaEnvNoPlaintextSecrets::new(w))
        }
        "lambda-url-cors-restricted" => Box::new(lambda_url_cors_restricted::LambdaUrlCorsRestricted::new(w)),
        "lambda-execution-role-not-shared" => {
            Box::new(lambda_execution_role_not_shared::LambdaExecutionRoleNotShared::new(w))
        }
        "api-gw-authorization-required" => Box::new(api_gw_authorization_required::ApiGwAuthorizationRequired::new(w)),
        "kms-key-rotation-enabled" => Box::new(kms_key_rotation_enabled::KmsKeyRotationEnabled::new(w)),
        "cloudtrail-lambda-data-events-logged" => {
            Box::new(cloudtrail_lambda_data_events_logged::CloudtrailLambdaDataEventsLogged::new(w))
        }
        "cloudtrail-multi-region-enabled" => {
            Box::new(cloudtrail_multi_region_enabled::CloudtrailMultiRegionEnabled::new(w))
        }
        "iam-access-keys-rotated" => {
            return Err(
                "an access key's age and last use exist only after deploy; the deployed rule judges them".into(),
            )
        }
        id => {
            // A rule that reads nothing but the item builds no client it would call.
            if meta.item_calls_aws || meta.reports_on == ReportsOn::Account {
                return Err(format!(
                    "{id} reads AWS and has no template client yet (crate::cfn::judge::template_rule)"
                ));
            }
            let sdk = SdkConfig::builder().build();
            crate::catalog::build(id, &sdk).ok_or_else(|| format!("unknown rule {id}"))?
        }
    })
}

/// Judges a template with the given rules.
pub async fn evaluate(
    template: &Template,
    metas: &[&'static RuleMeta],
    params: &ParamsByRule,
    now: DateTime<Utc>,
) -> Result<Vec<RuleRun>, CliError> {
    let mut runs = Vec::new();
    for meta in metas {
        let mut run = RuleRun {
            rule_id: meta.id,
            ..RuleRun::default()
        };
        let rule_params = params.get(meta.id);
        if let Some(note) = crate::run::unusable_params(meta, rule_params)? {
            run.note = Some(note);
            runs.push(run);
            continue;
        }
        // Account-level rules judge the keys and trails the template fully states; the others
        // are reported as unknown one by one.
        let (world, unknown_facts) = match meta.reports_on {
            ReportsOn::Account => template.world.split_unknown(),
            ReportsOn::EachResource => (template.world.clone(), Vec::new()),
        };
        let unknown_facts: Vec<_> = unknown_facts
            .into_iter()
            .filter(|(t, _, _)| meta.resource_types.contains(&t.as_str()))
            .collect();
        let rule = match template_rule(meta, &world) {
            Ok(rule) => rule,
            Err(why) => {
                run.note = Some(format!("not judged before deploy: {why}"));
                runs.push(run);
                continue;
            }
        };
        match meta.reports_on {
            ReportsOn::EachResource => {
                let in_scope = template.items.iter().filter(|i| {
                    meta.resource_types.is_empty() || meta.resource_types.contains(&i.resource_type.as_str())
                });
                for item in in_scope {
                    match judge_item(rule.as_ref(), item, rule_params, now).await {
                        Judged::Known(e) => run.evaluations.extend(e),
                        Judged::Unknown(text) => run.unknown.push(UnknownResult {
                            resource_type: item.resource_type.clone(),
                            resource_id: item.resource_id.clone(),
                            reason: unknown_reason(&text, template),
                        }),
                        Judged::Failed(e) => {
                            run.error = Some(format!("{} {}: {e}", item.resource_type, item.resource_id));
                        }
                    }
                }
            }
            ReportsOn::Account => {
                let declares = meta.resource_types.iter().any(|t| template.declared_types.contains(*t));
                if !declares {
                    run.note = Some(format!(
                        "the template declares no {}: the account's are judged by the deployed rule",
                        meta.resource_types.join(" or ")
                    ));
                    runs.push(run);
                    continue;
                }
                let ev = event(
                    Invocation::Scheduled {
                        account_id: template.account.clone(),
                        notification_time: now,
                    },
                    rule_params,
                    Some(&template.account),
                );
                let reported_on_account = meta.reports_only_account;
                for (resource_type, id, text) in &unknown_facts {
                    if !reported_on_account {
                        run.unknown.push(UnknownResult {
                            resource_type: resource_type.clone(),
                            resource_id: id.clone(),
                            reason: unknown_reason(text, template),
                        });
                    }
                }
                match rule.evaluate_event(&ev, &crate::run::offline_config()).await {
                    Ok(e) => {
                        for e in e {
                            // An account found wanting may be set right by what is unknown.
                            let unsettled = !unknown_facts.is_empty()
                                && ((reported_on_account && e.compliance != config_rules_core::Compliance::Compliant)
                                    // A function alone with its role may share it with a function
                                    // whose role is unknown.
                                    || (meta.id == "lambda-execution-role-not-shared"
                                        && e.compliance == config_rules_core::Compliance::Compliant));
                            if unsettled {
                                let texts: String = unknown_facts.iter().map(|(_, _, t)| t.as_str()).collect();
                                run.unknown.push(UnknownResult {
                                    reason: unknown_reason(&texts, template),
                                    resource_type: e.resource_type,
                                    resource_id: e.resource_id,
                                });
                            } else if markers_in(&e.annotation).is_empty() {
                                run.evaluations.push(e);
                            } else {
                                run.unknown.push(UnknownResult {
                                    reason: unknown_reason(&e.annotation, template),
                                    resource_type: e.resource_type,
                                    resource_id: e.resource_id,
                                });
                            }
                        }
                    }
                    Err(e) if !markers_in_any(&e.to_string()) => run.error = Some(e.to_string()),
                    Err(e) => run.unknown.push(UnknownResult {
                        resource_type: config_rules_core::ACCOUNT_RESOURCE_TYPE.to_string(),
                        resource_id: template.account.clone(),
                        reason: unknown_reason(&e.to_string(), template),
                    }),
                }
            }
        }
        runs.push(run);
    }
    Ok(runs)
}

fn markers_in_any(text: &str) -> bool {
    text.contains("<unknown:")
}

fn unknown_reason(text: &str, template: &Template) -> String {
    let named = super::describe_unknowns(text, &template.unknowns);
    if named.is_empty() {
        // A fact from outside the template (an S3 definition, another stack's configuration).
        let why = text.split(super::world::EXTERNAL).nth(1).unwrap_or(text).trim();
        format!("Not known before deploy: {why}")
    } else {
        // The first few, and how many more (a resource built from many parameters names them
        // all otherwise).
        const SHOWN: usize = 3;
        let more = named.len().saturating_sub(SHOWN);
        let shown = named.into_iter().take(SHOWN).collect::<Vec<_>>().join("; ");
        match more {
            0 => format!("Not known before deploy: depends on {shown}"),
            n => format!("Not known before deploy: depends on {shown}; and {n} more"),
        }
    }
}

enum Judged {
    Known(Vec<Evaluation>),
    /// The text naming the unknown markers the verdict depends on.
    Unknown(String),
    Failed(String),
}

async fn run_once(
    rule: &dyn AnyRule,
    item: &ConfigurationItem,
    params: Option<&Json>,
    now: DateTime<Utc>,
) -> Result<Vec<Evaluation>, String> {
    let ev = event(
        Invocation::Change {
            item: Box::new(item.clone()),
            notification_time: Some(now),
        },
        params,
        item.aws_account_id.as_deref(),
    );
    rule.evaluate_event(&ev, &crate::run::offline_config())
        .await
        .map_err(|e| e.to_string())
}

/// The markers an item holds (in its configuration, supplementary configuration and tags).
fn item_markers(item: &ConfigurationItem) -> String {
    let mut text = item.configuration.to_string();
    text.push_str(&Json::Object(item.supplementary_configuration.clone()).to_string());
    for (k, v) in &item.tags {
        text.push_str(k);
        text.push_str(v);
    }
    markers_in(&text)
        .into_iter()
        .map(super::resolve::marker)
        .collect::<Vec<_>>()
        .join(" ")
}

async fn judge_item(rule: &dyn AnyRule, item: &ConfigurationItem, params: Option<&Json>, now: DateTime<Utc>) -> Judged {
    let markers = item_markers(item);
    let first = run_once(rule, item, params, now).await;
    let verdicts = |e: &Vec<Evaluation>| {
        e.iter()
            .map(|e| (e.compliance, e.annotation.clone()))
            .collect::<Vec<_>>()
    };
    match &first {
        Err(text) if markers_in_any(text) => return Judged::Unknown(format!("{text} {markers}")),
        Err(text) => return Judged::Failed(text.clone()),
        Ok(e) if markers.is_empty() => return Judged::Known(e.clone()),
        Ok(e) if e.iter().any(|e| markers_in_any(&e.annotation)) => return Judged::Unknown(markers),
        Ok(_) => {}
    }
    let Ok(first) = first else {
        return Judged::Failed(String::new());
    };
    for variant in [renamed(item), without_unknowns(item), wildcards(item)] {
        match run_once(rule, &variant, params, now).await {
            Ok(e) if verdicts(&e) == verdicts(&first) => {}
            _ => return Judged::Unknown(markers),
        }
    }
    Judged::Known(first)
}

/// The item with different marker text (a rule that compares or quotes the value answers
/// differently).
fn renamed(item: &ConfigurationItem) -> ConfigurationItem {
    let mut out = item.clone();
    let rename = |v: &mut Json| map_strings(v, &|s| s.replace("<unknown:", "<unknown-other:"));
    rename(&mut out.configuration);
    for v in out.supplementary_configuration.values_mut() {
        rename(v);
    }
    for v in out.tags.values_mut() {
        *v = v.replace("<unknown:", "<unknown-other:");
    }
    out
}

/// The item with every value holding a marker left out (a rule that tests presence answers
/// differently).
fn without_unknowns(item: &ConfigurationItem) -> ConfigurationItem {
    let mut out = item.clone();
    prune(&mut out.configuration);
    out.supplementary_configuration.retain(|_, v| !holds_marker(v));
    for v in out.supplementary_configuration.values_mut() {
        prune(v);
    }
    out.tags.retain(|_, v| !markers_in_any(v));
    out
}

/// The item with every value holding a marker set to `*` (a rule that looks for wildcards or
/// "everyone" answers differently).
fn wildcards(item: &ConfigurationItem) -> ConfigurationItem {
    let mut out = item.clone();
    let star = |s: &str| {
        if !markers_in_any(s) {
            return s.to_string();
        }
        // A URL-encoded policy document (Config's IAM shapes): the values inside it.
        let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
        match serde_json::from_str::<Json>(&decoded) {
            Ok(mut doc) if s.starts_with("%7B") => {
                map_strings(&mut doc, &|v: &str| {
                    if markers_in_any(v) {
                        "*".into()
                    } else {
                        v.into()
                    }
                });
                percent_encoding::utf8_percent_encode(&doc.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string()
            }
            _ => "*".to_string(),
        }
    };
    map_strings(&mut out.configuration, &star);
    for v in out.supplementary_configuration.values_mut() {
        // A policy held as a JSON string: its values are set inside the document.
        match v {
            Json::String(text) if markers_in_any(text) => match serde_json::from_str::<Json>(text) {
                Ok(mut doc) => {
                    map_strings(&mut doc, &star);
                    *text = doc.to_string();
                }
                Err(_) => *text = "*".into(),
            },
            other => map_strings(other, &star),
        }
    }
    for v in out.tags.values_mut() {
        *v = star(v);
    }
    out
}

fn holds_marker(v: &Json) -> bool {
    match v {
        Json::String(s) => markers_in_any(s),
        _ => false,
    }
}

fn prune(v: &mut Json) {
    match v {
        Json::Object(m) => {
            m.retain(|_, x| !holds_marker(x));
            m.values_mut().for_each(prune);
        }
        // A list element with an unknown anywhere inside (a layer `{arn}`, an inline policy)
        // is left out whole: the resource may not have it.
        Json::Array(a) => a.retain(|x| !markers_in_any(&x.to_string())),
        _ => {}
    }
}

fn map_strings(v: &mut Json, f: &dyn Fn(&str) -> String) {
    match v {
        Json::String(s) => *s = f(s),
        Json::Object(m) => m.values_mut().for_each(|x| map_strings(x, f)),
        Json::Array(a) => a.iter_mut().for_each(|x| map_strings(x, f)),
        _ => {}
    }
}
