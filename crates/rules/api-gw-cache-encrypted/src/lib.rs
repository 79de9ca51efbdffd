//! # api-gw-cache-encrypted
//!
//! **Checks** that an API Gateway REST API stage with a cache cluster never caches responses
//! unencrypted.
//!
//! **Why it matters.** Practice 7, *encryption and integrity*, of the serverless security
//! practices: cached responses hold the same data the backend returns — personal data,
//! tokens, internal identifiers — and sit in the cache for the TTL. Encrypting cache data at
//! rest is a one-flag change that keeps that copy as protected as the source.
//!
//! **Resource type:** `AWS::ApiGateway::Stage`.
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requireCaching` | boolean | `false` | a stage without a cache cluster is NON_COMPLIANT instead of NOT_APPLICABLE |
//!
//! **How settings combine.** A per-method `methodSettings` entry (`~1pets~1{id}/GET`, where
//! `~1` is `/`) overrides the stage default `*/*` field by field. With a cache cluster and no
//! `*/*` entry, API Gateway's own default applies: GET methods are cached, unencrypted.
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | `cacheClusterEnabled` false or absent | NOT_APPLICABLE (NON_COMPLIANT with `requireCaching`) |
//! | cache cluster, every caching method has `cacheDataEncrypted: true` | COMPLIANT |
//! | cache cluster, no method caches | COMPLIANT |
//! | cache cluster, a method (or the stage default) caches with `cacheDataEncrypted: false` | NON_COMPLIANT, listing the methods |
//! | cache cluster and no `*/*` entry | NON_COMPLIANT (API Gateway's default caches GET unencrypted) |
//! | a caching setting present but not a boolean | NON_COMPLIANT, naming the setting (never read as unset) |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Turn on cache encryption for the stage default and every override:
//! `aws apigateway update-stage --rest-api-id ID --stage-name NAME --patch-operations
//! op=replace,path=/*/*/caching/dataEncrypted,value=true` (and the same for each
//! `~1path/VERB` override). The SAM template's optional remediation does this for `*/*`.
//!
//! **References.** API Gateway developer guide, "Enable API caching to enhance
//! responsiveness"; AWS Config managed rule `api-gw-cache-enabled-and-encrypted`.

use config_rules_core::apigw::{method_label, STAGE_DEFAULT_KEY};
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue,
    ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "api-gw-cache-encrypted",
    summary: "API Gateway stages with a cache cluster cache only encrypted data.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::ApiGateway::Stage"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::boolean("requireCaching", false, "Report stages without a cache cluster as NON_COMPLIANT.")],
    item_calls_aws: false,
    timeout_seconds: 10,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[("StageArn", RemediationValue::ResourceId)],
        permissions: &[
            Permission::on("apigateway:GET", &[arn::REST_API_STAGES]),
            Permission::on("apigateway:PATCH", &[arn::REST_API_STAGES]),
        ],
        automatic_safe: true,
        summary: "turns on cache data encryption for the stage's default method settings and every method override that caches (a stage without a cache cluster is left alone, with an error saying so)",
        safety: "clients see the same responses; only how the cache stores them changes",
    }),
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `CacheClusterEnabled` and `MethodSettings` of `AWS::ApiGateway::Stage`, a deployment's `StageDescription`, and `AWS::Serverless::Api`",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    pub require_caching: bool,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            require_caching: values.boolean("requireCaching")?,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct CacheSettings {
    caching: bool,
    encrypted: bool,
}

/// A boolean method setting; `Err` names the field when it is present but not a boolean.
fn flag(settings: &Value, method: &str, key: &str) -> Result<Option<bool>, String> {
    config_rules_core::item::read_bool(settings.get(key))
        .map_err(|found| format!("methodSettings.{method}.{key} is unreadable ({found})"))
}

/// The method keys (stage default first, then overrides in key order) whose effective
/// settings cache unencrypted data; `Err` names a setting that is present but unreadable.
pub fn unencrypted_methods(config: &Value) -> Result<Vec<String>, String> {
    let empty = serde_json::Map::new();
    let settings = config
        .get("methodSettings")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    // API Gateway's default with a cache cluster: GET methods cached, not encrypted.
    let default = match settings.get(STAGE_DEFAULT_KEY) {
        Some(d) => CacheSettings {
            caching: flag(d, STAGE_DEFAULT_KEY, "cachingEnabled")?.unwrap_or(false),
            encrypted: flag(d, STAGE_DEFAULT_KEY, "cacheDataEncrypted")?.unwrap_or(false),
        },
        None => CacheSettings {
            caching: true,
            encrypted: false,
        },
    };
    let mut bad = Vec::new();
    if default.caching && !default.encrypted {
        bad.push(STAGE_DEFAULT_KEY.to_string());
    }
    let mut keys: Vec<&String> = settings.keys().filter(|k| k.as_str() != STAGE_DEFAULT_KEY).collect();
    keys.sort();
    for key in keys {
        let s = &settings[key.as_str()];
        let caching = flag(s, key, "cachingEnabled")?.unwrap_or(default.caching);
        let encrypted = flag(s, key, "cacheDataEncrypted")?.unwrap_or(default.encrypted);
        if caching && !encrypted {
            bad.push(key.clone());
        }
    }
    Ok(bad)
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let config = &item.configuration;
    let stage = item.config_str("stageName").unwrap_or(&item.resource_id);
    let cluster = match config_rules_core::item::read_bool(config.get("cacheClusterEnabled")) {
        Ok(c) => c,
        Err(found) => {
            return Verdict::non_compliant(format!(
                "Stage {stage} cannot be checked: configuration.cacheClusterEnabled is unreadable ({found})."
            ))
        }
    };
    if cluster != Some(true) {
        return if params.require_caching {
            Verdict::non_compliant(format!(
                "Stage {stage} has no cache cluster, and requireCaching is true."
            ))
        } else {
            Verdict::not_applicable(format!("Stage {stage} has no cache cluster."))
        };
    }
    let bad = match unencrypted_methods(config) {
        Ok(bad) => bad,
        Err(why) => return Verdict::non_compliant(format!("Stage {stage} cannot be checked: {why}.")),
    };
    if bad.is_empty() {
        return Verdict::compliant(format!("Stage {stage} caches no response unencrypted."));
    }
    let labels: Vec<String> = bad.iter().map(|k| method_label(k)).collect();
    let implicit = if config
        .get("methodSettings")
        .and_then(|m| m.get(STAGE_DEFAULT_KEY))
        .is_none()
    {
        " (no */* settings: API Gateway caches GET unencrypted by default)"
    } else {
        ""
    };
    Verdict::non_compliant(format!(
        "Stage {stage} caches responses unencrypted for {}{implicit}.",
        labels.join(", ")
    ))
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    ApiGwCacheEncrypted,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    ApiGwCacheEncrypted
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    fn stage(config: Value) -> ConfigurationItem {
        let mut c = json!({"stageName": "prod", "restApiId": "a1b2c3"});
        if let (Some(m), Value::Object(extra)) = (c.as_object_mut(), config) {
            m.extend(extra);
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::ApiGateway::Stage",
                    "resourceId": "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/prod",
                    "configurationItemStatus": "OK", "configuration": c}),
            "item",
        )
        .unwrap()
    }

    fn ms(caching: bool, encrypted: bool) -> Value {
        json!({"cachingEnabled": caching, "cacheDataEncrypted": encrypted, "cacheTtlInSeconds": 300})
    }

    #[test]
    fn fixture_cases() {
        let no = Params::default();
        let cases: Vec<(&str, Value, Params, Compliance, &str)> = vec![
            ("no cache cluster", json!({"cacheClusterEnabled": false}), no, NotApplicable,
             "Stage prod has no cache cluster."),
            ("no cache cluster, caching required", json!({}), Params { require_caching: true }, NonCompliant,
             "Stage prod has no cache cluster, and requireCaching is true."),
            ("default encrypted", json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(true, true)}}), no, Compliant,
             "Stage prod caches no response unencrypted."),
            ("default unencrypted", json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(true, false)}}), no, NonCompliant,
             "Stage prod caches responses unencrypted for all methods (*/*)."),
            ("nothing cached", json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(false, false)}}), no, Compliant,
             "Stage prod caches no response unencrypted."),
            ("no */* entry uses API Gateway's default", json!({"cacheClusterEnabled": true, "methodSettings": {}}), no, NonCompliant,
             "Stage prod caches responses unencrypted for all methods (*/*) (no */* settings: API Gateway caches GET unencrypted by default)."),
            ("an override caches unencrypted",
             json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(false, true), "~1pets~1{id}/GET": {"cachingEnabled": true, "cacheDataEncrypted": false}}}),
             no, NonCompliant, "Stage prod caches responses unencrypted for GET /pets/{id}."),
            ("an override inherits encryption from the default",
             json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": {"cachingEnabled": false, "cacheDataEncrypted": true}, "~1pets/GET": {"cachingEnabled": true}}}),
             no, Compliant, "Stage prod caches no response unencrypted."),
            ("an override inherits caching from the default",
             json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(true, true), "~1orders/POST": {"cacheDataEncrypted": false}}}),
             no, NonCompliant, "Stage prod caches responses unencrypted for POST /orders."),
            ("an override turns caching off",
             json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(false, false), "~1a/GET": ms(false, false)}}),
             no, Compliant, "Stage prod caches no response unencrypted."),
            ("several methods listed",
             json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": ms(true, false), "~1b/GET": ms(true, false), "~1a/GET": ms(true, true)}}),
             no, NonCompliant, "Stage prod caches responses unencrypted for all methods (*/*), GET /b."),
            // Present but unreadable is never read as "not set".
            ("an unreadable setting",
             json!({"cacheClusterEnabled": true, "methodSettings": {"*/*": {"cachingEnabled": true, "cacheDataEncrypted": {"x": 1}}}}),
             no, NonCompliant, "Stage prod cannot be checked: methodSettings.*/*.cacheDataEncrypted is unreadable (an object)."),
            ("an unreadable cache cluster flag", json!({"cacheClusterEnabled": [true]}), no, NonCompliant,
             "Stage prod cannot be checked: configuration.cacheClusterEnabled is unreadable (an array)."),
            ("flags as strings read as booleans",
             json!({"cacheClusterEnabled": "true", "methodSettings": {"*/*": {"cachingEnabled": "true", "cacheDataEncrypted": "true"}}}),
             no, Compliant, "Stage prod caches no response unencrypted."),
        ];
        for (name, config, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&stage(config), &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"requireCaching": "true"})).unwrap(),
            Params { require_caching: true }
        );
        let err = parse(json!({"requireCaching": "1"})).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameters { key, .. } if key == "requireCaching"),
            "{err}"
        );
    }
}
