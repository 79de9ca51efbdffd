//! Starts the emulator (moto plus our extension) on a free port, once per test process.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The account and region every test uses.
pub const ACCOUNT_ID: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub struct Emulator {
    pub port: u16,
    pub log: PathBuf,
    _child: Child,
}

static EMULATOR: OnceLock<Emulator> = OnceLock::new();

/// The emulator of this test process, started on first use. It exits with the test process
/// (it watches its parent's pid), so no server outlives a run.
pub fn emulator() -> &'static Emulator {
    EMULATOR.get_or_init(Emulator::start_private)
}

fn python() -> PathBuf {
    std::env::var_os("EMULATOR_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join(".venv/bin/python"))
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self._child.kill();
        let _ = self._child.wait();
    }
}

impl Emulator {
    /// An emulator of its own (fresh state), stopped when dropped. Most tests share
    /// [`emulator()`] and keep apart by unique names; use this where account-wide state matters.
    pub fn start_private() -> Emulator {
        let root = crate::workspace_root();
        let name = crate::unique("emulator");
        let log = crate::log_dir().join(format!("{name}.log"));
        let port_file = crate::log_dir().join(format!("{name}.port"));
        let _ = std::fs::remove_file(&port_file);
        let python = python();
        assert!(
            python.exists(),
            "{} is missing: create the test venv first (`make venv`; `make test` does)",
            python.display()
        );
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(&python)
            .arg(root.join("tests/emulator/server.py"))
            .args(["--port", "0", "--port-file"])
            .arg(&port_file)
            .args(["--parent-pid", &std::process::id().to_string()])
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the emulator with {}: {e}", python.display()));
        let started = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(port) = text.trim().parse::<u16>() {
                    break port;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the emulator did not start within 60 s; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let emulator = Emulator {
            port,
            log,
            _child: child,
        };
        let health = emulator.control_get("health");
        assert_eq!(
            health,
            json!({"ok": true}),
            "emulator unhealthy; see {}",
            emulator.log.display()
        );
        emulator
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Environment for a process that should talk to this emulator through the AWS SDK.
    pub fn aws_env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", REGION.to_string()),
            ("AWS_ACCESS_KEY_ID", "testing".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// An SDK configuration for this test process pointing at the emulator.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(self.endpoint())
            .region(aws_config::Region::new(REGION))
            .credentials_provider(aws_sdk_config::config::Credentials::new(
                "testing", "testing", None, None, "e2e",
            ))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load()
            .await
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let status_line = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, raw[split + 4..].to_vec())
    }

    fn control_get(&self, route: &str) -> Value {
        let (status, body) = self.request("GET", &format!("/_emulator/{route}"), &[], b"");
        assert_eq!(status, 200, "GET /_emulator/{route}");
        serde_json::from_slice(&body).unwrap()
    }

    /// POST to a control route.
    pub fn control(&self, route: &str, body: Value) -> Value {
        let (status, out) = self.request(
            "POST",
            &format!("/_emulator/{route}"),
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        assert_eq!(
            status,
            200,
            "POST /_emulator/{route}: {}",
            String::from_utf8_lossy(&out)
        );
        serde_json::from_slice(&out).unwrap()
    }

    /// Registers `token` as a ResultToken of `rule_name`.
    pub fn register_token(&self, token: &str, rule_name: &str) {
        self.control("result-tokens", json!({"token": token, "ruleName": rule_name}));
    }

    /// Makes the next `count` calls of `operation` fail (`count` -1: forever).
    pub fn inject(&self, fault: Value) {
        self.control("faults", fault);
    }

    /// Every call the emulator saw.
    pub fn calls(&self) -> Vec<Value> {
        self.control_get("calls")["calls"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The PutEvaluations calls with this ResultToken: (HTTP status, evaluation count).
    pub fn put_calls(&self, token: &str) -> Vec<(u64, u64)> {
        self.calls()
            .iter()
            .filter(|c| c["operation"] == "PutEvaluations" && c["resultToken"] == token)
            .map(|c| {
                (
                    c["status"].as_u64().unwrap_or(0),
                    c["evaluations"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    /// Seeds the demo account (`demo/seed.py`: functions, roles, policies, APIs, buckets,
    /// keys, a user and a trail) into this emulator.
    pub fn seed_demo(&self) {
        let root = crate::workspace_root();
        let seed = std::process::Command::new(root.join(".venv/bin/python"))
            .arg(root.join("demo/seed.py"))
            .envs(self.aws_env())
            .output()
            .unwrap();
        assert!(seed.status.success(), "seed: {}", String::from_utf8_lossy(&seed.stderr));
    }

    /// Loads Config API shaped items for GetResourceConfigHistory.
    pub fn load_config_items(&self, items: Value) {
        self.control("config-items", json!({"items": items}));
    }

    /// An AWS Config call (JSON 1.1 protocol); returns the answer.
    pub fn config_call(&self, operation: &str, body: Value) -> Value {
        self.json_call("config", &format!("StarlingDoveService.{operation}"), body)
    }

    /// An AWS KMS call (JSON 1.1 protocol); returns the answer.
    pub fn kms_call(&self, operation: &str, body: Value) -> Value {
        self.json_call("kms", &format!("TrentService.{operation}"), body)
    }

    /// A call in the AWS JSON 1.1 protocol (`X-Amz-Target`); returns the answer.
    pub fn json_call(&self, service: &str, target: &str, body: Value) -> Value {
        let operation = target.rsplit('.').next().unwrap_or(target);
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, out) = self.request(
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", target),
                ("Authorization", &auth),
            ],
            body.to_string().as_bytes(),
        );
        let text = String::from_utf8_lossy(&out).to_string();
        assert!(status < 300, "{service} {operation}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A customer managed KMS key with a fixed id (moto makes ids up; sample items name keys by
    /// ARN), rotating or not; unchanged when it exists. Returns its ARN.
    pub fn create_kms_key(&self, key_id: &str, description: &str, rotation: bool) -> String {
        let out = self.control(
            "kms-keys",
            json!({"keyId": key_id, "description": description, "rotation": rotation}),
        );
        out["arn"].as_str().unwrap().to_string()
    }

    /// Creates a DynamoDB table (key `id`, on demand) unless it exists: DynamoDB's defaults,
    /// no point-in-time recovery, no deletion protection.
    pub fn create_table(&self, name: &str) {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
        );
        let body = json!({"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                          "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]});
        let (status, out) = self.request(
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-amz-json-1.0"),
                ("X-Amz-Target", "DynamoDB_20120810.CreateTable"),
                ("Authorization", &auth),
            ],
            body.to_string().as_bytes(),
        );
        let text = String::from_utf8_lossy(&out);
        assert!(
            status < 300 || text.contains("ResourceInUseException"),
            "CreateTable {name}: {status} {text}"
        );
    }

    /// An AWS Query protocol call (IAM, STS), answered by moto.
    pub fn query(&self, service: &str, params: &[(&str, &str)]) -> String {
        let body: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", form_encode(v))).collect();
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, out) = self.request(
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &auth),
            ],
            body.join("&").as_bytes(),
        );
        let text = String::from_utf8_lossy(&out).to_string();
        assert!(status < 300, "{service} {params:?}: {status} {text}");
        text
    }

    /// Creates an IAM role in moto; returns its ARN.
    pub fn create_role(&self, name: &str) -> String {
        let xml = self.query(
            "iam",
            &[
                ("Action", "CreateRole"),
                ("Version", "2010-05-08"),
                ("RoleName", name),
                ("AssumeRolePolicyDocument", "{}"),
            ],
        );
        let start = xml
            .find("<Arn>")
            .map(|i| i + 5)
            .unwrap_or_else(|| panic!("CreateRole {name}: {xml}"));
        let end = start + xml[start..].find("</Arn>").unwrap();
        xml[start..end].to_string()
    }

    /// Creates a Lambda function in moto (an empty .zip as code); `extra` is merged into the
    /// CreateFunction request, e.g. `{"CodeSigningConfigArn": "..."}`.
    pub fn create_function(&self, name: &str, role_arn: &str, runtime: &str, extra: Value) {
        // "UEsFBg..." is an empty zip archive: enough code for the emulator.
        let mut body = json!({"FunctionName": name, "Runtime": runtime, "Role": role_arn, "Handler": "app.handler",
                              "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}});
        if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
            b.extend(e);
        }
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, out) = self.request(
            "POST",
            "/2015-03-31/functions",
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            body.to_string().as_bytes(),
        );
        assert!(
            status < 300,
            "CreateFunction {name}: {status} {}",
            String::from_utf8_lossy(&out)
        );
    }

    /// Gives a function a URL (Lambda `CreateFunctionUrlConfig`); `config` is the request body,
    /// e.g. `{"AuthType": "AWS_IAM", "Cors": {"AllowOrigins": ["https://shop.example.com"]}}`.
    pub fn create_function_url(&self, function_name: &str, config: Value) {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, out) = self.request(
            "POST",
            &format!("/2021-10-31/functions/{function_name}/url"),
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            config.to_string().as_bytes(),
        );
        assert!(
            status < 300,
            "CreateFunctionUrlConfig {function_name}: {status} {}",
            String::from_utf8_lossy(&out)
        );
    }

    /// Configures a function's asynchronous invocation (Lambda `PutFunctionEventInvokeConfig`),
    /// e.g. `{"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:..."}}}`.
    pub fn put_function_event_invoke_config(&self, function_name: &str, config: Value) {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, out) = self.request(
            "PUT",
            &format!("/2019-09-25/functions/{function_name}/event-invoke-config"),
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            config.to_string().as_bytes(),
        );
        assert!(
            status < 300,
            "PutFunctionEventInvokeConfig {function_name}: {status} {}",
            String::from_utf8_lossy(&out)
        );
    }

    /// Creates an S3 bucket in moto.
    /// A bucket answering as buckets did before S3 encrypted every bucket by default (2023):
    /// no default encryption, as old Config items may still record.
    pub fn create_legacy_unencrypted_bucket(&self, name: &str) {
        self.create_bucket(name);
        self.control("legacy-unencrypted-buckets", serde_json::json!({"bucket": name}));
    }

    pub fn create_bucket(&self, name: &str) {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261128/{REGION}/s3/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, out) = self.request("PUT", &format!("/{name}"), &[("Authorization", &auth)], b"");
        assert!(
            status < 300 || status == 409,
            "CreateBucket {name}: {status} {}",
            String::from_utf8_lossy(&out)
        );
    }
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
