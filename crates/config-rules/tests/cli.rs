//! The real `config-rules` binary, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use e2e_tests::workspace_root;
use serde_json::{json, Value};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(args)
        .current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// `config-rules scan --source api --format json` with `args` against the emulator.
fn scan_api(emu: &e2e_tests::emulator::Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(["scan", "--source", "api", "--format", "json"])
        .args(args)
        .current_dir(workspace_root())
        .envs(emu.aws_env())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Compares with `tests/expected/<name>`; `UPDATE_EXPECT=1` rewrites the file instead.
fn expect_file(name: &str, actual: &str) {
    // A JSON report's generatedAt is the time of the run unless --at is given: not part of
    // what the expected files pin.
    let normalized;
    let actual = match serde_json::from_str::<Value>(actual) {
        Ok(mut v) if v.get("generatedAt").is_some() => {
            v["generatedAt"] = json!("<generatedAt>");
            normalized = format!("{v:#}\n");
            normalized.as_str()
        }
        _ => actual,
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
    assert!(
        expected == actual,
        "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

#[test]
fn list_shows_every_rule_with_parameters() {
    let out = cli(&["list"]);
    assert!(out.status.success());
    expect_file("list.txt", &stdout(&out));
}

#[test]
fn explain_prints_the_rule_documentation() {
    let out = cli(&["explain", "lambda-timeout-within-limit"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        format!("Severity: low\n\n{}", lambda_timeout_within_limit::META.docs())
    );
    let out = cli(&["explain", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).starts_with("config-rules: unknown rule \"no-such-rule\""),
        "{}",
        stderr(&out)
    );
}

/// Every sample event gives exactly the evaluations the Lambda would post
/// (`events/<rule>/expected/<name>.json`, shared with the end-to-end loop), judged against the
/// samples' account in the emulator (`e2e_tests::samples::prepare`).
#[test]
fn evaluate_every_sample_event() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    e2e_tests::samples::prepare(&emu);
    for sample in e2e_tests::samples::samples(None) {
        let (rule, name) = (&sample.rule, &sample.name);
        let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
            .args([
                "evaluate",
                "--rule",
                rule,
                "--event",
                sample.path.to_str().unwrap(),
                "--format",
                "evaluations",
            ])
            .current_dir(workspace_root())
            .env("NO_COLOR", "1")
            .envs(emu.aws_env())
            .output()
            .unwrap();
        assert!(out.status.success(), "{rule}/{name}: {}", stderr(&out));
        let parsed: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{rule}/{name}: stdout is not JSON: {e}"));
        assert!(parsed.is_array());
        let path = sample.expected_path();
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, stdout(&out)).unwrap();
            continue;
        }
        assert_eq!(
            parsed,
            json!(sample.expected()),
            "{rule}/{name} differs from {}",
            path.display()
        );
    }
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_problem() {
    let dir = std::env::temp_dir().join(format!("config-rules-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let event = |p: &Path| p.to_str().unwrap().to_string();
    let good = workspace_root().join("events/lambda-timeout-within-limit/non_compliant.json");
    let truncated = write("truncated.json", "{\"invokingEvent\": \"{");
    let unknown = write(
        "unknown.json",
        &json!({"invokingEvent": "{\"messageType\":\"Nope\"}", "resultToken": "t"}).to_string(),
    );
    let ids: Vec<&str> = config_rules::catalog::metas().iter().map(|m| m.id).collect();
    let unknown_rule_message = format!(
        "config-rules: unknown rule \"no-such-rule\" (rules: {})\n",
        ids.join(", ")
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--rule".into(), "lambda-timeout-within-limit".into(), "--event".into(), event(&truncated)],
         "config-rules: event "),
        (vec!["--rule".into(), "lambda-timeout-within-limit".into(), "--event".into(), event(&unknown)],
         "config-rules: malformed event: invokingEvent.messageType: unknown message type \"Nope\"\n"),
        (vec!["--rule".into(), "no-such-rule".into(), "--event".into(), event(&good)],
         &unknown_rule_message),
        (vec!["--rule".into(), "lambda-timeout-within-limit".into(), "--event".into(), event(&good), "--params".into(), "{\"maxTimeoutSeconds\": \"0\"}".into()],
         "config-rules: invalid rule parameter maxTimeoutSeconds: 0 is out of range (expected an integer from 1 to 900)\n"),
        (vec!["--rule".into(), "lambda-timeout-within-limit".into(), "--event".into(), event(&good), "--params".into(), "{\"timeout\": \"5\"}".into()],
         "config-rules: invalid rule parameter timeout: unknown parameter (expected one of maxTimeoutSeconds)\n"),
    ];
    for (args, message) in cases {
        let mut full = vec!["evaluate"];
        full.extend(args.iter().map(String::as_str));
        let out = cli(&full);
        assert_eq!(out.status.code(), Some(2), "{full:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{full:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with(message), "{err:?} does not start with {message:?}");
    }
}

#[test]
fn items_from_a_snapshot() {
    let snapshot = fixture("snapshot.json");
    let out = cli(&["evaluate", "--items", snapshot.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    expect_file("snapshot.json", &stdout(&out));
    expect_file("snapshot.summary.txt", &stderr(&out));
    let out = cli(&[
        "evaluate",
        "--items",
        snapshot.to_str().unwrap(),
        "--fail-on",
        "non-compliant",
    ]);
    assert_eq!(out.status.code(), Some(1));
    expect_file("snapshot.txt", &stdout(&out));
    let out = cli(&[
        "evaluate",
        "--items",
        snapshot.to_str().unwrap(),
        "--rules",
        "lambda-timeout-within-limit",
        "--params-file",
        fixture("params.json").to_str().unwrap(),
        "--fail-on",
        "non-compliant",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["compliant"], 2);
    // Without its required parameter required-tags is skipped with a note; with it, it judges
    // every item, whatever its type.
    let skipped = cli(&[
        "evaluate",
        "--items",
        snapshot.to_str().unwrap(),
        "--rules",
        "required-tags",
        "--format",
        "json",
    ]);
    let skipped: Value = serde_json::from_slice(&skipped.stdout).unwrap();
    assert_eq!(
        skipped["results"][0]["skipped"],
        "needs parameter tagKeys (give it with --params-file)"
    );
    let out = cli(&[
        "evaluate",
        "--items",
        snapshot.to_str().unwrap(),
        "--rules",
        "required-tags",
        "--params-file",
        fixture("params.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let judged: Vec<(&str, &str)> = report["results"][0]["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ComplianceResourceId"].as_str().unwrap(),
                e["Annotation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        judged,
        vec![
            ("thumbnailer", "Missing tag owner."),
            ("resizer", "Missing tag owner."),
            ("AIDAEXAMPLECI", "Missing tag owner."),
            ("assets", "Missing tag owner.")
        ]
    );
}

#[test]
fn sarif_has_the_required_structure() {
    let snapshot = fixture("snapshot.json");
    let out = cli(&["evaluate", "--items", snapshot.to_str().unwrap(), "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "config-rules");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), config_rules::catalog::metas().len());
    for r in rules {
        assert!(r["id"].is_string() && r["shortDescription"]["text"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    let json_out = cli(&["evaluate", "--items", snapshot.to_str().unwrap(), "--format", "json"]);
    let report: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(Some(results.len() as u64), report["summary"]["nonCompliant"].as_u64());
    for r in results {
        // Required by SARIF 2.1.0: message.text; ruleId/ruleIndex must agree with the driver's rules.
        assert!(r["message"]["text"].is_string());
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        // The level follows the rule's severity, which code scanning also reads from
        // `security-severity` (critical/high: error, medium: warning, low: note).
        let meta = config_rules::catalog::meta(r["ruleId"].as_str().unwrap()).unwrap();
        assert_eq!(r["level"], meta.severity.sarif_level());
        assert_eq!(
            rules[index]["properties"]["security-severity"],
            meta.severity.security_severity()
        );
        assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
    }
    let levels: BTreeSet<&str> = results.iter().map(|r| r["level"].as_str().unwrap()).collect();
    assert!(levels.len() > 1, "findings of several severities: {levels:?}");
    // Locations carry the resource's name where the item has one (IAM ids say little).
    assert!(results
        .iter()
        .any(|r| r["locations"][0]["logicalLocations"][0]["name"] == "ci-deployer"
            && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "AWS::IAM::User/AIDAEXAMPLECI"));
}

#[test]
fn junit_parses_back() {
    let snapshot = fixture("snapshot.json");
    let out = cli(&["evaluate", "--items", snapshot.to_str().unwrap(), "--format", "junit"]);
    let text = stdout(&out);
    let json_out = cli(&["evaluate", "--items", snapshot.to_str().unwrap(), "--format", "json"]);
    let report: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    let summary = &report["summary"];
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let skipped = summary["notApplicable"].as_u64().unwrap() + summary["skipped"].as_u64().unwrap();
    assert_eq!(
        root.attribute("failures"),
        Some(summary["nonCompliant"].to_string().as_str())
    );
    let skipped_cases = doc.descendants().filter(|n| n.has_tag_name("skipped")).count() as u64;
    assert_eq!(skipped_cases, skipped);
    // quick-junit reads its own output back.
    let parsed = quick_junit::Report::deserialize_from_str(&text).unwrap();
    assert_eq!(parsed.test_suites.len(), config_rules::catalog::metas().len());
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(
        suites.iter().map(|s| s.attribute("name").unwrap()).collect::<Vec<_>>(),
        config_rules::catalog::metas().iter().map(|m| m.id).collect::<Vec<_>>()
    );
    let failures: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.attribute("message").unwrap().to_string())
        .collect();
    // The same failures, in the same order, as the JSON report's NON_COMPLIANT evaluations.
    let expected: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["evaluations"].as_array().unwrap().iter())
        .filter(|e| e["ComplianceType"] == "NON_COMPLIANT")
        .map(|e| e["Annotation"].as_str().unwrap().to_string())
        .collect();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(failures.clone()), sorted(expected));
    assert!(failures.contains(&"attached managed policy AdministratorAccess grants all actions.".to_string()));
}

#[test]
fn output_file_and_summary_on_stderr() {
    let path = std::env::temp_dir().join(format!("config-rules-report-{}.json", std::process::id()));
    let out = cli(&[
        "evaluate",
        "--items",
        fixture("snapshot.json").to_str().unwrap(),
        "--format",
        "json",
        "--at",
        "2026-11-28T00:00:00Z",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let printed = cli(&[
        "evaluate",
        "--items",
        fixture("snapshot.json").to_str().unwrap(),
        "--format",
        "json",
        "--at",
        "2026-11-28T00:00:00Z",
    ]);
    assert_eq!(written, serde_json::from_slice::<Value>(&printed.stdout).unwrap());
    assert_eq!(
        stderr(&out),
        stderr(&printed),
        "the summary line goes to stderr either way"
    );
}

/// `scan --source api` over the demo account, seeded by demo/seed.py into a fresh emulator.
#[test]
fn scan_the_seeded_demo_account() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    emu.seed_demo();
    let scan = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_config-rules"))
            .args(args)
            .envs(emu.aws_env())
            .output()
            .unwrap()
    };
    let out = scan(&["scan", "--source", "api", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // IAM ids are made up by the emulator: keep their type, drop the value.
    for result in report["results"].as_array_mut().unwrap() {
        let evaluations = result["evaluations"].as_array_mut().unwrap();
        for e in evaluations.iter_mut() {
            e["OrderingTimestamp"] = json!("<now>");
            // KMS key ids are made up by the emulator too.
            let annotation = e["Annotation"].as_str().unwrap().to_string();
            if let Some(at) = annotation.find(":key/") {
                // The key id runs to the next space or the final full stop.
                let rest = &annotation[at + ":key/".len()..];
                let end = rest.find(' ').unwrap_or(rest.len().saturating_sub(1));
                e["Annotation"] = json!(format!("{}:key/<key id>{}", &annotation[..at], &rest[end..]));
            }
            // A secret's ARN ends with six random characters Secrets Manager adds.
            let id = e["ComplianceResourceId"].as_str().unwrap().to_string();
            if id.starts_with("arn:aws:secretsmanager:") && id.len() > 7 && id.as_bytes()[id.len() - 7] == b'-' {
                e["ComplianceResourceId"] = json!(format!("{}-<random>", &id[..id.len() - 7]));
            }
            // API ids and web ACL ids are made up by the emulator as well.
            let t = e["ComplianceResourceType"].as_str().unwrap().to_string();
            // Reported under Config's id for APIs: the ARN.
            if t == "AWS::ApiGateway::RestApi" || t == "AWS::ApiGatewayV2::Api" {
                let id = e["ComplianceResourceId"].as_str().unwrap().to_string();
                let (prefix, _) = id.rsplit_once('/').unwrap();
                assert!(
                    prefix == "arn:aws:apigateway:us-east-1::/restapis"
                        || prefix == "arn:aws:apigateway:us-east-1::/apis",
                    "{id}"
                );
                e["ComplianceResourceId"] = json!(format!("{prefix}/<api>"));
            }
            if t == "AWS::ApiGatewayV2::Stage" {
                let id = e["ComplianceResourceId"].as_str().unwrap().to_string();
                let stage = id.rsplit('/').next().unwrap().to_string();
                e["ComplianceResourceId"] = json!(format!("arn:aws:apigateway:us-east-1::/apis/<api>/stages/{stage}"));
            }
            let annotation = e["Annotation"].as_str().unwrap().to_string();
            if let Some(at) = annotation.find("/webacl/demo-api-protection/") {
                e["Annotation"] = json!(format!("{}/webacl/demo-api-protection/<id>.", &annotation[..at]));
            }
            if e["ComplianceResourceType"] == "AWS::KMS::Key" {
                let id = e["ComplianceResourceId"].as_str().unwrap().to_string();
                e["Annotation"] = json!(e["Annotation"].as_str().unwrap().replace(&id, "<key id>"));
                e["ComplianceResourceId"] = json!("<key id>");
            }
            if e["ComplianceResourceType"].as_str().unwrap().starts_with("AWS::IAM::") {
                e["ComplianceResourceId"] = json!("<iam id>");
            }
            if e["ComplianceResourceType"] == "AWS::ApiGateway::Stage" {
                let id = e["ComplianceResourceId"].as_str().unwrap();
                let stage = id.rsplit('/').next().unwrap().to_string();
                assert!(id.starts_with("arn:aws:apigateway:us-east-1::/restapis/"), "{id}");
                e["ComplianceResourceId"] =
                    json!(format!("arn:aws:apigateway:us-east-1::/restapis/<api>/stages/{stage}"));
            }
        }
        evaluations.sort_by_key(|e| e.to_string());
    }
    expect_file("scan-demo.json", &format!("{report:#}\n"));
    // The header's time is the run's (no --at here, as the demo has none).
    let summary: String = stderr(&out)
        .lines()
        .map(|l| match l.find(" at 20") {
            Some(i) if l.starts_with("Scanned") => format!("{} at <now>.\n", &l[..i]),
            _ => format!("{l}\n"),
        })
        .collect();
    expect_file("scan-demo.summary.txt", &summary);
    let out = scan(&[
        "scan",
        "--source",
        "api",
        "--rules",
        "lambda-timeout-within-limit",
        "--fail-on",
        "non-compliant",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let table = stdout(&out);
    assert!(
        table.contains("NON_COMPLIANT  AWS::Lambda::Function nightly-report\n"),
        "{table}"
    );
}

/// Items in the shapes AWS documents and publishes (tests/fixtures/aws-items: AWS's sample
/// items from aws-config-rdk, the Config resource schema's types, notification and API shapes,
/// an old item re-evaluated later), judged offline as of a fixed date: exactly the expected
/// results, and none that AWS's own semantics would not give.
#[test]
fn real_shaped_items_get_the_verdicts_aws_semantics_give() {
    let items = workspace_root().join("tests/fixtures/aws-items");
    let params = fixture("aws-items-params.json");
    let out = cli(&[
        "evaluate",
        "--items",
        items.to_str().unwrap(),
        "--at",
        "2026-11-28T00:00:00Z",
        "--params-file",
        params.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for e in report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["evaluations"].as_array().unwrap())
    {
        let a = e["Annotation"].as_str().unwrap();
        for wrong in ["no longer exists", "not readable", "cannot be checked", "unreadable"] {
            assert!(!a.contains(wrong), "{}: {a}", e["ComplianceResourceId"]);
        }
    }
    expect_file("aws-items.json", &stdout(&out));
    // --at decides the date: before python3.9's deprecation the same old item is supported.
    let out = cli(&[
        "evaluate",
        "--items",
        items.join("lambda-functions.json").to_str().unwrap(),
        "--rules",
        "lambda-supported-runtime",
        "--at",
        "2025-06-01T00:00:00Z",
        "--all",
    ]);
    assert!(
        stdout(&out).contains("Function nightly-report uses runtime python3.9, supported until 2025-12-15."),
        "{}",
        stdout(&out)
    );
}

/// The items of tests/fixtures/aws-items, without the files' `_source` notes.
fn aws_items() -> Vec<Value> {
    let dir = workspace_root().join("tests/fixtures/aws-items");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .flat_map(|p| {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            doc["configurationItems"].as_array().unwrap().clone()
        })
        .collect()
}

/// `scan --source config` (the default) against Config's inventory in the emulator: the items
/// come back through ListDiscoveredResources and BatchGetResourceConfig with epoch times, as
/// from AWS, and the report names the account and region it covered. Without a recorder the
/// scan says so instead of reporting "no resources in scope".
#[test]
fn scan_source_config_reads_configs_inventory_and_says_what_it_covered() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_config-rules"))
            .args(args)
            .current_dir(workspace_root())
            .env("NO_COLOR", "1")
            .envs(emu.aws_env())
            .output()
            .unwrap()
    };
    emu.load_config_items(json!(aws_items()));
    let rules =
        "lambda-timeout-within-limit,iam-no-wildcard-permissions,api-gw-cache-encrypted,s3-bucket-encryption-enabled";
    // No configuration recorder yet: the scan warns.
    let out = run(&["scan", "--rules", rules, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: AWS Config has no configuration recorder in this region"),
        "{}",
        stderr(&out)
    );
    // A recorder that records only Lambda functions: the other types are named.
    emu.config_call(
        "PutConfigurationRecorder",
        json!({"ConfigurationRecorder": {"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": false, "includeGlobalResourceTypes": false,
                               "resourceTypes": ["AWS::Lambda::Function"]}}}),
    );
    let out = run(&[
        "scan",
        "--rules",
        "lambda-timeout-within-limit,s3-bucket-encryption-enabled",
    ]);
    assert!(
        stdout(&out).contains("warning: AWS Config does not record AWS::S3::Bucket in this region"),
        "{}",
        stdout(&out)
    );
    // Everything recorded: no warning, the verdicts of the real-shaped items.
    emu.config_call(
        "PutConfigurationRecorder",
        json!({"ConfigurationRecorder": {"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true}}}),
    );
    let out = run(&[
        "scan",
        "--rules",
        rules,
        "--at",
        "2026-11-28T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "Scanned account 123456789012 in region us-east-1 (items from config) as arn:aws:sts::123456789012:user/moto at 2026-11-28T00:00:00Z.\n"
        ),
        "{}",
        stderr(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["coverage"]["account"], "123456789012");
    assert_eq!(report["coverage"]["identity"], "arn:aws:sts::123456789012:user/moto");
    let got: Vec<(String, String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let rule = r["rule"].as_str().unwrap().to_string();
            r["evaluations"].as_array().unwrap().iter().map(move |e| {
                (
                    rule.clone(),
                    e["ComplianceResourceId"].as_str().unwrap().to_string(),
                    e["ComplianceType"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    let want = |rule: &str, id: &str, c: &str| (rule.to_string(), id.to_string(), c.to_string());
    assert_eq!(
        got,
        vec![
            want("lambda-timeout-within-limit", "nightly-report", "NON_COMPLIANT"),
            want("lambda-timeout-within-limit", "orders-api", "COMPLIANT"),
            want("iam-no-wildcard-permissions", "AGPAJNIBGFRSRIKL7VAD6", "COMPLIANT"),
            want("iam-no-wildcard-permissions", "ANPAIJWML3NX3NT6UAGO4", "COMPLIANT"),
            want("iam-no-wildcard-permissions", "ANPAJ2UCCR6DPCEXAMPLE", "NON_COMPLIANT"),
            want("iam-no-wildcard-permissions", "AROAIY7FPU7KRV7IZBNPC", "COMPLIANT"),
            want("iam-no-wildcard-permissions", "AIDAILEDWOGIPJFAKOJKW", "NON_COMPLIANT"),
            want(
                "api-gw-cache-encrypted",
                "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod",
                "NON_COMPLIANT"
            ),
            want(
                "s3-bucket-encryption-enabled",
                "mborch-test-bucket-config-item",
                "COMPLIANT"
            ),
        ]
    );
}

/// Lambda's request rate quotas (15 a second for GetPolicy, 15 shared by most control-plane
/// calls: Lambda developer guide, "Lambda quotas") throttle a scan that calls per function.
/// The scan judges every function at about the quota's pace: with the SDK's standard retries
/// (whose token bucket throttled retries drain) it failed within two seconds.
#[test]
fn scan_under_lambdas_request_quotas_judges_every_function() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    let role = emu.create_role("quota-role");
    let names: Vec<String> = (0..50).map(|i| format!("fn-{i:02}")).collect();
    for name in &names {
        emu.create_function(name, &role, "python3.12", json!({}));
    }
    emu.inject(json!({"operations": ["GetPolicy"], "kind": "quota", "ratePerSecond": 15}));
    emu.inject(
        json!({"operations": ["GetFunctionConcurrency", "GetFunctionUrlConfig"], "kind": "quota",
                      "ratePerSecond": 15}),
    );
    let rules = [
        "lambda-no-public-access",
        "lambda-concurrency-limited",
        "lambda-url-cors-restricted",
    ];
    let out = scan_api(&emu, &["--no-suppressions", "--rules", &rules.join(",")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["coverage"]["notEvaluated"], json!([]));
    for rule in rules {
        let result = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} in {report}"));
        let judged: BTreeSet<&str> = result["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["ComplianceResourceId"].as_str().unwrap())
            .collect();
        assert_eq!(judged.len(), names.len(), "{rule}: {result}");
    }
    let calls = emu.calls();
    for operation in ["GetPolicy", "GetFunctionConcurrency", "GetFunctionUrlConfig"] {
        let throttled = calls
            .iter()
            .filter(|c| c["operation"] == operation && c["status"] == 400)
            .count();
        assert!(
            throttled > 0,
            "the quota never throttled {operation}: the test would prove nothing"
        );
    }
}

/// As for buckets (below), for the collectors of the newer types (one helper,
/// `scan::per_resource`): a table DynamoDB refuses to describe is listed with the reason, the
/// other judged.
#[test]
fn scan_reports_an_unreadable_table_as_not_evaluated() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    emu.create_table("a-locked-table");
    emu.create_table("b-open-table");
    emu.inject(json!({"operation": "DescribeTable", "kind": "access-denied", "count": 1}));
    let out = scan_api(&emu, &["--rules", "dynamodb-table-protected"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["results"][0]["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ComplianceResourceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["b-open-table"]);
    let not_evaluated = &report["coverage"]["notEvaluated"];
    assert_eq!(not_evaluated[0]["resourceId"], "a-locked-table", "{not_evaluated}");
    assert!(
        not_evaluated[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("AWS API call DescribeTable failed: AccessDenied"),
        "{not_evaluated}"
    );
}

/// A bucket whose encryption cannot be read (AccessDenied) is reported as not evaluated, with
/// the reason, and never as unencrypted; the other bucket is judged as usual.
#[test]
fn scan_reports_an_unreadable_bucket_as_not_evaluated() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    emu.create_bucket("a-locked-bucket");
    emu.create_bucket("b-open-bucket");
    emu.inject(json!({"operation": "GetBucketEncryption", "kind": "access-denied", "count": 1}));
    let out = scan_api(&emu, &["--rules", "s3-bucket-encryption-enabled"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["results"][0]["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ComplianceResourceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["b-open-bucket"]);
    assert_eq!(
        report["coverage"]["notEvaluated"],
        json!([{"resourceType": "AWS::S3::Bucket", "resourceId": "a-locked-bucket",
                "reason": "AWS API call GetBucketEncryption failed: AccessDenied: Access Denied (injected by the emulator)"}])
    );
    assert!(
        stderr(&out).contains(
            "not evaluated: AWS::S3::Bucket a-locked-bucket: AWS API call GetBucketEncryption failed: AccessDenied"
        ),
        "{}",
        stderr(&out)
    );
}

/// An endpoint that accepts the connection and never answers: the CLI gives up after
/// `--timeout` seconds with exit 3 and one line naming the call, instead of hanging.
#[test]
fn an_endpoint_that_never_answers_times_out() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    emu.inject(json!({"operation": "GetCallerIdentity", "kind": "hang", "seconds": 60, "count": -1}));
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(["scan", "--source", "api", "--timeout", "2"])
        .current_dir(workspace_root())
        .envs(emu.aws_env())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "config-rules: AWS API call GetCallerIdentity failed: timed out\n"
    );
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

/// Errors from --items name the item, not an event, and quote no configuration value.
#[test]
fn malformed_items_are_named_as_items_without_their_values() {
    let dir = std::env::temp_dir().join(format!("config-rules-items-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("items.json");
    std::fs::write(
        &path,
        json!([{"resourceType": "AWS::Lambda::Function", "resourceId": "f", "tags": "hunter2-secret"}]).to_string(),
    )
    .unwrap();
    let out = cli(&["evaluate", "--items", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("config-rules: malformed item: {}[0]: ", path.display())),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

/// A reader that stops early (`| head`) ends the program quietly with exit 0, as a Unix filter
/// does, instead of "stdout: Broken pipe" and exit 2. The SARIF report of the fixtures is about
/// 100 KB, more than a pipe holds, so the writer does meet the closed pipe.
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    let items = workspace_root().join("tests/fixtures/aws-items");
    let script = format!(
        "'{}' evaluate --items '{}' --format sarif | head -c 1 > /dev/null; echo \"${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_config-rules"),
        items.display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert_eq!(
        stdout(&out).trim(),
        "0",
        "exit status of config-rules; stderr: {}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
}

/// A mistyped rule id gets the nearest one suggested; a far-off one only the list.
#[test]
fn unknown_rule_ids_suggest_the_nearest() {
    let out = cli(&["explain", "lambda-timeout-within-limt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "config-rules: unknown rule \"lambda-timeout-within-limt\": did you mean lambda-timeout-within-limit? (rules: "
        ),
        "{}",
        stderr(&out)
    );
    let out = cli(&["explain", "no-such-rule"]);
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
}

/// Options of the other input mode are refused with one line, never silently ignored.
#[test]
fn options_of_the_other_mode_are_refused() {
    let items = workspace_root().join("tests/fixtures/aws-items");
    let items = items.to_str().unwrap();
    let event = "events/lambda-timeout-within-limit/compliant.json";
    let cases: Vec<(Vec<&str>, &str)> =
        vec![
        (
            vec!["evaluate", "--rule", "lambda-timeout-within-limit", "--items", items],
            "config-rules: --rule does not apply to evaluate --items; choose rules with --rules a,b\n",
        ),
        (
            vec!["evaluate", "--items", items, "--params", "{}"],
            "config-rules: --params does not apply to evaluate --items; give parameters per rule with --params-file\n",
        ),
        (
            vec!["evaluate", "--rule", "lambda-timeout-within-limit", "--event", event, "--rules", "required-tags"],
            "config-rules: --rules does not apply to evaluate --event; name the rule with --rule\n",
        ),
    ];
    for (args, message) in cases {
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// A run in which every selected rule was skipped judged nothing: exit 2 with the reasons,
/// not a silent 0 that a pipeline would read as a pass.
#[test]
fn a_run_where_every_rule_was_skipped_is_not_a_pass() {
    let items = workspace_root().join("tests/fixtures/aws-items");
    let out = cli(&[
        "evaluate",
        "--items",
        items.to_str().unwrap(),
        "--rules",
        "lambda-no-public-access,kms-key-rotation-enabled",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("config-rules: lambda-no-public-access skipped: calls AWS for each item (lambda:GetFunctionUrlConfig): run with --live (or use scan)\n"),
        "{err}"
    );
    assert!(
        err.ends_with("config-rules: every selected rule was skipped; nothing was evaluated\n"),
        "{err}"
    );
    // One rule that runs is enough for a normal exit.
    let out = cli(&[
        "evaluate",
        "--items",
        items.to_str().unwrap(),
        "--rules",
        "lambda-no-public-access,lambda-timeout-within-limit",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `--fail-on` gates on the worst finding's severity; `--min-severity` leaves lower rules out of
/// the report (and so out of the gate).
#[test]
fn severities_gate_and_filter() {
    let snapshot = fixture("snapshot.json");
    let items = snapshot.to_str().unwrap();
    let report: Value =
        serde_json::from_slice(&cli(&["evaluate", "--items", items, "--format", "json"]).stdout).unwrap();
    let worst = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["evaluations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["ComplianceType"] == "NON_COMPLIANT")
        })
        .map(|r| config_rules_core::Severity::parse(r["severity"].as_str().unwrap()).unwrap())
        .max()
        .unwrap();
    for level in ["low", "medium", "high", "critical"] {
        let threshold = config_rules_core::Severity::parse(level).unwrap();
        let out = cli(&["evaluate", "--items", items, "--fail-on", level, "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(i32::from(worst >= threshold)),
            "--fail-on {level} (worst {worst:?})"
        );
    }
    assert_eq!(
        cli(&["evaluate", "--items", items, "--fail-on", "any"]).status.code(),
        Some(1)
    );
    assert_eq!(
        cli(&["evaluate", "--items", items, "--fail-on", "non-compliant"])
            .status
            .code(),
        Some(1)
    );

    let out = cli(&[
        "evaluate",
        "--items",
        items,
        "--min-severity",
        "high",
        "--format",
        "json",
    ]);
    let filtered: Value = serde_json::from_slice(&out.stdout).unwrap();
    let severities: BTreeSet<&str> = filtered["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, BTreeSet::from(["critical", "high"]));
    let list = stdout(&cli(&["list"]));
    let meta = config_rules::catalog::meta("lambda-no-public-access").unwrap();
    assert!(
        list.contains(&format!(
            "lambda-no-public-access\n  {}\n  severity:       critical\n",
            meta.summary
        )),
        "{list}"
    );
}

/// A suppressions file found upward from the working directory accepts findings without
/// touching the resource: reported as suppressed in every format, out of `--fail-on`; expired
/// and unused entries are listed; a baseline accepts exactly today's findings.
#[test]
fn suppressions_and_baselines() {
    let dir = std::env::temp_dir().join(format!("config-rules-suppress-{}", std::process::id()));
    let nested = dir.join("service/infra");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(
        dir.join(".config-rules.yaml"),
        "suppressions:\n  - rule: lambda-timeout-within-limit\n    resource: thumb*\n    reason: video transcoding needs 5 minutes\n    expires: 2099-01-01\n  - rule: '*'\n    resource: resizer\n    reason: old exception\n    expires: 2020-01-01\n  - rule: required-tags\n    resource: nothing-like-this\n    reason: left over\n",
    )
    .unwrap();
    let snapshot = fixture("snapshot.json");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_config-rules"))
            .current_dir(&nested)
            .args([
                "evaluate",
                "--items",
                snapshot.to_str().unwrap(),
                "--rules",
                "lambda-timeout-within-limit",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--format", "json", "--fail-on", "any"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the only finding is accepted: {}",
        stderr(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["nonCompliant"], 0);
    assert_eq!(report["summary"]["suppressed"], 1);
    let suppressed = &report["results"][0]["suppressed"][0];
    assert_eq!(suppressed["ComplianceResourceId"], "thumbnailer");
    assert_eq!(suppressed["reason"], "video transcoding needs 5 minutes");
    assert_eq!(suppressed["expires"], "2099-01-01");
    let applied = &report["suppressions"];
    assert_eq!(applied["expired"][0]["resource"], "resizer");
    assert_eq!(applied["unused"][0]["resource"], "nothing-like-this");
    let err = stderr(&out);
    assert!(
        err.contains("expired on 2020-01-01, no longer suppresses: * resizer (old exception)"),
        "{err}"
    );
    assert!(
        err.contains("matched nothing: required-tags nothing-like-this (left over)"),
        "{err}"
    );

    let table = stdout(&run(&[]));
    assert!(table.contains("  SUPPRESSED     AWS::Lambda::Function thumbnailer\n      Function thumbnailer has a timeout of 300 seconds, above the limit of 60 seconds. (suppressed: video transcoding needs 5 minutes, until 2099-01-01)\n"), "{table}");
    assert!(table.contains(", 1 suppressed"), "{table}");

    let sarif: Value = serde_json::from_slice(&run(&["--format", "sarif"]).stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["suppressions"],
        json!([{"kind": "external", "status": "accepted", "justification": "video transcoding needs 5 minutes"}])
    );
    let junit = stdout(&run(&["--format", "junit"]));
    assert!(
        junit.contains("<skipped message=\"suppressed: video transcoding needs 5 minutes\"/>"),
        "{junit}"
    );

    // --no-suppressions: the finding counts again.
    assert_eq!(run(&["--no-suppressions", "--fail-on", "any"]).status.code(), Some(1));

    // A baseline of every rule's findings, then nothing fails until something new appears.
    let baseline = dir.join("baseline.yaml");
    let all = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_config-rules"))
            .current_dir(&dir)
            .args(["evaluate", "--items", snapshot.to_str().unwrap(), "--no-suppressions"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = all(&["--write-baseline", baseline.to_str().unwrap(), "--format", "json"]);
    let before: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = before["summary"]["nonCompliant"].as_u64().unwrap();
    assert!(findings > 3);
    assert!(
        stderr(&out).contains(&format!("wrote {findings} suppressions (reason \"baseline\")")),
        "{}",
        stderr(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args([
            "evaluate",
            "--items",
            snapshot.to_str().unwrap(),
            "--suppressions",
            baseline.to_str().unwrap(),
        ])
        .args(["--format", "json", "--fail-on", "any"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after["summary"]["nonCompliant"], 0);
    assert_eq!(after["summary"]["suppressed"], findings);

    // A bad file: exit 2, one line naming the entry and field.
    std::fs::write(
        dir.join("bad.yaml"),
        "suppressions:\n  - {rule: lambda-timeout-within-limit, resource: x}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(["evaluate", "--items", snapshot.to_str().unwrap(), "--suppressions"])
        .arg(dir.join("bad.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.yaml: suppressions[0]: missing field `reason`"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Colours: never on a pipe by default, `--color always` or `CLICOLOR_FORCE` force them,
/// `NO_COLOR` and `--color never` turn them off.
#[test]
fn colours_follow_the_flag_and_the_conventions() {
    let snapshot = fixture("snapshot.json");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_config-rules"));
        c.args(["evaluate", "--items", snapshot.to_str().unwrap(), "--no-suppressions"])
            .args(args);
        c.env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        stdout(&c.output().unwrap()).contains('\u{1b}')
    };
    assert!(!run(&[], &[]), "a pipe gets no colour");
    assert!(run(&["--color", "always"], &[]));
    assert!(run(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
}

/// On a terminal a scan shows its phases on standard error; piped, it prints only the summary;
/// `--quiet` prints nothing but errors.
#[test]
fn progress_on_a_terminal_summary_on_a_pipe_nothing_when_quiet() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    emu.seed_demo();
    let report = std::env::temp_dir().join(format!("config-rules-progress-{}.json", std::process::id()));
    let args = format!(
        "{} scan --source api --format json --output {}",
        env!("CARGO_BIN_EXE_config-rules"),
        report.display()
    );
    // `script` gives the program a terminal; what it drew comes back on our standard output.
    let out = Command::new("script")
        .args(["-qec", &args, "/dev/null"])
        .envs(emu.aws_env())
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&out.stdout);
    assert!(
        drawn.contains("caller identity") || drawn.contains("Lambda functions"),
        "{drawn}"
    );
    assert!(drawn.contains("rules run"), "the summary follows: {drawn}");

    let piped = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(["scan", "--source", "api", "--format", "json"])
        .envs(emu.aws_env())
        .output()
        .unwrap();
    let err = stderr(&piped);
    assert!(!err.contains('\u{1b}') && !err.contains("Lambda functions"), "{err}");
    assert_eq!(err.lines().count(), 2, "the header and the summary: {err}");

    let quiet = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(["scan", "--source", "api", "--format", "json", "--quiet"])
        .envs(emu.aws_env())
        .output()
        .unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stderr(&quiet), "");
    assert!(!quiet.stdout.is_empty());
    let _ = std::fs::remove_file(report);
}

/// Markdown and HTML carry the same findings as the JSON report.
#[test]
fn markdown_and_html_reports() {
    let snapshot = fixture("snapshot.json");
    let items = snapshot.to_str().unwrap();
    let report: Value =
        serde_json::from_slice(&cli(&["evaluate", "--items", items, "--format", "json"]).stdout).unwrap();
    let findings = report["summary"]["nonCompliant"].as_u64().unwrap();
    let md = stdout(&cli(&["evaluate", "--items", items, "--format", "markdown"]));
    assert!(md.starts_with("## config-rules\n"), "{md}");
    assert!(md.contains(&format!("### Findings ({findings})")), "{md}");
    let html = stdout(&cli(&["evaluate", "--items", items, "--format", "html"]));
    assert!(html.starts_with("<!doctype html>"));
    assert_eq!(html.matches("data-st=\"NON_COMPLIANT\"").count() as u64, findings);
    for section in ["By practice", "By rule", "Results"] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
}

/// `scan --source api` makes per function only the calls that fill what the selected rules
/// read: no `GetPolicy` unless a rule reads the resource policy, no `GetFunctionConcurrency`
/// unless one reads the reserved concurrency, no `GetBucketEncryption` unless one reads it.
#[test]
fn scan_fetches_only_what_the_selected_rules_read() {
    let emu = e2e_tests::emulator::Emulator::start_private();
    let role = emu.create_role("only-what-is-read");
    emu.create_function("reader", &role, "python3.12", json!({"Timeout": 30}));
    emu.create_bucket("only-what-is-read");
    let operations = |rules: &str| -> BTreeSet<String> {
        let before = emu.calls().len();
        let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
            .args(["scan", "--source", "api", "--rules", rules, "--format", "json"])
            .envs(emu.aws_env())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        emu.calls()[before..]
            .iter()
            .filter_map(|c| c["operation"].as_str().map(str::to_string))
            .collect()
    };
    let timeout = operations("lambda-timeout-within-limit,required-tags");
    for op in ["GetPolicy", "GetFunctionConcurrency", "GetBucketEncryption"] {
        assert!(!timeout.contains(op), "{op} for rules that do not read it: {timeout:?}");
    }
    let all = operations("lambda-no-public-access,lambda-concurrency-limited,s3-bucket-encryption-enabled");
    for op in ["GetPolicy", "GetFunctionConcurrency", "GetBucketEncryption"] {
        assert!(all.contains(op), "{op} missing for the rule that reads it: {all:?}");
    }
    // Code signing: a call per configuration for the whole region, not one per function.
    let signing = operations("lambda-code-signing-enabled");
    assert!(signing.contains("ListCodeSigningConfigs"), "{signing:?}");
    assert!(!signing.contains("GetFunctionCodeSigningConfig"), "{signing:?}");
    // The two function URL rules share one GetFunctionUrlConfig per function.
    let before = emu.calls().len();
    let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args([
            "scan",
            "--source",
            "api",
            "--rules",
            "lambda-no-public-access,lambda-url-cors-restricted",
            "--format",
            "json",
        ])
        .envs(emu.aws_env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let url_calls = emu.calls()[before..]
        .iter()
        .filter(|c| c["operation"] == "GetFunctionUrlConfig")
        .count();
    assert_eq!(url_calls, 1, "one function, one GetFunctionUrlConfig for both rules");
}
