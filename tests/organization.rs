//! Organization mode end to end: the real rule binaries, deployed once in the management
//! account (the emulator's default account), invoked by Config in member accounts. Each
//! invocation works in the event's account through the member role: it reads there, fetches
//! oversized items there and posts there (the result token is the member's), and refuses
//! accounts outside the organization before any AWS call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use config_rules_core::accounts::{member_sdk, EXCLUDED_ACCOUNTS_ENV, MEMBER_ROLE_ENV};
use e2e_tests::emulator::{Emulator, ACCOUNT_ID};
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::samples::notification_to_api;
use e2e_tests::{log_dir, rule_binary, unique, workspace_root};
use serde_json::{json, Value};

const ROLE: &str = "config-rules-member";

/// An organization with `n` member accounts, each with the member role trusting the
/// management account (as member-role.yaml does); returns the member account ids.
fn organization(emu: &Emulator, n: usize) -> Vec<String> {
    let org = |op: &str, body: Value| emu.json_call("organizations", &format!("AWSOrganizationsV20161128.{op}"), body);
    org("CreateOrganization", json!({"FeatureSet": "ALL"}));
    let mut ids = Vec::new();
    for i in 0..n {
        let out = org(
            "CreateAccount",
            json!({"Email": format!("member{i}@example.com"), "AccountName": format!("member{i}")}),
        );
        ids.push(out["CreateAccountStatus"]["AccountId"].as_str().unwrap().to_string());
    }
    ids
}

fn member_role(emu: &Emulator, account: &str) {
    emu.control(
        "iam-roles",
        json!({"accountId": account, "roleName": ROLE,
            "assumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")}, "Action": "sts:AssumeRole"}]}}),
    );
}

fn load_event(rule: &str, file: &str) -> Value {
    let path = workspace_root().join("events").join(rule).join(format!("{file}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `event` as Config in `account` sends it: the account, its item's account, a token of that
/// account's Config.
fn for_account(emu: &Emulator, mut event: Value, account: &str, rule_name: &str) -> Value {
    let token = unique("token");
    emu.control(
        "result-tokens",
        json!({"token": token, "ruleName": rule_name, "accountId": account}),
    );
    let mut invoking: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    if invoking.get("configurationItem").is_some_and(Value::is_object) {
        invoking["configurationItem"]["awsAccountId"] = json!(account);
    }
    if invoking.get("configurationItemSummary").is_some_and(Value::is_object) {
        invoking["configurationItemSummary"]["awsAccountId"] = json!(account);
    }
    if invoking.get("awsAccountId").is_some() {
        invoking["awsAccountId"] = json!(account);
    }
    event["invokingEvent"] = json!(invoking.to_string());
    event["accountId"] = json!(account);
    event["resultToken"] = json!(token);
    event["configRuleName"] = json!(rule_name);
    event
}

/// The function deployed in organization mode; one invocation.
fn invoke(emu: &Emulator, rule: &str, event: &Value, extra_env: &[(&str, &str)]) -> (Outcome, Function) {
    let mut env = emu.aws_env();
    env.push((MEMBER_ROLE_ENV.to_string(), ROLE.to_string()));
    env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let log = log_dir().join(format!("{}.log", unique(rule)));
    let mut function = Function::start(&rule_binary(rule), rule, &env, log);
    let outcome = function.invoke(event);
    (outcome, function)
}

/// What Config in `account` stores for `rule_name`: (resource id, compliance).
async fn stored_in(emu: &Emulator, account: &str, rule_name: &str) -> Vec<(String, String)> {
    let own = emu.sdk_config().await;
    let sdk = if account == ACCOUNT_ID {
        own
    } else {
        member_sdk(&own, "aws", account, ROLE).await.unwrap()
    };
    let out = aws_sdk_config::Client::new(&sdk)
        .get_compliance_details_by_config_rule()
        .config_rule_name(rule_name)
        .send()
        .await;
    let Ok(out) = out else { return Vec::new() };
    let mut rows: Vec<(String, String)> = out
        .evaluation_results()
        .iter()
        .map(|r| {
            let q = r
                .evaluation_result_identifier()
                .unwrap()
                .evaluation_result_qualifier()
                .unwrap();
            (
                q.resource_id().unwrap().to_string(),
                r.compliance_type().unwrap().as_str().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn response(outcome: &Outcome, function: &Function) {
    assert!(
        matches!(outcome, Outcome::Response(_)),
        "{outcome:?}; see {}",
        function.log.display()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_triggered_rule_posts_in_the_member_account_and_nowhere_else() {
    let rule = "lambda-timeout-within-limit";
    let emu = Emulator::start_private();
    let members = organization(&emu, 2);
    members.iter().for_each(|m| member_role(&emu, m));
    let rule_name = unique(rule);
    // The management account's Config has the rule too; it must stay empty.
    emu.control(
        "result-tokens",
        json!({"token": unique("unused"), "ruleName": rule_name}),
    );
    let event = for_account(&emu, load_event(rule, "non_compliant"), &members[0], &rule_name);
    let (outcome, function) = invoke(&emu, rule, &event, &[]);
    response(&outcome, &function);
    assert_eq!(
        stored_in(&emu, &members[0], &rule_name).await,
        vec![("nightly-report".into(), "NON_COMPLIANT".into())]
    );
    assert_eq!(stored_in(&emu, ACCOUNT_ID, &rule_name).await, vec![]);
    assert_eq!(stored_in(&emu, &members[1], &rule_name).await, vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_periodic_rule_reads_the_member_account() {
    let rule = "kms-key-rotation-enabled";
    let emu = Emulator::start_private();
    let members = organization(&emu, 2);
    members.iter().for_each(|m| member_role(&emu, m));
    let own = emu.sdk_config().await;
    // A key in the management account, and one in the second member.
    aws_sdk_kms::Client::new(&own).create_key().send().await.unwrap();
    let member_kms = aws_sdk_kms::Client::new(&member_sdk(&own, "aws", &members[1], ROLE).await.unwrap());
    let key = member_kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let rule_name = unique(rule);
    let event = for_account(&emu, load_event(rule, "scheduled"), &members[1], &rule_name);
    let (outcome, function) = invoke(&emu, rule, &event, &[]);
    response(&outcome, &function);
    assert_eq!(
        stored_in(&emu, &members[1], &rule_name).await,
        vec![(key, "NON_COMPLIANT".into())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_item_is_fetched_from_the_member_account() {
    let rule = "lambda-timeout-within-limit";
    let emu = Emulator::start_private();
    let members = organization(&emu, 1);
    member_role(&emu, &members[0]);
    // The full item exists only in the member's Config.
    let full = load_event(rule, "non_compliant");
    let inner: Value = serde_json::from_str(full["invokingEvent"].as_str().unwrap()).unwrap();
    let mut item = notification_to_api(&inner["configurationItem"]);
    item["accountId"] = json!(members[0]);
    emu.control("config-items", json!({"items": [item], "accountId": members[0]}));
    let rule_name = unique(rule);
    let event = for_account(&emu, load_event(rule, "oversized"), &members[0], &rule_name);
    let (outcome, function) = invoke(&emu, rule, &event, &[]);
    response(&outcome, &function);
    assert_eq!(
        stored_in(&emu, &members[0], &rule_name).await,
        vec![("nightly-report".into(), "NON_COMPLIANT".into())]
    );
}

/// Calls made with the function's own credentials after `since` (the emulator's call log).
fn calls_after(emu: &Emulator, since: usize) -> Vec<String> {
    emu.calls()[since..]
        .iter()
        .map(|c| c["operation"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn strangers_and_excluded_accounts_are_refused_before_any_work() {
    let rule = "lambda-timeout-within-limit";
    let emu = Emulator::start_private();
    let members = organization(&emu, 2);
    members.iter().for_each(|m| member_role(&emu, m));
    let excluded = members[1].clone();
    for (account, why) in [
        ("999999999999", "not an active account of this organization"),
        (excluded.as_str(), "the account is excluded (ExcludedAccounts)"),
    ] {
        let rule_name = unique(rule);
        let event = for_account(&emu, load_event(rule, "non_compliant"), account, &rule_name);
        let before = emu.calls().len();
        let (outcome, function) = invoke(&emu, rule, &event, &[(EXCLUDED_ACCOUNTS_ENV, &excluded)]);
        let Outcome::Error(body) = &outcome else {
            panic!("{outcome:?}; see {}", function.log.display())
        };
        assert_eq!(body["errorType"], "AccountRefused");
        assert_eq!(
            body["errorMessage"],
            format!("event for account {account} refused: {why}; nothing was evaluated or posted")
        );
        // No role assumed, nothing read or posted: at most the organization's account list.
        let calls = calls_after(&emu, before);
        assert!(calls.iter().all(|c| c == "ListAccounts"), "{calls:?}");
        let log = std::fs::read_to_string(&function.log).unwrap();
        assert!(log.contains("\"message\":\"event refused\""), "{log}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_without_the_role_is_a_clear_error_and_nothing_is_posted() {
    let rule = "lambda-timeout-within-limit";
    let emu = Emulator::start_private();
    let members = organization(&emu, 1);
    let rule_name = unique(rule);
    let event = for_account(&emu, load_event(rule, "non_compliant"), &members[0], &rule_name);
    let (outcome, function) = invoke(&emu, rule, &event, &[]);
    let Outcome::Error(body) = &outcome else {
        panic!("{outcome:?}; see {}", function.log.display())
    };
    assert_eq!(body["errorType"], "AssumeRole");
    let message = body["errorMessage"].as_str().unwrap();
    let role = format!("arn:aws:iam::{}:role/{ROLE}", members[0]);
    assert!(
        message.starts_with(&format!(
            "cannot work in account {}: assuming {role} failed: AccessDenied: User: arn:aws:iam::{ACCOUNT_ID}:root is not authorized to perform: sts:AssumeRole",
            members[0]
        )),
        "{message}"
    );
    assert!(message.ends_with("; nothing was posted"), "{message}");
    assert!(emu.calls().iter().all(|c| c["operation"] != "PutEvaluations"));
}

/// Account mode (no member role configured) serves its own account only.
#[tokio::test(flavor = "multi_thread")]
async fn account_mode_refuses_other_accounts() {
    let rule = "lambda-timeout-within-limit";
    let emu = Emulator::start_private();
    let rule_name = unique(rule);
    let event = for_account(&emu, load_event(rule, "non_compliant"), "111111111111", &rule_name);
    let log = log_dir().join(format!("{}.log", unique(rule)));
    let mut function = Function::start(&rule_binary(rule), rule, &emu.aws_env(), log);
    let outcome = function.invoke(&event);
    let Outcome::Error(body) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(body["errorType"], "AccountRefused");
    assert!(body["errorMessage"]
        .as_str()
        .unwrap()
        .contains("serves its own account only"));
}
