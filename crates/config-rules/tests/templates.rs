//! `config-rules evaluate --template`, through the real binary: each rule on its template
//! fixture (`tests/templates/<rule>.yaml`: compliant, non-compliant and unresolvable resources)
//! with exact verdicts and annotations; malformed templates; the project's own template; SARIF
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

const DIR: &str = "crates/config-rules/tests/templates";

/// One run of a rule on its fixture: (logical id, verdict or UNKNOWN, annotation or reason).
struct Case {
    rule: &'static str,
    args: &'static [&'static str],
    expected: &'static [(&'static str, &'static str, &'static str)],
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
            out.push((
                logical(rule, t, id),
                e["ComplianceType"].as_str().unwrap().to_string(),
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

#[test]
fn every_rule_judges_its_template_fixture_exactly() {
    for case in CASES {
        let file = format!("{DIR}/{}.yaml", case.rule);
        let mut args = vec![
            "evaluate",
            "--template",
            &file,
            "--rules",
            case.rule,
            "--format",
            "json",
            "--at",
            "2026-11-28T00:00:00Z",
            "--params-file",
            "crates/config-rules/tests/templates/params.json",
            "--no-suppressions",
        ];
        args.extend_from_slice(case.args);
        let out = cli(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            case.rule,
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["mode"], "template");
        let got = outcomes(&report);
        let want: Vec<(String, String, String)> = case
            .expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, want, "{} {:?}", case.rule, case.args);
    }
}

#[test]
fn every_rule_has_a_template_fixture_with_each_kind_of_verdict() {
    let ids: BTreeSet<&str> = config_rules::catalog::metas().iter().map(|m| m.id).collect();
    let files: BTreeSet<String> = std::fs::read_dir(workspace_root().join(DIR))
        .unwrap()
        .filter_map(|e| {
            e.unwrap()
                .file_name()
                .to_str()?
                .strip_suffix(".yaml")
                .map(str::to_string)
        })
        .collect();
    let files: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    assert_eq!(files, ids, "one fixture per rule");
    // The rule that cannot judge templates says so; every other one has all three outcomes.
    let out = cli(&[
        "evaluate",
        "--template",
        &format!("{DIR}/iam-access-keys-rotated.yaml"),
        "--rules",
        "iam-access-keys-rotated",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a run whose only rule is skipped judged nothing"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("an access key's age and last use exist only after deploy"));
    for id in ids.iter().filter(|id| **id != "iam-access-keys-rotated") {
        let kinds: BTreeSet<&str> = CASES
            .iter()
            .filter(|c| c.rule == *id)
            .flat_map(|c| c.expected.iter().map(|(_, kind, _)| *kind))
            .collect();
        for kind in ["COMPLIANT", "NON_COMPLIANT", "UNKNOWN"] {
            assert!(kinds.contains(kind), "{id}: the fixture has no {kind} resource");
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
        &format!("{DIR}/lambda-timeout-within-limit.yaml"),
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
                "NOT_APPLICABLE" => assert!(
                    exempt.contains(rule) && note.starts_with(&format!("Exempted from {rule} by tag")),
                    "{rule}: {note}"
                ),
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
    let file = format!("{DIR}/lambda-timeout-within-limit.yaml");
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

/// Each rule's fixture and the exact results (verdicts and annotations as the deployed rule
/// would post them; UNKNOWN with the reason).
const CASES: &[Case] = &[
    Case {
        rule: "api-gw-authorization-required",
        args: &[],
        expected: &[
            ("Api", "NON_COMPLIANT", "API orders has unauthenticated endpoint: POST /orders."),
            ("FromFile", "UNKNOWN", "Not known before deploy: the methods of FromFile are defined in a file on S3 (BodyS3Location/DefinitionUri)"),
            ("SamApi", "COMPLIANT", "All 1 methods or routes of API SamApi require authorization, an API key, or are allowed exceptions."),
            ("Secured", "COMPLIANT", "All 1 methods or routes of API secured require authorization, an API key, or are allowed exceptions."),
        ],
    },
    Case {
        rule: "api-gw-cache-encrypted",
        args: &[],
        expected: &[
            ("Encrypted", "COMPLIANT", "Stage prod caches no response unencrypted."),
            ("NoCache", "NOT_APPLICABLE", "Stage dev has no cache cluster."),
            ("Plain", "NON_COMPLIANT", "Stage test caches responses unencrypted for all methods (*/*), GET /orders (no */* settings: API Gateway caches GET unencrypted by default)."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Encrypted (no Default; give it with --template-parameters Encrypted=...) (line 5)"),
        ],
    },
    Case {
        rule: "api-gw-logging-enabled",
        args: &[],
        expected: &[
            ("HttpLogged", "COMPLIANT", "Stage $default logs, with access logs to arn:aws:logs:us-east-1:123456789012:log-group:Logs:*."),
            ("Logged", "COMPLIANT", "Stage prod logs, with access logs to arn:aws:logs:us-east-1:123456789012:log-group:Logs:*."),
            ("Silent", "NON_COMPLIANT", "Stage test: execution logging is OFF, below ERROR; no access log destination."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter LogGroupArn (no Default; give it with --template-parameters LogGroupArn=...) (line 5)"),
        ],
    },
    Case {
        rule: "api-gw-throttling-configured",
        args: &[],
        expected: &[
            ("Open", "NON_COMPLIANT", "Stage prod: no stage-wide throttling (*/*)."),
            ("Throttled", "COMPLIANT", "Stage prod throttles within 1000 requests per second and a burst of 2000."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Rate (no Default; give it with --template-parameters Rate=...) (line 5)"),
        ],
    },
    Case {
        rule: "api-gw-waf-associated",
        args: &[],
        expected: &[
            ("Protected", "COMPLIANT", "Stage prod is protected by web ACL arn:aws:wafv2:us-east-1:123456789012:regional/webacl/Acl/Acl."),
            ("SharedAcl", "UNKNOWN", "Not known before deploy: depends on Fn::ImportValue shared-web-acl-arn (another stack's export) (line 34)"),
            ("Unprotected", "NON_COMPLIANT", "Stage test has no AWS WAF web ACL."),
        ],
    },
    Case {
        rule: "cloudtrail-multi-region-enabled",
        args: &[],
        expected: &[
            ("Trail", "UNKNOWN", "Not known before deploy: depends on parameter MultiRegion (no Default; give it with --template-parameters MultiRegion=...) (line 5)"),
        ],
    },
    Case {
        rule: "cloudtrail-multi-region-enabled",
        args: &["--template-parameters", "MultiRegion=true"],
        expected: &[
            ("Trail", "COMPLIANT", "Trail Trail is multi-region, logging, and records all management events."),
        ],
    },
    Case {
        rule: "cloudtrail-multi-region-enabled",
        args: &["--template-parameters", "MultiRegion=false"],
        expected: &[
            ("Trail", "NON_COMPLIANT", "No trail qualifies. Trail: not multi-region."),
        ],
    },
    Case {
        rule: "iam-no-wildcard-permissions",
        args: &[],
        expected: &[
            ("Attached", "NON_COMPLIANT", "inline policy everything statement #1 allows \"*\" (all actions)."),
            ("Managed", "NON_COMPLIANT", "policy Managed (version v1) statement #1 allows \"s3:*\" (a whole service)."),
            ("SamFunction", "COMPLIANT", "The policy document allows no wildcard actions."),
            ("Scoped", "COMPLIANT", "The policy document allows no wildcard actions."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Action (no Default; give it with --template-parameters Action=...) (line 5)"),
        ],
    },
    Case {
        rule: "kms-key-rotation-enabled",
        args: &[],
        expected: &[
            ("Asymmetric", "NOT_APPLICABLE", "Key Asymmetric is a RSA_2048 key: automatic rotation supports symmetric encryption keys only."),
            ("Rotating", "COMPLIANT", "Key Rotating rotates automatically every 365 days."),
            ("Static", "NON_COMPLIANT", "Key Static is customer managed and does not rotate automatically."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Rotate (no Default; give it with --template-parameters Rotate=...) (line 4)"),
        ],
    },
    Case {
        rule: "lambda-code-signing-enabled",
        args: &[],
        expected: &[
            ("OtherStack", "UNKNOWN", "Not known before deploy: depends on Fn::ImportValue signing-config (another stack's export) (line 25)"),
            ("Signed", "COMPLIANT", "Function Signed uses code signing configuration arn:aws:lambda:us-east-1:123456789012:code-signing-config:Enforcing."),
            ("Unsigned", "NON_COMPLIANT", "Function Unsigned has no code signing configuration: unsigned code can be deployed to it."),
            ("WarnOnly", "COMPLIANT", "Function WarnOnly uses code signing configuration arn:aws:lambda:us-east-1:123456789012:code-signing-config:Warning."),
        ],
    },
    Case {
        rule: "lambda-concurrency-limited",
        args: &[],
        expected: &[
            ("Limited", "COMPLIANT", "Function Limited has reserved concurrency 10."),
            ("Unlimited", "NON_COMPLIANT", "Function Unlimited has no reserved concurrency, so it can take the account's whole unreserved concurrency."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Reserved (no Default; give it with --template-parameters Reserved=...) (line 5)"),
        ],
    },
    Case {
        rule: "lambda-env-encrypted-with-cmk",
        args: &[],
        expected: &[
            ("ImportedKey", "UNKNOWN", "Not known before deploy: depends on Fn::ImportValue shared-key-arn (another stack's export) (line 38)"),
            ("NoVariables", "NOT_APPLICABLE", "Function NoVariables has no environment variables."),
            ("WithKey", "COMPLIANT", "Function WithKey encrypts its 1 environment variable with customer managed key arn:aws:kms:us-east-1:123456789012:key/Key."),
            ("WithoutKey", "NON_COMPLIANT", "Function WithoutKey has 1 environment variable encrypted only with the AWS managed key (no kmsKeyArn)."),
        ],
    },
    Case {
        rule: "lambda-execution-role-not-shared",
        args: &[],
        expected: &[
            ("First", "NON_COMPLIANT", "Function First shares its execution role SharedRole with 1 other function: Second."),
            ("OwnRole", "COMPLIANT", "Function OwnRole is the only function using role OwnRoleRole."),
            ("Second", "NON_COMPLIANT", "Function Second shares its execution role SharedRole with 1 other function: First."),
        ],
    },
    Case {
        rule: "lambda-execution-role-not-shared",
        args: &["--template-parameters", "Imported=yes"],
        expected: &[
            ("First", "NON_COMPLIANT", "Function First shares its execution role SharedRole with 1 other function: Second."),
            ("ImportedRole", "UNKNOWN", "Not known before deploy: depends on Fn::ImportValue shared-role-arn (another stack's export) (line 30)"),
            ("OwnRole", "UNKNOWN", "Not known before deploy: depends on Fn::ImportValue shared-role-arn (another stack's export) (line 30)"),
            ("Second", "NON_COMPLIANT", "Function Second shares its execution role SharedRole with 1 other function: First."),
        ],
    },
    Case {
        rule: "lambda-no-public-access",
        args: &[],
        expected: &[
            ("ApiBacked", "COMPLIANT", "Function ApiBacked can only be invoked by principals of known accounts or sources."),
            ("Everyone", "NON_COMPLIANT", "Function Everyone is public: statement EveryonePermission allows everyone (*)."),
            ("FromBucket", "COMPLIANT", "Function FromBucket can only be invoked by principals of known accounts or sources."),
            ("IamUrl", "COMPLIANT", "Function IamUrl can only be invoked by principals of known accounts or sources."),
            ("ImportedPrincipal", "UNKNOWN", "Not known before deploy: depends on Fn::ImportValue partner-account-id (another stack's export) (line 71)"),
            ("Private", "COMPLIANT", "Function Private can only be invoked by principals of known accounts or sources."),
            ("PublicUrl", "NON_COMPLIANT", "Function PublicUrl is public: statement PublicUrlUrlPublicPermissions allows everyone (*); its function URL has AuthType NONE."),
        ],
    },
    Case {
        rule: "lambda-supported-runtime",
        args: &[],
        expected: &[
            ("Current", "COMPLIANT", "Function Current uses runtime python3.12, supported until 2028-10-31."),
            ("Deprecated", "NON_COMPLIANT", "Function Deprecated uses runtime python3.7, deprecated by AWS on 2023-12-04."),
            ("Image", "NOT_APPLICABLE", "Function Image is a container image: its runtime is part of the image."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Runtime (no Default; give it with --template-parameters Runtime=...) (line 5)"),
        ],
    },
    Case {
        rule: "lambda-timeout-within-limit",
        args: &[],
        expected: &[
            ("DefaultTimeout", "COMPLIANT", "Function DefaultTimeout has a timeout of 3 seconds, within the limit of 60 seconds."),
            ("FromGlobals", "COMPLIANT", "Function FromGlobals has a timeout of 30 seconds, within the limit of 60 seconds."),
            ("Long", "NON_COMPLIANT", "Function Long has a timeout of 900 seconds, above the limit of 60 seconds."),
            ("Short", "COMPLIANT", "Function Short has a timeout of 30 seconds, within the limit of 60 seconds."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter ImportedTimeout (no Default; give it with --template-parameters ImportedTimeout=...) (line 6)"),
        ],
    },
    Case {
        rule: "required-tags",
        args: &[],
        expected: &[
            ("SamTagged", "COMPLIANT", "Has the required tags team."),
            ("SamTagged", "NON_COMPLIANT", "Missing tag team."),
            ("Tagged", "COMPLIANT", "Has the required tags team."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Owner (no Default; give it with --template-parameters Owner=...) (line 5)"),
            ("Untagged", "NON_COMPLIANT", "Missing tag team."),
        ],
    },
    Case {
        rule: "s3-bucket-encryption-enabled",
        args: &[],
        expected: &[
            ("Default", "NON_COMPLIANT", "Bucket default encrypts with AES256 (SSE-S3), not SSE-KMS."),
            ("Kms", "COMPLIANT", "Bucket kms encrypts new objects with aws:kms using key alias/app."),
            ("Unresolved", "UNKNOWN", "Not known before deploy: depends on parameter Algorithm (no Default; give it with --template-parameters Algorithm=...) (line 5)"),
        ],
    },
];

/// The pre-commit hook this repository provides (`.pre-commit-hooks.yaml`), run as pre-commit
/// runs it: its entry with the staged files as arguments, `config-rules` on the PATH.
#[test]
fn the_pre_commit_hook_checks_each_template_and_fails_on_high_findings() {
    let hooks: Vec<serde_yaml::Value> =
        serde_yaml::from_str(&std::fs::read_to_string(workspace_root().join(".pre-commit-hooks.yaml")).unwrap())
            .unwrap();
    let entry = hooks[0]["entry"].as_str().unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_config-rules"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let run = |files: &[&str]| {
        Command::new("sh")
            .args(["-c", &format!("{entry} \"$@\"",), "hook"])
            .args(files)
            .current_dir(workspace_root())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    // The project's own template has no high finding; the fixture of a public function does.
    let clean = run(&["template.yaml"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let public = format!("{DIR}/lambda-no-public-access.yaml");
    let failing = run(&["template.yaml", &public]);
    assert_eq!(
        failing.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&failing.stderr)
    );
    assert!(String::from_utf8_lossy(&failing.stdout).contains("Function Everyone is public"));
}
