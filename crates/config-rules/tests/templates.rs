//! `config-rules evaluate --template`, through the real binary: each rule on its template
//! fixture (`crates/rules/<rule>/template-fixture.yaml`: compliant, non-compliant and
//! unresolvable resources) with exact verdicts and annotations; malformed templates; the project's own template; SARIF
//! and GitHub locations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;
use std::process::{Command, Output};

use e2e_tests::workspace_root;
use serde_json::Value;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(args)
        .current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

/// The report's results as (logical id, verdict, text), sorted.
fn outcomes(report: &Value) -> Vec<(String, String, String)> {
    let locations: Vec<&Value> = report["template"]["locations"].as_array().unwrap().iter().collect();
    let logical = |rule: &str, t: &str, id: &str| -> String {
        locations
            .iter()
            .find(|l| l["rule"] == rule && l["resourceType"] == t && l["resourceId"] == id)
            .map(|l| l["logicalId"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no location for {rule} {t} {id}"))
    };
    let mut out = Vec::new();
    for r in report["results"].as_array().unwrap() {
        let rule = r["rule"].as_str().unwrap();
        for e in r["evaluations"].as_array().unwrap() {
            let (t, id) = (
                e["ComplianceResourceType"].as_str().unwrap(),
                e["ComplianceResourceId"].as_str().unwrap(),
            );
            let verdict = e["ComplianceType"].as_str().unwrap().to_string();
            out.push((
                logical(rule, t, id),
                verdict,
                e["Annotation"].as_str().unwrap().to_string(),
            ));
        }
        for u in r["unknown"].as_array().into_iter().flatten() {
            let (t, id) = (u["resourceType"].as_str().unwrap(), u["resourceId"].as_str().unwrap());
            out.push((
                logical(rule, t, id),
                "UNKNOWN".to_string(),
                u["reason"].as_str().unwrap().to_string(),
            ));
        }
    }
    out.sort();
    out
}

/// A rule's template fixture: `crates/rules/<id>/template-fixture.yaml` (compliant,
/// non-compliant and unresolvable resources, with the AWS documentation its shapes follow) and
/// `template-fixture.expected` (per run, the exact verdicts and annotations).
fn fixture(rule: &str) -> String {
    format!("crates/rules/{rule}/template-fixture.yaml")
}

/// One run of an expected file: its extra arguments and (logical id, verdict, text) lines.
struct Run {
    args: Vec<String>,
    lines: Vec<(String, String, String)>,
}

/// An expected file: the rule's parameters (a `params:` line) and its runs.
fn expected(rule: &str) -> (Option<Value>, Vec<Run>, String) {
    let path = workspace_root().join(format!("crates/rules/{rule}/template-fixture.expected"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
    let mut params = None;
    let mut runs: Vec<Run> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        } else if let Some(p) = line.strip_prefix("params: ") {
            params = Some(serde_json::from_str(p).unwrap());
        } else if let Some(args) = line.strip_prefix("== run") {
            runs.push(Run {
                args: args.split_whitespace().map(str::to_string).collect(),
                lines: Vec::new(),
            });
        } else {
            let mut cells = line.splitn(3, '\t').map(str::to_string);
            let (a, b, c) = (
                cells.next().unwrap(),
                cells.next().unwrap(),
                cells.next().unwrap_or_default(),
            );
            runs.last_mut()
                .expect("a result before the first == run")
                .lines
                .push((a, b, c));
        }
    }
    (params, runs, text)
}

/// The results of one run, as the expected file writes them.
fn judge(rule: &str, params: Option<&Value>, args: &[String]) -> Vec<(String, String, String)> {
    let params_file = std::env::temp_dir().join(format!("config-rules-fixture-{rule}-{}.json", std::process::id()));
    std::fs::write(
        &params_file,
        serde_json::json!({ rule: params.cloned().unwrap_or(serde_json::json!({})) }).to_string(),
    )
    .unwrap();
    let file = fixture(rule);
    let mut all = vec![
        "evaluate",
        "--template",
        &file,
        "--rules",
        rule,
        "--format",
        "json",
        "--at",
        "2026-11-28T00:00:00Z",
        "--no-suppressions",
        "--params-file",
        params_file.to_str().unwrap(),
    ];
    all.extend(args.iter().map(String::as_str));
    let out = cli(&all);
    std::fs::remove_file(&params_file).ok();
    let report: Value = match serde_json::from_slice(&out.stdout) {
        Ok(r) => r,
        Err(_) => panic!("{rule} {args:?}: {}", String::from_utf8_lossy(&out.stderr)),
    };
    assert_eq!(report["mode"], "template");
    if let Some(note) = report["results"][0]["skipped"].as_str() {
        assert_eq!(
            out.status.code(),
            Some(2),
            "a run whose only rule is skipped judged nothing"
        );
        return vec![("-".into(), "SKIPPED".into(), note.to_string())];
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "{rule}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    outcomes(&report)
}

#[test]
fn every_rule_judges_its_template_fixture_exactly() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for meta in config_rules::catalog::metas() {
        let (params, runs, text) = expected(meta.id);
        assert!(!runs.is_empty(), "{}: no == run in its expected file", meta.id);
        if update {
            // Keep the header, the params and the runs' arguments; rewrite the results.
            let mut out: String = text
                .lines()
                .take_while(|l| !l.starts_with("== run"))
                .map(|l| format!("{l}\n"))
                .collect();
            for run in &runs {
                out.push_str(&format!(
                    "== run{}\n",
                    run.args.iter().map(|a| format!(" {a}")).collect::<String>()
                ));
                for (a, b, c) in judge(meta.id, params.as_ref(), &run.args) {
                    out.push_str(&format!("{a}\t{b}\t{c}\n"));
                }
            }
            let path = workspace_root().join(format!("crates/rules/{}/template-fixture.expected", meta.id));
            std::fs::write(path, out).unwrap();
            continue;
        }
        for run in &runs {
            assert_eq!(
                judge(meta.id, params.as_ref(), &run.args),
                run.lines,
                "{} {:?}",
                meta.id,
                run.args
            );
        }
    }
}

#[test]
fn every_rule_fixture_has_each_kind_of_verdict_or_says_why_it_judges_no_template() {
    for meta in config_rules::catalog::metas() {
        let (_, runs, _) = expected(meta.id);
        let kinds: BTreeSet<&str> = runs
            .iter()
            .flat_map(|r| r.lines.iter().map(|(_, k, _)| k.as_str()))
            .collect();
        if kinds.contains("SKIPPED") {
            assert_eq!(kinds.len(), 1, "{}: a skipped rule judges nothing", meta.id);
            continue;
        }
        for kind in ["COMPLIANT", "NON_COMPLIANT", "UNKNOWN"] {
            assert!(kinds.contains(kind), "{}: the fixture has no {kind} resource", meta.id);
        }
    }
}

#[test]
fn malformed_templates_exit_2_with_one_line_naming_the_problem() {
    let dir = std::env::temp_dir().join(format!("config-rules-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("bad-yaml.yaml", "Resources:\n  A: [1\n", "bad-yaml.yaml:3:"),
        ("unknown-tag.yaml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Reff x\n", "unknown-tag.yaml:5: unknown tag !Reff"),
        ("not-a-map.yaml", "Resources:\n  - A\n", "not-a-map.yaml:1: Resources must be a map"),
        ("no-resources.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n", "the template has no Resources section"),
        (
            "cycle.yaml",
            "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  X:\n    Type: AWS::S3::Bucket\n    Condition: A\n",
            "cycle.yaml:3: a cycle in Conditions: A -> B -> A",
        ),
        ("no-type.yaml", "Resources:\n  X:\n    Properties: {}\n", "no-type.yaml:2: the resource X has no Type"),
        ("bad-ref.yaml", "Resources:\n  X:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Ref Nope}\n", "bad-ref.yaml:4: Ref Nope: no parameter or resource"),
    ];
    for (name, text, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = cli(&["evaluate", "--template", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        assert!(err.contains(message), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    }
    let out = cli(&[
        "evaluate",
        "--template",
        &fixture("lambda-timeout-within-limit"),
        "--template-parameters",
        "ImportedTimeot=3",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean ImportedTimeout?"));
    std::fs::remove_dir_all(&dir).ok();
}

/// The project's own template: every rule passes, or is exempted by the documented tag for a
/// reason stated in `SELF_EXEMPTIONS`, or cannot judge a template, saying why.
#[test]
fn the_projects_own_template_passes_every_rule_it_is_not_exempted_from() {
    let out = cli(&[
        "evaluate",
        "--template",
        "template.yaml",
        "--format",
        "json",
        "--all",
        "--no-suppressions",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let exempt: BTreeSet<&str> = config_rules::template::SELF_EXEMPTIONS
        .iter()
        .map(|(id, _)| *id)
        .chain(["lambda-timeout-within-limit"])
        .collect();
    let mut judged = 0;
    for r in report["results"].as_array().unwrap() {
        let rule = r["rule"].as_str().unwrap();
        assert!(r["unknown"].is_null(), "{rule}: {}", r["unknown"]);
        assert!(r["error"].is_null(), "{rule}: {}", r["error"]);
        if let Some(skipped) = r["skipped"].as_str() {
            let expected = [
                ("iam-access-keys-rotated", "exist only after deploy"),
                ("required-tags", "needs parameter tagKeys"),
                ("kms-key-rotation-enabled", "declares no AWS::KMS::Key"),
                ("cloudtrail-multi-region-enabled", "declares no AWS::CloudTrail::Trail"),
                (
                    "cloudtrail-lambda-data-events-logged",
                    "declares no AWS::CloudTrail::Trail",
                ),
            ];
            assert!(
                expected.iter().any(|(id, why)| *id == rule && skipped.contains(why)),
                "{rule}: {skipped}"
            );
            continue;
        }
        for e in r["evaluations"].as_array().unwrap() {
            judged += 1;
            let (kind, note) = (e["ComplianceType"].as_str().unwrap(), e["Annotation"].as_str().unwrap());
            match kind {
                "COMPLIANT" => {}
                // An exemption only for a stated reason; otherwise nothing to judge (no layers).
                "NOT_APPLICABLE" if note.starts_with("Exempted from") => assert!(
                    exempt.contains(rule) && note.starts_with(&format!("Exempted from {rule} by tag")),
                    "{rule}: {note}"
                ),
                "NOT_APPLICABLE" => {}
                _ => panic!("{rule}: {kind} {} {note}", e["ComplianceResourceId"]),
            }
        }
    }
    assert!(
        judged > 100,
        "the template's functions and roles were judged ({judged})"
    );
}

#[test]
fn sarif_and_github_point_at_the_templates_lines() {
    let file = fixture("lambda-timeout-within-limit");
    let out = cli(&[
        "evaluate",
        "--template",
        &file,
        "--rules",
        "lambda-timeout-within-limit",
        "--format",
        "sarif",
        "--at",
        "2026-11-28T00:00:00Z",
    ]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    assert!(run["tool"]["driver"]["rules"][0]["helpUri"]
        .as_str()
        .unwrap()
        .ends_with("/blob/main/docs/rules/lambda-timeout-within-limit.md"));
    let results = run["results"].as_array().unwrap();
    let failing = results.iter().find(|r| r["kind"] == "fail").unwrap();
    let physical = &failing["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        file.as_str(),
        "relative to the working directory"
    );
    assert_eq!(physical["region"]["startLine"], 33, "the Timeout line of Long");
    assert_eq!(
        failing["partialFingerprints"]["resource/v1"],
        format!("lambda-timeout-within-limit/{file}/Long/AWS::Lambda::Function")
    );
    let unknown = results.iter().find(|r| r["kind"] == "review").unwrap();
    assert_eq!(unknown["level"], "note");
    assert_eq!(unknown["locations"][0]["physicalLocation"]["region"]["startLine"], 47);
    // The same fingerprints on a second run.
    let again: Value = serde_json::from_slice(
        &cli(&[
            "evaluate",
            "--template",
            &file,
            "--rules",
            "lambda-timeout-within-limit",
            "--format",
            "sarif",
            "--at",
            "2026-11-28T00:00:00Z",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(again["runs"][0]["results"], run["results"]);

    let out = cli(&[
        "evaluate",
        "--template",
        &file,
        "--rules",
        "lambda-timeout-within-limit",
        "--format",
        "github",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        format!(
            "::notice file={file},line=33,title=lambda-timeout-within-limit (AWS%3A%3ALambda%3A%3AFunction Long)::Function Long has a timeout of 900 seconds, above the limit of 60 seconds.\n\
             ::notice file={file},line=47,title=lambda-timeout-within-limit (AWS%3A%3ALambda%3A%3AFunction Unresolved)::Not known before deploy: depends on parameter ImportedTimeout (no Default; give it with --template-parameters ImportedTimeout=...) (line 6)\n"
        )
    );
}

/// A JSON template is read like a YAML one, lines included; options of other modes are refused.
#[test]
fn json_templates_and_refused_options() {
    let dir = std::env::temp_dir().join(format!("config-rules-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stack.json");
    std::fs::write(
        &path,
        r#"{
  "Parameters": {"Limit": {"Type": "Number", "Default": "900"}},
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "FunctionName": {"Fn::Sub": "${AWS::StackName}-fn"},
        "Role": "arn:aws:iam::123456789012:role/app",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Code": {"ZipFile": "x"},
        "Timeout": {"Ref": "Limit"}
      }
    }
  }
}
"#,
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let out = cli(&[
        "evaluate",
        "--template",
        file,
        "--rules",
        "lambda-timeout-within-limit",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        outcomes(&report),
        vec![(
            "Fn".to_string(),
            "NON_COMPLIANT".to_string(),
            "Function stack-fn has a timeout of 900 seconds, above the limit of 60 seconds.".to_string()
        )]
    );
    assert_eq!(report["template"]["locations"][0]["line"], 12, "the Timeout line");
    for (option, value) in [
        ("--live", None),
        ("--rule", Some("lambda-timeout-within-limit")),
        ("--params", Some("{}")),
    ] {
        let mut args = vec!["evaluate", "--template", file, option];
        args.extend(value);
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(2), "{option}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!("{option} does not apply to evaluate --template"))
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
