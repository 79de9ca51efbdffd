//! The sample events (`events/<rule>/<scenario>.json`) and their expected results
//! (`events/<rule>/expected/<scenario>.json`: exactly the evaluations the function posts), and
//! the emulator state they are judged against. One source for the CLI test, the data-driven
//! end-to-end loop and the permission contract: adding a scenario is adding its two files.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::emulator::Emulator;
use crate::workspace_root;

/// One sample event.
#[derive(Debug, Clone)]
pub struct Sample {
    pub rule: String,
    /// The file stem: `compliant`, `oversized`, `scheduled`, ...
    pub name: String,
    pub path: PathBuf,
    pub event: Value,
}

impl Sample {
    /// `events/<rule>/expected/<name>.json`.
    pub fn expected_path(&self) -> PathBuf {
        workspace_root()
            .join("events")
            .join(&self.rule)
            .join("expected")
            .join(format!("{}.json", self.name))
    }

    /// The expected evaluations (PutEvaluations shape).
    pub fn expected(&self) -> Vec<Value> {
        let path = self.expected_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: every sample event has its expected results",
                path.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The invoking event, decoded.
    pub fn invoking(&self) -> Value {
        serde_json::from_str(self.event["invokingEvent"].as_str().unwrap()).unwrap()
    }
}

/// Every sample event of every rule (or of one rule), sorted by rule and name.
pub fn samples(rule: Option<&str>) -> Vec<Sample> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(workspace_root().join("events")).unwrap() {
        let dir = dir.unwrap().path();
        let id = dir.file_name().unwrap().to_string_lossy().to_string();
        if rule.is_some_and(|r| r != id) {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if !path.is_file() || path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push(Sample {
                rule: id.clone(),
                name: path.file_stem().unwrap().to_string_lossy().to_string(),
                path,
                event,
            });
        }
    }
    out.sort_by(|a, b| (&a.rule, &a.name).cmp(&(&b.rule, &b.name)));
    out
}

/// A notification-shaped item in Config API shape (what GetResourceConfigHistory returns).
pub fn notification_to_api(item: &Value) -> Value {
    let mut api = item.clone();
    let m = api.as_object_mut().unwrap();
    if let Some(v) = m.remove("awsAccountId") {
        m.insert("accountId".into(), v);
    }
    if let Some(v) = m.remove("ARN") {
        m.insert("arn".into(), v);
    }
    let config = m["configuration"].to_string();
    m.insert("configuration".into(), json!(config));
    api
}

/// The account the samples are judged against: the full items behind the oversized samples
/// (the same resource's item from a change event of the same rule; the IAM sample borrows the
/// reports role's), the two functions the code signing samples ask Lambda about, and the
/// function URLs of the CORS samples, and the functions the asynchronous-failure samples ask
/// Lambda about (one with an on-failure destination, one without any configuration), and the
/// environments the secrets samples read (Config's items do not record them).
pub fn prepare(emu: &Emulator) {
    let all = samples(None);
    let key = |v: &Value| (v["resourceType"].clone(), v["resourceId"].clone());
    let mut items = Vec::new();
    for s in &all {
        let Some(summary) = s.invoking().get("configurationItemSummary").cloned() else {
            continue;
        };
        let mut found = all
            .iter()
            .filter(|o| o.rule == s.rule)
            .filter_map(|o| o.invoking().get("configurationItem").cloned())
            .find(|item| key(item) == key(&summary) && item["configurationItemStatus"] == "OK");
        if found.is_none() && summary["resourceId"] == "AROA1EXAMPLEBIGROLE" {
            let donor = all
                .iter()
                .find(|o| o.rule == "iam-no-wildcard-permissions" && o.name == "service_wildcard")
                .expect("the IAM donor sample");
            let mut item = donor.invoking()["configurationItem"].clone();
            item["resourceId"] = json!("AROA1EXAMPLEBIGROLE");
            found = Some(item);
        }
        let item = found.unwrap_or_else(|| panic!("{}: no item for the oversized summary", s.path.display()));
        items.push(notification_to_api(&item));
    }
    emu.load_config_items(json!(items));
    let role = emu.create_role("samples-signing-role");
    let csc = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f";
    emu.create_function("signed-api", &role, "python3.12", json!({"CodeSigningConfigArn": csc}));
    emu.create_function("unsigned-api", &role, "python3.12", json!({}));
    for (name, cors) in [
        (
            "storefront-api",
            json!({"AllowOrigins": ["https://shop.example.com"], "AllowCredentials": true}),
        ),
        (
            "cors-open-api",
            json!({"AllowOrigins": ["*"], "AllowCredentials": true}),
        ),
    ] {
        let role = emu.create_role(&format!("{name}-role"));
        emu.create_function(name, &role, "python3.12", json!({}));
        emu.create_function_url(name, json!({"AuthType": "AWS_IAM", "Cors": cors}));
    }
    for name in ["report-builder", "alerts-consumer"] {
        let role = emu.create_role(&format!("{name}-role"));
        emu.create_function(name, &role, "python3.12", json!({}));
    }
    for (name, env) in [
        (
            "config-reader",
            json!({"TABLE": "orders", "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"}),
        ),
        // AWS's documentation example of an access key id.
        (
            "legacy-uploader",
            json!({"UPLOAD_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "BUCKET": "uploads"}),
        ),
        (
            "payments-api",
            json!({"DB_SECRET_NAME": "payments/db", "STAGE": "prod"}),
        ),
        (
            "legacy-export",
            json!({"API_TOKEN": "not-shown", "STAGE": "prod", "REGION": "us-east-1"}),
        ),
        ("image-resizer", json!({})),
    ] {
        let role = emu.create_role(&format!("{name}-role"));
        emu.create_function(name, &role, "python3.12", json!({"Environment": {"Variables": env}}));
    }
    // The table the DynamoDB samples ask about (Config's item records no deletion protection).
    emu.create_table("sessions");
    // The key the customer-managed-key table sample names (rotating: the KMS sweep samples
    // then report it as compliant).
    emu.create_kms_key("5a8b7c6d-1111-2222-3333-444455556666", "samples: tables", true);
    // A CloudTrail Lake event data store recording the orders functions' invocations only (the
    // trail samples' account has no trail).
    emu.control(
        "event-data-stores",
        json!({"name": "audit-lake", "advancedEventSelectors": [
            {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "Lambda invocations", "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
                {"Field": "resources.ARN", "StartsWith": ["arn:aws:lambda:us-east-1:123456789012:function:orders-"]}]}]}),
    );
    emu.put_function_event_invoke_config(
        "report-builder",
        json!({"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:report-builder-failures"}}}),
    );
}
