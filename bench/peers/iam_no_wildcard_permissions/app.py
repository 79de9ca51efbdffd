"""Peer of iam-no-wildcard-permissions, written with rdklib (benchmark comparison only)."""

import json
from urllib.parse import unquote

from rdklib import ComplianceType, ConfigRule, Evaluation, Evaluator

APPLICABLE_RESOURCES = ["AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"]
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def decode(document):
    if isinstance(document, dict):
        return document
    text = document if document.lstrip().startswith("{") else unquote(document)
    return json.loads(text)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def findings(policy, document, allow_service, exempt):
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    out = []
    for index, s in enumerate(statements):
        if str(s.get("Effect", "")).lower() != "allow":
            continue
        label = s.get("Sid") or f"#{index + 1}"
        if "NotAction" in s:
            out.append(f"{policy} statement {label} uses NotAction with Allow")
        for action in as_list(s.get("Action")):
            lower = action.strip().lower()
            if lower == "*":
                out.append(f'{policy} statement {label} allows "{action}" (all actions)')
                continue
            if ":" not in lower:
                continue
            service, name = lower.split(":", 1)
            if "*" in service:
                out.append(f'{policy} statement {label} allows "{action}" (all actions)')
            elif name == "*" and not allow_service and service not in exempt:
                out.append(f'{policy} statement {label} allows "{action}" (a whole service)')
    return out


class IamNoWildcardPermissions(ConfigRule):
    def evaluate_parameters(self, rule_parameters):
        return {
            "allowServiceWildcards": str(rule_parameters.get("allowServiceWildcards", "false")).lower() == "true",
            "exemptServices": [s.strip().lower() for s in str(rule_parameters.get("exemptServices", "")).split(",") if s.strip()],
        }

    def evaluate_change(self, event, client_factory, configuration_item, valid_rule_parameters):
        config = configuration_item["configuration"]
        allow, exempt = valid_rule_parameters["allowServiceWildcards"], valid_rule_parameters["exemptServices"]
        found, documents = [], 0
        if configuration_item["resourceType"] == "AWS::IAM::Policy":
            name = config.get("policyName", configuration_item["resourceId"])
            for version in config.get("policyVersionList", []):
                if version.get("isDefaultVersion"):
                    documents += 1
                    found += findings(f"policy {name} (version {version.get('versionId')})", decode(version["document"]), allow, exempt)
        else:
            for key in ("rolePolicyList", "userPolicyList", "groupPolicyList"):
                for entry in config.get(key) or []:
                    documents += 1
                    found += findings(f"inline policy {entry.get('policyName')}", decode(entry["policyDocument"]), allow, exempt)
            for attached in config.get("attachedManagedPolicies") or []:
                if attached.get("policyArn") == ADMIN:
                    found.append("attached managed policy AdministratorAccess grants all actions")
        if found:
            return [Evaluation(ComplianceType.NON_COMPLIANT, annotation="; ".join(found) + ".")]
        return [Evaluation(ComplianceType.COMPLIANT, annotation="The policy document allows no wildcard actions.")]


def lambda_handler(event, context):
    return Evaluator(IamNoWildcardPermissions(), APPLICABLE_RESOURCES).handle(event, context)
