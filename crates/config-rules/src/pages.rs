//! Reports people read: Markdown (CI job summaries, pull-request comments) and one
//! self-contained HTML page (a summary per practice and per rule with bar charts, and a
//! findings table filtered in the page).
//!
//! Both are built from the same runs as the other formats. The HTML page has no external
//! resource: its style and its few lines of filtering script are inline, so it can be attached
//! to a CI run or mailed as it is. Text from resources (ids, names, annotations) is escaped.

use std::collections::BTreeMap;

use config_rules_core::{Compliance, Severity, PRACTICES};

use crate::report::{resource_label, severity_of, Coverage, Names, Summary};
use crate::run::RuleRun;

/// One row of the findings table.
struct Row<'a> {
    status: &'static str,
    severity: Severity,
    rule: &'static str,
    account: Option<&'a str>,
    resource_type: &'a str,
    resource: String,
    why: String,
}

fn rows<'a>(runs: &'a [RuleRun], names: &Names) -> Vec<Row<'a>> {
    let mut out = Vec::new();
    for r in runs {
        for e in &r.evaluations {
            out.push(Row {
                status: e.compliance.as_str(),
                severity: severity_of(r.rule_id),
                rule: r.rule_id,
                account: r.account.as_deref(),
                resource_type: &e.resource_type,
                resource: resource_label(names, e),
                why: e.annotation.clone(),
            });
        }
        for s in &r.suppressed {
            let e = &s.evaluation;
            out.push(Row {
                status: "SUPPRESSED",
                severity: severity_of(r.rule_id),
                rule: r.rule_id,
                account: r.account.as_deref(),
                resource_type: &e.resource_type,
                resource: resource_label(names, e),
                why: format!("{} (suppressed: {})", e.annotation, s.reason),
            });
        }
        // Template mode: verdicts that depend on what exists only after deploy.
        for u in &r.unknown {
            out.push(Row {
                status: "UNKNOWN",
                severity: severity_of(r.rule_id),
                rule: r.rule_id,
                account: r.account.as_deref(),
                resource_type: &u.resource_type,
                resource: u.resource_id.clone(),
                why: u.reason.clone(),
            });
        }
    }
    let rank = |s: &str| match s {
        "NON_COMPLIANT" => 0,
        "SUPPRESSED" => 1,
        "COMPLIANT" => 2,
        _ => 3,
    };
    out.sort_by(|a, b| {
        (rank(a.status), std::cmp::Reverse(a.severity), a.rule, &a.resource).cmp(&(
            rank(b.status),
            std::cmp::Reverse(b.severity),
            b.rule,
            &b.resource,
        ))
    });
    out
}

/// Counts per rule: (compliant, non-compliant, suppressed, not applicable).
fn counts(r: &RuleRun) -> [usize; 4] {
    let c = |k| r.evaluations.iter().filter(|e| e.compliance == k).count();
    [
        c(Compliance::Compliant),
        c(Compliance::NonCompliant),
        r.suppressed.len(),
        c(Compliance::NotApplicable),
    ]
}

fn header_lines(coverage: &Coverage, generated_at: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = &coverage.template {
        out.push(format!(
            "Template {} ({} resources), before deploy.",
            t.file, t.resources
        ));
        out.extend(t.warnings.iter().map(|w| format!("Warning: {w}")));
    } else if let (Some(a), Some(r)) = (&coverage.account, &coverage.region) {
        let who = coverage
            .identity
            .as_deref()
            .map(|i| format!(" as {i}"))
            .unwrap_or_default();
        out.push(format!("Account {a}, region {r}{who}."));
    }
    out.push(format!(
        "Judged at {generated_at} by config-rules {}.",
        env!("CARGO_PKG_VERSION")
    ));
    out.extend(coverage.warnings.iter().map(|w| format!("Warning: {w}")));
    out
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Markdown: the summary, the findings by severity, suppressed findings, and what was skipped.
pub fn markdown(runs: &[RuleRun], names: &Names, coverage: &Coverage, generated_at: &str) -> String {
    let s = Summary::of(runs);
    let mut out = String::from("## config-rules\n\n");
    for line in header_lines(coverage, generated_at) {
        out.push_str(&format!("{line}  \n"));
    }
    out.push_str(&format!("\n**{}**\n\n", s.line()));
    let rows = rows(runs, names);
    let mut by_severity: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.status == "NON_COMPLIANT") {
        *by_severity.entry(std::cmp::Reverse(r.severity)).or_default() += 1;
    }
    if !by_severity.is_empty() {
        out.push_str("| severity | findings |\n|---|---|\n");
        for (sev, n) in &by_severity {
            out.push_str(&format!("| {} | {n} |\n", sev.0.as_str()));
        }
        out.push('\n');
    }
    let several = rows.iter().any(|r| r.account.is_some());
    let section = |title: &str, status: &str, out: &mut String| {
        let picked: Vec<&Row> = rows.iter().filter(|r| r.status == status).collect();
        if picked.is_empty() {
            return;
        }
        out.push_str(&format!("### {title} ({})\n\n", picked.len()));
        out.push_str(if several {
            "| severity | rule | account | resource | why |\n|---|---|---|---|---|\n"
        } else {
            "| severity | rule | resource | why |\n|---|---|---|---|\n"
        });
        for r in picked {
            let resource = md_cell(&format!("{} `{}`", r.resource_type, r.resource));
            match (several, r.account) {
                (true, account) => out.push_str(&format!(
                    "| {} | [`{}`](docs/rules/{}.md) | {} | {resource} | {} |\n",
                    r.severity.as_str(),
                    r.rule,
                    r.rule,
                    account.unwrap_or("-"),
                    md_cell(&r.why)
                )),
                (false, _) => out.push_str(&format!(
                    "| {} | [`{}`](docs/rules/{}.md) | {resource} | {} |\n",
                    r.severity.as_str(),
                    r.rule,
                    r.rule,
                    md_cell(&r.why)
                )),
            }
        }
        out.push('\n');
    };
    section("Findings", "NON_COMPLIANT", &mut out);
    section("Suppressed", "SUPPRESSED", &mut out);
    let skipped: Vec<&RuleRun> = runs.iter().filter(|r| r.note.is_some() || r.error.is_some()).collect();
    if !skipped.is_empty() {
        out.push_str("<details><summary>Rules skipped or failed</summary>\n\n");
        for r in skipped {
            let why = r.error.as_deref().or(r.note.as_deref()).unwrap_or_default();
            out.push_str(&format!("- `{}`: {}\n", r.rule_id, md_cell(why)));
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// HTML text: `&`, `<`, `>`, `"` and `'` escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A stacked bar: compliant, non-compliant, suppressed, not applicable.
fn bar(c: [usize; 4]) -> String {
    let total: usize = c.iter().sum();
    if total == 0 {
        return "<div class=\"bar empty\">no resources</div>".to_string();
    }
    let mut out = String::from("<div class=\"bar\">");
    for (n, class) in c.iter().zip(["ok", "bad", "sup", "na"]) {
        if *n > 0 {
            out.push_str(&format!(
                "<span class=\"{class}\" style=\"width:{:.2}%\" title=\"{n}\">{n}</span>",
                100.0 * *n as f64 / total as f64
            ));
        }
    }
    out.push_str("</div>");
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1b1f24;max-width:1200px}\
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin:2rem 0 .6rem}p.meta{color:#57606a;margin:.1rem 0}\
.cards{display:flex;gap:.8rem;margin:1rem 0}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:7rem}\
.card b{display:block;font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}\
th{background:#f6f8fa;font-weight:600}.bar{display:flex;height:1.2rem;border-radius:3px;overflow:hidden;background:#eaeef2;min-width:12rem}\
.bar span{display:block;color:#fff;font-size:.75rem;text-align:center;overflow:hidden}.bar.empty{color:#57606a;font-size:.8rem;padding-left:.4rem;background:none}\
.ok{background:#1a7f37}.bad{background:#cf222e}.sup{background:#9a6700}.na{background:#8c959f}\
.sev{font-weight:600;text-transform:uppercase;font-size:.75rem}.critical{color:#82071e}.high{color:#cf222e}.medium{color:#9a6700}.low{color:#57606a}\
.status{font-size:.75rem;font-weight:600}.filters{display:flex;gap:.8rem;align-items:center;margin:.6rem 0}input[type=search]{padding:.3rem .5rem;width:22rem}\
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .2rem 0 .8rem;vertical-align:middle}";

const SCRIPT: &str = "const q=document.getElementById('q'),sev=document.getElementById('sev'),st=document.getElementById('st'),n=document.getElementById('n');\
function f(){const t=q.value.toLowerCase();let k=0;for(const r of document.querySelectorAll('#findings tbody tr')){\
const show=(!t||r.textContent.toLowerCase().includes(t))&&(!sev.value||r.dataset.sev===sev.value)&&(!st.value||r.dataset.st===st.value);\
r.hidden=!show;if(show)k++}n.textContent=k}q.oninput=sev.onchange=st.onchange=f;f();";

/// One self-contained HTML page.
pub fn html(runs: &[RuleRun], names: &Names, coverage: &Coverage, generated_at: &str) -> String {
    let s = Summary::of(runs);
    let mut out = String::from("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>config-rules report</title>\n");
    out.push_str(&format!(
        "<style>{STYLE}</style></head><body>\n<h1>Serverless security: config-rules report</h1>\n"
    ));
    for line in header_lines(coverage, generated_at) {
        out.push_str(&format!("<p class=\"meta\">{}</p>\n", esc(&line)));
    }
    out.push_str("<div class=\"cards\">");
    for (label, n) in [
        ("non-compliant", s.non_compliant),
        ("compliant", s.compliant),
        ("suppressed", s.suppressed),
        ("not applicable", s.not_applicable),
        ("resources", s.resources),
        ("rules run", s.rules),
    ] {
        out.push_str(&format!("<div class=\"card\"><b>{n}</b>{label}</div>"));
    }
    out.push_str("</div>\n<p class=\"legend\">Bars:<span class=\"ok\"></span>compliant<span class=\"bad\"></span>non-compliant<span class=\"sup\"></span>suppressed<span class=\"na\"></span>not applicable</p>\n");

    // Per practice: the rules serving it, summed (a rule serving two practices counts in both).
    out.push_str(
        "<h2>By practice</h2>\n<table><thead><tr><th>practice</th><th>rules</th><th>results</th></tr></thead><tbody>\n",
    );
    for (i, name) in PRACTICES.iter().enumerate() {
        let number = u8::try_from(i + 1).unwrap_or(0);
        let serving: Vec<&RuleRun> = runs
            .iter()
            .filter(|r| crate::catalog::meta(r.rule_id).is_some_and(|m| m.practices.contains(&number)))
            .collect();
        let mut total = [0usize; 4];
        for r in &serving {
            for (t, c) in total.iter_mut().zip(counts(r)) {
                *t += c;
            }
        }
        out.push_str(&format!(
            "<tr><td>{number}. {}</td><td>{}</td><td>{}</td></tr>\n",
            esc(name),
            serving.len(),
            bar(total)
        ));
    }
    out.push_str("</tbody></table>\n");

    out.push_str(
        "<h2>By rule</h2>\n<table><thead><tr><th>rule</th><th>severity</th><th>results</th></tr></thead><tbody>\n",
    );
    let mut by_rule: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut notes: BTreeMap<&str, String> = BTreeMap::new();
    for r in runs {
        let entry = by_rule.entry(r.rule_id).or_default();
        for (t, c) in entry.iter_mut().zip(counts(r)) {
            *t += c;
        }
        if let Some(why) = r.error.as_deref().or(r.note.as_deref()) {
            notes.insert(r.rule_id, why.to_string());
        }
    }
    let mut order: Vec<(&str, [usize; 4])> = by_rule.into_iter().collect();
    order.sort_by_key(|(rule, c)| (std::cmp::Reverse(severity_of(rule)), std::cmp::Reverse(c[1]), *rule));
    for (rule, c) in order {
        let sev = severity_of(rule).as_str();
        let cell = match notes.get(rule) {
            Some(why) if c.iter().sum::<usize>() == 0 => format!("<span class=\"meta\">{}</span>", esc(why)),
            _ => bar(c),
        };
        out.push_str(&format!(
            "<tr><td><a href=\"{}/blob/main/docs/rules/{rule}.md\">{rule}</a></td><td class=\"sev {sev}\">{sev}</td><td>{cell}</td></tr>\n",
            env!("CARGO_PKG_REPOSITORY")
        ));
    }
    out.push_str("</tbody></table>\n");

    let rows = rows(runs, names);
    out.push_str("<h2>Results</h2>\n<div class=\"filters\"><input id=\"q\" type=\"search\" placeholder=\"Filter: rule, resource, reason\">\
<select id=\"sev\"><option value=\"\">every severity</option><option>critical</option><option>high</option><option>medium</option><option>low</option></select>\
<select id=\"st\"><option value=\"\">every status</option><option selected>NON_COMPLIANT</option><option>SUPPRESSED</option><option>COMPLIANT</option><option>NOT_APPLICABLE</option></select>\
<span><b id=\"n\"></b> shown</span></div>\n");
    out.push_str("<table id=\"findings\"><thead><tr><th>status</th><th>severity</th><th>rule</th><th>account</th><th>resource</th><th>why</th></tr></thead><tbody>\n");
    for r in rows {
        let sev = r.severity.as_str();
        let class = match r.status {
            "NON_COMPLIANT" => "bad",
            "SUPPRESSED" => "sup",
            "COMPLIANT" => "ok",
            _ => "na",
        };
        out.push_str(&format!(
            "<tr data-sev=\"{sev}\" data-st=\"{}\"><td class=\"status\"><span class=\"{class}\" style=\"color:#fff;padding:0 .3rem;border-radius:3px\">{}</span></td><td class=\"sev {sev}\">{sev}</td><td>{}</td><td>{}</td><td>{} <code>{}</code></td><td>{}</td></tr>\n",
            r.status,
            r.status,
            r.rule,
            esc(r.account.unwrap_or("")),
            esc(r.resource_type),
            esc(&r.resource),
            esc(&r.why)
        ));
    }
    out.push_str(&format!(
        "</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use config_rules_core::Evaluation;

    fn run(rule: &'static str, id: &str, c: Compliance, why: &str) -> RuleRun {
        RuleRun {
            rule_id: rule,
            evaluations: vec![Evaluation {
                resource_type: "AWS::Lambda::Function".into(),
                resource_id: id.into(),
                compliance: c,
                annotation: why.into(),
                ordering_timestamp: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
            }],
            note: None,
            error: None,
            account: None,
            region: None,
            suppressed: Vec::new(),
            unknown: Vec::new(),
        }
    }

    #[test]
    fn html_escapes_what_resources_carry_and_needs_nothing_outside() {
        let runs = vec![run(
            "lambda-no-public-access",
            "<script>alert(1)</script>",
            Compliance::NonCompliant,
            "a \"quoted\" & <b>bold</b> reason",
        )];
        let page = html(&runs, &Names::new(), &Coverage::default(), "2026-11-28T00:00:00Z");
        assert!(!page.contains("<script>alert(1)"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; reason"));
        for external in ["src=\"http", "<link", "@import"] {
            assert!(!page.contains(external), "{external}");
        }
        assert!(page.contains("4. Authentication and authorization"));
        assert!(page.contains("data-sev=\"critical\" data-st=\"NON_COMPLIANT\""));
    }

    #[test]
    fn markdown_lists_findings_by_severity_with_cells_escaped() {
        let runs = vec![
            run(
                "lambda-timeout-within-limit",
                "slow",
                Compliance::NonCompliant,
                "900 | too long",
            ),
            run("lambda-no-public-access", "open", Compliance::NonCompliant, "public"),
            run("required-tags", "ok", Compliance::Compliant, "tagged"),
        ];
        let md = markdown(&runs, &Names::new(), &Coverage::default(), "2026-11-28T00:00:00Z");
        assert!(md.contains("| critical | 1 |\n| low | 1 |\n"), "{md}");
        assert!(md.contains("### Findings (2)"), "{md}");
        let critical = md.find("lambda-no-public-access").unwrap();
        let low = md.find("`lambda-timeout-within-limit`").unwrap();
        assert!(critical < low, "critical first: {md}");
        assert!(md.contains("900 \\| too long"), "{md}");
        assert!(
            !md.contains("tagged"),
            "compliant results are counted, not listed: {md}"
        );
    }
}
