//! `make bench`: how fast and small the rule functions are, measured the way Lambda runs them.
//!
//! 1. Cold start to posted evaluation: a fresh function process under our Lambda Runtime API
//!    (`tests/support/runtime.rs`) gets one event; we time process start → `PutEvaluations`
//!    received by the emulator → response posted, and read the process's peak RSS.
//! 2. The same for the rdklib peers in `bench/peers/` (Python, `awslambdaric`), same harness,
//!    same emulator, and the ratio peer / ours.
//! 3. Artifact sizes of the release binaries (and of the arm64 Lambda zips when
//!    `cargo lambda build --arm64` has produced them).
//! 4. A periodic sweep (`lambda-execution-role-not-shared`) over growing numbers of functions:
//!    wall time, `PutEvaluations` calls (must be ⌈n/100⌉) and peak RSS.
//! 5. Pure evaluation throughput, read from criterion's results (`cargo bench`).
//!
//! Prints a table and writes `target/bench/results.json`. `--smoke` runs one iteration and
//! one small sweep of ours only (part of `make test`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a measuring harness, not product code

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e_tests::emulator::Emulator;
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::{log_dir, unique, workspace_root};
use serde_json::{json, Value};

const COLD_RULES: [&str; 2] = ["lambda-timeout-within-limit", "iam-no-wildcard-permissions"];
const SWEEP_RULE: &str = "lambda-execution-role-not-shared";

struct Options {
    iterations: usize,
    sizes: Vec<usize>,
    peer: bool,
    bin_dir: PathBuf,
    out: PathBuf,
    /// Zip the binaries to report zipped sizes (slow for debug builds; off in smoke runs).
    zip: bool,
    /// Resource counts of the per-resource (KMS key) sweep.
    key_sizes: Vec<usize>,
    /// Function counts of the CLI's `scan --source api`.
    scan_sizes: Vec<usize>,
    /// `--only-scan`: measure the CLI's scans only.
    only_scan: bool,
    /// Resource counts of the templates `evaluate --template` judges.
    template_sizes: Vec<usize>,
    /// `--only-template`: measure the template checks only.
    only_template: bool,
}

fn options() -> Options {
    let target = workspace_root().join("target");
    let mut o = Options {
        iterations: 20,
        sizes: vec![100, 1000, 10000],
        peer: true,
        bin_dir: target.join("release"),
        out: target.join("bench/results.json"),
        zip: true,
        key_sizes: vec![1000, 5000],
        scan_sizes: vec![100, 1000, 2000, 5000],
        only_scan: false,
        template_sizes: vec![100, 1000, 5000],
        only_template: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1)
                .cloned()
                .unwrap_or_else(|| panic!("{} needs a value", args[i]))
        };
        match args[i].as_str() {
            "--smoke" => {
                o.iterations = 1;
                o.sizes = vec![100];
                o.peer = false;
                o.zip = false;
                o.key_sizes = vec![20];
                o.scan_sizes = vec![20];
                o.template_sizes = vec![100];
                o.out = target.join("bench/smoke.json");
            }
            "--key-sizes" => {
                o.key_sizes = value().split(',').map(|s| s.parse().expect("--key-sizes a,b")).collect();
                i += 1;
            }
            "--iterations" => {
                o.iterations = value().parse().expect("--iterations N");
                i += 1;
            }
            "--sizes" => {
                o.sizes = value()
                    .split(',')
                    .map(|s| s.trim().parse().expect("--sizes 100,1000"))
                    .collect();
                i += 1;
            }
            "--no-peer" => o.peer = false,
            "--only-scan" => o.only_scan = true,
            "--only-template" => o.only_template = true,
            "--template-sizes" => {
                o.template_sizes = value()
                    .split(',')
                    .map(|s| s.trim().parse().expect("--template-sizes 100,1000"))
                    .collect();
                i += 1;
            }
            "--scan-sizes" => {
                o.scan_sizes = value()
                    .split(',')
                    .map(|s| s.trim().parse().expect("--scan-sizes 100,1000"))
                    .collect();
                i += 1;
            }
            "--bin-dir" => {
                o.bin_dir = PathBuf::from(value());
                i += 1;
            }
            other => panic!("unknown option {other} (--smoke, --iterations N, --sizes a,b, --key-sizes a,b, --scan-sizes a,b, --only-scan, --template-sizes a,b, --only-template, --no-peer, --bin-dir D)"),
        }
        i += 1;
    }
    o
}

fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
    v[rank.min(v.len() - 1)]
}

fn load_event(rule: &str, file: &str) -> Value {
    let path = workspace_root().join("events").join(rule).join(format!("{file}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Implementation {
    Rust,
    Rdklib,
}

impl Implementation {
    fn name(self) -> &'static str {
        match self {
            Implementation::Rust => "rust",
            Implementation::Rdklib => "python rdklib",
        }
    }
}

fn launch(imp: Implementation, rule: &str, bin_dir: &Path, emu: &Emulator) -> Function {
    let log = log_dir().join(format!("bench-{}.log", unique(rule)));
    match imp {
        Implementation::Rust => Function::start(&bin_dir.join(rule), rule, &emu.aws_env(), log),
        Implementation::Rdklib => {
            let dir = workspace_root().join("bench/peers").join(rule.replace('-', "_"));
            let mut cmd = Command::new(workspace_root().join(".venv/bin/python"));
            cmd.args(["-m", "awslambdaric", "app.lambda_handler"])
                .current_dir(&dir)
                .env("LAMBDA_TASK_ROOT", &dir)
                .env("_HANDLER", "app.lambda_handler");
            Function::start_command(cmd, rule, &emu.aws_env(), log)
        }
    }
}

struct ColdRun {
    total_ms: f64,
    to_put_ms: f64,
    rss_kib: f64,
}

/// One cold invocation: process start → PutEvaluations received → response posted.
fn cold_once(emu: &Emulator, imp: Implementation, rule: &str, bin_dir: &Path) -> ColdRun {
    let token = unique("bench-token");
    let rule_name = unique(rule);
    emu.register_token(&token, &rule_name);
    let mut event = load_event(rule, "non_compliant");
    event["resultToken"] = json!(token);
    event["configRuleName"] = json!(rule_name);
    if imp == Implementation::Rdklib {
        event["ruleParameters"] = json!("{\"AssumeRoleMode\": \"false\"}");
    }
    let started_wall = epoch_now();
    let started = Instant::now();
    let mut function = launch(imp, rule, bin_dir, emu);
    let outcome = function.invoke_raw(event.to_string().into_bytes(), Duration::from_secs(60));
    let total = started.elapsed();
    let rss = function.peak_rss_kib().unwrap_or(0) as f64;
    assert!(
        matches!(outcome, Outcome::Response(_)),
        "{} {rule}: {outcome:?}; see {}",
        imp.name(),
        function.log.display()
    );
    let put = emu
        .calls()
        .into_iter()
        .find(|c| c["operation"] == "PutEvaluations" && c["resultToken"] == token.as_str() && c["status"] == 200)
        .unwrap_or_else(|| {
            panic!(
                "{} {rule}: no evaluation reached the emulator; see {}",
                imp.name(),
                function.log.display()
            )
        });
    let to_put = (put["at"].as_f64().unwrap_or(started_wall) - started_wall) * 1000.0;
    ColdRun {
        total_ms: ms(total),
        to_put_ms: to_put,
        rss_kib: rss,
    }
}

fn cold_starts(emu: &Emulator, imp: Implementation, rule: &str, o: &Options) -> Value {
    // One warm-up run, so the file system cache holds the binary or the Python modules.
    let _ = cold_once(emu, imp, rule, &o.bin_dir);
    let runs: Vec<ColdRun> = (0..o.iterations)
        .map(|_| cold_once(emu, imp, rule, &o.bin_dir))
        .collect();
    let total: Vec<f64> = runs.iter().map(|r| r.total_ms).collect();
    let to_put: Vec<f64> = runs.iter().map(|r| r.to_put_ms).collect();
    let rss: Vec<f64> = runs.iter().map(|r| r.rss_kib).collect();
    json!({
        "rule": rule, "implementation": imp.name(), "runs": runs.len(),
        "medianMs": percentile(&total, 50.0), "p90Ms": percentile(&total, 90.0),
        "medianToPutEvaluationsMs": percentile(&to_put, 50.0), "p90ToPutEvaluationsMs": percentile(&to_put, 90.0),
        "peakRssMiB": percentile(&rss, 50.0) / 1024.0,
    })
}

fn zipped_size(path: &Path) -> Option<u64> {
    let script = "import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED,compresslevel=9)\nz.write(sys.argv[1],'bootstrap')\nz.close()\nprint(len(b.getvalue()))";
    let out = Command::new(workspace_root().join(".venv/bin/python"))
        .args(["-c", script])
        .arg(path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn sizes(o: &Options) -> Vec<Value> {
    let mut out = Vec::new();
    for rule in COLD_RULES {
        let native = o.bin_dir.join(rule);
        if let Ok(meta) = std::fs::metadata(&native) {
            out.push(
                json!({"rule": rule, "build": format!("{} ({})", o.bin_dir.display(), std::env::consts::ARCH),
                            "bytes": meta.len(), "zippedBytes": if o.zip { zipped_size(&native) } else { None }}),
            );
        }
        let arm = workspace_root().join("target/lambda").join(rule);
        if let Ok(meta) = std::fs::metadata(arm.join("bootstrap")) {
            out.push(json!({"rule": rule, "build": "cargo lambda build --release --arm64 (aarch64)",
                            "bytes": meta.len(), "zippedBytes": std::fs::metadata(arm.join("bootstrap.zip")).ok().map(|m| m.len())
                                .or_else(|| zipped_size(&arm.join("bootstrap")))}));
        }
    }
    out
}

fn sweeps(o: &Options) -> Vec<Value> {
    let emu = Emulator::start_private();
    let role = emu.create_role("bench-sweep-role");
    let mut created = 0usize;
    let mut out = Vec::new();
    for &n in &o.sizes {
        let create_started = Instant::now();
        let todo: Vec<usize> = (created..n).collect();
        std::thread::scope(|s| {
            for chunk in todo.chunks(todo.len().div_ceil(4).max(1)) {
                let (emu, role) = (&emu, &role);
                s.spawn(move || {
                    for i in chunk {
                        emu.create_function(&format!("fn-{i:05}"), role, "python3.12", json!({}));
                    }
                });
            }
        });
        created = n.max(created);
        let seeding_s = create_started.elapsed().as_secs_f64();
        let token = unique("bench-sweep");
        let rule_name = unique(SWEEP_RULE);
        emu.register_token(&token, &rule_name);
        let mut event = load_event(SWEEP_RULE, "scheduled");
        event["resultToken"] = json!(token);
        event["configRuleName"] = json!(rule_name);
        let started = Instant::now();
        let mut function = launch(Implementation::Rust, SWEEP_RULE, &o.bin_dir, &emu);
        let outcome = function.invoke_raw(event.to_string().into_bytes(), Duration::from_secs(600));
        let wall = started.elapsed();
        let rss = function.peak_rss_kib().unwrap_or(0);
        assert!(
            matches!(outcome, Outcome::Response(_)),
            "sweep {n}: {outcome:?}; see {}",
            function.log.display()
        );
        let calls = emu.put_calls(&token);
        let posted: u64 = calls.iter().map(|c| c.1).sum();
        assert_eq!(calls.len(), n.div_ceil(100), "PutEvaluations calls for {n} functions");
        assert_eq!(posted as usize, n, "evaluations posted for {n} functions");
        out.push(
            json!({"functions": n, "wallMs": ms(wall), "msPerFunction": ms(wall) / n as f64,
                        "putEvaluationsCalls": calls.len(), "evaluationsPosted": posted,
                        "peakRssMiB": rss as f64 / 1024.0, "seedingSeconds": seeding_s}),
        );
    }
    out
}

/// `config-rules scan --source api` (every rule) over an account of n functions: wall time and
/// the CLI's peak RSS (VmHWM, read every 5 ms until it exits).
fn cli_scans(o: &Options) -> Vec<Value> {
    let emu = Emulator::start_private();
    let role = emu.create_role("bench-scan-role");
    let cli = o.bin_dir.join("config-rules");
    let mut created = 0usize;
    let mut out = Vec::new();
    for &n in &o.scan_sizes {
        let todo: Vec<usize> = (created..n).collect();
        std::thread::scope(|s| {
            for chunk in todo.chunks(todo.len().div_ceil(4).max(1)) {
                let (emu, role) = (&emu, &role);
                s.spawn(move || {
                    for i in chunk {
                        emu.create_function(&format!("fn-{i:05}"), role, "python3.12", json!({"Timeout": 30}));
                    }
                });
            }
        });
        created = n.max(created);
        let started = Instant::now();
        let child = std::process::Command::new(&cli)
            .args(["scan", "--source", "api", "--format", "json", "--no-suppressions"])
            .envs(emu.aws_env())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
        let (wall, peak_kib, stdout) = watch(child, started);
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let judged = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "lambda-timeout-within-limit")
            .map(|r| r["evaluations"].as_array().unwrap().len())
            .unwrap_or(0);
        assert_eq!(judged, n, "functions judged by the scan of {n}");
        out.push(json!({"functions": n, "wallMs": ms(wall), "peakRssMiB": peak_kib as f64 / 1024.0,
                        "rules": report["summary"]["rules"], "evaluations": report["summary"]["compliant"].as_u64().unwrap_or(0)
                            + report["summary"]["nonCompliant"].as_u64().unwrap_or(0)
                            + report["summary"]["notApplicable"].as_u64().unwrap_or(0)}));
    }
    out
}

/// A template of `n` resources, in groups of four: a function, its role (an inline policy), a
/// permission letting a bucket invoke it, and the bucket.
fn bench_template(n: usize) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Env: {Type: String, Default: prod}\nResources:\n",
    );
    for i in 0..n.div_ceil(4) {
        t.push_str(&format!(
            "  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: !Sub \"${{Env}}-fn-{i}\"\n      Runtime: python3.12\n      Handler: app.handler\n      Code: {{ZipFile: x}}\n      Role: !GetAtt Role{i}.Arn\n      Timeout: {}\n      Environment: {{Variables: {{TABLE: orders}}}}\n      Tags: [{{Key: owner, Value: team-{i}}}]\n  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{Version: \"2012-10-17\", Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}]}}\n      Policies:\n        - PolicyName: data\n          PolicyDocument: {{Version: \"2012-10-17\", Statement: [{{Effect: Allow, Action: [dynamodb:GetItem], Resource: !Sub \"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/t{i}\"}}]}}\n  Invoke{i}:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !Ref Fn{i}\n      Action: lambda:InvokeFunction\n      Principal: s3.amazonaws.com\n      SourceArn: !GetAtt Bucket{i}.Arn\n      SourceAccount: !Ref AWS::AccountId\n  Bucket{i}:\n    Type: AWS::S3::Bucket\n",
            if i % 10 == 0 { 900 } else { 30 }
        ));
    }
    t
}

/// `config-rules evaluate --template` on templates of growing size (release CLI, every rule):
/// wall time and peak memory.
fn template_checks(o: &Options) -> Vec<Value> {
    let cli = o.bin_dir.join("config-rules");
    let dir = log_dir().join(unique("bench-templates"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = Vec::new();
    for &n in &o.template_sizes {
        let path = dir.join(format!("template-{n}.yaml"));
        std::fs::write(&path, bench_template(n)).unwrap();
        let started = Instant::now();
        let child = std::process::Command::new(&cli)
            .args(["evaluate", "--template"])
            .arg(&path)
            .args(["--format", "json", "--no-suppressions"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
        let (wall, peak_kib, stdout) = watch(child, started);
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let functions = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "lambda-timeout-within-limit")
            .map(|r| r["evaluations"].as_array().unwrap().len())
            .unwrap_or(0);
        assert_eq!(functions, n.div_ceil(4), "functions judged in the template of {n}");
        out.push(
            json!({"resources": n, "wallMs": ms(wall), "peakRssMiB": peak_kib as f64 / 1024.0,
                        "evaluations": report["summary"]["compliant"].as_u64().unwrap_or(0)
                            + report["summary"]["nonCompliant"].as_u64().unwrap_or(0)
                            + report["summary"]["notApplicable"].as_u64().unwrap_or(0)}),
        );
    }
    out
}

/// Waits for a child, sampling its peak RSS: (wall time, peak KiB, its standard output).
fn watch(mut child: std::process::Child, started: Instant) -> (Duration, u64, String) {
    let status_path = format!("/proc/{}/status", child.id());
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::BufReader::new(stdout), &mut text).unwrap();
        text
    });
    let mut peak_kib = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(v) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                peak_kib = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(peak_kib);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (started.elapsed(), peak_kib, reader.join().unwrap())
}

/// A periodic sweep that calls AWS twice per resource (`kms-key-rotation-enabled`:
/// DescribeKey and GetKeyRotationStatus per key, at most 8 at a time): how its time grows,
/// which sizes the function's timeout.
fn key_sweeps(o: &Options) -> Vec<Value> {
    const RULE: &str = "kms-key-rotation-enabled";
    let emu = Emulator::start_private();
    let mut created = 0usize;
    let mut out = Vec::new();
    for &n in &o.key_sizes {
        let todo: Vec<usize> = (created..n).collect();
        std::thread::scope(|s| {
            for chunk in todo.chunks(todo.len().div_ceil(4).max(1)) {
                let emu = &emu;
                s.spawn(move || {
                    for i in chunk {
                        let key = emu.kms_call("CreateKey", json!({"Description": format!("bench-{i}")}));
                        if i % 2 == 0 {
                            emu.kms_call("EnableKeyRotation", json!({"KeyId": key["KeyMetadata"]["KeyId"]}));
                        }
                    }
                });
            }
        });
        created = n;
        let token = unique("bench-keys");
        let rule_name = unique(RULE);
        emu.register_token(&token, &rule_name);
        let mut event = load_event(RULE, "scheduled");
        event["resultToken"] = json!(token);
        event["configRuleName"] = json!(rule_name);
        let started = Instant::now();
        let mut function = launch(Implementation::Rust, RULE, &o.bin_dir, &emu);
        let outcome = function.invoke_raw(event.to_string().into_bytes(), Duration::from_secs(600));
        let wall = started.elapsed();
        assert!(
            matches!(outcome, Outcome::Response(_)),
            "key sweep {n}: {outcome:?}; see {}",
            function.log.display()
        );
        let posted: u64 = emu.put_calls(&token).iter().map(|c| c.1).sum();
        assert_eq!(posted as usize, n, "evaluations posted for {n} keys");
        out.push(
            json!({"rule": RULE, "resources": n, "wallMs": ms(wall), "msPerResource": ms(wall) / n as f64,
                        "awsCallsPerResource": 2, "concurrency": 8 /* config_rules_core::sweep::SWEEP_CONCURRENCY */}),
        );
    }
    out
}

/// Criterion's medians, as items per second.
fn throughput() -> Vec<Value> {
    let root = workspace_root().join("target/criterion");
    let mut out = Vec::new();
    let Ok(groups) = std::fs::read_dir(&root) else {
        return out;
    };
    for group in groups.flatten() {
        let Ok(benches) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for bench in benches.flatten() {
            let new = bench.path().join("new");
            let read =
                |f: &str| -> Option<Value> { serde_json::from_str(&std::fs::read_to_string(new.join(f)).ok()?).ok() };
            let (Some(meta), Some(est)) = (read("benchmark.json"), read("estimates.json")) else {
                continue;
            };
            let Some(median_ns) = est["median"]["point_estimate"].as_f64() else {
                continue;
            };
            out.push(json!({"benchmark": meta["full_id"], "medianNs": median_ns, "itemsPerSecond": 1e9 / median_ns}));
        }
    }
    out.sort_by(|a, b| a["benchmark"].as_str().cmp(&b["benchmark"].as_str()));
    out
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    json!({"cpu": cpu, "cores": cores, "arch": std::env::consts::ARCH, "os": std::env::consts::OS,
           "date": chrono::Utc::now().format("%Y-%m-%d").to_string()})
}

fn main() -> ExitCode {
    let o = options();
    let started = Instant::now();
    if o.only_template {
        let results = json!({"machine": machine(), "templateCheck": template_checks(&o),
                             "harnessSeconds": started.elapsed().as_secs_f64()});
        println!("{results:#}");
        return ExitCode::SUCCESS;
    }
    if o.only_scan {
        let results = json!({"machine": machine(), "cliScan": cli_scans(&o),
                             "harnessSeconds": started.elapsed().as_secs_f64()});
        println!("{results:#}");
        return ExitCode::SUCCESS;
    }
    let emu = Emulator::start_private();
    let mut cold = Vec::new();
    let mut ratios = Vec::new();
    for rule in COLD_RULES {
        let ours = cold_starts(&emu, Implementation::Rust, rule, &o);
        if o.peer {
            let peer = cold_starts(&emu, Implementation::Rdklib, rule, &o);
            let ratio = |k: &str| peer[k].as_f64().unwrap_or(f64::NAN) / ours[k].as_f64().unwrap_or(f64::NAN);
            ratios.push(json!({"rule": rule, "coldStartMedian": ratio("medianMs"),
                               "toPutEvaluationsMedian": ratio("medianToPutEvaluationsMs"), "peakRss": ratio("peakRssMiB")}));
            cold.push(ours);
            cold.push(peer);
        } else {
            cold.push(ours);
        }
    }
    let sweep = sweeps(&o);
    let results = json!({
        "machine": machine(),
        "iterations": o.iterations,
        "coldStart": cold,
        "peerOverOurs": ratios,
        "artifactSizes": sizes(&o),
        "releaseProfile": {"opt-level": 3, "lto": "thin", "codegen-units": 1, "strip": "symbols", "panic": "unwind"},
        "sweep": sweep,
        "perResourceSweep": key_sweeps(&o),
        "cliScan": cli_scans(&o),
        "templateCheck": template_checks(&o),
        "evaluationThroughput": throughput(),
        "harnessSeconds": started.elapsed().as_secs_f64(),
    });
    print_table(&results);
    if let Some(dir) = o.out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&o.out, format!("{results:#}\n")).unwrap();
    println!("\nwritten to {}", o.out.display());
    ExitCode::SUCCESS
}

fn f(v: &Value) -> String {
    v.as_f64().map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".to_string())
}

fn print_table(r: &Value) {
    let m = &r["machine"];
    println!(
        "machine: {} ({} cores, {}), {}",
        m["cpu"].as_str().unwrap_or("?"),
        m["cores"],
        m["arch"].as_str().unwrap_or("?"),
        m["date"].as_str().unwrap_or("?")
    );
    println!("\ncold start to posted evaluation ({} runs each)", r["iterations"]);
    println!(
        "{:<30} {:<14} {:>10} {:>10} {:>14} {:>12}",
        "rule", "implementation", "median ms", "p90 ms", "to Put ms (p50)", "peak RSS MiB"
    );
    for c in r["coldStart"].as_array().into_iter().flatten() {
        println!(
            "{:<30} {:<14} {:>10} {:>10} {:>14} {:>12}",
            c["rule"].as_str().unwrap_or(""),
            c["implementation"].as_str().unwrap_or(""),
            f(&c["medianMs"]),
            f(&c["p90Ms"]),
            f(&c["medianToPutEvaluationsMs"]),
            f(&c["peakRssMiB"])
        );
    }
    for x in r["peerOverOurs"].as_array().into_iter().flatten() {
        println!(
            "peer / ours for {}: cold start x{}, to PutEvaluations x{}, peak RSS x{}",
            x["rule"].as_str().unwrap_or(""),
            f(&x["coldStartMedian"]),
            f(&x["toPutEvaluationsMedian"]),
            f(&x["peakRss"])
        );
    }
    println!("\nartifact sizes");
    for s in r["artifactSizes"].as_array().into_iter().flatten() {
        println!(
            "{:<30} {:<48} {:>9} KiB  zipped {:>7} KiB",
            s["rule"].as_str().unwrap_or(""),
            s["build"].as_str().unwrap_or(""),
            s["bytes"].as_u64().unwrap_or(0) / 1024,
            s["zippedBytes"].as_u64().unwrap_or(0) / 1024
        );
    }
    println!("\nperiodic sweep ({SWEEP_RULE})");
    println!(
        "{:>10} {:>10} {:>12} {:>10} {:>12}",
        "functions", "wall ms", "ms/function", "Put calls", "peak RSS MiB"
    );
    for s in r["sweep"].as_array().into_iter().flatten() {
        println!(
            "{:>10} {:>10} {:>12.3} {:>10} {:>12}",
            s["functions"].as_u64().unwrap_or(0),
            f(&s["wallMs"]),
            s["msPerFunction"].as_f64().unwrap_or(0.0),
            s["putEvaluationsCalls"].as_u64().unwrap_or(0),
            f(&s["peakRssMiB"])
        );
    }
    println!("\nper-resource sweep (two AWS calls per resource, bounded concurrency)");
    println!(
        "{:<28} {:>10} {:>10} {:>14}",
        "rule", "resources", "wall ms", "ms/resource"
    );
    for s in r["perResourceSweep"].as_array().into_iter().flatten() {
        println!(
            "{:<28} {:>10} {:>10} {:>14.3}",
            s["rule"].as_str().unwrap_or(""),
            s["resources"].as_u64().unwrap_or(0),
            f(&s["wallMs"]),
            s["msPerResource"].as_f64().unwrap_or(0.0)
        );
    }
    println!("\nconfig-rules scan --source api, every rule (release CLI against the emulator)");
    println!(
        "{:>10} {:>10} {:>14} {:>12}",
        "functions", "wall ms", "evaluations", "peak RSS MiB"
    );
    for s in r["cliScan"].as_array().into_iter().flatten() {
        println!(
            "{:>10} {:>10} {:>14} {:>12}",
            s["functions"].as_u64().unwrap_or(0),
            f(&s["wallMs"]),
            s["evaluations"].as_u64().unwrap_or(0),
            f(&s["peakRssMiB"])
        );
    }
    println!("\nconfig-rules evaluate --template, every rule (release CLI, no AWS)");
    println!(
        "{:>10} {:>10} {:>14} {:>12}",
        "resources", "wall ms", "evaluations", "peak RSS MiB"
    );
    for s in r["templateCheck"].as_array().into_iter().flatten() {
        println!(
            "{:>10} {:>10} {:>14} {:>12}",
            s["resources"].as_u64().unwrap_or(0),
            f(&s["wallMs"]),
            s["evaluations"].as_u64().unwrap_or(0),
            f(&s["peakRssMiB"])
        );
    }
    let t = r["evaluationThroughput"].as_array().cloned().unwrap_or_default();
    if !t.is_empty() {
        println!("\npure evaluation throughput (criterion medians)");
        for b in t {
            println!(
                "{:<70} {:>14.0} items/s",
                b["benchmark"].as_str().unwrap_or(""),
                b["itemsPerSecond"].as_f64().unwrap_or(0.0)
            );
        }
    }
}
