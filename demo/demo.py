"""`make demo`: a local account in the emulator, seeded, scanned by every rule, reported.

Starts the emulator on a free port, seeds it (demo/seed.py), runs
`config-rules scan --source api` against it, prints the report, shows one remediation run
(demo/remediate.py) and an organization scan over three accounts (demo/organization.py), and
stops the emulator.
Nothing outside this machine is contacted.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLI = Path(os.environ.get("CONFIG_RULES_BIN", ROOT / "target" / "debug" / "config-rules"))


def wait_for_port(port_file, proc, log):
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the emulator exited; see {log}")
        try:
            port = int(Path(port_file).read_text().strip())
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=2):
                return port
        except (OSError, ValueError):
            time.sleep(0.2)
    sys.exit(f"the emulator did not start within 60 s; see {log}")


def main():
    started = time.time()
    if not CLI.exists():
        sys.exit(f"{CLI} is missing: run `cargo build -p config-rules` (make demo does)")
    workdir = Path(tempfile.mkdtemp(prefix="config-rules-demo-"))
    log = workdir / "emulator.log"
    port_file = workdir / "port"
    with open(log, "w") as out:
        emulator = subprocess.Popen(
            [PYTHON, str(ROOT / "tests/emulator/server.py"), "--port", "0", "--port-file", str(port_file),
             "--parent-pid", str(os.getpid())],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        port = wait_for_port(port_file, emulator, log)
        env = dict(os.environ, AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_REGION="us-east-1",
                   AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo", AWS_EC2_METADATA_DISABLED="true")
        env.pop("AWS_PROFILE", None)
        print(f"Local AWS account (emulator) on 127.0.0.1:{port}; seeding a small serverless account ...", flush=True)
        subprocess.run([PYTHON, str(ROOT / "demo/seed.py")], env=env, check=True, stdout=subprocess.DEVNULL)
        print("Seeded: 5 Lambda functions (two sharing a role, one public, one on python3.9), 3 roles, a user, "
              "2 customer-managed policies, 2 REST APIs (a hardened and an open stage), an HTTP API, a web ACL, "
              "2 S3 buckets, 2 KMS keys, "
              "a stopped multi-region trail.\n", flush=True)
        print("$ config-rules scan --source api --params-file demo/params.json\n", flush=True)
        scan = subprocess.run([str(CLI), "scan", "--source", "api", "--params-file", str(ROOT / "demo/params.json")], env=env)
        if scan.returncode not in (0, 1):
            sys.exit(f"config-rules scan failed with exit code {scan.returncode}; emulator log: {log}")
        print("\nThe same account before it was deployed: its template, checked by the same rules "
              "(results point at the template's lines; what only exists after deploy is reported as unknown).\n",
              flush=True)
        print("$ config-rules evaluate --template demo/template.yaml --params-file demo/params.json\n", flush=True)
        check = subprocess.run([str(CLI), "evaluate", "--template", "demo/template.yaml", "--params-file",
                                "demo/params.json"], env=env, cwd=ROOT)
        if check.returncode not in (0, 1):
            sys.exit(f"config-rules evaluate --template failed with exit code {check.returncode}")
        report = ROOT / "target" / "demo-report.html"
        subprocess.run([str(CLI), "scan", "--source", "api", "--params-file", str(ROOT / "demo/params.json"),
                        "--format", "html", "--output", str(report), "--quiet"], env=env, check=True)
        print(f"\nThe same scan as one HTML page (per practice, per rule, filterable results): {report}", flush=True)
        print("\nRemediation, as EnableRemediation=true deploys it (document, role and configuration "
              "from template.yaml), on one finding:\n", flush=True)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")}, AWS_DEFAULT_REGION="us-east-1")
        sys.path.insert(0, str(ROOT / "demo"))
        import remediate

        remediate.run(CLI, env, port)
        print(flush=True)
        import organization

        organization.run(CLI, env, port)
    finally:
        emulator.terminate()
        try:
            emulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emulator.kill()
    print(f"\nDemo finished in {time.time() - started:.0f} s. Where to look next (README.md):")
    print("  - 'Rules'                 what each rule checks; config-rules explain <rule-id>")
    print("  - 'Before you deploy'     check CloudFormation and SAM templates in pull requests (SARIF, annotations)")
    print("  - 'Command-line tool'     evaluate events and snapshots, scan a live account, SARIF/JUnit for CI")
    print("  - 'Deploy'                make build && make deploy GUIDED=1, alerts and remediation")
    print("  - 'Local AWS account'     make emulator, to experiment against the same emulator")
    return 0


if __name__ == "__main__":
    sys.exit(main())
