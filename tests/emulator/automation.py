"""SSM Automation for the emulator: runs the suite's remediation documents for real.

moto stores SSM documents but runs no Automation, and has no AWS Config remediation API. This
module runs a document the way SSM does, step by step, calling the emulator's own AWS APIs as
the document's ``assumeRole``:

* step actions ``aws:executeAwsApi``, ``aws:assertAwsResourceProperty``, ``aws:branch`` and
  ``aws:executeScript`` (Python handlers; the script's ``import boto3`` gets clients of the
  emulator under the assumed role). Any other action fails the execution, saying so: a document
  that uses one has no test here until the executor learns it.
* ``{{ Name }}`` interpolation of parameters (typed as the document declares them: a value that
  is exactly one reference keeps its type, as SSM does), step outputs (``{{ Step.Output }}``),
  ``{{ automation:EXECUTION_ID }}`` and ``{{ global:ACCOUNT_ID|REGION|AWS_PARTITION }}``; an
  unknown variable fails the execution.
* ``outputs`` with ``$.a.b[0]`` selectors; ``nextStep``, ``isEnd``, ``onFailure``
  (``Abort``/``Continue``/``step:NAME``) and ``maxAttempts``.
* Permissions: every AWS call a step makes (the script's too) is checked against the
  assumed role's identity policies (inline and attached, evaluated by moto's IAM policy
  engine) for the IAM action and resource ARN that AWS authorizes that call on
  (``IAM_ACTIONS``). A call the role does not allow fails like AWS does, with
  ``AccessDeniedException`` naming the action; a call this table does not know fails the
  execution, so a new document cannot pass untested permissions. The role must trust
  ``ssm.amazonaws.com``.

Documented limits: one attempt per execution (Config's ``MaximumAutomaticAttempts`` retries
are not simulated); ``timeoutSeconds`` is not enforced; only Python ``aws:executeScript``.

References: AWS Systems Manager user guide, "Systems Manager Automation actions reference" and
"Running automations"; AWS Config API reference, ``StartRemediationExecution`` and
``DescribeRemediationExecutionStatus``.
"""

from __future__ import annotations

import builtins
import json
import re
import threading
import time
import traceback
import types
import uuid

import boto3
import yaml
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from botocore import xform_name

SUPPORTED_ACTIONS = ("aws:executeAwsApi", "aws:assertAwsResourceProperty", "aws:branch", "aws:executeScript")
REFERENCE = re.compile(r"\{\{\s*([A-Za-z0-9_.:\-]+)\s*\}\}")
BOTO = BotoConfig(retries={"total_max_attempts": 1, "mode": "standard"})


class StepFailure(Exception):
    """A step failed; the message is what GetAutomationExecution reports."""


def _arn(env, service, rest):
    return f"arn:{env['partition']}:{service}:{rest}"


def _lambda_function(params, env):
    name = params["FunctionName"]
    if name.startswith("arn:"):
        return name
    return _arn(env, "lambda", f"{env['region']}:{env['account']}:function:{name}")


def _kms_key(params, env):
    key = params["KeyId"]
    if key.startswith("arn:"):
        return key
    return _arn(env, "kms", f"{env['region']}:{env['account']}:key/{key}")


def _bucket(params, env):
    return _arn(env, "s3", f"::{params['Bucket']}")


def _rest_stage(params, env):
    return _arn(env, "apigateway", f"{env['region']}::/restapis/{params['restApiId']}/stages/{params['stageName']}")


def _http_stage(params, env):
    return _arn(env, "apigateway", f"{env['region']}::/apis/{params['ApiId']}/stages/{params['StageName']}")


def _apigateway_account(_params, env):
    return _arn(env, "apigateway", f"{env['region']}::/account")


def _dynamodb_table(params, env):
    return _arn(env, "dynamodb", f"{env['region']}:{env['account']}:table/{params['TableName']}")


def _sqs_queue(params, env):
    name = params["QueueUrl"].rstrip("/").rsplit("/", 1)[-1]
    return _arn(env, "sqs", f"{env['region']}:{env['account']}:{name}")


def _log_group(params, env):
    return _arn(env, "logs", f"{env['region']}:{env['account']}:log-group:{params['logGroupName']}")


# (boto3 service, API) -> (IAM action, resource ARN of the call), as the Service Authorization
# Reference lists them. API Gateway authorizes by HTTP verb on the resource path; S3's
# encryption calls are authorized as s3:*EncryptionConfiguration.
IAM_ACTIONS = {
    ("lambda", "GetFunctionConfiguration"): ("lambda:GetFunctionConfiguration", _lambda_function),
    ("lambda", "UpdateFunctionConfiguration"): ("lambda:UpdateFunctionConfiguration", _lambda_function),
    ("lambda", "GetFunctionConcurrency"): ("lambda:GetFunctionConcurrency", _lambda_function),
    ("lambda", "PutFunctionConcurrency"): ("lambda:PutFunctionConcurrency", _lambda_function),
    ("kms", "DescribeKey"): ("kms:DescribeKey", _kms_key),
    ("kms", "EnableKeyRotation"): ("kms:EnableKeyRotation", _kms_key),
    ("kms", "GetKeyRotationStatus"): ("kms:GetKeyRotationStatus", _kms_key),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration", _bucket),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration", _bucket),
    ("apigateway", "GetStage"): ("apigateway:GET", _rest_stage),
    ("apigateway", "UpdateStage"): ("apigateway:PATCH", _rest_stage),
    ("apigateway", "GetAccount"): ("apigateway:GET", _apigateway_account),
    ("apigatewayv2", "GetStage"): ("apigateway:GET", _http_stage),
    ("apigatewayv2", "UpdateStage"): ("apigateway:PATCH", _http_stage),
    ("logs", "DescribeLogGroups"): ("logs:DescribeLogGroups", lambda _p, _e: "*"),
    ("sqs", "SetQueueAttributes"): ("sqs:SetQueueAttributes", _sqs_queue),
    ("sqs", "GetQueueAttributes"): ("sqs:GetQueueAttributes", _sqs_queue),
    ("dynamodb", "UpdateContinuousBackups"): ("dynamodb:UpdateContinuousBackups", _dynamodb_table),
    ("dynamodb", "DescribeContinuousBackups"): ("dynamodb:DescribeContinuousBackups", _dynamodb_table),
    ("dynamodb", "UpdateTable"): ("dynamodb:UpdateTable", _dynamodb_table),
    ("dynamodb", "DescribeTable"): ("dynamodb:DescribeTable", _dynamodb_table),
}


def select(value, selector: str):
    """``$.a.b[0]`` over a response; ``None`` when a step of the path is missing."""
    if not selector.startswith("$"):
        raise StepFailure(f"selector {selector!r} does not start with $")
    for part in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", selector[1:]):
        key, index = part
        if key:
            value = value.get(key) if isinstance(value, dict) else None
        else:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
        if value is None:
            return None
    return value


def as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def jsonable(value):
    return json.loads(json.dumps(value, default=str))


class Execution:
    def __init__(self, execution_id, document_name, parameters):
        self.id = execution_id
        self.document_name = document_name
        self.parameters = parameters
        self.status = "Pending"
        self.steps: list[dict] = []
        self.outputs: dict[str, list[str]] = {}
        self.failure = None
        self.started = time.time()
        self.ended = None

    def describe(self):
        out = {
            "AutomationExecutionId": self.id,
            "DocumentName": self.document_name,
            "DocumentVersion": "1",
            "ExecutionStartTime": self.started,
            "AutomationExecutionStatus": self.status,
            "StepExecutions": self.steps,
            "Parameters": self.parameters,
            "Outputs": self.outputs,
            "Mode": "Auto",
        }
        if self.ended:
            out["ExecutionEndTime"] = self.ended
        if self.failure:
            out["FailureMessage"] = self.failure
        return out


class Automation:
    """The executions of one emulator: started by SSM ``StartAutomationExecution`` or by Config."""

    def __init__(self):
        self.lock = threading.Lock()
        self.executions: dict[str, Execution] = {}
        self.done = threading.Condition(self.lock)

    def reset(self):
        with self.lock:
            self.executions = {}

    # ---- SSM API --------------------------------------------------------------------------
    def start(self, endpoint, caller_key, region, payload):
        name = payload.get("DocumentName")
        if not name:
            raise ValueError("DocumentName is required")
        ssm = client(endpoint, "ssm", caller_key, "emulator", None, region)
        try:
            extra = {"DocumentVersion": payload["DocumentVersion"]} if payload.get("DocumentVersion") else {}
            doc = ssm.get_document(Name=name, **extra)
        except ClientError as err:
            raise LookupError(f"document {name}: {err.response['Error'].get('Message')}") from err
        if doc.get("DocumentType") != "Automation":
            raise ValueError(f"document {name} is a {doc.get('DocumentType')} document, not Automation")
        content = yaml.safe_load(doc["Content"]) if doc.get("DocumentFormat") == "YAML" else json.loads(doc["Content"])
        given = payload.get("Parameters") or {}
        execution = Execution(str(uuid.uuid4()), name, {k: list(v) for k, v in given.items()})
        params = typed_parameters(content, given)
        with self.lock:
            self.executions[execution.id] = execution
        thread = threading.Thread(
            target=self.run, args=(execution, content, params, endpoint, caller_key, region), daemon=True)
        thread.start()
        return execution.id

    def get(self, execution_id):
        with self.lock:
            execution = self.executions.get(execution_id)
            if execution is None:
                raise LookupError(f"execution {execution_id} does not exist")
            return execution.describe()

    def wait(self, execution_id, timeout=30.0):
        deadline = time.time() + timeout
        with self.lock:
            while True:
                execution = self.executions.get(execution_id)
                if execution is None or execution.status in ("Success", "Failed", "Cancelled", "TimedOut"):
                    return execution
                left = deadline - time.time()
                if left <= 0:
                    return execution
                self.done.wait(left)

    # ---- running ----------------------------------------------------------------------------
    def run(self, execution, content, params, endpoint, caller_key, region):
        execution.status = "InProgress"
        try:
            runner = Runner(execution, content, params, endpoint, caller_key, region)
            runner.run()
            execution.status = "Success"
        except StepFailure as err:
            execution.status = "Failed"
            execution.failure = str(err)
        except Exception as err:  # the emulator's own fault: say so, never hang the caller
            execution.status = "Failed"
            execution.failure = f"emulator executor error: {type(err).__name__}: {err}"
            traceback.print_exc()
        finally:
            with self.lock:
                execution.ended = time.time()
                self.done.notify_all()


def typed_parameters(content, given):
    declared = content.get("parameters") or {}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"parameter {unknown[0]} is not declared by the document")
    out = {}
    for name, spec in declared.items():
        kind = spec.get("type", "String")
        if name in given:
            values = list(given[name])
        elif "default" in spec:
            default = spec["default"]
            values = default if isinstance(default, list) else [default]
        else:
            raise ValueError(f"parameter {name} is required")
        if kind == "StringList":
            out[name] = [str(v) for v in values]
            continue
        if len(values) != 1:
            raise ValueError(f"parameter {name} takes one value, got {len(values)}")
        value = values[0]
        if kind == "Integer":
            try:
                out[name] = int(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"parameter {name} must be an Integer, got {str(value)[:60]!r}") from err
        elif kind == "Boolean":
            text = str(value).lower()
            if text not in ("true", "false"):
                raise ValueError(f"parameter {name} must be a Boolean, got {str(value)[:60]!r}")
            out[name] = text == "true"
        elif kind == "String":
            out[name] = str(value)
        else:
            raise ValueError(f"parameter {name} has type {kind}, which the emulator's executor does not support")
    return out


def client(endpoint, service, key, secret, token, region, hook=None):
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                                    aws_session_token=token, region_name=region)
    c = session.client(service, endpoint_url=endpoint, config=BOTO)
    if hook is not None:
        c.meta.events.register("before-parameter-build", hook)
    return c


class Runner:
    def __init__(self, execution, content, params, endpoint, caller_key, region):
        self.execution = execution
        self.content = content
        self.params = params
        self.endpoint = endpoint
        self.region = region
        self.outputs: dict[str, object] = {}
        role = self.interpolate(content.get("assumeRole") or "")
        if not role:
            raise StepFailure("the document has no assumeRole: the emulator runs documents only as a role")
        self.role_arn = role
        iam = client(endpoint, "iam", caller_key, "emulator", None, region)
        # Automation assumes the role as ssm.amazonaws.com (see SERVICE_KEYS in server.py).
        sts = client(endpoint, "sts", "SSMAUTOMATIONSERVICE", "emulator", None, region)
        role_name = role.rsplit("/", 1)[-1]
        try:
            description = iam.get_role(RoleName=role_name)["Role"]
        except ClientError as err:
            raise StepFailure(f"assumeRole {role}: {err.response['Error'].get('Message')}") from err
        if not trusts_ssm(description.get("AssumeRolePolicyDocument")):
            raise StepFailure(f"role {role} does not trust ssm.amazonaws.com, so Automation cannot assume it")
        self.policies = role_policies(iam, role_name)
        creds = sts.assume_role(RoleArn=role, RoleSessionName=f"Automation-{execution.id}")["Credentials"]
        self.creds = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        account = role.split(":")[4]
        self.env = {"partition": role.split(":")[1], "region": region, "account": account}
        self.principal = f"arn:{self.env['partition']}:sts::{account}:assumed-role/{role_name}/Automation-{execution.id}"

    # ---- variables ----------------------------------------------------------------------------
    def variable(self, name):
        if name in self.params:
            return self.params[name]
        if name in self.outputs:
            return self.outputs[name]
        builtin = {
            "automation:EXECUTION_ID": self.execution.id,
            "global:ACCOUNT_ID": self.env["account"] if hasattr(self, "env") else None,
            "global:REGION": self.region,
            "global:AWS_PARTITION": self.env["partition"] if hasattr(self, "env") else None,
        }.get(name)
        if builtin is None:
            raise StepFailure(f"unknown variable {{{{ {name} }}}}")
        return builtin

    def interpolate(self, value):
        if isinstance(value, str):
            whole = REFERENCE.fullmatch(value.strip())
            if whole:
                return self.variable(whole.group(1))
            return REFERENCE.sub(lambda m: as_text(self.variable(m.group(1))), value)
        if isinstance(value, list):
            return [self.interpolate(v) for v in value]
        if isinstance(value, dict):
            return {k: self.interpolate(v) for k, v in value.items()}
        return value

    # ---- permissions ----------------------------------------------------------------------------
    def check(self, params, model, **_kwargs):
        service = model.service_model.service_name
        key = (service, model.name)
        if key not in IAM_ACTIONS:
            raise StepFailure(
                f"the emulator's executor does not know which IAM action {service}:{model.name} needs "
                f"(add it to IAM_ACTIONS in tests/emulator/automation.py)")
        action, resource_of = IAM_ACTIONS[key]
        resource = resource_of(params, self.env)
        if not allowed(self.policies, action, resource):
            raise ClientError({"Error": {
                "Code": "AccessDeniedException",
                "Message": f"User: {self.principal} is not authorized to perform: {action} on resource: "
                           f"{resource} because no identity-based policy allows the {action} action"}},
                model.name)

    def aws(self, service):
        key, secret, token = self.creds
        return client(self.endpoint, service, key, secret, token, self.region, hook=self.check)

    def call(self, service, api, params):
        try:
            method = getattr(self.aws(service), xform_name(api))
        except AttributeError as err:
            raise StepFailure(f"{service} has no API {api}") from err
        try:
            response = method(**params)
        except ClientError as err:
            e = err.response.get("Error", {})
            raise StepFailure(f"{service}:{api} failed: {e.get('Code')}: {e.get('Message')}") from err
        response.pop("ResponseMetadata", None)
        return jsonable(response)

    # ---- steps ------------------------------------------------------------------------------
    def run(self):
        steps = self.content.get("mainSteps") or []
        if not steps:
            raise StepFailure("the document has no mainSteps")
        by_name = {s["name"]: i for i, s in enumerate(steps)}
        i = 0
        while i is not None and i < len(steps):
            step = steps[i]
            next_step = self.run_step(step)
            if next_step is None:
                if step.get("isEnd"):
                    return
                target = step.get("nextStep")
                i = by_name[target] if target else i + 1
            else:
                if next_step not in by_name:
                    raise StepFailure(f"step {step['name']} goes to {next_step}, which does not exist")
                i = by_name[next_step]

    def run_step(self, step):
        name, action = step["name"], step.get("action")
        record = {"StepName": name, "Action": action, "StepStatus": "InProgress",
                  "ExecutionStartTime": time.time(), "Inputs": {}, "Outputs": {}}
        self.execution.steps.append(record)
        attempts = int(step.get("maxAttempts") or 1)
        for attempt in range(1, attempts + 1):
            try:
                if action not in SUPPORTED_ACTIONS:
                    raise StepFailure(
                        f"step {name}: action {action} is not supported by the emulator's executor "
                        f"(supported: {', '.join(SUPPORTED_ACTIONS)})")
                inputs = self.interpolate(step.get("inputs") or {})
                record["Inputs"] = {k: as_text(v) for k, v in inputs.items() if k != "Script"}
                goto = getattr(self, "step_" + action.split(":", 1)[1])(step, inputs, record)
                record["StepStatus"] = "Success"
                record["ExecutionEndTime"] = time.time()
                return goto
            except StepFailure as err:
                if attempt < attempts:
                    continue
                record["StepStatus"] = "Failed"
                record["FailureMessage"] = str(err)
                record["ExecutionEndTime"] = time.time()
                on_failure = step.get("onFailure", "Abort")
                if on_failure == "Continue":
                    return None
                if isinstance(on_failure, str) and on_failure.startswith("step:"):
                    return on_failure[len("step:"):]
                raise StepFailure(f"Step {name} failed: {err}") from err
        return None

    def keep_outputs(self, step, payload, record):
        for out in step.get("outputs") or []:
            value = select(payload, out["Selector"])
            self.outputs[f"{step['name']}.{out['Name']}"] = value
            record["Outputs"][out["Name"]] = value if isinstance(value, list) else [as_text(value)]

    def step_executeAwsApi(self, step, inputs, record):
        params = {k: v for k, v in inputs.items() if k not in ("Service", "Api")}
        response = self.call(inputs["Service"], inputs["Api"], params)
        self.keep_outputs(step, response, record)

    def step_assertAwsResourceProperty(self, step, inputs, record):
        params = {k: v for k, v in inputs.items()
                  if k not in ("Service", "Api", "PropertySelector", "DesiredValues")}
        response = self.call(inputs["Service"], inputs["Api"], params)
        value = as_text(select(response, inputs["PropertySelector"]))
        desired = [as_text(v) for v in inputs["DesiredValues"]]
        if value not in desired:
            raise StepFailure(
                f"{inputs['PropertySelector']} is {value[:120]!r}, expected one of {desired}")

    def step_branch(self, step, inputs, record):
        for choice in inputs.get("Choices") or []:
            if self.matches(choice):
                return choice["NextStep"]
        if inputs.get("Default"):
            return inputs["Default"]
        raise StepFailure("no choice matched and the branch has no Default")

    def matches(self, choice):
        if "And" in choice:
            return all(self.matches(c) for c in choice["And"])
        if "Or" in choice:
            return any(self.matches(c) for c in choice["Or"])
        if "Not" in choice:
            return not self.matches(choice["Not"])
        value = choice.get("Variable")
        for op, test in OPERATORS.items():
            if op in choice:
                return test(value, choice[op])
        raise StepFailure(f"a choice uses no operator the emulator's executor knows ({', '.join(OPERATORS)})")

    def step_executeScript(self, step, inputs, record):
        runtime = inputs.get("Runtime", "")
        if not runtime.startswith("python3"):
            raise StepFailure(f"runtime {runtime} is not supported by the emulator's executor (Python only)")
        shim = types.ModuleType("boto3")
        shim.client = lambda service, *_a, **_k: self.aws(service)
        real_import = builtins.__import__

        def importer(name, *args, **kwargs):
            return shim if name == "boto3" else real_import(name, *args, **kwargs)

        namespace = {"__builtins__": {**vars(builtins), "__import__": importer}, "__name__": "automation_script"}
        try:
            exec(compile(step["inputs"]["Script"], f"<{step['name']} Script>", "exec"), namespace)
            handler = namespace[inputs["Handler"]]
            payload = handler(inputs.get("InputPayload") or {}, None)
        except StepFailure:
            raise
        except ClientError as err:
            e = err.response.get("Error", {})
            raise StepFailure(f"{e.get('Code')}: {e.get('Message')}") from err
        except Exception as err:
            raise StepFailure(f"{type(err).__name__}: {err}") from err
        self.keep_outputs(step, {"Payload": jsonable(payload)}, record)


def _num(a, b, cmp):
    try:
        return cmp(float(a), float(b))
    except (TypeError, ValueError):
        return False


OPERATORS = {
    "StringEquals": lambda a, b: as_text(a) == as_text(b),
    "EqualsIgnoreCase": lambda a, b: as_text(a).lower() == as_text(b).lower(),
    "StartsWith": lambda a, b: as_text(a).startswith(as_text(b)),
    "EndsWith": lambda a, b: as_text(a).endswith(as_text(b)),
    "Contains": lambda a, b: as_text(b) in (a if isinstance(a, list) else as_text(a)),
    "NumericEquals": lambda a, b: _num(a, b, lambda x, y: x == y),
    "NumericGreater": lambda a, b: _num(a, b, lambda x, y: x > y),
    "NumericLesser": lambda a, b: _num(a, b, lambda x, y: x < y),
    "NumericGreaterOrEquals": lambda a, b: _num(a, b, lambda x, y: x >= y),
    "NumericLesserOrEquals": lambda a, b: _num(a, b, lambda x, y: x <= y),
    "BooleanEquals": lambda a, b: as_text(a).lower() == as_text(b).lower(),
}


def trusts_ssm(document) -> bool:
    if isinstance(document, str):
        document = json.loads(document)
    for statement in (document or {}).get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        services = (statement.get("Principal") or {}).get("Service")
        services = services if isinstance(services, list) else [services]
        if "sts:AssumeRole" in actions and "ssm.amazonaws.com" in services:
            return True
    return False


def role_policies(iam, role_name):
    docs = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        docs.append(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
        docs.append(version["PolicyVersion"]["Document"])
    return [d if isinstance(d, str) else json.dumps(d) for d in docs]


def allowed(policies, action, resource) -> bool:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    permitted = False
    for document in policies:
        result = IAMPolicy(document).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return False
        permitted = permitted or result == PermissionResult.PERMITTED
    return permitted
