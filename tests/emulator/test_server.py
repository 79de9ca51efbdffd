"""Tests of the emulator's extension of moto (run: .venv/bin/python -m unittest discover tests/emulator)."""

import json
import os
import threading
import time
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


class EmulatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = make_server("127.0.0.1", 0, make_app(), threaded=True)
        cls.url = f"http://127.0.0.1:{cls.server.server_port}"
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.config = boto3.client("config", endpoint_url=cls.url, region_name="us-east-1",
                                  config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def control(self, route, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}/_emulator/{route}", data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read())

    def setUp(self):
        self.control("reset", {})
        self.control("result-tokens", {"token": "tok", "ruleName": "rule-a"})

    def evaluation(self, rid, compliance="COMPLIANT", annotation="ok", ts="2026-11-20T08:00:00Z"):
        return {"ComplianceResourceType": "AWS::Lambda::Function", "ComplianceResourceId": rid,
                "ComplianceType": compliance, "Annotation": annotation,
                "OrderingTimestamp": datetime.fromisoformat(ts.replace("Z", "+00:00"))}

    def all_results(self, rule, limit=100):
        out, token = [], None
        while True:
            kwargs = {"ConfigRuleName": rule, "Limit": limit}
            if token:
                kwargs["NextToken"] = token
            page = self.config.get_compliance_details_by_config_rule(**kwargs)
            out.extend(page["EvaluationResults"])
            token = page.get("NextToken")
            if not token:
                return out

    def test_evaluations_are_stored_and_read_back_paginated(self):
        for start in range(0, 250, 100):
            self.config.put_evaluations(ResultToken="tok", Evaluations=[
                self.evaluation(f"fn-{i:03}", "NON_COMPLIANT" if i % 2 else "COMPLIANT") for i in range(start, min(start + 100, 250))])
        results = self.all_results("rule-a", limit=30)
        self.assertEqual(len(results), 250)
        self.assertEqual(results[1]["EvaluationResultIdentifier"]["EvaluationResultQualifier"],
                         {"ConfigRuleName": "rule-a", "ResourceType": "AWS::Lambda::Function", "ResourceId": "fn-001",
                          "EvaluationMode": "DETECTIVE"})
        self.assertEqual(results[1]["ComplianceType"], "NON_COMPLIANT")
        non = self.config.get_compliance_details_by_config_rule(ConfigRuleName="rule-a", ComplianceTypes=["NON_COMPLIANT"], Limit=100)
        self.assertEqual(len(non["EvaluationResults"]), 100)
        self.assertIn("NextToken", non)
        summary = self.config.describe_compliance_by_config_rule(ConfigRuleNames=["rule-a"])["ComplianceByConfigRules"]
        self.assertEqual(summary, [{"ConfigRuleName": "rule-a", "Compliance": {
            "ComplianceType": "NON_COMPLIANT", "ComplianceContributorCount": {"CappedCount": 100, "CapExceeded": True}}}])
        by_resource = self.config.get_compliance_details_by_resource(ResourceType="AWS::Lambda::Function", ResourceId="fn-003")
        self.assertEqual([r["ComplianceType"] for r in by_resource["EvaluationResults"]], ["NON_COMPLIANT"])

    def test_newer_results_replace_older_ones_only(self):
        self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f", "COMPLIANT", ts="2026-11-20T08:00:00Z")])
        self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f", "NON_COMPLIANT", "late", ts="2026-11-20T07:00:00Z")])
        self.assertEqual(self.all_results("rule-a")[0]["ComplianceType"], "COMPLIANT")
        self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f", "NOT_APPLICABLE", "gone", ts="2026-11-20T09:00:00Z")])
        self.assertEqual(self.all_results("rule-a")[0]["Annotation"], "gone")

    def test_validation_like_aws(self):
        cases = [
            ([self.evaluation(f"f{i}") for i in range(101)], "ValidationException"),
            ([self.evaluation("f", annotation="a" * 257)], "ValidationException"),
            ([self.evaluation("f", compliance="INSUFFICIENT_DATA")], "InvalidParameterValueException"),
            ([self.evaluation("x" * 769)], "ValidationException"),
        ]
        for evaluations, code in cases:
            with self.assertRaises(ClientError) as ctx:
                self.config.put_evaluations(ResultToken="tok", Evaluations=evaluations)
            self.assertEqual(ctx.exception.response["Error"]["Code"], code)
        self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f", annotation="é" * 256)])
        with self.assertRaises(ClientError) as ctx:
            self.config.put_evaluations(ResultToken="unknown", Evaluations=[self.evaluation("f")])
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidResultTokenException")
        with self.assertRaises(ClientError) as ctx:
            self.config.get_compliance_details_by_config_rule(ConfigRuleName="no-such-rule")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NoSuchConfigRuleException")

    def test_test_mode_stores_nothing(self):
        self.config.put_evaluations(ResultToken="TESTMODE", TestMode=True, Evaluations=[self.evaluation("f")])
        self.assertEqual(self.all_results("rule-a"), [])

    def test_faults(self):
        self.control("faults", {"operation": "PutEvaluations", "kind": "throttle", "count": 2})
        for _ in range(2):
            with self.assertRaises(ClientError) as ctx:
                self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f")])
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ThrottlingException")
        self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f")])
        self.control("faults", {"operation": "PutEvaluations", "kind": "failed-evaluations", "count": 1, "failCount": 1})
        out = self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("g"), self.evaluation("h")])
        self.assertEqual([f["ComplianceResourceId"] for f in out["FailedEvaluations"]], ["g"])
        self.assertEqual(sorted(r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                                for r in self.all_results("rule-a")), ["f", "h"])
        self.control("faults", {"operation": "DescribeTrails", "kind": "error500", "count": 1})
        trails = boto3.client("cloudtrail", endpoint_url=self.url, region_name="us-east-1",
                              config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        with self.assertRaises(ClientError) as ctx:
            trails.describe_trails()
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.assertEqual(trails.describe_trails()["trailList"], [])
        calls = self.control("calls")["calls"]
        self.assertEqual([c["status"] for c in calls if c["operation"] == "PutEvaluations"], [400, 400, 200, 200])

    def test_a_quota_throttles_calls_beyond_its_rate(self):
        # Two operations sharing a quota of 2 calls a second: 2 pass at once, the next is
        # throttled whichever operation it is, and a client that waits gets through again.
        self.control("faults", {"operations": ["DescribeTrails", "ListTrails"], "kind": "quota", "ratePerSecond": 2})
        trails = boto3.client("cloudtrail", endpoint_url=self.url, region_name="us-east-1",
                              config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        trails.describe_trails()
        trails.list_trails()
        for call in (trails.describe_trails, trails.list_trails):
            with self.assertRaises(ClientError) as ctx:
                call()
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ThrottlingException")
        time.sleep(0.6)  # more than one call's worth of quota
        trails.list_trails()
        statuses = [c["status"] for c in self.control("calls")["calls"] if c["operation"] in ("DescribeTrails", "ListTrails")]
        self.assertEqual(statuses, [200, 200, 400, 400, 200])

    def test_faults_scoped_to_a_token(self):
        self.control("result-tokens", {"token": "other", "ruleName": "rule-b"})
        self.control("faults", {"operation": "PutEvaluations", "kind": "throttle", "count": -1, "resultToken": "other"})
        self.config.put_evaluations(ResultToken="tok", Evaluations=[self.evaluation("f")])
        for _ in range(3):
            with self.assertRaises(ClientError):
                self.config.put_evaluations(ResultToken="other", Evaluations=[self.evaluation("f")])
        calls = [c for c in self.control("calls")["calls"] if c["operation"] == "PutEvaluations"]
        self.assertEqual([(c["status"], c.get("resultToken")) for c in calls],
                         [(200, "tok"), (400, "other"), (400, "other"), (400, "other")])

    def test_config_history_from_loaded_items_then_moto(self):
        self.control("config-items", {"items": [
            {"resourceType": "AWS::Lambda::Function", "resourceId": "big", "accountId": "123456789012",
             "configurationItemCaptureTime": "2026-11-20T08:00:00Z", "configurationItemStatus": "OK",
             "configuration": {"functionName": "big", "timeout": 900}, "supplementaryConfiguration": {"Policy": "{}"}},
            {"resourceType": "AWS::Lambda::Function", "resourceId": "big", "accountId": "123456789012",
             "configurationItemCaptureTime": "2026-11-21T08:00:00Z", "configurationItemStatus": "OK",
             "configuration": {"functionName": "big", "timeout": 30}}]})
        out = self.config.get_resource_config_history(
            resourceType="AWS::Lambda::Function", resourceId="big", limit=1,
            laterTime=datetime(2026, 11, 20, 9, tzinfo=timezone.utc))
        item = out["configurationItems"][0]
        self.assertEqual(json.loads(item["configuration"]), {"functionName": "big", "timeout": 900})
        self.assertEqual(item["supplementaryConfiguration"], {"Policy": "{}"})
        # Not loaded: moto answers (it knows IAM roles).
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1")
        role = iam.create_role(RoleName="r1", AssumeRolePolicyDocument="{}")["Role"]
        out = self.config.get_resource_config_history(resourceType="AWS::IAM::Role", resourceId=role["RoleId"], limit=1)
        self.assertEqual(json.loads(out["configurationItems"][0]["configuration"])["roleName"], "r1")


    def test_managed_policies_carry_name_and_id(self):
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1")
        created = iam.create_policy(PolicyName="p1", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))["Policy"]
        listed = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])["Policies"]
        mine = [p for p in listed if p["Arn"] == created["Arn"]]
        self.assertEqual([(p["PolicyName"], p["PolicyId"]) for p in mine], [("p1", created["PolicyId"])])

    def raw_config(self, operation, body):
        """A Config call as bytes on the wire, so the JSON types AWS's protocol fixes are seen
        (boto3 would parse a text time without complaint; the Rust SDK does not)."""
        req = urllib.request.Request(self.url + "/", data=json.dumps(body).encode(), method="POST", headers={
            "X-Amz-Target": f"StarlingDoveService.{operation}", "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261128/us-east-1/config/aws4_request, "
                             "SignedHeaders=host, Signature=x"})
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read())

    def test_batch_get_resource_config_sends_epoch_times_like_aws(self):
        # moto's own inventory (S3 buckets): moto writes "YYYY-MM-DD HH:MM:SS" text times.
        s3 = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1")
        s3.create_bucket(Bucket="inventory-bucket")
        out = self.raw_config("BatchGetResourceConfig", {"resourceKeys": [
            {"resourceType": "AWS::S3::Bucket", "resourceId": "inventory-bucket"}]})
        item = out["baseConfigurationItems"][0]
        self.assertIsInstance(item["configurationItemCaptureTime"], (int, float))
        self.assertIsInstance(item["resourceCreationTime"], (int, float))

    def test_loaded_items_form_the_config_inventory(self):
        self.control("config-items", {"items": [
            {"resourceType": "AWS::ApiGateway::RestApi", "resourceId": f"arn:aws:apigateway:us-east-1::/restapis/{i}",
             "resourceName": f"api-{i}", "accountId": "123456789012", "configurationItemStatus": "OK",
             "configurationItemCaptureTime": "2026-11-20T08:00:00Z", "configuration": {"id": i},
             "tags": {"team": "a"}} for i in ("a1", "b2", "c3")] + [
            {"resourceType": "AWS::ApiGateway::RestApi", "resourceId": "arn:aws:apigateway:us-east-1::/restapis/d4",
             "accountId": "123456789012", "configurationItemStatus": "ResourceDeleted",
             "configurationItemCaptureTime": "2026-11-20T08:00:00Z"}]})
        first = self.raw_config("ListDiscoveredResources", {"resourceType": "AWS::ApiGateway::RestApi", "limit": 2})
        self.assertEqual([r["resourceName"] for r in first["resourceIdentifiers"]], ["api-a1", "api-b2"])
        rest = self.raw_config("ListDiscoveredResources", {"resourceType": "AWS::ApiGateway::RestApi",
                                                           "nextToken": first["nextToken"]})
        self.assertEqual([r["resourceName"] for r in rest["resourceIdentifiers"]], ["api-c3"])
        self.assertNotIn("nextToken", rest)
        out = self.raw_config("BatchGetResourceConfig", {"resourceKeys": [
            {"resourceType": "AWS::ApiGateway::RestApi", "resourceId": "arn:aws:apigateway:us-east-1::/restapis/a1"},
            {"resourceType": "AWS::ApiGateway::RestApi", "resourceId": "arn:aws:apigateway:us-east-1::/restapis/zz"}]})
        self.assertEqual(len(out["baseConfigurationItems"]), 1)
        item = out["baseConfigurationItems"][0]
        self.assertEqual(json.loads(item["configuration"]), {"id": "a1"})
        self.assertIsInstance(item["configurationItemCaptureTime"], float)
        self.assertNotIn("tags", item)
        self.assertEqual(out["unprocessedResourceKeys"], [])

    def test_access_denied_and_hang_faults(self):
        s3 = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                          config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        s3.create_bucket(Bucket="locked")
        s3.put_bucket_encryption(Bucket="locked", ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        self.control("faults", {"operation": "GetBucketEncryption", "kind": "access-denied", "count": 1})
        with self.assertRaises(ClientError) as ctx:
            s3.get_bucket_encryption(Bucket="locked")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "AccessDenied")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        # Only the next call: the one after is answered.
        self.assertIn("ServerSideEncryptionConfiguration", s3.get_bucket_encryption(Bucket="locked"))
        self.control("faults", {"operation": "DescribeComplianceByConfigRule", "kind": "access-denied"})
        with self.assertRaises(ClientError) as ctx:
            self.config.describe_compliance_by_config_rule()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "AccessDeniedException")
        self.control("faults", {"operation": "DescribeComplianceByConfigRule", "kind": "hang", "seconds": 1})
        started = time.monotonic()
        self.config.describe_compliance_by_config_rule()
        self.assertGreaterEqual(time.monotonic() - started, 1.0)

    def test_calls_name_their_caller_and_rest_operations(self):
        lam = boto3.client("lambda", endpoint_url=self.url, region_name="us-east-1",
                           aws_access_key_id="fn-some-rule", aws_secret_access_key="x")
        lam.list_functions()
        config = boto3.client("config", endpoint_url=self.url, region_name="us-east-1",
                              aws_access_key_id="fn-other-rule", aws_secret_access_key="x")
        config.describe_compliance_by_config_rule()
        calls = self.control("calls")["calls"]
        mine = [(c["accessKey"], c["service"], c["operation"]) for c in calls if c.get("accessKey", "").startswith("fn-")]
        self.assertIn(("fn-some-rule", "lambda", "ListFunctions"), mine)
        self.assertIn(("fn-other-rule", "config", "DescribeComplianceByConfigRule"), mine)

    def test_rotating_keys_report_their_rotation_period(self):
        kms = boto3.client("kms", endpoint_url=self.url, region_name="us-east-1")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertNotIn("RotationPeriodInDays", kms.get_key_rotation_status(KeyId=key))
        kms.enable_key_rotation(KeyId=key)
        self.assertEqual(kms.get_key_rotation_status(KeyId=key)["RotationPeriodInDays"], 365)

    def test_buckets_without_a_configuration_report_sse_s3_like_aws(self):
        s3 = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1")
        s3.create_bucket(Bucket="plain-bucket")
        rule = s3.get_bucket_encryption(Bucket="plain-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"], {"SSEAlgorithm": "AES256"})
        s3.put_bucket_encryption(Bucket="plain-bucket", ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"}}]})
        rule = s3.get_bucket_encryption(Bucket="plain-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms")
        s3.create_bucket(Bucket="old-bucket")
        self.control("legacy-unencrypted-buckets", {"bucket": "old-bucket"})
        with self.assertRaises(ClientError) as old:
            s3.get_bucket_encryption(Bucket="old-bucket")
        self.assertEqual(old.exception.response["Error"]["Code"], "ServerSideEncryptionConfigurationNotFoundError")
        with self.assertRaises(ClientError) as gone:
            s3.get_bucket_encryption(Bucket="no-such-bucket")
        self.assertEqual(gone.exception.response["Error"]["Code"], "NoSuchBucket")

    def test_event_data_stores_answer_like_cloudtrail_lake(self):
        ct = boto3.client("cloudtrail", endpoint_url=self.url, region_name="us-east-1")
        self.assertEqual(ct.list_event_data_stores()["EventDataStores"], [])
        selectors = [{"Name": "Lambda", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                           {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]}]}]
        arn = self.control("event-data-stores", {"name": "audit-lake", "advancedEventSelectors": selectors})["arn"]
        listed = ct.list_event_data_stores()["EventDataStores"]
        self.assertEqual([(s["EventDataStoreArn"], s["Name"]) for s in listed], [(arn, "audit-lake")])
        store = ct.get_event_data_store(EventDataStore=arn)
        self.assertEqual((store["Status"], store["AdvancedEventSelectors"]), ("ENABLED", selectors))
        with self.assertRaises(ClientError) as missing:
            ct.get_event_data_store(EventDataStore=arn + "-gone")
        self.assertEqual(missing.exception.response["Error"]["Code"], "EventDataStoreNotFoundException")

    def test_keys_can_have_the_id_a_sample_names(self):
        key_id = "5a8b7c6d-1111-2222-3333-444455556666"
        arn = self.control("kms-keys", {"keyId": key_id, "description": "fixed", "rotation": True})["arn"]
        self.assertEqual(arn, f"arn:aws:kms:us-east-1:123456789012:key/{key_id}")
        kms = boto3.client("kms", endpoint_url=self.url, region_name="us-east-1")
        meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
        self.assertEqual((meta["KeyId"], meta["KeyManager"], meta["Description"]), (key_id, "CUSTOMER", "fixed"))
        self.assertTrue(kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"])
        self.assertEqual(self.control("kms-keys", {"keyId": key_id})["arn"], arn, "asking twice keeps the key")

    def test_function_updates_set_tracing_like_lambda(self):
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1")
        lam = boto3.client("lambda", endpoint_url=self.url, region_name="us-east-1")
        role = iam.create_role(RoleName="tracing-role", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                   "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        lam.create_function(FunctionName="traced", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
        self.assertEqual(lam.get_function_configuration(FunctionName="traced")["TracingConfig"]["Mode"], "PassThrough")
        lam.update_function_configuration(FunctionName="traced", TracingConfig={"Mode": "Active"})
        self.assertEqual(lam.get_function_configuration(FunctionName="traced")["TracingConfig"]["Mode"], "Active")

    def test_layers_of_another_account_can_be_used_like_in_lambda(self):
        vendor = "210987654321"
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                                         "Action": "sts:AssumeRole"}]}
        self.control("iam-roles", {"accountId": vendor, "roleName": "publisher", "assumeRolePolicyDocument": trust})
        creds = boto3.client("sts", endpoint_url=self.url, region_name="us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{vendor}:role/publisher", RoleSessionName="publish")["Credentials"]
        publisher = boto3.client("lambda", endpoint_url=self.url, region_name="us-east-1",
                                 aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])
        layer = publisher.publish_layer_version(LayerName="vendor-telemetry",
                                                Content={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})["LayerVersionArn"]
        self.assertTrue(layer.startswith(f"arn:aws:lambda:us-east-1:{vendor}:layer:vendor-telemetry:"), layer)
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1")
        lam = boto3.client("lambda", endpoint_url=self.url, region_name="us-east-1")
        role = iam.create_role(RoleName="layered-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        lam.create_function(FunctionName="layered", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18}, Layers=[layer])
        self.assertEqual([x["Arn"] for x in lam.get_function_configuration(FunctionName="layered")["Layers"]], [layer])
        with self.assertRaises(ClientError):
            lam.update_function_configuration(FunctionName="layered", Layers=[layer + "0"])

    def test_dead_letter_queues_are_kept_like_lambda(self):
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1")
        lam = boto3.client("lambda", endpoint_url=self.url, region_name="us-east-1")
        role = iam.create_role(RoleName="dlq-role", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                   "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        queue = "arn:aws:sqs:us-east-1:123456789012:thumbnailer-dlq"
        lam.create_function(FunctionName="with-dlq", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18}, DeadLetterConfig={"TargetArn": queue})
        self.assertEqual(lam.get_function_configuration(FunctionName="with-dlq")["DeadLetterConfig"], {"TargetArn": queue})
        listed = [f for f in lam.list_functions()["Functions"] if f["FunctionName"] == "with-dlq"]
        self.assertEqual(listed[0]["DeadLetterConfig"], {"TargetArn": queue})
        lam.update_function_configuration(FunctionName="with-dlq", DeadLetterConfig={"TargetArn": ""})
        self.assertNotIn("DeadLetterConfig", lam.get_function_configuration(FunctionName="with-dlq"))

    def test_queue_urls_are_shaped_like_aws(self):
        sqs = boto3.client("sqs", endpoint_url=self.url, region_name="us-east-1")
        url = sqs.create_queue(QueueName="shaped")["QueueUrl"]
        self.assertEqual(url, "https://sqs.us-east-1.amazonaws.com/123456789012/shaped")
        self.assertIn(url, sqs.list_queues()["QueueUrls"])
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attributes["QueueArn"], "arn:aws:sqs:us-east-1:123456789012:shaped")
        self.assertEqual(attributes["SqsManagedSseEnabled"], "true", "SSE-SQS by default")
        with_key = sqs.create_queue(QueueName="with-key", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=with_key, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attributes["KmsMasterKeyId"], attributes["SqsManagedSseEnabled"]), ("alias/aws/sqs", "false"))

    def test_code_signing_configurations_are_the_ones_functions_name(self):
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1")
        lam = boto3.client("lambda", endpoint_url=self.url, region_name="us-east-1")
        role = iam.create_role(RoleName="csc-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        arn = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f6a7b8"
        for name, extra in (("signed-fn", {"CodeSigningConfigArn": arn}), ("plain-fn", {})):
            lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="a.h",
                                Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18}, **extra)
        configs = lam.list_code_signing_configs()["CodeSigningConfigs"]
        self.assertEqual([c["CodeSigningConfigArn"] for c in configs], [arn])
        self.assertEqual(configs[0]["CodeSigningPolicies"], {"UntrustedArtifactOnDeployment": "Warn"})
        functions = lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"]
        self.assertEqual(functions, ["arn:aws:lambda:us-east-1:123456789012:function:signed-fn"])
        self.assertEqual(lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]["CodeSigningConfigId"],
                         "csc-0a1b2c3d4e5f6a7b8")
        with self.assertRaises(ClientError) as gone:
            lam.get_code_signing_config(CodeSigningConfigArn=arn.replace("csc-0", "csc-9"))
        self.assertEqual(gone.exception.response["Error"]["Code"], "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main()
