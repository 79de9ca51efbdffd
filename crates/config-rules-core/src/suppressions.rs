//! Accepted risks: the suppressions file the CLI reads (`.config-rules.yaml`), shared by the
//! deployed functions so the Config console and the CLI agree.
//!
//! ```yaml
//! suppressions:
//!   - rule: lambda-timeout-within-limit     # a rule id, or "*"
//!     resource: "nightly-*"                  # the resource id or name (or ARN, for APIs), a glob
//!     account: "123456789012"                # optional
//!     region: us-east-1                      # optional
//!     reason: the nightly batch needs 15 minutes   # required
//!     expires: 2027-03-31                    # optional: from that day on it no longer suppresses
//! ```
//!
//! A function is given the file through an SSM parameter ([`PARAMETER_ENV`], the template's
//! `SuppressionsParameter`) and reads it once per cold start. A NON_COMPLIANT result an entry
//! accepts is posted as NOT_APPLICABLE with the entry's reason (Config has no "suppressed"
//! state; NOT_APPLICABLE is what the exemption tag gives too), and a run whose file cannot be
//! read or parsed fails, saying so, rather than post results the file would have changed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{bounded, Compliance, Error, Evaluation, MAX_QUOTED_CHARS};

/// The environment variable naming the SSM parameter that holds the file.
pub const PARAMETER_ENV: &str = "CONFIG_RULES_SUPPRESSIONS_PARAMETER";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub suppressions: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// Where a result was found: what an entry's `account` and `region` are compared with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Place<'a> {
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
}

/// A checked suppressions file.
#[derive(Debug, Clone)]
pub struct Suppressions {
    /// Where it came from, for messages (a path, or `ssm:NAME`).
    pub source: String,
    entries: Vec<(Entry, glob::Pattern)>,
}

impl Suppressions {
    /// Parses and checks `text`: every entry needs a resource pattern and a reason. An error
    /// names the source, the entry and the field.
    pub fn parse(text: &str, source: &str) -> Result<Suppressions, Error> {
        let bad = |place: String, reason: String| Error::Suppressions {
            file: bounded(&place, MAX_QUOTED_CHARS),
            reason: bounded(&reason, MAX_QUOTED_CHARS),
        };
        let file: File = serde_yaml::from_str(text).map_err(|e| bad(source.to_string(), e.to_string()))?;
        let mut entries = Vec::new();
        for (i, entry) in file.suppressions.into_iter().enumerate() {
            let at = |what: String| bad(format!("{source}: suppressions[{i}]"), what);
            if entry.reason.trim().is_empty() {
                return Err(at("reason is required".into()));
            }
            let pattern =
                glob::Pattern::new(&entry.resource).map_err(|e| at(format!("resource is not a valid pattern: {e}")))?;
            entries.push((entry, pattern));
        }
        Ok(Suppressions {
            source: source.to_string(),
            entries,
        })
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().map(|(e, _)| e)
    }

    /// The index of the first entry, live on `today`, that accepts a finding of `rule` on the
    /// resource `id` (or named `name`) at `place`. An entry naming an account or region
    /// matches only where the place is known and equal.
    pub fn matching(
        &self,
        rule: &str,
        id: &str,
        name: Option<&str>,
        place: Place<'_>,
        today: NaiveDate,
    ) -> Option<usize> {
        self.entries.iter().position(|(entry, pattern)| {
            (entry.rule == "*" || entry.rule == rule)
                && entry.expires.is_none_or(|d| d >= today)
                && (pattern.matches(id) || name.is_some_and(|n| pattern.matches(n)))
                && entry.account.as_deref().is_none_or(|a| Some(a) == place.account)
                && entry.region.as_deref().is_none_or(|r| Some(r) == place.region)
        })
    }

    pub fn entry(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index).map(|(e, _)| e)
    }

    /// What a deployed function posts: each NON_COMPLIANT evaluation an entry accepts becomes
    /// NOT_APPLICABLE, its annotation the entry's reason. Returns how many were suppressed.
    pub fn apply_to_evaluations(
        &self,
        rule: &str,
        evaluations: &mut [Evaluation],
        name_of: impl Fn(&Evaluation) -> Option<String>,
        place: Place<'_>,
        today: NaiveDate,
    ) -> usize {
        let mut n = 0;
        for e in evaluations
            .iter_mut()
            .filter(|e| e.compliance == Compliance::NonCompliant)
        {
            let name = name_of(e);
            if let Some(entry) = self
                .matching(rule, &e.resource_id, name.as_deref(), place, today)
                .and_then(|i| self.entry(i))
            {
                e.compliance = Compliance::NotApplicable;
                let until = entry.expires.map(|d| format!(", until {d}")).unwrap_or_default();
                e.annotation = crate::evaluation::truncate_annotation(&format!(
                    "Suppressed ({}): {}{until}",
                    bounded(&self.source, 60),
                    bounded(&entry.reason, MAX_QUOTED_CHARS)
                ));
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn eval(id: &str, c: Compliance) -> Evaluation {
        Evaluation {
            resource_type: "AWS::Lambda::Function".into(),
            resource_id: id.into(),
            compliance: c,
            annotation: "why".into(),
            ordering_timestamp: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn accepted_findings_are_posted_not_applicable_with_the_reason() {
        let s = Suppressions::parse(
            "suppressions:\n  - {rule: lambda-timeout-within-limit, resource: 'nightly-*', reason: batch job, expires: 2027-01-01}\n  - {rule: '*', resource: gone, reason: old, expires: 2026-01-01}\n  - {rule: '*', resource: '*', account: '111111111111', reason: sandbox}\n",
            "ssm:/config-rules/suppressions",
        )
        .unwrap();
        let mut evals = vec![
            eval("nightly-report", Compliance::NonCompliant),
            eval("nightly-ok", Compliance::Compliant),
            eval("gone", Compliance::NonCompliant),
            eval("api", Compliance::NonCompliant),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let place = Place {
            account: Some("123456789012"),
            region: Some("us-east-1"),
        };
        let n = s.apply_to_evaluations("lambda-timeout-within-limit", &mut evals, |_| None, place, today);
        assert_eq!(n, 1);
        assert_eq!(evals[0].compliance, Compliance::NotApplicable);
        assert_eq!(
            evals[0].annotation,
            "Suppressed (ssm:/config-rules/suppressions): batch job, until 2027-01-01"
        );
        assert_eq!(
            evals[1].compliance,
            Compliance::Compliant,
            "compliant results are left alone"
        );
        assert_eq!(
            evals[2].compliance,
            Compliance::NonCompliant,
            "an expired entry suppresses nothing"
        );
        assert_eq!(evals[3].compliance, Compliance::NonCompliant, "another account's entry");
        let sandbox = Place {
            account: Some("111111111111"),
            region: None,
        };
        let n = s.apply_to_evaluations("required-tags", &mut evals[3..], |_| None, sandbox, today);
        assert_eq!((n, evals[3].compliance), (1, Compliance::NotApplicable));
    }

    #[test]
    fn a_name_matches_where_the_id_does_not() {
        let s = Suppressions::parse("suppressions:\n  - {rule: '*', resource: ci-*, reason: r}\n", "f").unwrap();
        let mut evals = vec![eval("AROAEXAMPLE", Compliance::NonCompliant)];
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let n = s.apply_to_evaluations("x", &mut evals, |_| Some("ci-deployer".into()), Place::default(), today);
        assert_eq!(n, 1);
    }

    #[test]
    fn a_bad_file_names_its_source_entry_and_field() {
        let err = |t: &str| Suppressions::parse(t, "ssm:/s").unwrap_err().to_string();
        assert!(err("suppressions:\n  - {rule: '*', resource: a, reason: ''}\n")
            .contains("ssm:/s: suppressions[0]: reason is required"));
        assert!(err("suppressions:\n  - {rule: '*', resource: '[', reason: r}\n")
            .contains("resource is not a valid pattern"));
        assert!(err("suppressions: 3\n").starts_with("suppressions file ssm:/s: "));
    }
}
