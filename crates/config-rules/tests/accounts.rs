//! `config-rules scan` across accounts, on the real binary against the emulator: the
//! organization's accounts through the member role, a list of accounts, an account without the
//! role, and a Config aggregator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::process::{Command, Output};

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use config_rules_core::accounts::member_sdk;
use e2e_tests::emulator::{Emulator, ACCOUNT_ID};
use serde_json::{json, Value};

const ROLE: &str = "config-rules-member";

fn scan(emu: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .arg("scan")
        .args(args)
        .envs(emu.aws_env())
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The management account (the emulator's default) and two members with the member role,
/// each with one function: the first member's runs for 900 s.
async fn organization(emu: &Emulator) -> Vec<String> {
    let org = |op: &str, body: Value| emu.json_call("organizations", &format!("AWSOrganizationsV20161128.{op}"), body);
    org("CreateOrganization", json!({"FeatureSet": "ALL"}));
    let mut members = Vec::new();
    for i in 0..2 {
        let out = org(
            "CreateAccount",
            json!({"Email": format!("m{i}@example.com"), "AccountName": format!("m{i}")}),
        );
        members.push(out["CreateAccountStatus"]["AccountId"].as_str().unwrap().to_string());
    }
    let own = emu.sdk_config().await;
    for (account, timeout) in [
        (ACCOUNT_ID.to_string(), 30),
        (members[0].clone(), 900),
        (members[1].clone(), 10),
    ] {
        let sdk = if account == ACCOUNT_ID {
            own.clone()
        } else {
            emu.control(
                "iam-roles",
                json!({"accountId": account, "roleName": ROLE, "assumeRolePolicyDocument": {"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ID}, "Action": "sts:AssumeRole"}]}}),
            );
            member_sdk(&own, "aws", &account, ROLE).await.unwrap()
        };
        let role = emu.control(
            "iam-roles",
            json!({"accountId": account, "roleName": "fn-role", "assumeRolePolicyDocument": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}),
        )["arn"]
            .as_str()
            .unwrap()
            .to_string();
        aws_sdk_lambda::Client::new(&sdk)
            .create_function()
            .function_name(format!("worker-{account}"))
            .runtime(Runtime::Python312)
            .role(role)
            .handler("app.handler")
            .timeout(timeout)
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(
                        b"PK\x05\x06".iter().copied().chain([0u8; 18]).collect::<Vec<u8>>(),
                    ))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    members
}

fn evaluations_by_account(report: &Value, rule: &str) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for r in report["results"].as_array().unwrap() {
        if r["rule"] != rule {
            continue;
        }
        for e in r["evaluations"].as_array().unwrap() {
            rows.push((
                r["accountId"].as_str().unwrap().to_string(),
                e["ComplianceResourceId"].as_str().unwrap().to_string(),
                e["ComplianceType"].as_str().unwrap().to_string(),
            ));
        }
    }
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_organization_is_scanned_and_reported_per_account() {
    let emu = Emulator::start_private();
    let members = organization(&emu).await;
    let rule = "lambda-timeout-within-limit";
    let out = scan(
        &emu,
        &["--source", "api", "--organization", "--rules", rule, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json_of(&out);
    let mut expected = vec![
        (
            ACCOUNT_ID.to_string(),
            format!("worker-{ACCOUNT_ID}"),
            "COMPLIANT".to_string(),
        ),
        (
            members[0].clone(),
            format!("worker-{}", members[0]),
            "NON_COMPLIANT".to_string(),
        ),
        (
            members[1].clone(),
            format!("worker-{}", members[1]),
            "COMPLIANT".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(evaluations_by_account(&report, rule), expected);
    let accounts: Vec<(&str, u64)> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["accountId"].as_str().unwrap(),
                a["summary"]["nonCompliant"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut want = vec![(ACCOUNT_ID, 0), (members[0].as_str(), 1), (members[1].as_str(), 0)];
    want.sort();
    let mut got = accounts.clone();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(report["summary"]["nonCompliant"], 1);

    // The table: a part per account and a line per account.
    let out = scan(&emu, &["--source", "api", "--organization", "--rules", rule]);
    let text = String::from_utf8_lossy(&out.stdout);
    for account in [ACCOUNT_ID, &members[0], &members[1]] {
        assert!(text.contains(&format!("=== account {account} ===")), "{text}");
    }
    assert!(
        text.contains("Total (3 accounts): 3 rules run, 3 resources evaluated: 2 compliant, 1 non-compliant"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn listed_accounts_carry_their_id_in_sarif_and_junit_and_a_missing_role_is_an_error() {
    let emu = Emulator::start_private();
    let members = organization(&emu).await;
    let rule = "lambda-timeout-within-limit";
    let list = format!("{},{}", members[0], members[1]);
    let out = scan(
        &emu,
        &[
            "--source",
            "api",
            "--accounts",
            &list,
            "--rules",
            rule,
            "--format",
            "sarif",
        ],
    );
    let sarif = json_of(&out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["properties"]["accountId"], json!(members[0]));
    let qualified = format!("{}/AWS::Lambda::Function/worker-{}", members[0], members[0]);
    assert_eq!(
        results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        json!(qualified)
    );
    assert_eq!(
        results[0]["partialFingerprints"]["resource/v1"],
        json!(format!("{rule}/{qualified}"))
    );
    let out = scan(
        &emu,
        &[
            "--source",
            "api",
            "--accounts",
            &list,
            "--rules",
            rule,
            "--format",
            "junit",
        ],
    );
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains(&format!("<testsuite name=\"{}/{rule}\"", members[1])),
        "{xml}"
    );

    // An account without the member role: its rules are errors (exit 3), the others still scanned.
    let list = format!("{},999999999999", members[1]);
    let out = scan(
        &emu,
        &[
            "--source",
            "api",
            "--accounts",
            &list,
            "--rules",
            rule,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let report = json_of(&out);
    let failed = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["accountId"] == "999999999999")
        .unwrap();
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.starts_with("cannot work in account 999999999999: assuming arn:aws:iam::999999999999:role/config-rules-member failed: AccessDenied"),
        "{error}"
    );
    assert_eq!(evaluations_by_account(&report, rule).len(), 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("config-rules: {rule} in 999999999999: cannot work in account")),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_aggregator_gives_every_accounts_items_to_the_rules_that_need_only_the_item() {
    let emu = Emulator::start_private();
    // Items as Config's API returns them (AWS Config API Reference, BaseConfigurationItem:
    // `configuration` is a JSON string, times are epoch seconds).
    let item = |account: &str, name: &str, timeout: u64| {
        json!({"version": "1.3", "accountId": account, "configurationItemCaptureTime": 1764316800,
            "configurationItemStatus": "OK", "resourceType": "AWS::Lambda::Function", "resourceId": name,
            "resourceName": name, "awsRegion": "us-east-1", "ARN": format!("arn:aws:lambda:us-east-1:{account}:function:{name}"),
            "configuration": json!({"functionName": name, "timeout": timeout, "runtime": "python3.12"}).to_string()})
    };
    emu.control("config-items", json!({"items": [item("111111111111", "slow", 900)]}));
    emu.control("config-items", json!({"items": [item("222222222222", "quick", 3)]}));
    emu.config_call(
        "PutConfigurationAggregator",
        json!({"ConfigurationAggregatorName": "org", "AccountAggregationSources": [
            {"AccountIds": ["111111111111", "222222222222"], "AllAwsRegions": true}]}),
    );
    let rules = "lambda-timeout-within-limit,kms-key-rotation-enabled";
    let out = scan(
        &emu,
        &[
            "--source",
            "aggregator",
            "--aggregator",
            "org",
            "--rules",
            rules,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json_of(&out);
    assert_eq!(
        evaluations_by_account(&report, "lambda-timeout-within-limit"),
        vec![
            ("111111111111".into(), "slow".into(), "NON_COMPLIANT".into()),
            ("222222222222".into(), "quick".into(), "COMPLIANT".into())
        ]
    );
    // A periodic rule reads the account's APIs: skipped, saying why.
    let kms: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "kms-key-rotation-enabled")
        .collect();
    assert_eq!(kms.len(), 2);
    assert!(kms[0]["skipped"]
        .as_str()
        .unwrap()
        .contains("an aggregator does not give"));
    assert_eq!(report["accounts"].as_array().unwrap().len(), 2);

    // Options that do not fit are refused.
    let out = scan(&emu, &["--source", "aggregator", "--rules", rules]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--source aggregator needs --aggregator NAME"));
    let out = scan(&emu, &["--aggregator", "org"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--aggregator needs --source aggregator"));
}

/// `--regions`: a report part per account and region; `all` is every region the account has
/// enabled (ListRegions). `--profile`: credentials and region from a named profile.
#[tokio::test(flavor = "multi_thread")]
async fn regions_and_profiles() {
    let emu = Emulator::start_private();
    organization(&emu).await;
    let rule = "lambda-timeout-within-limit";
    let out = scan(
        &emu,
        &[
            "--source",
            "api",
            "--regions",
            "us-east-1,eu-west-1",
            "--rules",
            rule,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json_of(&out);
    let parts: Vec<(String, String, u64)> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["accountId"].as_str().unwrap().to_string(),
                a["region"].as_str().unwrap().to_string(),
                a["summary"]["resources"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        vec![
            (ACCOUNT_ID.to_string(), "us-east-1".to_string(), 1),
            (ACCOUNT_ID.to_string(), "eu-west-1".to_string(), 0)
        ]
    );
    let out = scan(&emu, &["--source", "api", "--regions", "all", "--rules", rule]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Total (1 accounts, 17 account-regions):"), "{text}");
    assert!(
        text.contains(&format!("=== account {ACCOUNT_ID}, region ap-south-1 ===")),
        "{text}"
    );
    let out = scan(&emu, &["--regions", "mars-1"]);
    assert_eq!(out.status.code(), Some(2));

    let dir = std::env::temp_dir().join(format!("config-rules-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config"), "[profile audit]\nregion = eu-west-1\n").unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[audit]\naws_access_key_id = audit\naws_secret_access_key = audit\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_config-rules"))
        .args(["scan", "--source", "api", "--profile", "audit", "--rules", rule])
        .env("AWS_ENDPOINT_URL", emu.endpoint())
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "Scanned account {ACCOUNT_ID} in region eu-west-1 (items from api)"
        )),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Tags come 100 functions a call from the Resource Groups Tagging API; a caller refused that
/// API gets the same verdicts from each function's own tags (ListTags).
#[tokio::test(flavor = "multi_thread")]
async fn tags_come_in_pages_and_a_refused_tagging_api_falls_back_to_each_function() {
    let emu = Emulator::start_private();
    let role = emu.create_role("fn-role");
    let exempt = json!({"Timeout": 900, "Tags": {"config-rules:exempt": "lambda-timeout-within-limit"}});
    emu.create_function("batch", &role, "python3.12", exempt);
    emu.create_function("slow", &role, "python3.12", json!({"Timeout": 900}));
    let verdicts = |out: &Output| -> Vec<(String, String)> {
        let report = json_of(out);
        let mut v: Vec<(String, String)> = report["results"][0]["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["ComplianceResourceId"].as_str().unwrap().into(),
                    e["ComplianceType"].as_str().unwrap().into(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let args = [
        "--source",
        "api",
        "--rules",
        "lambda-timeout-within-limit",
        "--format",
        "json",
    ];
    let expected = vec![
        ("batch".to_string(), "NOT_APPLICABLE".to_string()),
        ("slow".to_string(), "NON_COMPLIANT".to_string()),
    ];
    let before = emu.calls().len();
    assert_eq!(verdicts(&scan(&emu, &args)), expected);
    let ops: Vec<String> = emu.calls()[before..]
        .iter()
        .map(|c| c["operation"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        ops.contains(&"GetResources".to_string()) && !ops.contains(&"ListTags".to_string()),
        "{ops:?}"
    );

    emu.inject(json!({"operation": "GetResources", "kind": "access-denied", "count": -1}));
    let before = emu.calls().len();
    assert_eq!(verdicts(&scan(&emu, &args)), expected);
    let list_tags = emu.calls()[before..]
        .iter()
        .filter(|c| c["operation"] == "ListTags")
        .count();
    assert_eq!(list_tags, 2, "one ListTags per function");
}
