"""The demo account twice: as deployed (demo/seed.py in the emulator, `config-rules scan`) and as
its template (demo/template.yaml, `config-rules evaluate --template`). Every rule that can judge
both must give each resource the same verdict; the differences there are, and why, are listed
in EXPECTED_DIFFERENCES, and a difference not listed (or a listed one that went away) fails.

Resources are matched by what both sides know: names (a function's, a role's, a bucket's), an
API's name for its id, a key's alias for its id.

    .venv/bin/python -m unittest tests/parity/test_template_parity.py
"""

import json
import os
import subprocess
import sys
import threading
import unittest
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
sys.path.insert(0, str(ROOT / "demo"))

import logging  # noqa: E402

from server import make_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.ERROR)

CLI = ROOT / "target" / "debug" / "config-rules"
AT = "2026-11-28T00:00:00Z"
PARAMS = str(ROOT / "demo" / "params.json")

# (rule, resource type, name) -> why the template's verdict differs from the account's.
EXPECTED_DIFFERENCES = {
    ("iam-access-keys-rotated", "AWS::IAM::User", "ci-deployer"):
        "an access key's age exists only after deploy: the rule does not judge templates",
}

# (rule, resource type, name) seen on one side only, and why.
SCAN_READS_NO_TAGS = ("`scan --source api` collects no trail or key items (the account-level rules read them "
                      "through their own calls); the template "
                      "also holds this resource, whose tags required-tags judges (Config's inventory, "
                      "`--source config`, has it)")
ONE_SIDED = {
    ("required-tags", "AWS::CloudTrail::Trail", "arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events"):
        SCAN_READS_NO_TAGS,
    ("required-tags", "AWS::CloudTrail::Trail", "arn:aws:cloudtrail:us-east-1:123456789012:trail/lambda-invokes"):
        SCAN_READS_NO_TAGS,
    ("required-tags", "AWS::KMS::Key", "alias/demo-functions"): SCAN_READS_NO_TAGS,
    ("required-tags", "AWS::KMS::Key", "alias/demo-rotating"): SCAN_READS_NO_TAGS,
}


class _Tagless(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags as the plain value (enough to read names)."""


_Tagless.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else loader.construct_mapping(node)))


class TemplateParityTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not CLI.exists():
            raise unittest.SkipTest(f"{CLI} is missing: cargo build -p config-rules")
        cls.server = make_server("127.0.0.1", 0, make_app(), threaded=True)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{cls.server.server_port}"
        cls.env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
                       AWS_ACCESS_KEY_ID="parity", AWS_SECRET_ACCESS_KEY="parity", AWS_EC2_METADATA_DISABLED="true",
                       NO_COLOR="1")
        cls.env.pop("AWS_PROFILE", None)
        subprocess.run([sys.executable, str(ROOT / "demo" / "seed.py")], env=cls.env, check=True,
                       stdout=subprocess.DEVNULL)
        cls.url = url

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def client(self, service):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="parity", aws_secret_access_key="parity")

    def run_cli(self, *args):
        out = subprocess.run([str(CLI), *args, "--format", "json", "--all", "--at", AT, "--params-file", PARAMS,
                              "--no-suppressions"], env=self.env, capture_output=True, text=True, cwd=ROOT)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def account_names(self):
        """Physical id -> name, for the ids the emulator made up."""
        iam = self.client("iam")
        names = {r["RoleId"]: r["RoleName"] for r in iam.list_roles()["Roles"]}
        names.update({u["UserId"]: u["UserName"] for u in iam.list_users()["Users"]})
        names.update({p["PolicyId"]: p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]})
        names.update({a["TargetKeyId"]: a["AliasName"] for a in self.client("kms").list_aliases()["Aliases"]
                      if "TargetKeyId" in a})
        names.update({a["id"]: a["name"] for a in self.client("apigateway").get_rest_apis()["items"]})
        names.update({a["ApiId"]: a["Name"] for a in self.client("apigatewayv2").get_apis()["Items"]})
        # A secret's ARN ends with six random characters; the template's stand-in has none.
        names.update({x["ARN"]: x["ARN"][: -len("-AbCdEf")]
                      for x in self.client("secretsmanager").list_secrets()["SecretList"]})
        return names

    @staticmethod
    def template_names():
        """Logical id -> name, for the template's stand-ins (API and key logical ids)."""
        doc = yaml.load((ROOT / "demo" / "template.yaml").read_text(), Loader=_Tagless)
        names = {}
        for logical, res in doc["Resources"].items():
            props = res.get("Properties") or {}
            if res["Type"] in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
                names[logical] = props["Name"]
            if res["Type"] == "AWS::KMS::Alias":
                names[props["TargetKeyId"]] = props["AliasName"]
        return names

    @staticmethod
    def verdicts(report, names):
        """(rule, type, name) -> verdict ('UNKNOWN' for the template's unknowns)."""
        def name_of(resource_id):
            if resource_id.startswith("arn:aws:apigateway:"):
                parts = resource_id.split("/")
                parts[2] = names.get(parts[2], parts[2])
                return "/".join(parts)
            return names.get(resource_id, resource_id)

        out = {}
        for r in report["results"]:
            for e in r["evaluations"]:
                out[(r["rule"], e["ComplianceResourceType"], name_of(e["ComplianceResourceId"]))] = e["ComplianceType"]
            for u in r.get("unknown", []):
                out[(r["rule"], u["resourceType"], name_of(u["resourceId"]))] = "UNKNOWN"
        return out

    def test_the_template_and_the_account_get_the_same_verdicts(self):
        account = self.verdicts(self.run_cli("scan", "--source", "api"), self.account_names())
        template = self.verdicts(self.run_cli("evaluate", "--template", "demo/template.yaml"), self.template_names())
        rules_of_template = {rule for rule, _, _ in template}
        differences = {}
        for key in sorted(set(account) | set(template)):
            rule = key[0]
            a, t = account.get(key), template.get(key)
            if a == t:
                continue
            if t is None and rule not in rules_of_template:
                differences[key] = f"account {a}, template: rule skipped"
            elif a is None or t is None:
                differences[key] = f"only in the {'account' if t is None else 'template'}: {a or t}"
            else:
                differences[key] = f"account {a}, template {t}"
        unexplained = {k: v for k, v in differences.items() if k not in EXPECTED_DIFFERENCES and k not in ONE_SIDED}
        self.assertEqual(unexplained, {}, "verdicts that differ between the account and its template")
        gone = sorted((set(EXPECTED_DIFFERENCES) | set(ONE_SIDED)) - set(differences))
        self.assertEqual(gone, [], "listed differences that no longer exist: remove them")
        compared = [k for k in account if k in template]
        self.assertGreater(len(compared), 60, "most of the account was compared")


if __name__ == "__main__":
    unittest.main()
