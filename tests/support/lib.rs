//! Test support: the local AWS account (the emulator under `tests/emulator/`) and a Lambda
//! Runtime API that runs a rule's real binary, as Lambda would.
//!
//! Why our own Runtime API instead of `cargo lambda watch`: it runs the binary cargo already
//! built (no second build, no file watcher), gives each test its own process and port, and
//! lets a test see the function's raw response or error and its logs. The same harness drives
//! the cold-start benchmark.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

pub mod emulator;
pub mod runtime;
pub mod samples;

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where test logs go: `target/e2e-logs/`.
pub fn log_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let dir = target.join("e2e-logs");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The debug binary of a rule (built by `cargo build --workspace --bins`, which `make test`
/// runs first). `E2E_BIN_DIR` overrides the folder (the benchmark uses release builds).
pub fn rule_binary(rule_id: &str) -> PathBuf {
    let dir = std::env::var_os("E2E_BIN_DIR").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"))
            .join("debug")
    });
    let path = dir.join(rule_id);
    assert!(
        path.exists(),
        "{} is missing: build the rule binaries first (`cargo build --workspace --bins`; `make test` does)",
        path.display()
    );
    path
}

/// A name unique within this test process, for tokens and rule names.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}
