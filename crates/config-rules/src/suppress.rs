//! Accepting a risk without touching the resource: a suppressions file.
//!
//! `.config-rules.yaml` (found in the working directory or the nearest parent that has one) or
//! `--suppressions FILE`:
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
//! A suppressed finding is reported as suppressed (never dropped): SARIF `suppressions`, a
//! skipped JUnit case with the reason, a line and a count in the table, a `suppressed` list in
//! JSON; it no longer counts for `--fail-on`. An expired entry suppresses nothing and is listed
//! as expired; an entry that matched nothing is listed as unused. An entry naming an account or
//! region matches only where the run knows them (a scan; not offline items).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use config_rules_core::suppressions::Place;
use config_rules_core::{Compliance, Evaluation};
use serde::Serialize;

use crate::report::Names;
use crate::run::RuleRun;
use crate::CliError;

/// The file looked for, upward from the working directory.
pub const FILE_NAME: &str = ".config-rules.yaml";

pub use config_rules_core::suppressions::{Entry, File};

/// A finding a suppression accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub evaluation: Evaluation,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// A loaded suppressions file (parsed and matched by the core, as the functions do).
#[derive(Debug, Clone)]
pub struct Suppressions {
    pub path: PathBuf,
    inner: config_rules_core::suppressions::Suppressions,
}

/// What applying the file did, over every run of a report, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub file: Option<String>,
    pub suppressed: usize,
    /// Entries past their expiry date (they suppressed nothing).
    pub expired: Vec<Entry>,
    /// Entries that matched no finding.
    pub unused: Vec<Entry>,
    used: Vec<bool>,
}

impl Applied {
    /// Settles which entries were expired or unused, once every run was applied.
    pub fn settle(&mut self, s: &Suppressions, today: NaiveDate) {
        self.expired.clear();
        self.unused.clear();
        for (i, entry) in s.inner.entries().enumerate() {
            if entry.expires.is_some_and(|d| d < today) {
                self.expired.push(entry.clone());
            } else if !self.used.get(i).copied().unwrap_or(false) {
                self.unused.push(entry.clone());
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"file": self.file, "suppressed": self.suppressed,
            "expired": self.expired, "unused": self.unused})
    }

    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let file = self.file.as_deref().unwrap_or(FILE_NAME);
        for e in &self.expired {
            out.push(format!(
                "{file}: expired on {}, no longer suppresses: {} {} ({})",
                e.expires.map(|d| d.to_string()).unwrap_or_default(),
                e.rule,
                e.resource,
                e.reason
            ));
        }
        for e in &self.unused {
            out.push(format!(
                "{file}: matched nothing: {} {} ({})",
                e.rule, e.resource, e.reason
            ));
        }
        out
    }
}

/// `.config-rules.yaml` in `start` or its nearest parent that has one.
pub fn find(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|dir| dir.join(FILE_NAME)).find(|p| p.is_file())
}

impl Suppressions {
    /// Reads and checks `path`: every entry needs a rule of this suite (or `*`), a resource
    /// pattern and a reason.
    pub fn load(path: &Path, known_rules: &[&str]) -> Result<Suppressions, CliError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
        Suppressions::parse(&text, &name, known_rules).map(|inner| Suppressions {
            path: path.to_path_buf(),
            inner,
        })
    }

    fn parse(
        text: &str,
        name: &str,
        known_rules: &[&str],
    ) -> Result<config_rules_core::suppressions::Suppressions, CliError> {
        let inner = config_rules_core::suppressions::Suppressions::parse(text, name)
            .map_err(|e| CliError::Input(e.to_string()))?;
        for (i, entry) in inner.entries().enumerate() {
            if entry.rule != "*" && !known_rules.contains(&entry.rule.as_str()) {
                return Err(CliError::Input(format!(
                    "suppressions file {name}: suppressions[{i}]: rule {} is not a rule of this suite",
                    config_rules_core::bounded(&entry.rule, 80)
                )));
            }
        }
        Ok(inner)
    }

    /// Moves the NON_COMPLIANT findings the file accepts from each run's evaluations to its
    /// `suppressed` list. `account` and `region` are what the run covered, when known.
    pub fn apply(
        &self,
        runs: &mut [RuleRun],
        names: &Names,
        account: Option<&str>,
        region: Option<&str>,
        today: NaiveDate,
        applied: &mut Applied,
    ) {
        applied.file = Some(self.path.display().to_string());
        applied.used.resize(self.inner.entries().count(), false);
        for run in runs.iter_mut() {
            let run_account = run.account.clone().or(account.map(str::to_string));
            let (keep, suppressed): (Vec<Evaluation>, Vec<Evaluation>) =
                std::mem::take(&mut run.evaluations).into_iter().partition(|e| {
                    e.compliance != Compliance::NonCompliant
                        || self
                            .matching(run.rule_id, e, names, run_account.as_deref(), region, today)
                            .is_none()
                });
            run.evaluations = keep;
            for e in suppressed {
                if let Some(i) = self.matching(run.rule_id, &e, names, run_account.as_deref(), region, today) {
                    applied.used[i] = true;
                    applied.suppressed += 1;
                    let entry = self.inner.entry(i);
                    run.suppressed.push(Suppressed {
                        evaluation: e,
                        reason: entry.map(|x| x.reason.clone()).unwrap_or_default(),
                        expires: entry.and_then(|x| x.expires),
                    });
                }
            }
        }
        applied.settle(self, today);
    }

    /// The first live entry that accepts `e` of `rule`.
    fn matching(
        &self,
        rule: &str,
        e: &Evaluation,
        names: &Names,
        account: Option<&str>,
        region: Option<&str>,
        today: NaiveDate,
    ) -> Option<usize> {
        let name = names.get(&(e.resource_type.clone(), e.resource_id.clone()));
        self.inner.matching(
            rule,
            &e.resource_id,
            name.map(String::as_str),
            Place { account, region },
            today,
        )
    }
}

/// A baseline: every finding still NON_COMPLIANT in `runs`, as suppressions with the reason
/// "baseline" (exact resource ids, the account where known).
pub fn baseline(runs: &[RuleRun], account: Option<&str>) -> File {
    let mut suppressions: Vec<Entry> = runs
        .iter()
        .flat_map(|r| {
            r.evaluations
                .iter()
                .filter(|e| e.compliance == Compliance::NonCompliant)
                .map(move |e| Entry {
                    rule: r.rule_id.to_string(),
                    // Glob metacharacters in an id are matched literally.
                    resource: glob::Pattern::escape(&e.resource_id),
                    account: r.account.clone().or(account.map(str::to_string)),
                    region: None,
                    reason: "baseline".to_string(),
                    expires: None,
                })
        })
        .collect();
    suppressions.sort_by(|a, b| (&a.account, &a.rule, &a.resource).cmp(&(&b.account, &b.rule, &b.resource)));
    suppressions.dedup();
    File { suppressions }
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

    fn run(rule: &'static str, evals: Vec<Evaluation>) -> RuleRun {
        RuleRun {
            rule_id: rule,
            evaluations: evals,
            note: None,
            error: None,
            account: None,
            region: None,
            suppressed: Vec::new(),
            unknown: Vec::new(),
        }
    }

    const RULES: &[&str] = &["lambda-timeout-within-limit", "required-tags"];

    fn load(text: &str) -> Result<Suppressions, CliError> {
        Suppressions::parse(text, "s.yaml", RULES).map(|inner| Suppressions {
            path: "s.yaml".into(),
            inner,
        })
    }

    #[test]
    fn a_finding_is_suppressed_by_id_name_or_glob_never_a_compliant_one() {
        let s = load(
            "suppressions:\n  - {rule: lambda-timeout-within-limit, resource: 'nightly-*', reason: batch}\n  - {rule: '*', resource: legacy, reason: retiring, expires: 2027-01-01}\n  - {rule: required-tags, resource: x, reason: never used}\n",
        )
        .unwrap();
        let mut runs = vec![run(
            "lambda-timeout-within-limit",
            vec![
                eval("nightly-report", Compliance::NonCompliant),
                eval("fn-1", Compliance::NonCompliant),
                eval("nightly-ok", Compliance::Compliant),
                eval("api", Compliance::NonCompliant),
            ],
        )];
        let names: Names = [(
            ("AWS::Lambda::Function".to_string(), "fn-1".to_string()),
            "legacy".to_string(),
        )]
        .into();
        let mut applied = Applied::default();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        s.apply(&mut runs, &names, None, None, today, &mut applied);
        let kept: Vec<&str> = runs[0].evaluations.iter().map(|e| e.resource_id.as_str()).collect();
        assert_eq!(kept, ["nightly-ok", "api"]);
        let suppressed: Vec<(&str, &str)> = runs[0]
            .suppressed
            .iter()
            .map(|s| (s.evaluation.resource_id.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(suppressed, [("nightly-report", "batch"), ("fn-1", "retiring")]);
        assert_eq!(applied.suppressed, 2);
        assert_eq!(applied.unused.len(), 1);
        assert_eq!(applied.unused[0].reason, "never used");
        assert!(applied.expired.is_empty());
    }

    #[test]
    fn an_expired_entry_suppresses_nothing_and_is_listed() {
        let s = load("suppressions:\n  - {rule: '*', resource: '*', reason: old, expires: 2026-01-01}\n").unwrap();
        let mut runs = vec![run("required-tags", vec![eval("a", Compliance::NonCompliant)])];
        let mut applied = Applied::default();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        s.apply(&mut runs, &Names::new(), None, None, today, &mut applied);
        assert_eq!(runs[0].evaluations.len(), 1);
        assert_eq!(applied.expired.len(), 1);
        assert!(applied.unused.is_empty());
        assert_eq!(
            applied.lines(),
            ["s.yaml: expired on 2026-01-01, no longer suppresses: * * (old)"]
        );
    }

    #[test]
    fn account_and_region_must_match_what_the_run_covered() {
        let s = load(
            "suppressions:\n  - {rule: '*', resource: '*', account: '111111111111', region: eu-west-1, reason: r}\n",
        )
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        for (account, region, suppressed) in [
            (None, None, false),
            (Some("111111111111"), Some("us-east-1"), false),
            (Some("111111111111"), Some("eu-west-1"), true),
        ] {
            let mut runs = vec![run("required-tags", vec![eval("a", Compliance::NonCompliant)])];
            s.apply(
                &mut runs,
                &Names::new(),
                account,
                region,
                today,
                &mut Applied::default(),
            );
            assert_eq!(runs[0].suppressed.len() == 1, suppressed, "{account:?} {region:?}");
        }
    }

    #[test]
    fn bad_files_name_the_entry_and_field() {
        let err = |t: &str| load(t).unwrap_err().to_string();
        assert!(err("suppressions:\n  - {rule: no-such-rule, resource: a, reason: r}\n")
            .contains("suppressions file s.yaml: suppressions[0]: rule no-such-rule is not a rule of this suite"));
        assert!(err("suppressions:\n  - {rule: '*', resource: a, reason: ' '}\n")
            .contains("suppressions[0]: reason is required"));
        assert!(err("suppressions:\n  - {rule: '*', resource: a}\n").contains("missing field `reason`"));
        assert!(err("suppressions:\n  - {rule: '*', resource: '[', reason: r}\n")
            .contains("resource is not a valid pattern"));
        assert!(
            err("suppressions:\n  - {rule: '*', resource: a, reason: r, until: 2027-01-01}\n")
                .contains("unknown field `until`")
        );
    }

    #[test]
    fn a_baseline_suppresses_exactly_todays_findings() {
        let runs = vec![run(
            "required-tags",
            vec![eval("a[1]", Compliance::NonCompliant), eval("b", Compliance::Compliant)],
        )];
        let file = baseline(&runs, Some("123456789012"));
        assert_eq!(file.suppressions.len(), 1);
        assert_eq!(file.suppressions[0].resource, "a[[]1[]]");
        let text = serde_yaml::to_string(&file).unwrap();
        let s = load(&text).unwrap();
        let mut again = runs.clone();
        s.apply(
            &mut again,
            &Names::new(),
            Some("123456789012"),
            None,
            NaiveDate::MAX,
            &mut Applied::default(),
        );
        assert_eq!(again[0].suppressed.len(), 1);
        assert_eq!(again[0].evaluations.len(), 1);
    }
}
