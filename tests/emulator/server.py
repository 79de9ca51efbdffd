"""A local AWS account for tests and demos: moto's server plus what moto lacks.

One port, one worker process holding the state (served by granian: see `main`). Every request
goes to moto's own WSGI application except:

* AWS Config compliance: ``PutEvaluations`` is validated like AWS does and *stored* per rule
  (moto accepts it only with ``TestMode`` and stores nothing), and
  ``GetComplianceDetailsByConfigRule``, ``DescribeComplianceByConfigRule`` and
  ``GetComplianceDetailsByResource`` serve what was stored, paginated.
* ``GetResourceConfigHistory``, ``ListDiscoveredResources`` and ``BatchGetResourceConfig`` for
  items loaded through ``/_emulator/config-items`` (moto's Config inventory does not see Lambda
  functions, API stages or trails); other resource types fall through to moto, whose
  ``BatchGetResourceConfig`` answer is mended: moto writes capture and creation times as
  ``"YYYY-MM-DD HH:MM:SS.ffffff"`` text where AWS's JSON protocol sends epoch seconds (the SDK
  rejects moto's text).
* AWS Config remediation (``PutRemediationConfigurations``, ``DescribeRemediationConfigurations``,
  ``DeleteRemediationConfiguration``, ``StartRemediationExecution``,
  ``DescribeRemediationExecutionStatus``) and SSM Automation (``StartAutomationExecution``,
  ``GetAutomationExecution``), which moto lacks: documents created through moto's SSM are run
  by ``automation.py`` against this emulator, as their ``assumeRole``, with its permissions
  checked. Only a NON_COMPLIANT stored result is remediated; an automatic configuration starts
  when a NON_COMPLIANT result is stored, as Config does.
* Fault injection: ``/_emulator/faults`` makes the next N calls of an operation fail with a
  ``ThrottlingException``, an HTTP 500, or (``PutEvaluations``) ``FailedEvaluations`` entries.

Control routes (JSON over HTTP, under ``/_emulator/``) are documented in docs/emulator.md.

Run alone: ``python tests/emulator/server.py --port 4566``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from urllib.parse import unquote

from granian._granian import SocketHolder
from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels
from granian.server.mp import MPServer
from werkzeug.wrappers import Request, Response

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
import moto.backends as _moto_backends

# moto's dispatcher asks, twice per request, whether the service is one of its modules by
# listing and stat-ing its ~180 package folders (moto.backends.list_of_moto_modules): half of
# every call's time. The folders do not change while the server runs: list them once.
_MOTO_MODULES = frozenset(_moto_backends.list_of_moto_modules())
_moto_backends.list_of_moto_modules = lambda: _MOTO_MODULES
# And, per request, it lists the response class's methods with inspect.getmembers; a class's
# methods do not change either.
import functools  # noqa: E402

import moto.core.responses as _moto_responses  # noqa: E402

_moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(_moto_responses.method_names_from_class)

# SQS queue URLs: moto builds them from the request's host (http://127.0.0.1:PORT/ACCOUNT/NAME);
# SQS answers https://sqs.REGION.amazonaws.com/ACCOUNT/NAME whatever endpoint was called, and
# the URL is the queue's resource id in Config. moto finds a queue by the URL's last segment,
# so the AWS-shaped URL works in later calls to the emulator.
import moto.sqs.models as _moto_sqs  # noqa: E402


def _aws_queue_url(queue, _request_url):
    return f"https://sqs.{queue.region}.amazonaws.com/{queue.account_id}/{queue.name}"


_moto_sqs.Queue.url = _aws_queue_url


# SSE-SQS and SSE-KMS are exclusive: a queue created with a KMS key has SqsManagedSseEnabled
# false in SQS, while moto keeps its default true next to the key.
_moto_queue_init = _moto_sqs.Queue.__init__


def _queue_init(queue, name, region, account_id, **kwargs):
    _moto_queue_init(queue, name, region, account_id, **kwargs)
    if kwargs.get("KmsMasterKeyId") and "SqsManagedSseEnabled" not in kwargs:
        queue.sqs_managed_sse_enabled = "false"


_moto_sqs.Queue.__init__ = _queue_init

# UpdateFunctionConfiguration: moto applies the description, handler, memory, role, runtime,
# timeout, VPC, environment and layers, and ignores the rest. Lambda also updates tracing, the
# dead-letter queue and the environment's KMS key (Lambda API reference,
# UpdateFunctionConfiguration); the remediations and the demo's re-runs set them.
import moto.awslambda.models as _moto_lambda  # noqa: E402

_moto_update_configuration = _moto_lambda.LambdaFunction.update_configuration


def _update_configuration(function, updates):
    if "TracingConfig" in updates:
        function.tracing_config = {"Mode": (updates["TracingConfig"] or {}).get("Mode") or "PassThrough"}
    if "DeadLetterConfig" in updates:
        function.dead_letter_config = updates["DeadLetterConfig"]
    if "KMSKeyArn" in updates:
        function.kms_key_arn = updates["KMSKeyArn"]
    return _moto_update_configuration(function, updates)


_moto_lambda.LambdaFunction.update_configuration = _update_configuration

# Dead-letter queues: moto drops `DeadLetterConfig` on CreateFunction and never answers it;
# Lambda keeps it and returns it in the function's configuration (GetFunctionConfiguration,
# ListFunctions).
_moto_init = _moto_lambda.LambdaFunction.__init__
_moto_get_configuration = _moto_lambda.LambdaFunction.get_configuration


def _init(function, account_id, spec, *args, **kwargs):
    _moto_init(function, account_id, spec, *args, **kwargs)
    function.dead_letter_config = spec.get("DeadLetterConfig")


def _get_configuration(function, *args, **kwargs):
    config = _moto_get_configuration(function, *args, **kwargs)
    target = (getattr(function, "dead_letter_config", None) or {}).get("TargetArn")
    if target:
        config["DeadLetterConfig"] = {"TargetArn": target}
    return config


_moto_lambda.LambdaFunction.__init__ = _init
_moto_lambda.LambdaFunction.get_configuration = _get_configuration


# Layers of another account: moto looks a function's layer versions up in the function's own
# account only; Lambda takes them from the account in the layer's ARN (the publisher grants
# use with AddLayerVersionPermission, which the emulator does not check).
def _get_layers_data(function, layer_version_arns):
    found = []
    for arn in layer_version_arns:
        parts = arn.split(":")
        account, region = (parts[4], parts[3]) if len(parts) > 4 else (function.account_id, function.region)
        version = _moto_lambda.get_backend(account, region).layers_versions_by_arn(arn)
        if not version:
            raise _moto_lambda.UnknownLayerVersionException(layer_version_arns)
        found.append({"Arn": version.arn, "CodeSize": version.code_size})
    return found


_moto_lambda.LambdaFunction._get_layers_data = _get_layers_data

from automation import Automation

COMPLIANCE_TYPES = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")
CONFIG_TARGET_PREFIX = "StarlingDoveService."
SSM_TARGET_PREFIX = "AmazonSSM."
MAX_LIMIT = 100
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_LIMIT = 10


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def to_epoch(value) -> float | None:
    """Accepts epoch seconds or ISO 8601 text; returns epoch seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("Z", "+00:00")
    return datetime.fromisoformat(text).timestamp()


class State:
    """What the extension remembers. One lock: the server is threaded."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        # result token -> (account id, rule name): a token is good in its account only
        self.tokens: dict[str, tuple[str, str]] = {}
        self.faults: dict[str, list[dict]] = {}
        self.calls: list[dict] = []
        self.accounts: dict[str, AccountState] = {}
        # Buckets answering as buckets did before 2023, without default encryption (see
        # Emulator.bucket_encryption): for tests of remediations of old Config items.
        self.legacy_unencrypted: set[str] = set()

    def account(self, account_id: str) -> "AccountState":
        return self.accounts.setdefault(account_id, AccountState())


class AccountState:
    """One account's AWS Config: compliance results, recorded items, remediation."""

    def __init__(self):
        # rule name -> {(resource type, resource id): result}
        self.results: dict[str, dict[tuple[str, str], dict]] = {}
        self.items: dict[tuple[str, str], list[dict]] = {}
        # rule name -> RemediationConfiguration as PutRemediationConfigurations sent it
        self.remediations: dict[str, dict] = {}
        # (rule, resource type, resource id) -> {"execution": id, "invoked": epoch}
        self.remediation_runs: dict[tuple[str, str, str], dict] = {}
        # CloudTrail Lake event data stores (moto has none): ARN -> GetEventDataStore's answer
        self.event_data_stores: dict[str, dict] = {}


class Emulator:
    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.state = State()
        self.automation = Automation()

    # ---- WSGI -------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            return self.control(Request(environ), path[len("/_emulator/"):])(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        body = self.read_body(environ)
        operation = target.rsplit(".", 1)[-1] if "." in target else (
            self.query_action(environ, body) or self.s3_operation(environ) or self.rest_operation(environ))
        CURRENT.caller = caller(environ)
        CURRENT.account = account_of(CURRENT.caller)
        CURRENT.endpoint = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}"
        fault = self.take_fault(operation, body) if operation else None
        if fault and fault["kind"] == "exit":
            # The endpoint dies mid-conversation: the process ends without an answer.
            os._exit(3)
        if fault and fault["kind"] == "hang":
            # An endpoint that accepts the request and answers only much later (or never,
            # as far as a client with a deadline can tell).
            time.sleep(min(float(fault.get("seconds") or 30), 120))
            fault = None
        if fault and fault["kind"] in ("throttle", "error500", "access-denied"):
            status = {"throttle": 400, "error500": 500, "access-denied": 403}[fault["kind"]]
            self.record(operation, status, parse_json(body))
            return self.fault_response(fault, s3=not target and not self.query_action(environ, body))(
                environ, start_response)
        if operation == "AssumeRole":
            refusal = assume_role_refusal(CURRENT.caller, CURRENT.account, body)
            if refusal:
                self.record(operation, refusal.status, None)
                return query_error_response(refusal)(environ, start_response)
        if environ.get("PATH_INFO") == "/listRegions" and environ.get("REQUEST_METHOD") == "POST":
            self.record("ListRegions", 200, None)
            return list_regions(parse_json(body) or {})(environ, start_response)
        v2_stage = V2_STAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if v2_stage and environ.get("REQUEST_METHOD") == "PATCH":
            self.record("UpdateStage", 200, None)
            return v2_update_stage(environ, body, *v2_stage.groups())(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(CSC_PREFIX) and environ.get("REQUEST_METHOD") == "GET":
            answer, operation = code_signing_configs(CURRENT.caller, CURRENT.account, environ)
            status = 404 if "Message" in answer else 200
            self.record(operation, status, None)
            response = Response(json.dumps(answer), status=status, content_type="application/json")
            if status == 404:
                response.headers["x-amzn-ErrorType"] = "ResourceNotFoundException"
            return response(environ, start_response)
        if target == "ResourceGroupsTaggingAPI_20170126.GetResources":
            answer = lambda_tagged_resources(CURRENT.caller, CURRENT.account, parse_json(body) or {})
            if answer is not None:
                self.record(operation, 200, None)
                return json_response(answer)(environ, start_response)
        if target.startswith(SSM_TARGET_PREFIX) and operation in self.ssm_handlers:
            try:
                payload = json.loads(body or b"{}")
                result = self.ssm_handlers[operation](self, payload)
                self.record(operation, 200, payload)
                return json_response(result)(environ, start_response)
            except ApiError as err:
                self.record(operation, err.status, None)
                return error_response(err)(environ, start_response)
        if target.startswith(CONFIG_TARGET_PREFIX) and operation in self.handlers:
            try:
                payload = json.loads(body or b"{}")
                result = self.handlers[operation](self, payload, fault)
                self.record(operation, 200, payload)
                return json_response(result)(environ, start_response)
            except PatchedPassthrough:
                return self.patched_moto(operation, environ, start_response)
            except Passthrough:
                if operation == "GetResourceConfigHistory":
                    return self.moto_history(environ, start_response)
                return self.plain_moto(operation, environ, start_response)
            except ApiError as err:
                self.record(operation, err.status, None)
                return error_response(err)(environ, start_response)
            except (ValueError, TypeError, KeyError) as err:
                self.record(operation, 400, None)
                return error_response(ApiError("ValidationException", f"invalid request: {err}"))(environ, start_response)
        if "CloudTrail_20131101" in target and operation in ("ListEventDataStores", "GetEventDataStore"):
            return self.event_data_store_call(operation, body)(environ, start_response)
        if operation in RESPONSE_PATCHES:
            return self.patched_moto(operation, environ, start_response)
        if operation == "GetBucketEncryption":
            return self.bucket_encryption(environ, start_response)
        return self.plain_moto(operation, environ, start_response)

    def bucket_encryption(self, environ, start_response):
        """moto answers ServerSideEncryptionConfigurationNotFoundError for a bucket without a
        configuration; S3 has encrypted every bucket with SSE-S3 by default since 5 January
        2023 and GetBucketEncryption returns that default (S3 user guide, "Setting default
        server-side encryption behavior for Amazon S3 buckets")."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.moto(environ, capture))
        status = int(captured["status"].split(" ", 1)[0])
        bucket = environ.get("PATH_INFO", "").strip("/").split("/", 1)[0]
        legacy = bucket in self.state.legacy_unencrypted
        if status == 404 and b"ServerSideEncryptionConfigurationNotFoundError" in body and not legacy:
            status, captured["status"] = 200, "200 OK"
            body = SSE_S3_DEFAULT
            captured["headers"] = [("Content-Type", "application/xml")]
        self.record("GetBucketEncryption", status, None)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]

    def plain_moto(self, operation, environ, start_response):
        status_holder = {}

        def recording_start(status, headers, exc_info=None):
            status_holder["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.moto(environ, recording_start)
        if operation:
            self.record(operation, status_holder.get("status", 0), None)
        return result

    def patched_moto(self, operation, environ, start_response):
        """moto's answer, mended where it differs from AWS (see RESPONSE_PATCHES)."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.moto(environ, capture))
        status = int(captured["status"].split(" ", 1)[0])
        self.record(operation, status, None)
        if status == 200:
            body = RESPONSE_PATCHES[operation](body)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]

    def moto_history(self, environ, start_response):
        """moto's GetResourceConfigHistory, with its items made AWS-shaped (moto returns
        IAM tags as a list where AWS has a map)."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.moto(environ, capture))
        status = int(captured["status"].split(" ", 1)[0])
        self.record("GetResourceConfigHistory", status, None)
        if status == 200:
            payload = json.loads(body)
            payload["configurationItems"] = [aws_shaped_moto_item(i) for i in payload.get("configurationItems", [])]
            body = json.dumps(payload).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]

    @staticmethod
    def read_body(environ) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return body

    @staticmethod
    def query_action(environ, body: bytes) -> str:
        """The Action of an AWS Query protocol call (IAM, STS), in the query string or form body."""
        texts = [environ.get("QUERY_STRING", "")]
        if "form-urlencoded" in environ.get("CONTENT_TYPE", ""):
            texts.append(body.decode("utf-8", "replace"))
        for text in texts:
            for part in text.split("&"):
                if part.startswith("Action="):
                    return part[len("Action="):]
        return ""

    @staticmethod
    def rest_operation(environ) -> str:
        """The REST (JSON over paths) operations the rules call, named as IAM names them:
        Lambda's reads, and API Gateway's, which IAM authorizes as one action, apigateway:GET."""
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        if method != "GET":
            return ""
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["2015-03-31", "functions"] and len(parts) == 2:
            return "ListFunctions"
        if parts[:2] == ["2017-03-31", "tags"]:
            return "ListTags"
        if parts[:2] == ["2015-03-31", "functions"] and parts[-1:] == ["policy"]:
            return "GetPolicy"
        if parts[:2] == ["2019-09-30", "functions"] and parts[-1:] == ["concurrency"]:
            return "GetFunctionConcurrency"
        if parts[:2] == ["2021-10-31", "functions"] and parts[-1:] == ["url"]:
            return "GetFunctionUrlConfig"
        if parts[:2] == ["2015-03-31", "functions"] and parts[-1:] == ["configuration"]:
            return "GetFunctionConfiguration"
        if parts[:2] == ["2019-09-25", "functions"] and parts[-1:] == ["event-invoke-config"]:
            return "GetFunctionEventInvokeConfig"
        if parts[:2] == ["2020-06-30", "functions"] and parts[-1:] == ["code-signing-config"]:
            return "GetFunctionCodeSigningConfig"
        if parts[:1] in (["restapis"], ["apis"]) or parts[:2] == ["v2", "apis"]:
            return "GET"
        return ""

    def record(self, operation, status, payload):
        entry = {"operation": operation, "status": status, "at": time.time()}
        entry.update(getattr(CURRENT, "caller", None) or {})
        if operation == "PutEvaluations" and payload is not None:
            entry["evaluations"] = len(payload.get("Evaluations") or [])
            entry["testMode"] = bool(payload.get("TestMode"))
            entry["resultToken"] = payload.get("ResultToken")
        with self.state.lock:
            self.state.calls.append(entry)

    def take_fault(self, operation, body):
        with self.state.lock:
            queue = self.state.faults.get(operation) or []
            if not queue:
                return None
            token = None
            if any(f.get("resultToken") for f in queue):
                try:
                    token = json.loads(body or b"{}").get("ResultToken")
                except ValueError:
                    token = None
            matching = [f for f in queue if not f.get("resultToken") or f["resultToken"] == token]
            if not matching:
                return None
            fault = matching[0]
            if fault["kind"] == "quota":
                return self.over_quota(fault)
            if fault.get("after", 0) > 0:
                # Let this many matching calls through first.
                fault["after"] -= 1
                return None
            if fault["count"] > 0:
                fault["count"] -= 1
                if fault["count"] == 0:
                    queue.remove(fault)
            return dict(fault)

    @staticmethod
    def over_quota(fault):
        """A service quota: calls beyond `ratePerSecond` (a token bucket holding one second's
        calls, refilled continuously, shared by the operations the fault names) are throttled,
        as AWS throttles a request rate above an account's quota (Lambda: 15 requests per
        second for GetPolicy, and 15 shared by most other control-plane calls). Called with the
        state's lock held."""
        now = time.monotonic()
        rate = fault["ratePerSecond"]
        fault["tokens"] = min(rate, fault["tokens"] + (now - fault["refilled"]) * rate)
        fault["refilled"] = now
        if fault["tokens"] >= 1:
            fault["tokens"] -= 1
            return None
        return {"kind": "throttle"}

    @staticmethod
    def s3_operation(environ) -> str:
        """The S3 bucket sub-resource operations the tests inject faults into."""
        query = environ.get("QUERY_STRING", "")
        keys = {part.split("=", 1)[0] for part in query.split("&") if part}
        if environ.get("REQUEST_METHOD") == "GET":
            for key, operation in (("encryption", "GetBucketEncryption"), ("tagging", "GetBucketTagging")):
                if key in keys:
                    return operation
        return ""

    @staticmethod
    def fault_response(fault, s3=False):
        if fault["kind"] == "throttle":
            return error_response(ApiError("ThrottlingException", "Rate exceeded (injected by the emulator)"))
        if fault["kind"] == "access-denied":
            if s3:
                body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                        "<Message>Access Denied (injected by the emulator)</Message></Error>")
                return Response(body, status=403, content_type="application/xml")
            return error_response(ApiError("AccessDeniedException", "not authorized (injected by the emulator)",
                                           status=400))
        return error_response(ApiError("InternalFailure", "Injected server error", status=500))

    # ---- control routes ----------------------------------------------------------------
    def control(self, request: Request, route: str):
        state = self.state
        try:
            data = json.loads(request.get_data() or b"{}") if request.method == "POST" else {}
        except ValueError as err:
            return json_response({"error": f"not JSON: {err}"}, 400)
        with state.lock:
            if route == "health":
                return json_response({"ok": True})
            if route == "reset":
                state.reset()
                self.automation.reset()
                return json_response({"ok": True})
            if route == "calls":
                return json_response({"calls": list(state.calls)})
            if route == "result-tokens" and request.method == "POST":
                account = data.get("accountId") or DEFAULT_ACCOUNT
                state.tokens[data["token"]] = (account, data["ruleName"])
                state.account(account).results.setdefault(data["ruleName"], {})
                return json_response({"ok": True})
            if route == "faults" and request.method == "POST":
                kind = data.get("kind", "throttle")
                if kind not in ("throttle", "error500", "failed-evaluations", "access-denied", "hang", "exit", "quota"):
                    return json_response({"error": f"unknown fault kind {kind}"}, 400)
                if kind == "quota":
                    rate = float(data["ratePerSecond"])
                    # One bucket for every operation named: they share the quota.
                    quota = {"kind": kind, "ratePerSecond": rate, "tokens": rate, "refilled": time.monotonic(),
                             "resultToken": None}
                    for operation in data.get("operations") or [data["operation"]]:
                        state.faults.setdefault(operation, []).append(quota)
                    return json_response({"ok": True})
                fault = {"kind": kind, "count": int(data.get("count", 1)), "failCount": data.get("failCount"),
                         "resultToken": data.get("resultToken"), "seconds": data.get("seconds"),
                         "after": int(data.get("after", 0))}
                state.faults.setdefault(data["operation"], []).append(fault)
                return json_response({"ok": True})
            if route == "legacy-unencrypted-buckets" and request.method == "POST":
                state.legacy_unencrypted.add(data["bucket"])
                return json_response({"ok": True})
            if route == "iam-roles" and request.method == "POST":
                # A role in any account, as a StackSet would deploy it (moto gives no
                # credentials for a new member account to create it with).
                from moto.iam.models import iam_backends

                backend = iam_backends[data["accountId"]]["aws"]
                role = backend.create_role(
                    role_name=data["roleName"], assume_role_policy_document=json.dumps(data["assumeRolePolicyDocument"]),
                    path="/", permissions_boundary=None, description="", tags=[], max_session_duration="3600",
                    linked_service=None)
                if data.get("policyDocument"):
                    backend.put_role_policy(data["roleName"], "rules", json.dumps(data["policyDocument"]))
                return json_response({"arn": role.arn})
            if route == "kms-keys" and request.method == "POST":
                # A customer managed key with the id a sample item names (moto makes up key
                # ids; a Config item records a key by its ARN, fixed before the test runs).
                from moto.kms.models import kms_backends

                account, region = data.get("accountId") or DEFAULT_ACCOUNT, data.get("region") or "us-east-1"
                backend = kms_backends[account][region]
                if data["keyId"] not in backend.keys:
                    key = backend.create_key(policy=None, key_usage="ENCRYPT_DECRYPT", key_spec="SYMMETRIC_DEFAULT",
                                             description=data.get("description", ""), tags=None)
                    del backend.keys[key.id]
                    key.id = data["keyId"]
                    key.arn = f"arn:aws:kms:{region}:{account}:key/{key.id}"
                    backend.keys[key.id] = key
                    if data.get("rotation"):
                        backend.enable_key_rotation(key.id)
                return json_response({"arn": backend.keys[data["keyId"]].arn})
            if route == "event-data-stores" and request.method == "POST":
                account = data.get("accountId") or DEFAULT_ACCOUNT
                arn = f"arn:aws:cloudtrail:{data.get('region') or 'us-east-1'}:{account}:eventdatastore/{data['name']}"
                state.account(account).event_data_stores[arn] = {
                    "EventDataStoreArn": arn, "Name": data["name"], "Status": data.get("status", "ENABLED"),
                    "AdvancedEventSelectors": data.get("advancedEventSelectors", []),
                    "MultiRegionEnabled": True, "OrganizationEnabled": False, "RetentionPeriod": 2557}
                return json_response({"arn": arn})
            if route == "config-items" and request.method == "POST":
                for item in data.get("items", []):
                    item = normalize_api_item(item)
                    key = (item["resourceType"], item["resourceId"])
                    items = state.account(data.get("accountId") or item.get("accountId") or DEFAULT_ACCOUNT).items
                    items.setdefault(key, []).append(item)
                    items[key].sort(key=lambda i: i.get("configurationItemCaptureTime") or 0)
                return json_response({"ok": True})
        return json_response({"error": f"no control route {request.method} {route}"}, 404)

    def event_data_store_call(self, operation, body):
        """CloudTrail Lake's `ListEventDataStores` and `GetEventDataStore` (moto has neither), over
        the stores the control route `event-data-stores` created."""
        payload = parse_json(body) or {}
        with self.state.lock:
            stores = dict(self.acct().event_data_stores)
        if operation == "ListEventDataStores":
            self.record(operation, 200, payload)
            return json_response({"EventDataStores": [
                {"EventDataStoreArn": arn, "Name": st["Name"]} for arn, st in sorted(stores.items())]})
        wanted = payload.get("EventDataStore", "")
        found = stores.get(wanted) or next((st for st in stores.values() if st["Name"] == wanted), None)
        if found is None:
            self.record(operation, 400, payload)
            return error_response(ApiError("EventDataStoreNotFoundException",
                                           f"The event data store {wanted} does not exist."))
        self.record(operation, 200, payload)
        return json_response(found)

    # ---- AWS Config operations -----------------------------------------------------------
    @staticmethod
    def account_id() -> str:
        """The account of the request's credentials (moto's mapping: IAM keys and assumed roles)."""
        return getattr(CURRENT, "account", None) or DEFAULT_ACCOUNT

    def acct(self) -> AccountState:
        return self.state.account(self.account_id())

    def put_evaluations(self, payload, fault):
        token = payload.get("ResultToken")
        if not token:
            raise ApiError("ValidationException", "ResultToken is required")
        evaluations = payload.get("Evaluations") or []
        if len(evaluations) > MAX_LIMIT:
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value at 'evaluations' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_LIMIT}",
            )
        for i, e in enumerate(evaluations):
            validate_evaluation(i, e)
        if payload.get("TestMode"):
            return {"FailedEvaluations": []}
        with self.state.lock:
            account, rule = self.state.tokens.get(token) or (None, None)
            if rule is None or account != self.account_id():
                # A token is issued to one account's Config: posting it with another account's
                # credentials fails, as in AWS.
                raise ApiError("InvalidResultTokenException", "The result token is invalid.")
            failed = []
            if fault and fault["kind"] == "failed-evaluations":
                n = fault.get("failCount")
                failed = evaluations[: len(evaluations) if n is None else int(n)]
            now = time.time()
            automatic = []
            store = self.acct().results.setdefault(rule, {})
            for e in evaluations:
                if e in failed:
                    continue
                key = (e["ComplianceResourceType"], e["ComplianceResourceId"])
                ordering = to_epoch(e["OrderingTimestamp"])
                old = store.get(key)
                if old and old["OrderingTimestamp"] > ordering:
                    continue
                store[key] = {
                    "ComplianceType": e["ComplianceType"],
                    "Annotation": e.get("Annotation"),
                    "OrderingTimestamp": ordering,
                    "ResultRecordedTime": now,
                }
                if e["ComplianceType"] == "NON_COMPLIANT" and (self.acct().remediations.get(rule) or {}).get("Automatic"):
                    automatic.append(key)
        for key in automatic:
            # Config starts an automatic remediation when it records a NON_COMPLIANT result.
            self.start_remediation(rule, key)
        return {"FailedEvaluations": failed}

    def results_of(self, rule, compliance_types):
        store = self.acct().results.get(rule)
        if store is None:
            raise ApiError("NoSuchConfigRuleException", f"The ConfigRule '{rule}' provided in the request is invalid.")
        rows = []
        for (rtype, rid), r in sorted(store.items()):
            if compliance_types and r["ComplianceType"] not in compliance_types:
                continue
            rows.append(result_row(rule, rtype, rid, r))
        return rows

    def get_compliance_details_by_config_rule(self, payload, _fault):
        with self.state.lock:
            rows = self.results_of(payload["ConfigRuleName"], payload.get("ComplianceTypes"))
        return paginate(rows, payload, "EvaluationResults")

    def get_compliance_details_by_resource(self, payload, _fault):
        key = (payload["ResourceType"], payload["ResourceId"])
        types = payload.get("ComplianceTypes")
        with self.state.lock:
            rows = [
                result_row(rule, key[0], key[1], store[key])
                for rule, store in sorted(self.acct().results.items())
                if key in store and (not types or store[key]["ComplianceType"] in types)
            ]
        return paginate(rows, payload, "EvaluationResults")

    def describe_compliance_by_config_rule(self, payload, _fault):
        names = payload.get("ConfigRuleNames") or None
        out = []
        with self.state.lock:
            for rule, store in sorted(self.acct().results.items()):
                if names and rule not in names:
                    continue
                non = sum(1 for r in store.values() if r["ComplianceType"] == "NON_COMPLIANT")
                comp = sum(1 for r in store.values() if r["ComplianceType"] == "COMPLIANT")
                if non:
                    compliance = {"ComplianceType": "NON_COMPLIANT",
                                  "ComplianceContributorCount": {"CappedCount": min(non, 100), "CapExceeded": non > 100}}
                elif comp:
                    compliance = {"ComplianceType": "COMPLIANT"}
                else:
                    compliance = {"ComplianceType": "INSUFFICIENT_DATA"}
                out.append({"ConfigRuleName": rule, "Compliance": compliance})
            if names:
                missing = [n for n in names if n not in self.acct().results]
                if missing:
                    raise ApiError("NoSuchConfigRuleException", f"The ConfigRule '{missing[0]}' provided in the request is invalid.")
        return {"ComplianceByConfigRules": out}

    def get_resource_config_history(self, payload, _fault):
        key = (payload["resourceType"], payload["resourceId"])
        later = to_epoch(payload.get("laterTime"))
        with self.state.lock:
            items = list(self.acct().items.get(key, []))
        if not items:
            raise Passthrough()
        if later is not None:
            items = [i for i in items if (i.get("configurationItemCaptureTime") or 0) <= later + 0.0005]
        limit = int(payload.get("limit") or 10)
        newest_first = list(reversed(items))[:limit]
        return {"configurationItems": newest_first}

    def latest_items(self, resource_type):
        """The newest loaded item of each resource of a type, in resource id order."""
        with self.state.lock:
            keys = sorted(k for k in self.acct().items if k[0] == resource_type)
            return [self.acct().items[k][-1] for k in keys]

    def list_discovered_resources(self, payload, _fault):
        items = self.latest_items(payload["resourceType"])
        if not items:
            raise Passthrough()
        if not payload.get("includeDeletedResources"):
            items = [i for i in items if not str(i.get("configurationItemStatus", "")).startswith("ResourceDeleted")]
        ids = payload.get("resourceIds")
        if ids:
            items = [i for i in items if i["resourceId"] in ids]
        rows = [{"resourceType": i["resourceType"], "resourceId": i["resourceId"],
                 **({"resourceName": i["resourceName"]} if i.get("resourceName") else {})} for i in items]
        limit = int(payload.get("limit") or 100)
        if not 0 <= limit <= 100:
            raise ApiError("ValidationException", "limit must be between 0 and 100")
        token = payload.get("nextToken")
        start = int(token) if token else 0
        limit = limit or 100
        out = {"resourceIdentifiers": rows[start:start + limit]}
        if start + limit < len(rows):
            out["nextToken"] = str(start + limit)
        return out

    # ---- Config aggregators (moto keeps the aggregators, the wrapper serves their reads) ------
    def aggregated_accounts(self, name):
        """The accounts and regions aggregator `name` of the caller's account covers."""
        from moto.config.models import config_backends

        region = (getattr(CURRENT, "caller", None) or {}).get("region") or "us-east-1"
        aggregator = config_backends[self.account_id()][region].config_aggregators.get(name)
        if aggregator is None:
            raise ApiError("NoSuchConfigurationAggregatorException",
                           f"The configuration aggregator {name} does not exist in this account.")
        if aggregator.organization_aggregation_source:
            return None  # the whole organization: every account the emulator knows
        ids = set()
        for source in aggregator.account_aggregation_sources or []:
            ids.update(getattr(source, "account_ids", None) or [])
        return ids

    def aggregate_items(self, name, resource_type=None):
        accounts = self.aggregated_accounts(name)
        with self.state.lock:
            rows = []
            for account, state in sorted(self.state.accounts.items()):
                if accounts is not None and account not in accounts:
                    continue
                for (rtype, _rid), history in sorted(state.items.items()):
                    if resource_type and rtype != resource_type:
                        continue
                    rows.append((account, history[-1]))
        return rows

    # Shapes: AWS Config API Reference, ListAggregateDiscoveredResources (AggregateResourceIdentifier)
    # and BatchGetAggregateResourceConfig (BaseConfigurationItem, no tags or relationships).
    def list_aggregate_discovered_resources(self, payload, _fault):
        rows = [{"SourceAccountId": account, "SourceRegion": item.get("awsRegion") or "us-east-1",
                 "ResourceId": item["resourceId"], "ResourceType": item["resourceType"],
                 **({"ResourceName": item["resourceName"]} if item.get("resourceName") else {})}
                for account, item in self.aggregate_items(payload["ConfigurationAggregatorName"], payload["ResourceType"])
                if not str(item.get("configurationItemStatus", "")).startswith("ResourceDeleted")]
        limit = int(payload.get("Limit") or 100)
        start = int(payload.get("NextToken") or 0)
        out = {"ResourceIdentifiers": rows[start:start + limit]}
        if start + limit < len(rows):
            out["NextToken"] = str(start + limit)
        return out

    def batch_get_aggregate_resource_config(self, payload, _fault):
        wanted = payload.get("ResourceIdentifiers") or []
        if not 1 <= len(wanted) <= 100:
            raise ApiError("ValidationException", "ResourceIdentifiers must hold 1 to 100 identifiers")
        found = {(account, item["resourceType"], item["resourceId"]): item
                 for account, item in self.aggregate_items(payload["ConfigurationAggregatorName"])}
        base, unprocessed = [], []
        for w in wanted:
            item = found.get((w["SourceAccountId"], w["ResourceType"], w["ResourceId"]))
            if item is None:
                unprocessed.append(w)
                continue
            item = dict(item)
            for field in ("tags", "relationships", "relatedEvents"):
                item.pop(field, None)
            base.append(item)
        return {"BaseConfigurationItems": base, "UnprocessedResourceIdentifiers": unprocessed}

    def batch_get_resource_config(self, payload, _fault):
        keys = payload.get("resourceKeys") or []
        if not 1 <= len(keys) <= 100:
            raise ApiError("ValidationException", "resourceKeys must hold 1 to 100 keys")
        with self.state.lock:
            found = [self.acct().items.get((k["resourceType"], k["resourceId"])) for k in keys]
        if not any(found):
            raise PatchedPassthrough()
        base = []
        # Keys of resources Config does not know are left out of both lists, as AWS does.
        for history in found:
            if history:
                item = dict(history[-1])
                # BaseConfigurationItem has no tags, relationships or related events.
                for field in ("tags", "relationships", "relatedEvents"):
                    item.pop(field, None)
                base.append(item)
        return {"baseConfigurationItems": base, "unprocessedResourceKeys": []}

    # ---- AWS Config remediation and SSM Automation -----------------------------------------
    def put_remediation_configurations(self, payload, _fault):
        configs = payload.get("RemediationConfigurations") or []
        if not 1 <= len(configs) <= 25:
            raise ApiError("ValidationException", "RemediationConfigurations must hold 1 to 25 configurations")
        for c in configs:
            if c.get("TargetType") != "SSM_DOCUMENT" or not c.get("TargetId") or not c.get("ConfigRuleName"):
                raise ApiError("InvalidParameterValueException",
                               "a remediation configuration needs ConfigRuleName, TargetType SSM_DOCUMENT and TargetId")
            for name, value in (c.get("Parameters") or {}).items():
                if ("ResourceValue" in value) == ("StaticValue" in value):
                    raise ApiError("InvalidParameterValueException",
                                   f"parameter {name} must have exactly one of ResourceValue and StaticValue")
                if "ResourceValue" in value and value["ResourceValue"].get("Value") != "RESOURCE_ID":
                    raise ApiError("InvalidParameterValueException", f"parameter {name}: ResourceValue must be RESOURCE_ID")
        with self.state.lock:
            for c in configs:
                self.acct().remediations[c["ConfigRuleName"]] = dict(c)
        return {"FailedBatches": []}

    def describe_remediation_configurations(self, payload, _fault):
        with self.state.lock:
            return {"RemediationConfigurations": [
                self.acct().remediations[n] for n in payload.get("ConfigRuleNames") or [] if n in self.acct().remediations]}

    def delete_remediation_configuration(self, payload, _fault):
        with self.state.lock:
            if self.acct().remediations.pop(payload.get("ConfigRuleName"), None) is None:
                raise ApiError("NoSuchRemediationConfigurationException", "no remediation configuration for this rule")
        return {}

    def start_remediation(self, rule, key):
        """Runs `rule`'s remediation on one resource; the failure message, or None once started."""
        with self.state.lock:
            config = self.acct().remediations.get(rule)
            result = (self.acct().results.get(rule) or {}).get(key)
        if config is None:
            return f"rule {rule} has no remediation configuration"
        if result is None or result["ComplianceType"] != "NON_COMPLIANT":
            # AWS: "Returns a failure message. For example, the resource is already compliant."
            state = result["ComplianceType"] if result else "not evaluated"
            return f"{key[0]} {key[1]} is {state} under {rule}: only NON_COMPLIANT resources are remediated"
        params = {}
        for name, value in (config.get("Parameters") or {}).items():
            params[name] = [key[1]] if "ResourceValue" in value else list(value["StaticValue"]["Values"])
        caller_info = getattr(CURRENT, "caller", None) or {}
        try:
            execution_id = self.automation.start(
                getattr(CURRENT, "endpoint", None), caller_info.get("accessKey") or "remediation",
                caller_info.get("region") or "us-east-1",
                {"DocumentName": config["TargetId"], "Parameters": params})
        except (ValueError, LookupError) as err:
            return str(err)
        with self.state.lock:
            self.acct().remediation_runs[(rule, key[0], key[1])] = {"execution": execution_id, "invoked": time.time()}
        return None

    def start_remediation_execution(self, payload, _fault):
        rule = payload.get("ConfigRuleName")
        keys = payload.get("ResourceKeys") or []
        if not 1 <= len(keys) <= 100:
            raise ApiError("ValidationException", "ResourceKeys must hold 1 to 100 keys")
        with self.state.lock:
            if rule not in self.acct().remediations:
                raise ApiError("NoSuchRemediationConfigurationException",
                               f"No RemediationConfiguration for rule {rule} exists.")
        failed, messages = [], []
        for k in keys:
            message = self.start_remediation(rule, (k["resourceType"], k["resourceId"]))
            if message:
                failed.append(k)
                messages.append(message)
        out = {"FailedItems": failed}
        if messages:
            out["FailureMessage"] = "; ".join(messages)
        return out

    def describe_remediation_execution_status(self, payload, _fault):
        rule = payload.get("ConfigRuleName")
        wanted = {(k["resourceType"], k["resourceId"]) for k in payload.get("ResourceKeys") or []}
        with self.state.lock:
            runs = sorted((k, v) for k, v in self.acct().remediation_runs.items() if k[0] == rule)
        out = []
        for (_, rtype, rid), run in runs:
            if wanted and (rtype, rid) not in wanted:
                continue
            execution = self.automation.get(run["execution"])
            state = {"Success": "SUCCEEDED", "Failed": "FAILED"}.get(execution["AutomationExecutionStatus"], "IN_PROGRESS")
            steps = []
            for s in execution["StepExecutions"]:
                step = {"Name": s["StepName"], "State": {"Success": "SUCCEEDED", "Failed": "FAILED"}.get(s["StepStatus"], "PENDING"),
                        "StartTime": s["ExecutionStartTime"]}
                if s.get("FailureMessage"):
                    step["ErrorMessage"] = s["FailureMessage"]
                if s.get("ExecutionEndTime"):
                    step["StopTime"] = s["ExecutionEndTime"]
                steps.append(step)
            out.append({"ResourceKey": {"resourceType": rtype, "resourceId": rid}, "State": state, "StepDetails": steps,
                        "InvocationTime": run["invoked"],
                        "LastUpdatedTime": execution.get("ExecutionEndTime") or run["invoked"]})
        return {"RemediationExecutionStatuses": out}

    def start_automation_execution(self, payload):
        info = getattr(CURRENT, "caller", None) or {}
        try:
            execution_id = self.automation.start(CURRENT.endpoint, info.get("accessKey") or "automation",
                                                 info.get("region") or "us-east-1", payload)
        except LookupError as err:
            raise ApiError("InvalidDocument", str(err))
        except ValueError as err:
            raise ApiError("InvalidAutomationExecutionParametersException", str(err))
        return {"AutomationExecutionId": execution_id}

    def get_automation_execution(self, payload):
        try:
            return {"AutomationExecution": self.automation.get(payload.get("AutomationExecutionId"))}
        except LookupError as err:
            raise ApiError("AutomationExecutionNotFoundException", str(err))

    ssm_handlers = {
        "StartAutomationExecution": start_automation_execution,
        "GetAutomationExecution": get_automation_execution,
    }

    handlers = {
        "PutRemediationConfigurations": put_remediation_configurations,
        "DescribeRemediationConfigurations": describe_remediation_configurations,
        "DeleteRemediationConfiguration": delete_remediation_configuration,
        "StartRemediationExecution": start_remediation_execution,
        "DescribeRemediationExecutionStatus": describe_remediation_execution_status,
        "ListDiscoveredResources": list_discovered_resources,
        "ListAggregateDiscoveredResources": list_aggregate_discovered_resources,
        "BatchGetAggregateResourceConfig": batch_get_aggregate_resource_config,
        "BatchGetResourceConfig": batch_get_resource_config,
        "PutEvaluations": put_evaluations,
        "GetComplianceDetailsByConfigRule": get_compliance_details_by_config_rule,
        "GetComplianceDetailsByResource": get_compliance_details_by_resource,
        "DescribeComplianceByConfigRule": describe_compliance_by_config_rule,
        "GetResourceConfigHistory": get_resource_config_history,
    }


# The caller of the request this thread serves (the server is threaded: one request a thread).
CURRENT = threading.local()


def caller(environ):
    """Who signed the request: the access key and the service of its credential scope
    (``Credential=AKID/DATE/REGION/SERVICE/aws4_request``), so tests can tell which function
    made which call, and name it as IAM does (``service:Operation``)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    marker = "Credential="
    if marker not in auth:
        return {}
    scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
    return {"accessKey": scope[0], "region": scope[2] if len(scope) > 2 else "",
            "service": scope[3] if len(scope) > 3 else ""}


V2_STAGE_PATH = re.compile(r"/v2/apis/([^/]+)/stages/([^/]+)")
V2_STAGE_FIELDS = {
    "accessLogSettings": "access_log_settings",
    "autoDeploy": "auto_deploy",
    "clientCertificateId": "client_certificate_id",
    "defaultRouteSettings": "default_route_settings",
    "description": "description",
    "routeSettings": "route_settings",
    "stageVariables": "stage_variables",
}


def lambda_tagged_resources(caller_info, account, payload):
    """Resource Groups Tagging API ``GetResources`` (API reference: ResourceTagMappingList of
    ResourceARN and Tags as Key/Value, PaginationToken "" on the last page) for Lambda functions, which moto's tagging
    backend does not list: the functions that have tags, 100 a page at most, as AWS returns
    tagged (or once tagged) resources only. None for any other filter: moto answers."""
    filters = payload.get("ResourceTypeFilters") or []
    if not filters or any(f not in ("lambda", "lambda:function") for f in filters) or payload.get("TagFilters"):
        return None
    from moto.awslambda.models import lambda_backends

    region = (caller_info or {}).get("region") or "us-east-1"
    backend = lambda_backends[account][region]
    rows = [{"ResourceARN": fn.function_arn, "Tags": [{"Key": k, "Value": v} for k, v in sorted(fn.tags.items())]}
            for fn in sorted(backend.list_functions(), key=lambda f: f.function_name) if fn.tags]
    size = min(int(payload.get("ResourcesPerPage") or 100), 100)
    start = int(payload.get("PaginationToken") or 0)
    out = {"ResourceTagMappingList": rows[start:start + size], "PaginationToken": ""}
    if start + size < len(rows):
        out["PaginationToken"] = str(start + size)
    return out


CSC_PREFIX = "/2020-04-22/code-signing-configs"


def code_signing_configs(caller_info, account, environ):
    """Lambda's code signing configurations, which moto does not keep: the ones its functions
    name (a function can only name one that exists), each with Lambda's default policy
    (UntrustedArtifactOnDeployment Warn). Serves ListCodeSigningConfigs, GetCodeSigningConfig
    and ListFunctionsByCodeSigningConfig (Lambda API reference: CodeSigningConfigs and
    NextMarker, CodeSigningConfig, FunctionArns), 50 a page."""
    from urllib.parse import parse_qs

    from moto.awslambda.models import lambda_backends

    region = (caller_info or {}).get("region") or "us-east-1"
    functions = sorted(lambda_backends[account][region].list_functions(), key=lambda f: f.function_name)
    arns = sorted({f.code_signing_config_arn for f in functions if getattr(f, "code_signing_config_arn", None)})

    def config(arn):
        return {"CodeSigningConfigArn": arn, "CodeSigningConfigId": arn.rsplit(":", 1)[-1], "Description": "",
                "AllowedPublishers": {"SigningProfileVersionArns": []},
                "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": "Warn"},
                "LastModified": "2026-01-05T12:00:00.000+0000"}

    def page(rows, key):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        start = int((query.get("Marker") or ["0"])[0] or 0)
        size = min(int((query.get("MaxItems") or ["50"])[0]), 50)
        out = {key: rows[start:start + size]}
        if start + size < len(rows):
            out["NextMarker"] = str(start + size)
        return out

    rest = unquote(environ.get("PATH_INFO", "")[len(CSC_PREFIX):]).strip("/")
    if not rest:
        return page([config(a) for a in arns], "CodeSigningConfigs"), "ListCodeSigningConfigs"
    arn, _, tail = rest.partition("/functions") if rest.endswith("/functions") else (rest, "", "")
    arn = arn.rstrip("/")
    if arn not in arns:
        return {"Type": "User", "Message": f"Code signing configuration not found: {arn}"}, (
            "ListFunctionsByCodeSigningConfig" if rest.endswith("/functions") else "GetCodeSigningConfig")
    if rest.endswith("/functions"):
        named = [f.function_arn for f in functions if getattr(f, "code_signing_config_arn", None) == arn]
        return page(named, "FunctionArns"), "ListFunctionsByCodeSigningConfig"
    return {"CodeSigningConfig": config(arn)}, "GetCodeSigningConfig"


# The regions of an account as AWS Account Management's ListRegions reports them (AWS Account
# Management API Reference, ListRegions: RegionName, RegionOptStatus); which regions are enabled
# by default and which are opt-in: AWS General Reference, "AWS Regions" (moto has no
# ListRegions): the regions enabled by default, and opt-in regions left disabled.
REGIONS = [(r, "ENABLED_BY_DEFAULT") for r in (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2")] + [(r, "DISABLED") for r in (
    "af-south-1", "ap-east-1", "eu-south-1", "me-south-1")]


def list_regions(payload):
    wanted = payload.get("RegionOptStatusContains")
    rows = [{"RegionName": name, "RegionOptStatus": status} for name, status in REGIONS
            if not wanted or status in wanted]
    limit = int(payload.get("MaxResults") or 50)
    start = int(payload.get("NextToken") or 0)
    out = {"Regions": rows[start:start + limit]}
    if start + limit < len(rows):
        out["NextToken"] = str(start + limit)
    return json_response(out)


def v2_update_stage(environ, body, api_id, stage_name):
    """API Gateway v2 ``UpdateStage`` (``PATCH /v2/apis/ID/stages/NAME``), which moto 5.2 lacks:
    the fields sent replace the stored ones, as the API reference describes."""
    from moto.apigatewayv2.models import apigatewayv2_backends
    from moto.iam.models import get_account_id_from

    info = caller(environ)
    backend = apigatewayv2_backends[get_account_id_from(info.get("accessKey") or "")][info.get("region") or "us-east-1"]
    try:
        stage = backend.get_stage(unquote(api_id), unquote(stage_name))
    except Exception:  # moto's ApiNotFound / StageNotFound
        return error_response(ApiError("NotFoundException", f"Invalid stage identifier specified", status=404))
    payload = parse_json(body) or {}
    for key, attr in V2_STAGE_FIELDS.items():
        if key in payload:
            setattr(stage, attr, payload[key])
    stage.updated = datetime.now()
    return json_response(stage.to_json())


# The access key the Automation executor signs with when it assumes a document's role as
# ssm.amazonaws.com (a service principal has no keys of its own).
SERVICE_KEYS = {"SSMAUTOMATIONSERVICE": "ssm.amazonaws.com"}


def assume_role_refusal(caller_info, caller_account, body):
    """STS ``AssumeRole`` as AWS refuses it, which moto does not: the role must exist in its
    account and its trust policy must name the caller (its account, a principal of that
    account, or ``*``; a service for the executor's service key). Conditions in the trust
    policy are not evaluated. None when the call may go on to moto."""
    from urllib.parse import parse_qs

    from moto.iam.models import iam_backends

    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    role_arn = form.get("RoleArn", "")
    parts = role_arn.split(":")
    service = SERVICE_KEYS.get((caller_info or {}).get("accessKey", ""))
    who = service or f"arn:aws:iam::{caller_account}:root"
    denied = ApiError("AccessDenied", f"User: {who} is not authorized to perform: sts:AssumeRole on resource: "
                                      f"{role_arn[:300]}", status=403)
    if len(parts) != 6 or parts[2] != "iam":
        return ApiError("ValidationError", f"{role_arn[:300]!r} is not a role ARN")
    try:
        role = iam_backends[parts[4]][parts[1] if parts[1] in ("aws", "aws-cn", "aws-us-gov") else "aws"].get_role_by_arn(role_arn)
    except Exception:  # moto's NoSuchEntity
        return denied
    trust = json.loads(role.assume_role_policy_document or "{}")
    statements = trust.get("Statement") or []
    for st in statements if isinstance(statements, list) else [statements]:
        actions = st.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if st.get("Effect") != "Allow" or not {"sts:AssumeRole", "sts:*", "*"} & set(actions):
            continue
        principal = st.get("Principal")
        if principal == "*":
            return None
        principal = principal or {}
        if service:
            services = principal.get("Service")
            if service in (services if isinstance(services, list) else [services]):
                return None
            continue
        names = principal.get("AWS")
        for name in names if isinstance(names, list) else [names]:
            if name in ("*", caller_account) or str(name).startswith(f"arn:aws:iam::{caller_account}:"):
                return None
    return denied


def account_of(caller_info):
    key = (caller_info or {}).get("accessKey")
    if not key:
        return DEFAULT_ACCOUNT
    from moto.iam.models import get_account_id_from

    return get_account_id_from(key)


class Passthrough(Exception):
    """The extension has nothing to say; moto answers."""


class PatchedPassthrough(Passthrough):
    """moto answers, and its answer is mended (see RESPONSE_PATCHES)."""


def epoch_times(item):
    """An item whose moto text times (``2026-11-28 10:00:00.123456``, UTC) become epoch seconds."""
    item = dict(item)
    for key in ("configurationItemCaptureTime", "resourceCreationTime"):
        if isinstance(item.get(key), str):
            item[key] = datetime.fromisoformat(item[key].replace("Z", "+00:00")).replace(
                tzinfo=timezone.utc).timestamp()
    return item


def batch_get_epoch_times(body: bytes) -> bytes:
    payload = json.loads(body)
    payload["baseConfigurationItems"] = [epoch_times(i) for i in payload.get("baseConfigurationItems", [])]
    return json.dumps(payload).encode()


def parse_json(body):
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def validate_evaluation(index, e):
    where = f"evaluations.{index + 1}"
    rtype = e.get("ComplianceResourceType") or ""
    rid = e.get("ComplianceResourceId") or ""
    if not 1 <= len(rtype) <= 256:
        raise ApiError("ValidationException", f"{where}.complianceResourceType must have length 1 to 256")
    if not 1 <= len(rid) <= 768:
        raise ApiError("ValidationException", f"{where}.complianceResourceId must have length 1 to 768")
    if e.get("ComplianceType") not in COMPLIANCE_TYPES:
        raise ApiError("InvalidParameterValueException",
                       f"{where}.complianceType {e.get('ComplianceType')!r} is not valid for a custom rule")
    annotation = e.get("Annotation")
    if annotation is not None and len(annotation) > 256:
        raise ApiError("ValidationException",
                       f"{where}.annotation must have length less than or equal to 256 (got {len(annotation)})")
    if e.get("OrderingTimestamp") is None:
        raise ApiError("ValidationException", f"{where}.orderingTimestamp is required")


def result_row(rule, rtype, rid, r):
    row = {
        "EvaluationResultIdentifier": {
            "EvaluationResultQualifier": {"ConfigRuleName": rule, "ResourceType": rtype, "ResourceId": rid,
                                          "EvaluationMode": "DETECTIVE"},
            "OrderingTimestamp": r["OrderingTimestamp"],
        },
        "ComplianceType": r["ComplianceType"],
        "ResultRecordedTime": r["ResultRecordedTime"],
        "ConfigRuleInvokedTime": r["ResultRecordedTime"],
    }
    if r.get("Annotation") is not None:
        row["Annotation"] = r["Annotation"]
    return row


def paginate(rows, payload, key):
    limit = int(payload.get("Limit") or DEFAULT_LIMIT)
    if not 0 <= limit <= MAX_LIMIT:
        raise ApiError("InvalidParameterValueException", f"Limit must be between 0 and {MAX_LIMIT}")
    limit = limit or DEFAULT_LIMIT
    token = payload.get("NextToken")
    try:
        start = int(token) if token else 0
    except ValueError as err:
        raise ApiError("InvalidNextTokenException", "The specified next token is invalid.") from err
    page = rows[start:start + limit]
    out = {key: page}
    if start + limit < len(rows):
        out["NextToken"] = str(start + limit)
    return out


def aws_shaped_moto_item(item):
    """moto's items differ from AWS's: tags as a list, times as local text, and IAM
    resources keyed by name where AWS uses the role or policy id."""
    item = dict(item)
    if isinstance(item.get("tags"), list):
        item["tags"] = {t.get("key", t.get("Key")): t.get("value", t.get("Value")) for t in item["tags"]}
    for key in ("configurationItemCaptureTime", "resourceCreationTime"):
        if isinstance(item.get(key), str):
            item[key] = datetime.fromisoformat(item[key]).replace(tzinfo=timezone.utc).timestamp()
    try:
        config = json.loads(item.get("configuration") or "{}")
    except ValueError:
        config = {}
    id_field = {"AWS::IAM::Role": "roleId", "AWS::IAM::Policy": "policyId"}.get(item.get("resourceType"))
    if id_field and config.get(id_field):
        item["resourceId"] = config[id_field]
    return normalize_api_item(item)


def normalize_api_item(item):
    """Items arrive in Config API shape; accept dicts where AWS has JSON strings, and the
    notification's field names where the API's differ."""
    item = dict(item)
    for old, new in (("configurationItemVersion", "version"), ("configurationStateMd5Hash", "configurationItemMD5Hash"),
                     ("awsAccountId", "accountId"), ("ARN", "arn")):
        if old in item:
            item.setdefault(new, item.pop(old))
    if item.get("configurationStateId") is not None:
        item["configurationStateId"] = str(item["configurationStateId"])
    if isinstance(item.get("configuration"), (dict, list)):
        item["configuration"] = json.dumps(item["configuration"])
    sup = item.get("supplementaryConfiguration") or {}
    item["supplementaryConfiguration"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in sup.items()}
    for key in ("configurationItemCaptureTime", "resourceCreationTime"):
        if item.get(key) is not None:
            item[key] = to_epoch(item[key])
    return item


def json_response(body, status=200):
    return Response(json.dumps(body), status=status, content_type="application/x-amz-json-1.1")


def query_error_response(err: ApiError):
    """An error in the AWS Query protocol's XML (STS, IAM)."""
    from xml.sax.saxutils import escape

    body = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message></Error>"
            f"<RequestId>emulator</RequestId></ErrorResponse>")
    return Response(body, status=err.status, content_type="text/xml")


def error_response(err: ApiError):
    resp = json_response({"__type": err.code, "message": err.message}, err.status)
    resp.headers["x-amzn-ErrorType"] = err.code
    return resp


def add_managed_policy_names(body: bytes) -> bytes:
    """moto's GetAccountAuthorizationDetails leaves out each managed policy's PolicyName and
    PolicyId, which AWS always returns; add them from moto's own IAM backend."""
    import re

    from moto.iam.models import iam_backends

    text = body.decode("utf-8")

    def policy_id(arn):
        account = arn.split(":")[4]
        for partition in ("aws", "global"):
            try:
                policy = iam_backends[account][partition].managed_policies.get(arn)
            except KeyError:
                continue
            if policy is not None:
                return policy.id
        return ""

    def add(match):
        arn = match.group(1)
        name = arn.rsplit("/", 1)[-1]
        return f"<member><PolicyName>{name}</PolicyName><PolicyId>{policy_id(arn)}</PolicyId><Arn>{arn}</Arn>"

    def fix_policies(section):
        return re.sub(r"<member><Arn>(arn:[^<]*:policy/[^<]*)</Arn>", add, section.group(0))

    return re.sub(r"<Policies>.*?</Policies>", fix_policies, text, flags=re.S).encode("utf-8")


def key_rotation_period(body: bytes) -> bytes:
    """AWS KMS's GetKeyRotationStatus names the rotation period of a rotating key
    (`RotationPeriodInDays`, 365 unless set otherwise: AWS KMS API reference,
    GetKeyRotationStatus); moto 5.2 leaves it out."""
    payload = json.loads(body)
    if payload.get("KeyRotationEnabled") and "RotationPeriodInDays" not in payload:
        payload["RotationPeriodInDays"] = 365
    return json.dumps(payload).encode()


# Operations whose moto answers are mended on the way out.
SSE_S3_DEFAULT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>'
    b"<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
    b"<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"
)

RESPONSE_PATCHES = {
    "GetAccountAuthorizationDetails": add_managed_policy_names,
    "BatchGetResourceConfig": batch_get_epoch_times,
    "GetKeyRotationStatus": key_rotation_period,
}


def make_app():
    return Emulator()


# The listening socket's queue of connections not yet accepted.
LISTEN_BACKLOG = 1024


class EmulatorServer(MPServer):
    """granian (a kept WSGI server whose HTTP layer is Rust) serving one worker process that
    holds the emulator's state, on a listening socket this process made.

    granian binds its own socket with SO_REUSEPORT on Linux, where a second server given the
    same port shares it silently (the kernel splits connections between two emulators' states),
    and it cannot report the port it was given for port 0. So the socket is made here, plainly:
    port 0 picks a free port, a port in use is refused, and the one worker inherits the socket
    (granian's own path for platforms without SO_REUSEPORT). `_init_shared_socket` and
    `SocketHolder` are granian internals: tests/requirements.txt pins granian's version."""

    def __init__(self, listener, **kwargs):
        self.listener = listener
        host, port = listener.getsockname()[:2]
        super().__init__(target="emulator", interface=Interfaces.WSGI, address=host, port=port, workers=1,
                         http=HTTPModes.http1, backlog=LISTEN_BACKLOG, **kwargs)

    def _init_shared_socket(self):
        self.listener.set_inheritable(True)
        self._ssp = None
        self._shd = SocketHolder(self.listener.fileno(), False, LISTEN_BACKLOG)
        self._sfd = self._shd.get_fd()
        self._sso = self.listener

    def _drop_shared_socket(self):
        self.listener.close()


def listen(host, port):
    """The emulator's listening socket: port 0 picks a free port, a port in use raises
    `OSError` (no SO_REUSEPORT). Non-blocking, as granian's runtime (tokio) expects, and with
    TCP_NODELAY, which Linux copies to every accepted socket: granian sets it only on sockets
    it makes itself, and without it each small answer waited for the client's delayed
    acknowledgement (about 40 ms)."""
    listener = socket.create_server((host, port), backlog=LISTEN_BACKLOG)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.setblocking(False)
    return listener


def watch_parent(parent_pid):
    """Ends this process (the worker, whose exit ends granian's supervisor too) when the
    process that started the emulator is gone."""

    def watch():
        while True:
            try:
                os.kill(parent_pid, 0)
            except OSError:
                # granian's supervisor stops its worker on SIGTERM; if a call held by a fault
                # keeps it, the worker ends itself a moment later.
                os.kill(os.getppid(), signal.SIGTERM)
                time.sleep(2)
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    args = parser.parse_args(argv)
    listener = listen(args.host, args.port)
    port = listener.getsockname()[1]
    if args.port_file:
        # Connections made from now on wait in the listening socket's backlog until the
        # worker accepts them.
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"emulator listening on http://{args.host}:{port}", flush=True)

    def load_app(*_args, **_kwargs):
        # In the worker (forked): the state lives here, and so does the parent watch.
        if args.parent_pid:
            watch_parent(args.parent_pid)
        return make_app()

    # Python threads for the application: calls held by a "hang" fault must never starve the
    # others, while more threads than that only contend for the interpreter lock
    # (docs/performance.md).
    threads = int(os.environ.get("EMULATOR_THREADS", "16"))
    server = EmulatorServer(listener, blocking_threads=threads, log_level=LogLevels.error)
    server.serve(target_loader=load_app, wrap_loader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
