//! Reports of rule runs: a terminal table, JSON, SARIF 2.1.0 and JUnit XML.

use std::collections::{BTreeMap, BTreeSet};

use config_rules_core::{Compliance, Evaluation, RuleMeta, Severity};
use serde_json::{json, Value};

use crate::run::RuleRun;

/// Resource names by (type, id), for people: IAM ids such as `AROA…` say little.
pub type Names = BTreeMap<(String, String), String>;

/// The names of the items, where a name differs from the id.
pub fn names_of(items: &[config_rules_core::ConfigurationItem]) -> Names {
    items
        .iter()
        .filter_map(|i| {
            let name = i
                .resource_name
                .as_deref()
                .filter(|n| !n.is_empty() && *n != i.resource_id)?;
            Some(((i.resource_type.clone(), i.resource_id.clone()), name.to_string()))
        })
        .collect()
}

/// `id (name)` where the item had a name other than its id.
pub(crate) fn resource_label(names: &Names, e: &Evaluation) -> String {
    match names.get(&(e.resource_type.clone(), e.resource_id.clone())) {
        Some(name) => format!("{} ({name})", e.resource_id),
        None => e.resource_id.clone(),
    }
}

/// What a scan covered, and what it could not evaluate: printed with the table, carried in
/// the JSON report, so a partial scan never reads as a clean one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    pub account: Option<String>,
    pub region: Option<String>,
    /// `config` or `api` for scans.
    pub source: Option<String>,
    /// Resources found but not evaluated, with the reason (an AWS error reading them).
    pub not_evaluated: Vec<NotEvaluated>,
    /// Conditions that make the results incomplete (Config not recording a needed type).
    pub warnings: Vec<String>,
    /// What the suppressions file did, when one applied.
    pub suppressions: Option<crate::suppress::Applied>,
    /// Who scanned (the caller's ARN) and when (the judging time), for the header.
    pub identity: Option<String>,
    pub at: Option<String>,
    /// Template mode: the template and where each result's resource is declared.
    pub template: Option<TemplateSource>,
}

/// The template a run judged, and where each result points in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateSource {
    /// The path as given on the command line.
    pub file: String,
    /// How many resources it declares.
    pub resources: usize,
    /// (rule, resource type, resource id) → where the resource is declared.
    pub locations: BTreeMap<(String, String, String), Location>,
    /// What the template holds that is not judged (macros, `Fn::ForEach`).
    pub warnings: Vec<String>,
}

/// A place in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub logical_id: String,
    pub line: u32,
}

impl TemplateSource {
    pub fn at(&self, rule: &str, resource_type: &str, resource_id: &str) -> Option<&Location> {
        self.locations
            .get(&(rule.to_string(), resource_type.to_string(), resource_id.to_string()))
    }

    /// The file as SARIF and GitHub want it: relative to the working directory when inside
    /// it, with `/` separators.
    pub fn relative_file(&self) -> String {
        let path = std::path::Path::new(&self.file);
        let relative = std::env::current_dir().ok().and_then(|cwd| {
            let absolute = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            let absolute = absolute.canonicalize().unwrap_or(absolute);
            let cwd = cwd.canonicalize().unwrap_or(cwd);
            absolute.strip_prefix(&cwd).ok().map(|p| p.to_path_buf())
        });
        // Outside the working directory: the path as given.
        let Some(relative) = relative else {
            return self.file.replace('\\', "/");
        };
        relative
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => s.to_str().map(str::to_string),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// A resource the scan found but could not read, so no rule judged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEvaluated {
    pub resource_type: String,
    pub resource_id: String,
    pub reason: String,
}

impl Coverage {
    /// The lines a person reads on standard error before the results.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = &self.template {
            out.push(format!(
                "Evaluated template {} ({} resources) before deploy; the account and region are stand-ins ({}, {}).",
                t.file,
                t.resources,
                self.account.as_deref().unwrap_or("-"),
                self.region.as_deref().unwrap_or("-")
            ));
            for w in &t.warnings {
                out.push(format!("warning: {w}"));
            }
        } else if let (Some(account), Some(region)) = (&self.account, &self.region) {
            let source = self
                .source
                .as_deref()
                .map(|s| format!(" (items from {s})"))
                .unwrap_or_default();
            let who = self.identity.as_deref().map(|i| format!(" as {i}")).unwrap_or_default();
            let when = self.at.as_deref().map(|t| format!(" at {t}")).unwrap_or_default();
            out.push(format!(
                "Scanned account {account} in region {region}{source}{who}{when}."
            ));
        }
        for w in &self.warnings {
            out.push(format!("warning: {w}"));
        }
        for n in &self.not_evaluated {
            out.push(format!(
                "not evaluated: {} {}: {}",
                n.resource_type, n.resource_id, n.reason
            ));
        }
        if let Some(applied) = &self.suppressions {
            out.extend(applied.lines());
        }
        out
    }

    fn to_json(&self) -> Value {
        let mut out = json!({
            "identity": self.identity,
            "account": self.account,
            "region": self.region,
            "source": self.source,
            "warnings": self.warnings,
            "notEvaluated": self.not_evaluated.iter().map(|n| json!({
                "resourceType": n.resource_type, "resourceId": n.resource_id, "reason": n.reason})).collect::<Vec<_>>(),
        });
        if let Some(applied) = &self.suppressions {
            out["suppressions"] = applied.to_json();
        }
        out
    }
}

/// Counts over a set of runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub rules: usize,
    pub resources: usize,
    pub compliant: usize,
    pub non_compliant: usize,
    pub not_applicable: usize,
    pub skipped: usize,
    pub errors: usize,
    pub suppressed: usize,
    /// Template mode: verdicts that depend on what exists only after deploy.
    pub unknown: usize,
}

impl Summary {
    pub fn of(runs: &[RuleRun]) -> Summary {
        let all = || runs.iter().flat_map(|r| r.evaluations.iter());
        let count = |c| all().filter(|e| e.compliance == c).count();
        let resources: BTreeSet<(&str, &str)> = all()
            .map(|e| (e.resource_type.as_str(), e.resource_id.as_str()))
            .collect();
        Summary {
            rules: runs.iter().filter(|r| r.note.is_none()).count(),
            resources: resources.len(),
            compliant: count(Compliance::Compliant),
            non_compliant: count(Compliance::NonCompliant),
            not_applicable: count(Compliance::NotApplicable),
            skipped: runs.iter().filter(|r| r.note.is_some()).count(),
            errors: runs.iter().filter(|r| r.error.is_some()).count(),
            suppressed: runs.iter().map(|r| r.suppressed.len()).sum(),
            unknown: runs.iter().map(|r| r.unknown.len()).sum(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"rules": self.rules, "resources": self.resources, "compliant": self.compliant,
               "nonCompliant": self.non_compliant, "notApplicable": self.not_applicable,
               "skipped": self.skipped, "errors": self.errors, "suppressed": self.suppressed,
               "unknown": self.unknown})
    }

    /// The one-line summary.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} rules run, {} resources evaluated: {} compliant, {} non-compliant, {} not applicable",
            self.rules, self.resources, self.compliant, self.non_compliant, self.not_applicable
        );
        if self.suppressed > 0 {
            s.push_str(&format!(", {} suppressed", self.suppressed));
        }
        if self.unknown > 0 {
            s.push_str(&format!(", {} not known before deploy", self.unknown));
        }
        if self.skipped > 0 {
            s.push_str(&format!(", {} rules skipped", self.skipped));
        }
        if self.errors > 0 {
            s.push_str(&format!(", {} rules failed", self.errors));
        }
        s
    }
}

fn sorted(evaluations: &[Evaluation]) -> Vec<&Evaluation> {
    let mut v: Vec<&Evaluation> = evaluations.iter().collect();
    v.sort_by(|a, b| {
        (a.compliance, &a.resource_type, &a.resource_id).cmp(&(b.compliance, &b.resource_type, &b.resource_id))
    });
    v
}

fn paint(text: &str, compliance: Compliance, color: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let style = match compliance {
        Compliance::NonCompliant => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        Compliance::Compliant => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Compliance::NotApplicable => Style::new().dimmed(),
    };
    styled(text, style, color)
}

fn styled(text: &str, style: anstyle::Style, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// The table: one block per rule (rules with non-compliant results first), non-compliant rows
/// first within a block, then the summary line.
pub fn table(runs: &[RuleRun], names: &Names, coverage: &Coverage, color: bool, all: bool) -> String {
    let mut order: Vec<&RuleRun> = runs.iter().collect();
    order.sort_by_key(|r| !r.evaluations.iter().any(|e| e.compliance == Compliance::NonCompliant));
    let mut out = String::new();
    let lines = coverage.lines();
    for line in &lines {
        out.push_str(line);
        out.push('\n');
    }
    if !lines.is_empty() {
        out.push('\n');
    }
    for run in order {
        out.push_str(&format!("{} ({})\n", run.rule_id, severity_of(run.rule_id).as_str()));
        if let Some(note) = &run.note {
            out.push_str(&format!("  skipped: {note}\n\n"));
            continue;
        }
        if let Some(err) = &run.error {
            out.push_str(&format!("  error: {err}\n"));
        }
        if run.evaluations.is_empty() && run.suppressed.is_empty() && run.unknown.is_empty() && run.error.is_none() {
            out.push_str("  no resources in scope\n");
        }
        let mut hidden = [0usize; 2];
        for e in sorted(&run.evaluations) {
            if !all && e.compliance != Compliance::NonCompliant {
                hidden[usize::from(e.compliance == Compliance::NotApplicable)] += 1;
                continue;
            }
            let label = format!("{:<14}", e.compliance.as_str());
            out.push_str(&format!(
                "  {} {} {}{}\n      {}\n",
                paint(&label, e.compliance, color),
                e.resource_type,
                resource_label(names, e),
                place(coverage, run.rule_id, &e.resource_type, &e.resource_id),
                e.annotation
            ));
        }
        for u in &run.unknown {
            let label = styled(
                &format!("{:<14}", "UNKNOWN"),
                anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Cyan.into())),
                color,
            );
            out.push_str(&format!(
                "  {} {} {}{}\n      {}\n",
                label,
                u.resource_type,
                u.resource_id,
                place(coverage, run.rule_id, &u.resource_type, &u.resource_id),
                u.reason
            ));
        }
        for s in &run.suppressed {
            let e = &s.evaluation;
            let until = s.expires.map(|d| format!(", until {d}")).unwrap_or_default();
            let label = styled(
                &format!("{:<14}", "SUPPRESSED"),
                anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Yellow.into())),
                color,
            );
            out.push_str(&format!(
                "  {} {} {}\n      {} (suppressed: {}{until})\n",
                label,
                e.resource_type,
                resource_label(names, e),
                e.annotation,
                s.reason
            ));
        }
        if hidden != [0, 0] {
            out.push_str(&format!(
                "  {} compliant, {} not applicable (--all lists them)\n",
                hidden[0], hidden[1]
            ));
        }
        out.push('\n');
    }
    out.push_str(&Summary::of(runs).line());
    out.push('\n');
    out
}

/// ` (template.yaml:12 MyFunction)` for results of a template.
fn place(coverage: &Coverage, rule: &str, resource_type: &str, resource_id: &str) -> String {
    coverage
        .template
        .as_ref()
        .and_then(|t| Some((t, t.at(rule, resource_type, resource_id)?)))
        .map(|(t, l)| format!(" ({}:{} {})", t.file, l.line, l.logical_id))
        .unwrap_or_default()
}

/// The severity of a rule by id (medium for an id the catalog does not know).
pub fn severity_of(rule_id: &str) -> Severity {
    crate::catalog::meta(rule_id)
        .map(|m| m.severity)
        .unwrap_or(Severity::Medium)
}

/// One account's part of a scan of several accounts.
#[derive(Debug, Clone)]
pub struct AccountScan {
    pub account: String,
    /// The region, in scans of several regions.
    pub region: Option<String>,
    pub runs: Vec<RuleRun>,
    pub coverage: Coverage,
    /// Resource names of the account's items, for the table.
    pub names: Names,
}

/// The table of a scan of several accounts: each account's table, then one line per account
/// and the total.
pub fn table_accounts(scans: &[AccountScan], color: bool, all: bool) -> String {
    let mut out = String::new();
    let label = |scan: &AccountScan| match &scan.region {
        Some(r) => format!("{} {r}", scan.account),
        None => scan.account.clone(),
    };
    for scan in scans {
        out.push_str(&format!(
            "=== account {} ===\n",
            label(scan).replacen(' ', ", region ", 1)
        ));
        out.push_str(&table(&scan.runs, &scan.names, &scan.coverage, color, all));
        out.push('\n');
    }
    out.push_str("Accounts:\n");
    for scan in scans {
        out.push_str(&format!("  {}  {}\n", label(scan), Summary::of(&scan.runs).line()));
    }
    let all: Vec<RuleRun> = scans.iter().flat_map(|s| s.runs.iter().cloned()).collect();
    let accounts: BTreeSet<&str> = scans.iter().map(|s| s.account.as_str()).collect();
    let parts = if scans.iter().any(|s| s.region.is_some()) {
        format!("{} accounts, {} account-regions", accounts.len(), scans.len())
    } else {
        format!("{} accounts", accounts.len())
    };
    out.push_str(&format!("Total ({parts}): {}\n", Summary::of(&all).line()));
    out
}

/// The JSON report of a scan of several accounts: [`json`] of every run (each result names
/// its `accountId`) and an `accounts` summary.
pub fn json_accounts(scans: &[AccountScan], ctx: &Context) -> Value {
    let all: Vec<RuleRun> = scans.iter().flat_map(|s| s.runs.iter().cloned()).collect();
    let mut report = json(&all, &Coverage::default(), ctx);
    report["accounts"] = scans
        .iter()
        .map(|scan| {
            let mut o = json!({"accountId": scan.account, "summary": Summary::of(&scan.runs).to_json()});
            if let Some(r) = &scan.region {
                o["region"] = json!(r);
            }
            if scan.coverage != Coverage::default() {
                o["coverage"] = scan.coverage.to_json();
            }
            o
        })
        .collect();
    report
}

/// JSON: the summary, what a scan covered, and, per rule, the evaluations in PutEvaluations shape.
/// The version of the JSON report's shape (docs/report-schema.json); raised on any change a
/// consumer could notice.
pub const SCHEMA_VERSION: &str = "1.1";

/// What produced a report: the command's mode and the time it judged at (`--at`, or now).
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// `event`, `items`, `scan`, `accounts` or `aggregator`.
    pub mode: &'static str,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

/// JSON, one shape for every mode (docs/report-schema.json): the tool, the mode, what was
/// covered, the summary, and per rule its severity and evaluations exactly as PutEvaluations
/// receives them.
pub fn json(runs: &[RuleRun], coverage: &Coverage, ctx: &Context) -> Value {
    let s = Summary::of(runs);
    let mut report = json!({
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "config-rules", "version": env!("CARGO_PKG_VERSION")},
        "mode": ctx.mode,
        "generatedAt": ctx.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "account": coverage.account,
        "region": coverage.region,
        "summary": s.to_json(),
        "results": runs.iter().map(|r| {
            let mut o = json!({"rule": r.rule_id, "severity": severity_of(r.rule_id).as_str(), "evaluations": r.evaluations});
            if let Some(a) = &r.account { o["accountId"] = json!(a); }
            if let Some(g) = &r.region { o["region"] = json!(g); }
            if !r.suppressed.is_empty() { o["suppressed"] = json!(r.suppressed); }
            if !r.unknown.is_empty() { o["unknown"] = json!(r.unknown); }
            if let Some(n) = &r.note { o["skipped"] = json!(n); }
            if let Some(e) = &r.error { o["error"] = json!(e); }
            o
        }).collect::<Vec<_>>(),
    });
    let mut coverage = coverage.clone();
    if let Some(applied) = coverage.suppressions.take() {
        report["suppressions"] = applied.to_json();
    }
    if let Some(t) = coverage.template.take() {
        report["template"] = json!({
            "file": t.file,
            "warnings": t.warnings,
            "locations": t.locations.iter().map(|((rule, rt, id), l)| json!({
                "rule": rule, "resourceType": rt, "resourceId": id, "logicalId": l.logical_id, "line": l.line,
            })).collect::<Vec<_>>(),
        });
    }
    if coverage != Coverage::default() {
        report["coverage"] = coverage.to_json();
    }
    report
}

/// SARIF 2.1.0: one reporting descriptor per rule, one result per NON_COMPLIANT resource.
/// Results of a template carry the file and line (`physicalLocation`, relative to the working
/// directory) and a fingerprint of rule, file and logical id, stable across runs and edits
/// elsewhere in the file: what GitHub code scanning needs to place and track them. Verdicts not
/// known before deploy are `review` results at level `note`.
pub fn sarif(runs: &[RuleRun], metas: &[&RuleMeta], names: &Names, template: Option<&TemplateSource>) -> Value {
    let rules: Vec<Value> = metas
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "name": crate::catalog::pascal(m.id),
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.summary},
                "help": {"text": m.docs(), "markdown": m.docs()},
                "helpUri": format!("{}/blob/main/docs/rules/{}.md", env!("CARGO_PKG_REPOSITORY"), m.id),
                "defaultConfiguration": {"level": m.severity.sarif_level()},
                "properties": {"resourceTypes": m.resource_types,
                               "security-severity": m.severity.security_severity(),
                               "tags": ["security", m.severity.as_str()]},
            })
        })
        .collect();
    let index = |id: &str| metas.iter().position(|m| m.id == id);
    let results: Vec<Value> = runs
        .iter()
        .flat_map(|r| {
            // In scans of several accounts (and regions), where the resource is.
            let place = match (&r.account, &r.region) {
                (Some(a), Some(g)) => Some(format!("{a}/{g}")),
                (Some(a), None) => Some(a.clone()),
                _ => None,
            };
            let account = r.account.as_deref();
            let open = r.evaluations.iter().map({
                let place = place.clone();
                move |e| (r.rule_id, place.clone(), account, e, None)
            });
            let accepted = r
                .suppressed
                .iter()
                .map(move |s| (r.rule_id, place.clone(), account, &s.evaluation, Some(s)));
            open.chain(accepted)
        })
        .filter(|(_, _, _, e, _)| e.compliance == Compliance::NonCompliant)
        .map(|(rule, place, account, e, suppressed)| {
            // In a scan of several accounts, the account (and region) is part of the name.
            let qualified = match place {
                Some(p) => format!("{p}/{}/{}", e.resource_type, e.resource_id),
                None => format!("{}/{}", e.resource_type, e.resource_id),
            };
            let mut result = json!({
                "ruleId": rule,
                "level": severity_of(rule).sarif_level(),
                "kind": "fail",
                "message": {"text": e.annotation},
                "locations": [{"logicalLocations": [{
                    "name": names.get(&(e.resource_type.clone(), e.resource_id.clone())).unwrap_or(&e.resource_id),
                    "fullyQualifiedName": qualified,
                    "kind": "resource",
                }]}],
                "partialFingerprints": {"resource/v1": format!("{rule}/{qualified}")},
                "properties": {"resourceType": e.resource_type, "orderingTimestamp": e.ordering_timestamp},
            });
            if let Some(a) = account {
                result["properties"]["accountId"] = json!(a);
            }
            // A suppressed finding stays in the log, marked as accepted (SARIF §3.35).
            if let Some(s) = suppressed {
                result["suppressions"] = json!([{"kind": "external", "status": "accepted", "justification": s.reason}]);
            }
            if let Some(i) = index(rule) {
                result["ruleIndex"] = json!(i);
            }
            if let Some((file, at)) =
                template.and_then(|t| Some((t.relative_file(), t.at(rule, &e.resource_type, &e.resource_id)?)))
            {
                place_in_file(&mut result, rule, &file, at);
            }
            result
        })
        .collect();
    let mut results = results;
    for r in runs {
        for u in &r.unknown {
            let mut result = json!({
                "ruleId": r.rule_id,
                "level": "note",
                "kind": "review",
                "message": {"text": u.reason},
                "locations": [{"logicalLocations": [{
                    "name": u.resource_id,
                    "fullyQualifiedName": format!("{}/{}", u.resource_type, u.resource_id),
                    "kind": "resource",
                }]}],
                "partialFingerprints": {"resource/v1": format!("{}/{}/{}/unknown", r.rule_id, u.resource_type, u.resource_id)},
                "properties": {"resourceType": u.resource_type},
            });
            if let Some(i) = index(r.rule_id) {
                result["ruleIndex"] = json!(i);
            }
            if let Some((file, at)) =
                template.and_then(|t| Some((t.relative_file(), t.at(r.rule_id, &u.resource_type, &u.resource_id)?)))
            {
                place_in_file(&mut result, r.rule_id, &file, at);
                result["partialFingerprints"]["resource/v1"] = json!(format!(
                    "{}/{file}/{}/{}/unknown",
                    r.rule_id, at.logical_id, u.resource_type
                ));
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "config-rules",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// A SARIF result's place in a template: the file and line, the logical id as the logical
/// location, and a fingerprint without the line (stable when lines above it change).
fn place_in_file(result: &mut Value, rule: &str, file: &str, at: &Location) {
    let resource_type = result["properties"]["resourceType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    result["locations"] = json!([{
        "physicalLocation": {
            "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": at.line},
        },
        "logicalLocations": [{"name": at.logical_id, "fullyQualifiedName": format!("{file}/{}", at.logical_id), "kind": "resource"}],
    }]);
    result["partialFingerprints"] = json!({"resource/v1": format!("{rule}/{file}/{}/{resource_type}", at.logical_id)});
}

/// GitHub Actions workflow commands: one annotation per finding on the template's line
/// (`::error` for critical and high, `::warning` for medium, `::notice` for low and for
/// verdicts not known before deploy), shown on the pull request's diff.
pub fn github(runs: &[RuleRun], template: Option<&TemplateSource>) -> String {
    // Workflow-command escaping (GitHub's toolkit `issueCommand`): data escapes %, CR, LF;
    // properties also : and ,.
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    let mut line = |level: &str, rule: &str, resource_type: &str, id: &str, message: &str| {
        let mut props = Vec::new();
        if let Some((file, at)) = template.and_then(|t| Some((t.relative_file(), t.at(rule, resource_type, id)?))) {
            props.push(format!("file={}", prop(&file)));
            props.push(format!("line={}", at.line));
        }
        props.push(format!("title={}", prop(&format!("{rule} ({resource_type} {id})"))));
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), data(message)));
    };
    for r in runs {
        let level = match severity_of(r.rule_id) {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        for e in r
            .evaluations
            .iter()
            .filter(|e| e.compliance == Compliance::NonCompliant)
        {
            line(level, r.rule_id, &e.resource_type, &e.resource_id, &e.annotation);
        }
        for u in &r.unknown {
            line("notice", r.rule_id, &u.resource_type, &u.resource_id, &u.reason);
        }
    }
    out
}

/// JUnit XML (quick-junit): a test suite per rule (per rule and account in scans of several
/// accounts) with the rule's severity as a property, a test case per evaluated resource;
/// NON_COMPLIANT is a failure, NOT_APPLICABLE, suppressed findings and skipped rules are
/// skipped (with the reason), a rule's AWS error is an error.
pub fn junit(runs: &[RuleRun]) -> String {
    use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
    let with_message = |mut status: TestCaseStatus, message: &str| {
        status.set_message(message);
        status
    };
    let mut report = Report::new("config-rules");
    for r in runs {
        let suite_name = match (&r.account, &r.region) {
            (Some(a), Some(g)) => format!("{a}/{g}/{}", r.rule_id),
            (Some(a), None) => format!("{a}/{}", r.rule_id),
            _ => r.rule_id.to_string(),
        };
        let mut suite = TestSuite::new(suite_name.as_str());
        suite.add_property(Property::new("severity", severity_of(r.rule_id).as_str()));
        let mut case = |name: String, status: TestCaseStatus, out: Option<&str>| {
            let mut c = TestCase::new(name, status);
            c.set_classname(suite_name.as_str());
            if let Some(text) = out {
                c.set_system_out(text);
            }
            suite.add_test_case(c);
        };
        if let Some(note) = &r.note {
            case(
                r.rule_id.to_string(),
                with_message(TestCaseStatus::skipped(), note),
                None,
            );
        } else if let Some(err) = &r.error {
            let status = TestCaseStatus::non_success(NonSuccessKind::Error);
            case(r.rule_id.to_string(), with_message(status, err), None);
        }
        for u in &r.unknown {
            let status = with_message(TestCaseStatus::skipped(), &u.reason);
            case(format!("{} {}", u.resource_type, u.resource_id), status, None);
        }
        for sup in &r.suppressed {
            let e = &sup.evaluation;
            let status = with_message(TestCaseStatus::skipped(), &format!("suppressed: {}", sup.reason));
            case(format!("{} {}", e.resource_type, e.resource_id), status, None);
        }
        for e in sorted(&r.evaluations) {
            let name = format!("{} {}", e.resource_type, e.resource_id);
            match e.compliance {
                Compliance::NonCompliant => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_type("NON_COMPLIANT");
                    case(name, with_message(status, &e.annotation), None);
                }
                Compliance::NotApplicable => case(name, with_message(TestCaseStatus::skipped(), &e.annotation), None),
                Compliance::Compliant => case(name, TestCaseStatus::success(), Some(&e.annotation)),
            }
        }
        report.add_test_suite(suite);
    }
    // Serializing to a String fails only on an I/O error, which a String cannot have.
    report.to_string().unwrap_or_default()
}
