"""One remediation run in the demo account, as `EnableRemediation=true` deploys it.

From template.yaml (the file `make deploy` deploys) it takes the rule's Automation document,
the remediation role's statements for that rule and the remediation configuration, and puts
them in the emulator. Then: the CLI evaluates the rule (the same code as the Lambda function)
and its evaluations are posted to Config as the function posts them; Config runs the
remediation on the NON_COMPLIANT resource (the emulator's Automation executor, as the role);
the rule is evaluated again.
"""

import json
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parent.parent
RULE = "kms-key-rotation-enabled"
PREFIX = "KmsKeyRotationEnabled"


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, read as their long forms."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


def resolve(value, account, region, role_arn, parameters):
    """The few intrinsics the remediation resources use, for one account and region."""
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Fn::Sub":
            return (arg.replace("${AWS::Partition}", "aws").replace("${AWS::Region}", region)
                    .replace("${AWS::AccountId}", account))
        if key == "Fn::GetAtt" and arg == ["RemediationRole", "Arn"]:
            return role_arn
        if key == "Ref":
            pseudo = {"AWS::AccountId": account, "AWS::Region": region, "AWS::Partition": "aws"}
            return pseudo[arg] if arg in pseudo else str(parameters[arg]["Default"])
        if key.startswith("Fn::"):
            raise ValueError(f"the demo cannot resolve {key}")
    if isinstance(value, dict):
        return {k: resolve(v, account, region, role_arn, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, account, region, role_arn, parameters) for v in value]
    return value


def deploy(template, account, region):
    """The rule's document, role and remediation configuration, as the template creates them."""
    resources, parameters = template["Resources"], template["Parameters"]
    iam, ssm, config = boto3.client("iam"), boto3.client("ssm"), boto3.client("config")
    role = resources["RemediationRole"]["Properties"]
    statements = [s["Fn::If"][1] for s in role["Policies"][0]["PolicyDocument"]["Statement"]
                  if s["Fn::If"][0] == f"{PREFIX}RemediationOn"]
    trust = resolve(role["AssumeRolePolicyDocument"], account, region, None, parameters)
    trust["Statement"][0].pop("Condition", None)  # aws:SourceAccount: the emulator passes none
    role_arn = iam.create_role(RoleName="config-rules-remediation",
                               AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="config-rules-remediation", PolicyName="remediate", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": resolve(statements, account, region, role_arn, parameters)}))
    document = f"{PREFIX}RemediationDocument"
    ssm.create_document(Name=document, DocumentType="Automation", DocumentFormat="YAML",
                        Content=yaml.safe_dump(resources[document]["Properties"]["Content"], sort_keys=False))
    config_props = resources[f"{PREFIX}RemediationConfiguration"]["Properties"]
    config.put_remediation_configurations(RemediationConfigurations=[{
        "ConfigRuleName": RULE, "TargetType": "SSM_DOCUMENT", "TargetId": document, "Automatic": False,
        "MaximumAutomaticAttempts": config_props["MaximumAutomaticAttempts"],
        "RetryAttemptSeconds": config_props["RetryAttemptSeconds"],
        "Parameters": resolve(config_props["Parameters"], account, region, role_arn, parameters)}])


def evaluate_and_post(cli, env, token):
    """The rule's evaluations now, posted to Config under the demo's result token."""
    with tempfile.TemporaryDirectory() as tmp:
        event = json.loads((ROOT / "events" / RULE / "scheduled.json").read_text())
        invoking = json.loads(event["invokingEvent"])
        invoking["notificationCreationTime"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        event.update(invokingEvent=json.dumps(invoking), resultToken=token, configRuleName=RULE)
        path = Path(tmp) / "event.json"
        path.write_text(json.dumps(event))
        out = subprocess.run([str(cli), "evaluate", "--rule", RULE, "--event", str(path), "--format", "evaluations"],
                             env=env, check=True, capture_output=True, text=True).stdout
    evaluations = json.loads(out)
    for e in evaluations:
        e["OrderingTimestamp"] = datetime.fromisoformat(e["OrderingTimestamp"].replace("Z", "+00:00"))
    boto3.client("config").put_evaluations(ResultToken=token, Evaluations=evaluations)
    return evaluations


def run(cli, env, port):
    account = boto3.client("sts").get_caller_identity()["Account"]
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=CfnLoader)
    deploy(template, account, "us-east-1")
    token = "demo-remediation"
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{port}/_emulator/result-tokens", method="POST",
        data=json.dumps({"token": token, "ruleName": RULE}).encode()))

    before = [e for e in evaluate_and_post(cli, env, token) if e["ComplianceType"] == "NON_COMPLIANT"]
    if not before:
        print(f"{RULE}: nothing to remediate.")
        return
    target = before[0]
    key = {"resourceType": target["ComplianceResourceType"], "resourceId": target["ComplianceResourceId"]}
    print(f"1. {RULE} judges {key['resourceType']} {key['resourceId']} NON_COMPLIANT:\n     {target['Annotation']}")
    config = boto3.client("config")
    config.start_remediation_execution(ConfigRuleName=RULE, ResourceKeys=[key])
    deadline = time.time() + 30
    while True:
        status = config.describe_remediation_execution_status(ConfigRuleName=RULE, ResourceKeys=[key])
        row = status["RemediationExecutionStatuses"][0]
        if row["State"] in ("SUCCEEDED", "FAILED") or time.time() > deadline:
            break
        time.sleep(0.1)
    steps = ", ".join(f"{s['Name']} {s['State']}" for s in row["StepDetails"])
    print(f"2. Config runs {PREFIX}RemediationDocument as the remediation role: {row['State']} ({steps})")
    after = [e for e in evaluate_and_post(cli, env, token) if e["ComplianceResourceId"] == key["resourceId"]]
    print(f"3. {RULE} evaluates again: {after[0]['ComplianceType']}\n     {after[0]['Annotation']}")
