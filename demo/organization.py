"""The organization part of `make demo`: the demo account becomes the management account of an
organization with two member accounts, each providing the member role (member-role.yaml's
trust: the management account), each with a little of its own; then one scan covers all
three accounts through that role and reports per account.
"""

import json
import subprocess
import urllib.request
import zipfile
import io

import boto3

ROLE = "config-rules-member"


def control(port, route, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/{route}", data=json.dumps(body).encode(),
                                 method="POST")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def empty_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buf.getvalue()


def seed_member(port, management, account, functions):
    """The member role (as the StackSet deploys it) and `functions` (name, runtime, timeout)."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{management}:root"}, "Action": "sts:AssumeRole"}]}
    control(port, "iam-roles", {"accountId": account, "roleName": ROLE, "assumeRolePolicyDocument": trust})
    lambda_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = control(port, "iam-roles", {"accountId": account, "roleName": "app-role",
                                       "assumeRolePolicyDocument": lambda_trust})["arn"]
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}",
                                            RoleSessionName="demo-seed")["Credentials"]
    lam = boto3.client("lambda", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    for name, runtime, timeout in functions:
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="app.handler", Timeout=timeout,
                            Code={"ZipFile": empty_zip()}, Tags={"team": "payments", "env": "prod"})


def run(cli, env, port):
    org = boto3.client("organizations")
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    members = []
    for name in ("payments-prod", "payments-dev"):
        status = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        members.append(status["AccountId"])
    seed_member(port, management, members[0], [("settle-batch", "python3.12", 900), ("refund-api", "nodejs22.x", 10)])
    seed_member(port, management, members[1], [("refund-api", "python3.9", 10)])
    print(f"Organization: management {management}, members {members[0]} (payments-prod), "
          f"{members[1]} (payments-dev), each with the member role {ROLE}.\n", flush=True)
    args = ["scan", "--source", "api", "--organization", "--role-name", ROLE,
            "--rules", "lambda-timeout-within-limit,lambda-supported-runtime"]
    print("$ config-rules " + " ".join(args) + "\n", flush=True)
    out = subprocess.run([str(cli), *args], env=env, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise SystemExit(f"the organization scan failed ({out.returncode}): {out.stderr}")
    lines = out.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Accounts:"))
    findings = []
    for i, line in enumerate(lines):
        if line.startswith("=== account"):
            findings.append(line)
        elif "NON_COMPLIANT" in line:
            findings.extend(lines[i:i + 2])
    print("\n".join(findings))
    print("  ...")
    print("\n".join(lines[start:]))
