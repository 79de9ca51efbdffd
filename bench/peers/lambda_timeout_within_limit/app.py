"""Peer of lambda-timeout-within-limit, written with rdklib (benchmark comparison only)."""

from rdklib import ComplianceType, ConfigRule, Evaluation, Evaluator, InvalidParametersError

APPLICABLE_RESOURCES = ["AWS::Lambda::Function"]


class LambdaTimeoutWithinLimit(ConfigRule):
    def evaluate_parameters(self, rule_parameters):
        value = rule_parameters.get("maxTimeoutSeconds", "60")
        try:
            limit = int(value)
        except ValueError as err:
            raise InvalidParametersError("maxTimeoutSeconds must be an integer") from err
        if not 1 <= limit <= 900:
            raise InvalidParametersError("maxTimeoutSeconds must be from 1 to 900")
        return {"maxTimeoutSeconds": limit}

    def evaluate_change(self, event, client_factory, configuration_item, valid_rule_parameters):
        config = configuration_item["configuration"]
        name = config.get("functionName", configuration_item["resourceId"])
        timeout = config.get("timeout", 3)
        limit = valid_rule_parameters["maxTimeoutSeconds"]
        if timeout > limit:
            return [Evaluation(ComplianceType.NON_COMPLIANT, annotation=(
                f"Function {name} has a timeout of {timeout} seconds, above the limit of {limit} seconds."))]
        return [Evaluation(ComplianceType.COMPLIANT, annotation=(
            f"Function {name} has a timeout of {timeout} seconds, within the limit of {limit} seconds."))]


def lambda_handler(event, context):
    return Evaluator(LambdaTimeoutWithinLimit(), APPLICABLE_RESOURCES).handle(event, context)
