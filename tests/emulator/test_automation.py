"""Tests of the emulator's SSM Automation executor and Config remediation (automation.py)."""

import json
import os
import threading
import time
import unittest
from datetime import datetime, timezone

import boto3
import yaml
from botocore.config import Config
from werkzeug.serving import make_server

import logging

from server import make_app

logging.getLogger("werkzeug").setLevel(logging.ERROR)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

TRUST_SSM = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def doc(steps, parameters=None):
    return yaml.safe_dump({
        "schemaVersion": "0.3",
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": {"AutomationAssumeRole": {"type": "String"}, **(parameters or {})},
        "mainSteps": steps,
    })


class AutomationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = make_app()
        cls.server = make_server("127.0.0.1", 0, cls.app, threaded=True)
        cls.url = f"http://127.0.0.1:{cls.server.server_port}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        make = lambda s: boto3.client(s, endpoint_url=cls.url, region_name="us-east-1", config=config)
        cls.ssm, cls.iam, cls.kms, cls.lam, cls.config = (make(s) for s in ("ssm", "iam", "kms", "lambda", "config"))

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def role(self, name, actions, resource="*", trust=TRUST_SSM):
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        if actions:
            self.iam.put_role_policy(RoleName=name, PolicyName="fix", PolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}))
        return arn

    def document(self, name, content):
        self.ssm.create_document(Name=name, Content=content, DocumentType="Automation", DocumentFormat="YAML")

    def run_doc(self, name, params):
        execution = self.ssm.start_automation_execution(
            DocumentName=name, Parameters={k: v if isinstance(v, list) else [v] for k, v in params.items()})
        self.app.automation.wait(execution["AutomationExecutionId"])
        return self.ssm.get_automation_execution(
            AutomationExecutionId=execution["AutomationExecutionId"])["AutomationExecution"]

    def key(self):
        return self.kms.create_key()["KeyMetadata"]["KeyId"]

    ROTATE = [
        {"name": "Enable", "action": "aws:executeAwsApi",
         "inputs": {"Service": "kms", "Api": "EnableKeyRotation", "KeyId": "{{ KeyId }}"}},
        {"name": "Verify", "action": "aws:assertAwsResourceProperty",
         "inputs": {"Service": "kms", "Api": "GetKeyRotationStatus", "KeyId": "{{ KeyId }}",
                    "PropertySelector": "$.KeyRotationEnabled", "DesiredValues": ["True", "true"]}},
    ]

    def test_a_document_runs_its_steps_as_the_role(self):
        role = self.role("rotate-ok", ["kms:EnableKeyRotation", "kms:GetKeyRotationStatus"])
        self.document("rotate-ok", doc(self.ROTATE, {"KeyId": {"type": "String"}}))
        key = self.key()
        run = self.run_doc("rotate-ok", {"AutomationAssumeRole": role, "KeyId": key})
        self.assertEqual(run["AutomationExecutionStatus"], "Success", run.get("FailureMessage"))
        self.assertEqual([s["StepStatus"] for s in run["StepExecutions"]], ["Success", "Success"])
        self.assertTrue(self.kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"])

    def test_a_call_the_role_does_not_allow_is_denied_naming_the_action(self):
        role = self.role("rotate-denied", ["kms:GetKeyRotationStatus"])
        self.document("rotate-denied", doc(self.ROTATE, {"KeyId": {"type": "String"}}))
        key = self.key()
        run = self.run_doc("rotate-denied", {"AutomationAssumeRole": role, "KeyId": key})
        self.assertEqual(run["AutomationExecutionStatus"], "Failed")
        self.assertIn("Step Enable failed: kms:EnableKeyRotation failed: AccessDeniedException", run["FailureMessage"])
        self.assertIn(f"kms:EnableKeyRotation on resource: arn:aws:kms:us-east-1:123456789012:key/{key}",
                      run["FailureMessage"])
        self.assertFalse(self.kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"])

    def test_the_resource_of_a_grant_is_checked(self):
        role = self.role("rotate-other-key", ["kms:EnableKeyRotation"],
                         resource="arn:aws:kms:us-east-1:123456789012:key/not-this-one")
        self.document("rotate-other-key", doc(self.ROTATE[:1], {"KeyId": {"type": "String"}}))
        run = self.run_doc("rotate-other-key", {"AutomationAssumeRole": role, "KeyId": self.key()})
        self.assertEqual(run["AutomationExecutionStatus"], "Failed")
        self.assertIn("AccessDeniedException", run["FailureMessage"])

    def test_a_role_that_does_not_trust_ssm_cannot_run_it(self):
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = self.role("lambda-only", ["kms:*"], trust=trust)
        self.document("rotate-untrusted", doc(self.ROTATE, {"KeyId": {"type": "String"}}))
        run = self.run_doc("rotate-untrusted", {"AutomationAssumeRole": role, "KeyId": self.key()})
        self.assertEqual(run["AutomationExecutionStatus"], "Failed")
        self.assertIn("does not trust ssm.amazonaws.com", run["FailureMessage"])

    def test_an_unsupported_action_fails_loudly(self):
        role = self.role("sleeper", [])
        self.document("sleeper", doc([{"name": "Nap", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}}]))
        run = self.run_doc("sleeper", {"AutomationAssumeRole": role})
        self.assertEqual(run["AutomationExecutionStatus"], "Failed")
        self.assertIn("action aws:sleep is not supported by the emulator's executor", run["FailureMessage"])

    def test_a_call_without_a_known_iam_action_fails_loudly(self):
        role = self.role("lister", ["kms:*"])
        self.document("lister", doc([{"name": "List", "action": "aws:executeAwsApi",
                                      "inputs": {"Service": "kms", "Api": "ListAliases"}}]))
        run = self.run_doc("lister", {"AutomationAssumeRole": role})
        self.assertEqual(run["AutomationExecutionStatus"], "Failed")
        self.assertIn("does not know which IAM action kms:ListAliases needs", run["FailureMessage"])

    def test_typed_parameters_branches_and_outputs(self):
        role = self.role("timeouts", ["lambda:UpdateFunctionConfiguration", "lambda:GetFunctionConfiguration"])
        lam_role = self.iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        self.lam.create_function(FunctionName="slow", Runtime="python3.12", Role=lam_role, Handler="h.h",
                                 Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18}, Timeout=900)
        steps = [
            {"name": "Choose", "action": "aws:branch", "inputs": {
                "Choices": [{"NextStep": "Lower", "And": [
                    {"Variable": "{{ Timeout }}", "NumericLesser": 900},
                    {"Not": {"Variable": "{{ FunctionName }}", "StringEquals": ""}}]}],
                "Default": "Skip"}},
            {"name": "Skip", "action": "aws:executeAwsApi", "isEnd": True,
             "inputs": {"Service": "lambda", "Api": "GetFunctionConfiguration", "FunctionName": "{{ FunctionName }}"}},
            {"name": "Lower", "action": "aws:executeAwsApi",
             "inputs": {"Service": "lambda", "Api": "UpdateFunctionConfiguration",
                        "FunctionName": "{{ FunctionName }}", "Timeout": "{{ Timeout }}"},
             "outputs": [{"Name": "NewTimeout", "Selector": "$.Timeout", "Type": "Integer"}]},
        ]
        self.document("timeouts", doc(steps, {"FunctionName": {"type": "String"}, "Timeout": {"type": "Integer"}}))
        run = self.run_doc("timeouts", {"AutomationAssumeRole": role, "FunctionName": "slow", "Timeout": "30"})
        self.assertEqual(run["AutomationExecutionStatus"], "Success", run.get("FailureMessage"))
        self.assertEqual([s["StepName"] for s in run["StepExecutions"]], ["Choose", "Lower"])
        self.assertEqual(run["StepExecutions"][1]["Outputs"], {"NewTimeout": ["30"]})
        self.assertEqual(self.lam.get_function_configuration(FunctionName="slow")["Timeout"], 30)
        with self.assertRaisesRegex(Exception, "parameter Timeout must be an Integer"):
            self.ssm.start_automation_execution(DocumentName="timeouts", Parameters={
                "AutomationAssumeRole": [role], "FunctionName": ["slow"], "Timeout": ["thirty"]})

    def test_a_script_calls_aws_as_the_role(self):
        role = self.role("scripted", ["kms:DescribeKey"])
        script = (
            "import boto3\n\n"
            "def main(event, context):\n"
            "    kms = boto3.client('kms')\n"
            "    state = kms.describe_key(KeyId=event['key'])['KeyMetadata']['KeyState']\n"
            "    if event['rotate']:\n"
            "        kms.enable_key_rotation(KeyId=event['key'])\n"
            "    return {'state': state}\n")
        steps = [{"name": "Run", "action": "aws:executeScript",
                  "inputs": {"Runtime": "python3.11", "Handler": "main", "Script": script,
                             "InputPayload": {"key": "{{ KeyId }}", "rotate": "{{ Rotate }}"}},
                  "outputs": [{"Name": "State", "Selector": "$.Payload.state", "Type": "String"}]}]
        self.document("scripted", doc(steps, {"KeyId": {"type": "String"}, "Rotate": {"type": "Boolean"}}))
        key = self.key()
        run = self.run_doc("scripted", {"AutomationAssumeRole": role, "KeyId": key, "Rotate": "false"})
        self.assertEqual(run["AutomationExecutionStatus"], "Success", run.get("FailureMessage"))
        self.assertEqual(run["StepExecutions"][0]["Outputs"], {"State": ["Enabled"]})
        # The script's calls are checked too: the role may not rotate.
        run = self.run_doc("scripted", {"AutomationAssumeRole": role, "KeyId": key, "Rotate": "true"})
        self.assertEqual(run["AutomationExecutionStatus"], "Failed")
        self.assertIn("AccessDeniedException", run["FailureMessage"])
        self.assertIn("kms:EnableKeyRotation", run["FailureMessage"])

    def test_http_api_stages_can_be_updated(self):
        # moto 5.2 has no apigatewayv2 UpdateStage; the emulator adds it.
        v2 = boto3.client("apigatewayv2", endpoint_url=self.url, region_name="us-east-1")
        api = v2.create_api(Name="http", ProtocolType="HTTP")["ApiId"]
        v2.create_stage(ApiId=api, StageName="prod")
        out = v2.update_stage(ApiId=api, StageName="prod", AccessLogSettings={
            "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:access", "Format": "$context.requestId"})
        self.assertEqual(out["AccessLogSettings"]["DestinationArn"], "arn:aws:logs:us-east-1:123456789012:log-group:access")
        stage = v2.get_stage(ApiId=api, StageName="prod")
        self.assertEqual(stage["AccessLogSettings"]["Format"], "$context.requestId")
        with self.assertRaisesRegex(Exception, "NotFoundException"):
            v2.update_stage(ApiId=api, StageName="nope", Description="x")

    # ---- Config remediation -----------------------------------------------------------------
    def evaluate(self, rule, token, rid, compliance):
        urllib_post(self.url, "result-tokens", {"token": token, "ruleName": rule})
        self.config.put_evaluations(ResultToken=token, Evaluations=[{
            "ComplianceResourceType": "AWS::KMS::Key", "ComplianceResourceId": rid,
            "ComplianceType": compliance, "OrderingTimestamp": datetime.now(timezone.utc)}])

    def remediation(self, rule, document, role, automatic):
        self.config.put_remediation_configurations(RemediationConfigurations=[{
            "ConfigRuleName": rule, "TargetType": "SSM_DOCUMENT", "TargetId": document, "Automatic": automatic,
            "MaximumAutomaticAttempts": 3, "RetryAttemptSeconds": 60,
            "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": [role]}},
                           "KeyId": {"ResourceValue": {"Value": "RESOURCE_ID"}}}}])

    def status(self, rule, rid):
        for _ in range(100):
            rows = self.config.describe_remediation_execution_status(
                ConfigRuleName=rule, ResourceKeys=[{"resourceType": "AWS::KMS::Key", "resourceId": rid}])
            rows = rows["RemediationExecutionStatuses"]
            if not rows or rows[0]["State"] in ("SUCCEEDED", "FAILED"):
                return rows
            time.sleep(0.05)
        return rows

    def test_config_remediates_only_non_compliant_resources(self):
        role = self.role("config-rotate", ["kms:EnableKeyRotation", "kms:GetKeyRotationStatus"])
        self.document("config-rotate", doc(self.ROTATE, {"KeyId": {"type": "String"}}))
        self.remediation("rule-manual", "config-rotate", role, automatic=False)
        good, bad = self.key(), self.key()
        self.evaluate("rule-manual", "t1", good, "COMPLIANT")
        self.evaluate("rule-manual", "t1", bad, "NON_COMPLIANT")
        self.assertEqual(self.status("rule-manual", bad), [], "a manual remediation does not start by itself")
        out = self.config.start_remediation_execution(ConfigRuleName="rule-manual", ResourceKeys=[
            {"resourceType": "AWS::KMS::Key", "resourceId": good}, {"resourceType": "AWS::KMS::Key", "resourceId": bad}])
        self.assertEqual(out["FailedItems"], [{"resourceType": "AWS::KMS::Key", "resourceId": good}])
        self.assertIn("is COMPLIANT under rule-manual: only NON_COMPLIANT resources are remediated", out["FailureMessage"])
        rows = self.status("rule-manual", bad)
        self.assertEqual(rows[0]["State"], "SUCCEEDED", rows)
        self.assertEqual([s["Name"] for s in rows[0]["StepDetails"]], ["Enable", "Verify"])
        self.assertTrue(self.kms.get_key_rotation_status(KeyId=bad)["KeyRotationEnabled"])
        self.assertFalse(self.kms.get_key_rotation_status(KeyId=good)["KeyRotationEnabled"])

    def test_automatic_remediation_starts_when_non_compliant_is_stored(self):
        role = self.role("auto-rotate", ["kms:EnableKeyRotation", "kms:GetKeyRotationStatus"])
        self.document("auto-rotate", doc(self.ROTATE, {"KeyId": {"type": "String"}}))
        self.remediation("rule-auto", "auto-rotate", role, automatic=True)
        na, bad = self.key(), self.key()
        self.evaluate("rule-auto", "t2", na, "NOT_APPLICABLE")
        self.evaluate("rule-auto", "t2", bad, "NON_COMPLIANT")
        self.assertEqual(self.status("rule-auto", bad)[0]["State"], "SUCCEEDED")
        self.assertEqual(self.status("rule-auto", na), [])
        self.assertFalse(self.kms.get_key_rotation_status(KeyId=na)["KeyRotationEnabled"])

    def test_a_failing_call_fails_the_remediation_with_the_reason(self):
        role = self.role("fail-rotate", ["kms:EnableKeyRotation", "kms:GetKeyRotationStatus"])
        self.document("fail-rotate", doc(self.ROTATE, {"KeyId": {"type": "String"}}))
        self.remediation("rule-fail", "fail-rotate", role, automatic=False)
        bad = self.key()
        self.evaluate("rule-fail", "t3", bad, "NON_COMPLIANT")
        urllib_post(self.url, "faults", {"operation": "EnableKeyRotation", "kind": "error500"})
        self.config.start_remediation_execution(
            ConfigRuleName="rule-fail", ResourceKeys=[{"resourceType": "AWS::KMS::Key", "resourceId": bad}])
        rows = self.status("rule-fail", bad)
        self.assertEqual(rows[0]["State"], "FAILED")
        self.assertEqual(rows[0]["StepDetails"][0]["State"], "FAILED")
        self.assertIn("kms:EnableKeyRotation failed: InternalFailure", rows[0]["StepDetails"][0]["ErrorMessage"])


def urllib_post(url, route, body):
    import urllib.request

    req = urllib.request.Request(f"{url}/_emulator/{route}", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


if __name__ == "__main__":
    unittest.main()
