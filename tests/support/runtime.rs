//! A minimal AWS Lambda Runtime API (2018-06-01) that runs one function process.
//!
//! It serves `GET /runtime/invocation/next` (long poll), `POST .../{id}/response`,
//! `POST .../{id}/error` and `POST /runtime/init/error` over HTTP/1.1 with keep-alive, which
//! is all the Rust runtime client uses.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// What the function answered for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response(Value),
    /// The error body (`errorType`, `errorMessage`).
    Error(Value),
}

#[derive(Default)]
struct Shared {
    /// Request id, event, and the deadline handed to the function (`Lambda-Runtime-Deadline-Ms`).
    pending: VecDeque<(String, Vec<u8>, i64)>,
    outcomes: HashMap<String, Outcome>,
    init_error: Option<Value>,
}

type State = Arc<(Mutex<Shared>, Condvar)>;

/// A function process under our Runtime API.
pub struct Function {
    pub log: PathBuf,
    state: State,
    child: Child,
    next_id: usize,
}

impl Function {
    /// Starts `binary` with the Lambda environment and `env` (e.g. the emulator's).
    pub fn start(binary: &Path, name: &str, env: &[(String, String)], log: PathBuf) -> Function {
        Function::start_command(Command::new(binary), name, env, log)
    }

    /// Starts any runtime client (e.g. `python -m awslambdaric app.handler`) the same way.
    pub fn start_command(mut command: Command, name: &str, env: &[(String, String)], log: PathBuf) -> Function {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state: State = Arc::default();
        let accept_state = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = accept_state.clone();
                std::thread::spawn(move || serve(stream, s));
            }
        });
        let out = std::fs::File::create(&log).unwrap();
        let program = command.get_program().to_string_lossy().to_string();
        let child = command
            .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        Function {
            log,
            state,
            child,
            next_id: 0,
        }
    }

    /// Hands the function one raw event and waits for its answer; the function's deadline is
    /// 60 s away (Lambda's `Lambda-Runtime-Deadline-Ms`).
    pub fn invoke_raw(&mut self, payload: Vec<u8>, timeout: Duration) -> Outcome {
        self.invoke_with_deadline(payload, Duration::from_secs(60), timeout)
    }

    /// Hands the function one raw event whose deadline is `deadline` from now, and waits up to
    /// `timeout` for its answer.
    pub fn invoke_with_deadline(&mut self, payload: Vec<u8>, deadline: Duration, timeout: Duration) -> Outcome {
        self.next_id += 1;
        let id = format!("req-{}", self.next_id);
        let (lock, cv) = &*self.state;
        let mut shared = lock.lock().unwrap();
        let deadline_ms = chrono::Utc::now().timestamp_millis() + deadline.as_millis() as i64;
        shared.pending.push_back((id.clone(), payload, deadline_ms));
        cv.notify_all();
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(outcome) = shared.outcomes.remove(&id) {
                return outcome;
            }
            if let Some(err) = &shared.init_error {
                panic!("function failed to initialise: {err}; see {}", self.log.display());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "function exited ({status}) during invocation; see {}",
                    self.log.display()
                );
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "no answer within {timeout:?}; see {}",
                self.log.display()
            );
            shared = cv
                .wait_timeout(shared, (deadline - now).min(Duration::from_millis(200)))
                .unwrap()
                .0;
        }
    }

    /// Hands the function one JSON event.
    pub fn invoke(&mut self, event: &Value) -> Outcome {
        self.invoke_raw(event.to_string().into_bytes(), Duration::from_secs(60))
    }

    /// The process id (for memory measurements).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident set size so far, in KiB (`VmHWM`), on Linux.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// The function's log so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(stream: TcpStream, state: State) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, headers, out) = route(&method, &path, body, &state);
        let mut head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/json\r\n",
            out.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(&out))
            .is_err()
        {
            return;
        }
    }
}

fn route(method: &str, path: &str, body: Vec<u8>, state: &State) -> (&'static str, Vec<(String, String)>, Vec<u8>) {
    let (lock, cv) = &**state;
    let path = path.strip_prefix("/2018-06-01").unwrap_or(path);
    if method == "GET" && path == "/runtime/invocation/next" {
        let mut shared = lock.lock().unwrap();
        loop {
            if let Some((id, event, deadline)) = shared.pending.pop_front() {
                let headers = vec![
                    ("Lambda-Runtime-Aws-Request-Id".to_string(), id),
                    ("Lambda-Runtime-Deadline-Ms".to_string(), deadline.to_string()),
                    (
                        "Lambda-Runtime-Invoked-Function-Arn".to_string(),
                        "arn:aws:lambda:us-east-1:123456789012:function:rule".to_string(),
                    ),
                    (
                        "Lambda-Runtime-Trace-Id".to_string(),
                        "Root=1-00000000-000000000000000000000000".to_string(),
                    ),
                ];
                return ("200 OK", headers, event);
            }
            shared = cv.wait(shared).unwrap();
        }
    }
    let json = |b: &[u8]| serde_json::from_slice(b).unwrap_or(Value::Null);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut shared = lock.lock().unwrap();
    match (method, segments.as_slice()) {
        ("POST", ["runtime", "invocation", id, "response"]) => {
            shared.outcomes.insert(id.to_string(), Outcome::Response(json(&body)));
        }
        ("POST", ["runtime", "invocation", id, "error"]) => {
            shared.outcomes.insert(id.to_string(), Outcome::Error(json(&body)));
        }
        ("POST", ["runtime", "init", "error"]) => {
            shared.init_error = Some(json(&body));
        }
        _ => return ("404 Not Found", vec![], b"{}".to_vec()),
    }
    cv.notify_all();
    ("202 Accepted", vec![], b"{\"status\":\"OK\"}".to_vec())
}
