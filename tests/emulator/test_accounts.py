"""Several accounts in one emulator: AssumeRole as AWS refuses it, Config per account."""

import json
import os
import threading
import unittest
import urllib.request
from datetime import datetime, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from werkzeug.serving import make_server

import logging

from server import make_app

logging.getLogger("werkzeug").setLevel(logging.ERROR)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
MEMBER = "111111111111"
CENTRAL = "123456789012"


class AccountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = make_server("127.0.0.1", 0, make_app(), threaded=True)
        cls.url = f"http://127.0.0.1:{cls.server.server_port}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def client(self, service, creds=None):
        extra = {}
        if creds:
            extra = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                     "aws_session_token": creds["SessionToken"]}
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}), **extra)

    def control(self, route, body):
        req = urllib.request.Request(f"{self.url}/_emulator/{route}", data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read())

    def create_member_role(self, name, trust):
        out = self.control("iam-roles", {"accountId": MEMBER, "roleName": name, "assumeRolePolicyDocument": trust,
                                         "policyDocument": {"Version": "2012-10-17", "Statement": [
                                             {"Effect": "Allow", "Action": "config:PutEvaluations", "Resource": "*"}]}})
        self.assertEqual(out["arn"], f"arn:aws:iam::{MEMBER}:role/{name}")

    def test_assume_role_needs_the_role_and_its_trust(self):
        sts = self.client("sts")
        with self.assertRaisesRegex(ClientError, "AccessDenied.*not authorized to perform: sts:AssumeRole"):
            sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/missing", RoleSessionName="s1")
        self.create_member_role("trusts-someone-else", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]})
        with self.assertRaisesRegex(ClientError, "AccessDenied"):
            sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/trusts-someone-else", RoleSessionName="s2")
        self.create_member_role("trusts-central", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CENTRAL}:root"}, "Action": "sts:AssumeRole"}]})
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/trusts-central", RoleSessionName="s3")["Credentials"]
        self.assertEqual(self.client("sts", creds).get_caller_identity()["Account"], MEMBER)

    def test_config_results_are_kept_per_account_and_tokens_work_in_their_account_only(self):
        self.create_member_role("config-rules-member", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": CENTRAL}, "Action": "sts:AssumeRole"}]})
        creds = self.client("sts").assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/config-rules-member",
                                               RoleSessionName="rule")["Credentials"]
        self.control("result-tokens", {"token": "member-token", "ruleName": "org-rule", "accountId": MEMBER})
        evaluation = {"ComplianceResourceType": "AWS::::Account", "ComplianceResourceId": MEMBER,
                      "ComplianceType": "COMPLIANT", "OrderingTimestamp": datetime.now(timezone.utc)}
        with self.assertRaisesRegex(ClientError, "InvalidResultTokenException"):
            self.client("config").put_evaluations(ResultToken="member-token", Evaluations=[evaluation])
        member_config = self.client("config", creds)
        member_config.put_evaluations(ResultToken="member-token", Evaluations=[evaluation])
        rows = member_config.get_compliance_details_by_config_rule(ConfigRuleName="org-rule")["EvaluationResults"]
        self.assertEqual([r["ComplianceType"] for r in rows], ["COMPLIANT"])
        with self.assertRaisesRegex(ClientError, "NoSuchConfigRuleException"):
            self.client("config").get_compliance_details_by_config_rule(ConfigRuleName="org-rule")

    def test_an_aggregator_reads_every_account_it_covers(self):
        # Shaped as AWS Config API Reference, BaseConfigurationItem (configuration as a JSON string).
        def item(account, name):
            return {"version": "1.3", "accountId": account, "configurationItemCaptureTime": 1764316800,
                    "configurationItemStatus": "OK", "resourceType": "AWS::Lambda::Function",
                    "resourceId": name, "resourceName": name, "awsRegion": "us-east-1",
                    "configuration": json.dumps({"functionName": name, "timeout": 3})}
        self.control("config-items", {"items": [item(MEMBER, "member-fn")]})
        self.control("config-items", {"items": [item(CENTRAL, "central-fn")]})
        self.control("config-items", {"items": [item("333333333333", "outside-fn")]})
        config = self.client("config")
        config.put_configuration_aggregator(ConfigurationAggregatorName="org", AccountAggregationSources=[
            {"AccountIds": [MEMBER, CENTRAL], "AllAwsRegions": True}])
        rows = config.list_aggregate_discovered_resources(
            ConfigurationAggregatorName="org", ResourceType="AWS::Lambda::Function")["ResourceIdentifiers"]
        self.assertEqual(sorted((r["SourceAccountId"], r["ResourceId"]) for r in rows),
                         [(MEMBER, "member-fn"), (CENTRAL, "central-fn")])
        out = config.batch_get_aggregate_resource_config(ConfigurationAggregatorName="org", ResourceIdentifiers=rows)
        self.assertEqual(sorted(i["accountId"] for i in out["BaseConfigurationItems"]), [MEMBER, CENTRAL])
        with self.assertRaisesRegex(ClientError, "NoSuchConfigurationAggregatorException"):
            config.list_aggregate_discovered_resources(ConfigurationAggregatorName="nope",
                                                       ResourceType="AWS::Lambda::Function")

    def test_list_regions_reports_enabled_and_opt_in_regions(self):
        account = self.client("account")
        pages = account.get_paginator("list_regions").paginate(
            RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"], PaginationConfig={"PageSize": 5})
        names = [r["RegionName"] for page in pages for r in page["Regions"]]
        self.assertIn("us-east-1", names)
        self.assertNotIn("af-south-1", names)
        self.assertEqual(len(names), 17)

    def test_tagged_lambda_functions_are_listed_in_pages(self):
        iam = self.client("iam")
        role = iam.create_role(RoleName="tagging-fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = self.client("lambda")
        for i in range(5):
            lam.create_function(FunctionName=f"tagged-{i}", Runtime="python3.12", Role=role, Handler="a.h",
                                Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
                                Tags={"team": f"t{i}"} if i % 2 == 0 else {})
        pages = self.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(
            ResourceTypeFilters=["lambda:function"], ResourcesPerPage=2)
        rows = [r for page in pages for r in page["ResourceTagMappingList"]]
        self.assertEqual([r["ResourceARN"].rsplit(":", 1)[1] for r in rows], ["tagged-0", "tagged-2", "tagged-4"])
        self.assertEqual(rows[1]["Tags"], [{"Key": "team", "Value": "t2"}])


if __name__ == "__main__":
    unittest.main()
