//! # secretsmanager-rotation-enabled
//!
//! **Checks** that every Secrets Manager secret rotates automatically, at least every
//! `maxRotationDays` days, and that its rotation is happening as scheduled.
//!
//! **Why it matters.** Practice 4, *authentication and authorization*, and practice 7, *data
//! encryption and integrity*, of the serverless security practices: the secrets a serverless
//! application reads (database passwords, API keys) leak through logs, laptops and former
//! staff; a secret that never changes stays valid for whoever holds a copy. Rotation bounds how
//! long a leaked secret works, and a rotation that has silently stopped is as bad as none.
//!
//! **Resource type:** `AWS::SecretsManager::Secret`.
//! **Trigger:** configuration change. Config records `configuration.RotationEnabled`,
//! `RotationRules` (`AutomaticallyAfterDays`, `AutomaticallyAfterHours`, and the schedule
//! expression as `ScheduleExpression` or `RotationScheduleExpression`),
//! `RotationOccurringAsScheduled` and `Deleted` (the AWS Config resource schema's
//! `AWS::SecretsManager::Secret` properties).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `maxRotationDays` | integer 1–365 | `90` | the longest rotation interval accepted |
//!
//! **Scenarios**
//!
//! | secret | result |
//! |---|---|
//! | rotation on, every `maxRotationDays` days or more often, occurring as scheduled | COMPLIANT |
//! | rotation off (Secrets Manager's default) | NON_COMPLIANT |
//! | an interval longer than `maxRotationDays` | NON_COMPLIANT, with both numbers |
//! | `RotationOccurringAsScheduled` `false` (the last rotation failed or is overdue) | NON_COMPLIANT |
//! | a `cron(...)` schedule whose month field is not `*` (its interval is not bounded by a month) | NON_COMPLIANT: the interval cannot be confirmed |
//! | a recorded value present but unreadable | NON_COMPLIANT, naming the field |
//! | scheduled for deletion (`Deleted`) | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! Intervals: `rate(N days)` and `AutomaticallyAfterDays` are N days, `rate(N hours)` and
//! `AutomaticallyAfterHours` a day or less; a `cron(...)` schedule with `*` as its month field
//! runs at least monthly and counts as 31 days.
//!
//! **Remediation.** `aws secretsmanager rotate-secret --secret-id ID --rotation-lambda-arn
//! FUNCTION_ARN --rotation-rules '{"ScheduleExpression": "rate(30 days)"}'` (for RDS,
//! Redshift and DocumentDB secrets, AWS provides the rotation functions); in a template, an
//! `AWS::SecretsManager::RotationSchedule` for the secret (`HostedRotationLambda` or
//! `RotationLambdaARN`, `RotationRules`). When rotation stopped, read the rotation function's
//! logs and `aws secretsmanager describe-secret`.
//!
//! **References.** AWS Secrets Manager user guide, "Rotate AWS Secrets Manager secrets" and
//! "Rotation schedules". The nearest AWS managed rules are `secretsmanager-rotation-enabled-check`
//! (`maximumAllowedRotationFrequency`) and `secretsmanager-scheduled-rotation-success-check`;
//! Security Hub SecretsManager.1 and .4; Prowler `secretsmanager_automatic_rotation_enabled`. This
//! rule judges both in one verdict, bounds cron schedules honestly, and reads an unreadable
//! value as a finding.

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "secretsmanager-rotation-enabled",
    summary: "Secrets Manager secrets rotate automatically, within a maximum interval, as scheduled.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::SecretsManager::Secret"],
    trigger: Trigger::Change,
    parameters: &[ParamSpec::integer(
        "maxRotationDays",
        1,
        365,
        "90",
        "The longest rotation interval accepted, in days.",
    )],
    severity: Severity::Medium,
    practices: &[4, 7],
    template_mode: "judges the `AWS::SecretsManager::RotationSchedule` of each `AWS::SecretsManager::Secret` (none: rotation off); whether rotation occurs as scheduled is known only in AWS",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub max_rotation_days: i64,
}

impl Default for Params {
    fn default() -> Self {
        Params { max_rotation_days: 90 }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            max_rotation_days: values.integer("maxRotationDays")?,
        })
    }
}

/// A rotation interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interval {
    /// At most this many days.
    Days(i64),
    /// A schedule whose interval cannot be bounded (the expression).
    Unbounded(String),
}

/// The interval of a schedule expression: `rate(N days)`, `rate(N hours)`, `cron(...)`;
/// `None` for text that is not one.
pub fn schedule_interval(expression: &str) -> Option<Interval> {
    let e = expression.trim();
    if let Some(rate) = e.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let mut parts = rate.split_whitespace();
        let n: i64 = parts.next().and_then(|n| n.parse().ok())?;
        return match parts.next().map(str::to_ascii_lowercase).as_deref() {
            Some("day" | "days") if n > 0 => Some(Interval::Days(n)),
            Some("hour" | "hours") if n > 0 => Some(Interval::Days((n + 23) / 24)),
            _ => None,
        };
    }
    if let Some(cron) = e.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        let fields: Vec<&str> = cron.split_whitespace().collect();
        if fields.len() != 6 {
            return None;
        }
        return Some(if fields[3] == "*" {
            Interval::Days(31)
        } else {
            Interval::Unbounded(config_rules_core::bounded(e, 64))
        });
    }
    None
}

/// The secret's rotation interval from `RotationRules`; `Err` names an unreadable field.
fn interval(rules: &Value) -> Result<Option<Interval>, &'static str> {
    for key in ["ScheduleExpression", "RotationScheduleExpression"] {
        match rules.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(Value::String(s)) => {
                return schedule_interval(s).map(Some).ok_or({
                    if key == "ScheduleExpression" {
                        "configuration.RotationRules.ScheduleExpression"
                    } else {
                        "configuration.RotationRules.RotationScheduleExpression"
                    }
                })
            }
            Some(_) => return Err("configuration.RotationRules.ScheduleExpression"),
        }
    }
    let days = config_rules_core::item::read_integer(rules.get("AutomaticallyAfterDays"))
        .map_err(|_| "configuration.RotationRules.AutomaticallyAfterDays")?;
    if let Some(d) = days.filter(|d| *d > 0) {
        return Ok(Some(Interval::Days(d)));
    }
    let hours = config_rules_core::item::read_integer(rules.get("AutomaticallyAfterHours"))
        .map_err(|_| "configuration.RotationRules.AutomaticallyAfterHours")?;
    Ok(hours.filter(|h| *h > 0).map(|h| Interval::Days((h + 23) / 24)))
}

fn flag(v: Option<&Value>) -> Result<Option<bool>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(()),
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item
        .config_str("Name")
        .or(item.resource_name.as_deref())
        .unwrap_or(&item.resource_id);
    let unreadable = |field: &str| {
        Verdict::non_compliant(format!(
            "Secret {name}: {field} is present but unreadable; its rotation cannot be confirmed."
        ))
    };
    let c = &item.configuration;
    match flag(c.get("Deleted")) {
        Ok(Some(true)) => return Verdict::not_applicable(format!("Secret {name} is scheduled for deletion.")),
        Ok(_) => {}
        Err(()) => return unreadable("configuration.Deleted"),
    }
    match flag(c.get("RotationEnabled")) {
        Ok(Some(true)) => {}
        Ok(_) => return Verdict::non_compliant(format!("Secret {name} does not rotate automatically.")),
        Err(()) => return unreadable("configuration.RotationEnabled"),
    }
    let max = params.max_rotation_days;
    let every = match interval(c.get("RotationRules").unwrap_or(&Value::Null)) {
        Err(field) => return unreadable(field),
        Ok(None) => {
            return Verdict::non_compliant(format!(
                "Secret {name} has rotation on but no rotation interval; it cannot be confirmed to rotate within {max} days."
            ))
        }
        Ok(Some(Interval::Unbounded(e))) => {
            return Verdict::non_compliant(format!(
                "Secret {name} rotates on {e}, which does not run every month; it cannot be confirmed to rotate within {max} days."
            ))
        }
        Ok(Some(Interval::Days(d))) => d,
    };
    if every > max {
        return Verdict::non_compliant(format!(
            "Secret {name} rotates every {every} days, more than maxRotationDays {max}."
        ));
    }
    match flag(c.get("RotationOccurringAsScheduled")) {
        Ok(Some(false)) => Verdict::non_compliant(format!(
            "Secret {name} should rotate every {every} days but rotation is not occurring as scheduled (the last rotation failed or is overdue)."
        )),
        Ok(_) => Verdict::compliant(format!("Secret {name} rotates every {every} days (at most {max}).")),
        Err(()) => unreadable("configuration.RotationOccurringAsScheduled"),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    SecretsmanagerRotationEnabled,
    META,
    Params,
    evaluate
);

/// The rule, as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    SecretsmanagerRotationEnabled
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    /// Items with the properties the AWS Config resource schema lists for
    /// `AWS::SecretsManager::Secret` (`Name`, `RotationEnabled`, `RotationRules.*`,
    /// `RotationOccurringAsScheduled`, `Deleted`).
    fn secret(extra: Value) -> ConfigurationItem {
        let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
        let mut configuration = json!({"Name": "prod/db", "ARN": arn, "KMSKeyId": "alias/aws/secretsmanager"});
        if let (Some(c), Value::Object(e)) = (configuration.as_object_mut(), extra) {
            c.extend(e);
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::SecretsManager::Secret", "resourceId": arn, "resourceName": "prod/db",
                    "configuration": configuration}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn schedule_expressions() {
        assert_eq!(schedule_interval("rate(30 days)"), Some(Interval::Days(30)));
        assert_eq!(schedule_interval("rate(1 day)"), Some(Interval::Days(1)));
        assert_eq!(schedule_interval("rate(4 hours)"), Some(Interval::Days(1)));
        assert_eq!(schedule_interval("cron(0 16 1,15 * ? *)"), Some(Interval::Days(31)));
        assert_eq!(
            schedule_interval("cron(0 8 1 1/3 ? *)"),
            Some(Interval::Unbounded("cron(0 8 1 1/3 ? *)".into()))
        );
        assert_eq!(schedule_interval("rate(0 days)"), None);
        assert_eq!(schedule_interval("every month"), None);
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        type Case<'a> = (&'a str, Value, Compliance, &'a str);
        let cases: Vec<Case> = vec![
            ("rotating", json!({"RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 30},
                                "RotationOccurringAsScheduled": true}),
             Compliant, "Secret prod/db rotates every 30 days (at most 90)."),
            ("a schedule expression", json!({"RotationEnabled": true, "RotationRules": {"ScheduleExpression": "rate(7 days)"}}),
             Compliant, "Secret prod/db rotates every 7 days (at most 90)."),
            ("Config's spelling of the expression", json!({"RotationEnabled": true, "RotationRules": {"RotationScheduleExpression": "cron(0 16 1 * ? *)"}}),
             Compliant, "Secret prod/db rotates every 31 days (at most 90)."),
            ("never", json!({"RotationEnabled": false}), NonCompliant, "Secret prod/db does not rotate automatically."),
            ("never, not recorded", json!({}), NonCompliant, "Secret prod/db does not rotate automatically."),
            ("too rarely", json!({"RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 365.0}}),
             NonCompliant, "Secret prod/db rotates every 365 days, more than maxRotationDays 90."),
            ("stopped", json!({"RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 30},
                               "RotationOccurringAsScheduled": false}),
             NonCompliant, "Secret prod/db should rotate every 30 days but rotation is not occurring as scheduled (the last rotation failed or is overdue)."),
            ("quarterly cron", json!({"RotationEnabled": true, "RotationRules": {"ScheduleExpression": "cron(0 8 1 1/3 ? *)"}}),
             NonCompliant, "Secret prod/db rotates on cron(0 8 1 1/3 ? *), which does not run every month; it cannot be confirmed to rotate within 90 days."),
            ("no interval", json!({"RotationEnabled": true}), NonCompliant,
             "Secret prod/db has rotation on but no rotation interval; it cannot be confirmed to rotate within 90 days."),
            ("unreadable interval", json!({"RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": "monthly"}}),
             NonCompliant, "Secret prod/db: configuration.RotationRules.AutomaticallyAfterDays is present but unreadable; its rotation cannot be confirmed."),
            ("unreadable switch", json!({"RotationEnabled": "on"}), NonCompliant,
             "Secret prod/db: configuration.RotationEnabled is present but unreadable; its rotation cannot be confirmed."),
            ("scheduled for deletion", json!({"Deleted": true}), NotApplicable, "Secret prod/db is scheduled for deletion."),
        ];
        for (name, extra, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&secret(extra), &p),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"maxRotationDays": "30"})).unwrap(),
            Params { max_rotation_days: 30 }
        );
        assert!(matches!(
            parse(json!({"maxRotationDays": "0"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
