//! Pure evaluation throughput (`cargo bench -p config-rules-bench`): the IAM policy analysis on
//! small, medium and 5,000-statement documents, and the API stage cache rule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use config_rules_core::ConfigurationItem;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value};

fn policy(statements: usize) -> Value {
    let list: Vec<Value> = (0..statements)
        .map(|i| {
            json!({"Sid": format!("S{i}"), "Effect": "Allow",
                   "Action": [format!("s3:GetObject{i}"), "dynamodb:Query", "sqs:Send*"],
                   "Resource": [format!("arn:aws:s3:::bucket-{i}/*"), "*"]})
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": list})
}

/// A role item with the document URL-encoded, as Config stores it.
fn role_item(statements: usize) -> ConfigurationItem {
    let encoded: String = policy(statements)
        .to_string()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    ConfigurationItem::from_notification_json(
        &json!({"resourceType": "AWS::IAM::Role", "resourceId": "AROABENCH", "configurationItemStatus": "OK",
                "configuration": {"roleName": "bench", "rolePolicyList": [{"policyName": "p", "policyDocument": encoded}]}}),
        "bench",
    )
    .unwrap()
}

fn iam_policy_analysis(c: &mut Criterion) {
    let params = iam_no_wildcard_permissions::Params::default();
    let mut group = c.benchmark_group("iam-no-wildcard-permissions");
    for (label, statements) in [
        ("small (5 statements)", 5),
        ("medium (100 statements)", 100),
        ("large (5,000 statements)", 5000),
    ] {
        let item = role_item(statements);
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(label), &item, |b, item| {
            b.iter(|| iam_no_wildcard_permissions::evaluate(std::hint::black_box(item), &params))
        });
    }
    group.finish();
}

fn stage_rule(c: &mut Criterion) {
    let mut settings = serde_json::Map::new();
    settings.insert(
        "*/*".into(),
        json!({"cachingEnabled": true, "cacheDataEncrypted": true}),
    );
    for i in 0..50 {
        settings.insert(
            format!("~1pets~1{i}/GET"),
            json!({"cachingEnabled": true, "cacheDataEncrypted": i % 2 == 0}),
        );
    }
    let item = ConfigurationItem::from_notification_json(
        &json!({"resourceType": "AWS::ApiGateway::Stage", "resourceId": "arn:aws:apigateway:us-east-1::/restapis/a/stages/prod",
                "configuration": {"stageName": "prod", "cacheClusterEnabled": true, "methodSettings": settings}}),
        "bench",
    )
    .unwrap();
    let params = api_gw_cache_encrypted::Params::default();
    let mut group = c.benchmark_group("api-gw-cache-encrypted");
    group.throughput(Throughput::Elements(1));
    group.bench_function("stage with 51 method settings", |b| {
        b.iter(|| api_gw_cache_encrypted::evaluate(std::hint::black_box(&item), &params))
    });
    group.finish();
}

criterion_group!(benches, iam_policy_analysis, stage_rule);
criterion_main!(benches);
