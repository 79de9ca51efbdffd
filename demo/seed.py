"""Seeds a small, realistic serverless account into the emulator (or any endpoint).

Used by `make demo` and by the CLI's scan test, which expects exactly these resources.
Idempotent: running it twice leaves the same account.

    AWS_ENDPOINT_URL=http://127.0.0.1:4566 .venv/bin/python demo/seed.py
"""

import io
import json
import os
import sys
import urllib.error
import urllib.request
import zipfile

import boto3
from botocore.exceptions import ClientError

REGION = os.environ.get("AWS_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}


def client(service):
    return boto3.client(service, region_name=REGION, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


def exists_ok(call, *codes):
    try:
        return call()
    except ClientError as err:
        if err.response["Error"]["Code"] in codes:
            return None
        raise


def code_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\necho demo\n")
    return buf.getvalue()


def seed_iam(iam):
    roles = {}
    for name, inline in [
        ("orders-api-role", {"orders-table": {"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadOrders", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
             "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
            {"Sid": "Logs", "Effect": "Allow", "Action": "logs:Put*", "Resource": "*"}]}}),
        ("nightly-report-role", {"reports-bucket": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Reports", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}]}}),
        ("public-webhook-role", {}),
    ]:
        exists_ok(lambda: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST)), "EntityAlreadyExists")
        for policy_name, doc in inline.items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(doc))
        roles[name] = iam.get_role(RoleName=name)["Role"]["Arn"]
    for name, doc in [
        ("DeployEverything", {"Version": "2012-10-17", "Statement": [{"Sid": "Deploy", "Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ("ReadReports", {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
                                                                 "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}]}),
    ]:
        exists_ok(lambda: iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc)), "EntityAlreadyExists")
    return roles


def rotating_key(kms):
    """A second key, with automatic rotation."""
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] == "alias/demo-rotating":
            return
    key = kms.create_key(Description="demo: rotating key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/demo-rotating", TargetKeyId=key["KeyId"])
    kms.enable_key_rotation(KeyId=key["KeyId"])


def seed_user(iam):
    """A CI user with one (new) access key."""
    exists_ok(lambda: iam.create_user(UserName="ci-deployer"), "EntityAlreadyExists")
    if not iam.list_access_keys(UserName="ci-deployer")["AccessKeyMetadata"]:
        iam.create_access_key(UserName="ci-deployer")


def demo_key(kms):
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] == "alias/demo-functions":
            return kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    key = kms.create_key(Description="demo: Lambda environment variables")["KeyMetadata"]
    kms.create_alias(AliasName="alias/demo-functions", TargetKeyId=key["KeyId"])
    return key["Arn"]


VENDOR_ACCOUNT = "210987654321"


def layers(lam):
    """A layer of the demo account (shared-libs) and one a vendor's account publishes
    (vendor-telemetry): lambda-layers-from-trusted-accounts passes orders-api, which uses the
    first, and fails legacy-report, which uses the second. Version 1 of each, however often the
    demo runs."""
    def first_version(client, name):
        versions = client.list_layer_versions(LayerName=name).get("LayerVersions", [])
        if versions:
            return min(versions, key=lambda v: v["Version"])["LayerVersionArn"]
        return client.publish_layer_version(LayerName=name, Content={"ZipFile": code_zip()})["LayerVersionArn"]

    own = first_version(lam, "shared-libs")
    # The vendor's account: a role the demo account may assume (the emulator's control route
    # creates it, as the vendor would), to publish there.
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
    body = json.dumps({"accountId": VENDOR_ACCOUNT, "roleName": "layer-publisher", "assumeRolePolicyDocument": trust})
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    request = urllib.request.Request(f"{endpoint}/_emulator/iam-roles", data=body.encode(), method="POST")
    try:
        urllib.request.urlopen(request).close()
    except urllib.error.HTTPError:
        pass  # the role exists from an earlier run
    creds = client("sts").assume_role(RoleArn=f"arn:aws:iam::{VENDOR_ACCOUNT}:role/layer-publisher",
                                      RoleSessionName="demo-seed")["Credentials"]
    vendor = boto3.client("lambda", region_name=REGION, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
                          aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])
    return own, first_version(vendor, "vendor-telemetry")


def seed_lambda(lam, roles, key_arn):
    own_layer, vendor_layer = layers(lam)
    for name, timeout, role, env, key in [
        ("orders-api", 10, "orders-api-role", {"TABLE": "orders"}, key_arn),
        ("nightly-report", 900, "nightly-report-role", {"BUCKET": "reports", "API_TOKEN": "tok_8Hq2LmZr4Vx9Kb1N"}, ""),
        ("public-webhook", 30, "public-webhook-role", {}, ""),
        ("orders-worker", 30, "orders-api-role", {}, ""),
        ("legacy-report", 60, "public-webhook-role", {}, ""),
    ]:
        extra = {"KMSKeyArn": key} if key else {}
        if name == "orders-api":
            extra["Tags"] = {"owner": "orders-team"}
            extra["TracingConfig"] = {"Mode": "Active"}
            extra["CodeSigningConfigArn"] = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f6a7b8"
        if name == "orders-api":
            extra["Layers"] = [own_layer]
        if name == "legacy-report":
            extra["Layers"] = [vendor_layer]
        runtime = "python3.9" if name == "legacy-report" else "python3.12"
        created = exists_ok(lambda: lam.create_function(
            FunctionName=name, Runtime=runtime, Role=roles[role], Handler="app.handler", Code={"ZipFile": code_zip()},
            Timeout=timeout, MemorySize=256, Environment={"Variables": env}, **extra), "ResourceConflictException")
        if created is None:  # already there: bring it back to the demo's settings
            lam.update_function_configuration(FunctionName=name, Timeout=timeout, Environment={"Variables": env}, **extra)
    lam.put_function_concurrency(FunctionName="orders-api", ReservedConcurrentExecutions=50)
    # Function URLs: the shop's origin only (lambda-url-cors-restricted passes), and any origin
    # with the caller's cookies (it fails).
    for name, auth, cors in [
        ("orders-api", "AWS_IAM", {"AllowOrigins": ["https://shop.example.com"], "AllowCredentials": True}),
        ("public-webhook", "NONE", {"AllowOrigins": ["*"], "AllowCredentials": True}),
    ]:
        exists_ok(lambda: lam.create_function_url_config(FunctionName=name, AuthType=auth, Cors=cors),
                  "ResourceConflictException")
    exists_ok(lambda: lam.add_permission(FunctionName="public-webhook", StatementId="anyone", Action="lambda:InvokeFunction",
                                         Principal="*"), "ResourceConflictException")
    # Asynchronous invokers: a nightly EventBridge schedule (nothing keeps its failed events:
    # lambda-async-failures-captured fails) and an SNS topic (failed events go to a queue).
    exists_ok(lambda: lam.add_permission(FunctionName="nightly-report", StatementId="nightly-schedule",
                                         Action="lambda:InvokeFunction", Principal="events.amazonaws.com",
                                         SourceArn="arn:aws:events:us-east-1:123456789012:rule/nightly-report"),
              "ResourceConflictException")
    exists_ok(lambda: lam.add_permission(FunctionName="orders-worker", StatementId="orders-topic",
                                         Action="lambda:InvokeFunction", Principal="sns.amazonaws.com",
                                         SourceArn="arn:aws:sns:us-east-1:123456789012:orders"),
              "ResourceConflictException")
    lam.put_function_event_invoke_config(
        FunctionName="orders-worker",
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:orders-worker-failures"}})


LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:demo-api-access"
STATES_LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/orders-flow:*"


def seed_api(apigw):
    apis = {a["name"]: a["id"] for a in apigw.get_rest_apis()["items"]}
    api_id = apis.get("pets") or apigw.create_rest_api(name="pets")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    existing = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    pets = existing.get("/pets") or apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    exists_ok(lambda: apigw.put_method(restApiId=api_id, resourceId=pets, httpMethod="GET", authorizationType="NONE"), "ConflictException")
    exists_ok(lambda: apigw.put_integration(restApiId=api_id, resourceId=pets, httpMethod="GET", type="MOCK"), "ConflictException")
    deployment = apigw.create_deployment(restApiId=api_id)["id"]
    stages = {s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]}
    for stage, hardened in [("prod", True), ("beta", False)]:
        if stage not in stages:
            apigw.create_stage(restApiId=api_id, stageName=stage, deploymentId=deployment, cacheClusterEnabled=True,
                               cacheClusterSize="0.5")
        patch = [
            {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true" if hardened else "false"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "500" if hardened else "10000"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1000" if hardened else "5000"},
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR" if hardened else "OFF"},
        ]
        if hardened:
            patch.append({"op": "replace", "path": "/accessLogSettings/destinationArn", "value": LOG_GROUP})
        apigw.update_stage(restApiId=api_id, stageName=stage, patchOperations=patch)
    # A second REST API whose only method requires IAM authorization.
    internal = apis.get("orders-internal") or apigw.create_rest_api(name="orders-internal")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=internal)["items"] if r["path"] == "/")
    paths = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=internal)["items"]}
    orders = paths.get("/orders") or apigw.create_resource(restApiId=internal, parentId=root, pathPart="orders")["id"]
    exists_ok(lambda: apigw.put_method(restApiId=internal, resourceId=orders, httpMethod="GET", authorizationType="AWS_IAM"),
              "ConflictException")
    return api_id


def seed_waf(wafv2, api_id):
    """A web ACL in front of the prod stage only."""
    acls = {a["Name"]: a["ARN"] for a in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"]}
    arn = acls.get("demo-api-protection") or wafv2.create_web_acl(
        Name="demo-api-protection", Scope="REGIONAL", DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "demo"},
    )["Summary"]["ARN"]
    wafv2.associate_web_acl(WebACLArn=arn, ResourceArn=f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/prod")


def seed_http_api(apigwv2):
    """An HTTP API: one IAM-authorized route, a throttled stage with access logs."""
    apis = {a["Name"]: a["ApiId"] for a in apigwv2.get_apis()["Items"]}
    api_id = apis.get("items-http") or apigwv2.create_api(Name="items-http", ProtocolType="HTTP")["ApiId"]
    routes = {r["RouteKey"] for r in apigwv2.get_routes(ApiId=api_id)["Items"]}
    if "GET /items" not in routes:
        apigwv2.create_route(ApiId=api_id, RouteKey="GET /items", AuthorizationType="AWS_IAM")
    stages = {st["StageName"] for st in apigwv2.get_stages(ApiId=api_id)["Items"]}
    if "live" not in stages:
        apigwv2.create_stage(ApiId=api_id, StageName="live",
                             AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId"},
                             DefaultRouteSettings={"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200})


def seed_buckets(s3, key_arn):
    """An SSE-KMS bucket with an owner tag; the trail bucket below keeps S3's default (SSE-S3), which
    demo/params.json's requireKms refuses."""
    exists_ok(lambda: s3.create_bucket(Bucket="demo-uploads"), "BucketAlreadyOwnedByYou", "BucketAlreadyExists")
    s3.put_bucket_encryption(Bucket="demo-uploads", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}, "BucketKeyEnabled": True}]})
    s3.put_bucket_tagging(Bucket="demo-uploads", Tagging={"TagSet": [{"Key": "owner", "Value": "uploads-team"}]})


def seed_trail(s3, trail):
    exists_ok(lambda: s3.create_bucket(Bucket="demo-trail-logs"), "BucketAlreadyOwnedByYou", "BucketAlreadyExists")
    exists_ok(lambda: trail.create_trail(Name="management-events", S3BucketName="demo-trail-logs", IsMultiRegionTrail=True),
              "TrailAlreadyExistsException")
    trail.stop_logging(Name="management-events")
    # A single-region trail for Lambda invocations (cloudtrail-lambda-data-events-logged passes;
    # cloudtrail-multi-region-enabled still fails: it records no management events).
    exists_ok(lambda: trail.create_trail(Name="lambda-invokes", S3BucketName="demo-trail-logs"),
              "TrailAlreadyExistsException")
    trail.put_event_selectors(TrailName="lambda-invokes", AdvancedEventSelectors=[
        {"Name": "Lambda invocations", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]}]}])
    trail.start_logging(Name="lambda-invokes")


def seed_messaging(sqs, sns, key_arn):
    """Queues and topics: the orders worker's failure queue and the orders topic encrypted with
    the demo key, a legacy queue with SSE-SQS turned off and an alerts topic without a key
    (sqs-queue-encrypted and sns-topic-encrypted fail on those)."""
    sqs.create_queue(QueueName="orders-worker-failures", Attributes={"KmsMasterKeyId": key_arn})
    sqs.create_queue(QueueName="legacy-events", Attributes={"SqsManagedSseEnabled": "false"})
    sns.create_topic(Name="orders", Attributes={"KmsMasterKeyId": key_arn})
    sns.create_topic(Name="alerts")


def seed_tables(dynamodb, key_arn):
    """Tables: orders protected (point-in-time recovery, deletion protection, the demo key),
    sessions left at DynamoDB's defaults (dynamodb-table-protected fails on it)."""
    keys = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
    exists_ok(lambda: dynamodb.create_table(TableName="orders", DeletionProtectionEnabled=True,
                                            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn},
                                            **keys), "ResourceInUseException")
    dynamodb.update_continuous_backups(TableName="orders",
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    exists_ok(lambda: dynamodb.create_table(TableName="sessions", **keys), "ResourceInUseException")


def seed_workflows(sfn, secrets):
    """A state machine logging errors to a log group and one logging nothing; a secret rotating
    every 30 days and one never rotated."""
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    machines = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    role = "arn:aws:iam::123456789012:role/orders-api-role"
    if "orders-flow" not in machines:
        sfn.create_state_machine(name="orders-flow", definition=definition, roleArn=role, loggingConfiguration={
            "level": "ERROR", "includeExecutionData": False,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": STATES_LOG_GROUP}}]})
    if "legacy-flow" not in machines:
        sfn.create_state_machine(name="legacy-flow", definition=definition, roleArn=role)
    names = {x["Name"] for x in secrets.list_secrets()["SecretList"]}
    if "orders/db" not in names:
        secrets.create_secret(Name="orders/db", SecretString="demo-only")
        # AWS rotates through a rotation function (demo/template.yaml names one); the emulator
        # would invoke a function it cannot run, and records the rotation rules without one.
        secrets.rotate_secret(SecretId="orders/db", RotationRules={"AutomaticallyAfterDays": 30},
                              RotateImmediately=False)
    if "legacy/api-key" not in names:
        secrets.create_secret(Name="legacy/api-key", SecretString="demo-only")


def main():
    roles = seed_iam(client("iam"))
    key_arn = demo_key(client("kms"))
    rotating_key(client("kms"))
    seed_user(client("iam"))
    seed_lambda(client("lambda"), roles, key_arn)
    api_id = seed_api(client("apigateway"))
    seed_waf(client("wafv2"), api_id)
    seed_http_api(client("apigatewayv2"))
    seed_buckets(client("s3"), key_arn)
    seed_messaging(client("sqs"), client("sns"), key_arn)
    seed_tables(client("dynamodb"), key_arn)
    seed_workflows(client("stepfunctions"), client("secretsmanager"))
    seed_trail(client("s3"), client("cloudtrail"))
    print(json.dumps({"restApiId": api_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
