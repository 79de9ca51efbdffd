//! # dynamodb-table-protected
//!
//! **Checks** that every DynamoDB table can be recovered and cannot be deleted by mistake:
//! point-in-time recovery on, deletion protection on, and optionally encryption with a
//! customer managed KMS key (of an allowed list). Each requirement can be switched off.
//!
//! **Why it matters.** Practice 7, *data encryption and integrity*, and practice 3,
//! *availability under attack*, of the serverless security practices: a serverless
//! application's state lives in its tables. A compromised function or a mistaken `DeleteTable`
//! (a stack deleted, a script pointed at production) destroys it; point-in-time recovery
//! restores any second of the last 35 days, deletion protection refuses the delete until
//! someone turns it off on purpose. DynamoDB always encrypts at rest, by default with a key
//! AWS owns: a customer managed key puts every read behind a key policy you audit and can
//! revoke.
//!
//! **Resource type:** `AWS::DynamoDB::Table`.
//! **Trigger:** configuration change. Config records point-in-time recovery in
//! `supplementaryConfiguration.ContinuousBackupsDescription` and encryption in
//! `configuration.ssedescription` (`ssetype`, `status`, `kmsmasterKeyArn`: the AWS Config
//! resource schema's spelling; AWS's sample item, aws-config-rdk
//! `rdk/template/example_ci/AWS_DynamoDB_Table.json`, has no `ssedescription`: the AWS owned
//! key). The schema lists no deletion protection, so when the item lacks
//! `configuration.deletionProtectionEnabled` the rule reads it with DynamoDB `DescribeTable`,
//! and when it lacks the continuous backups description, with `DescribeContinuousBackups`.
//! With `requireCustomerManagedKey` it asks KMS `DescribeKey` who manages the table's key
//! (the AWS managed key `aws/dynamodb` is recorded by its key ARN, like any other).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requirePointInTimeRecovery` | boolean | `true` | point-in-time recovery must be `ENABLED` |
//! | `requireDeletionProtection` | boolean | `true` | deletion protection must be on |
//! | `requireCustomerManagedKey` | boolean | `false` | the table must be encrypted with a customer managed KMS key |
//! | `kmsKeyArns` | comma list | empty | when set, the table's KMS key must be one of these (ARNs or key ids) |
//!
//! **Scenarios**
//!
//! | table | result |
//! |---|---|
//! | every required protection on | COMPLIANT, naming them |
//! | point-in-time recovery `DISABLED` (DynamoDB's default) | NON_COMPLIANT |
//! | deletion protection off (DynamoDB's default) | NON_COMPLIANT |
//! | the AWS owned key, or the AWS managed key, with `requireCustomerManagedKey` | NON_COMPLIANT |
//! | a key not in `kmsKeyArns` | NON_COMPLIANT, naming the key |
//! | several of these | NON_COMPLIANT, listing each |
//! | a recorded value present but unreadable | NON_COMPLIANT, naming the field |
//! | every requirement switched off | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** `aws dynamodb update-continuous-backups --table-name NAME
//! --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true`; `aws dynamodb
//! update-table --table-name NAME --deletion-protection-enabled`; `aws dynamodb update-table
//! --table-name NAME --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN`. In a
//! template: `PointInTimeRecoverySpecification`, `DeletionProtectionEnabled` and
//! `SSESpecification` of `AWS::DynamoDB::Table`. Point-in-time recovery is billed by table size.
//! The SAM template's optional remediation (`remediation.yaml`) turns on both protections (not
//! the key); it runs automatically only with its own opt-in.
//!
//! **References.** Amazon DynamoDB developer guide, "Point-in-time recovery", "Using deletion
//! protection" and "Encryption at rest". The nearest AWS managed rules split this in three:
//! `dynamodb-pitr-enabled`, `dynamodb-table-deletion-protection-enabled` and
//! `dynamodb-table-encrypted-kms` (with `kmsKeyArns`); Security Hub DynamoDB.2 and DynamoDB.6,
//! Prowler `dynamodb_tables_pitr_enabled` and `dynamodb_tables_kms_cmk_encryption_enabled`.
//! This rule judges a table's protection in one verdict that lists every gap, tells the AWS
//! managed key from a customer managed one by asking KMS, and never reads an unrecorded value
//! as "off".

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, Remediation,
    RemediationValue, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "dynamodb-table-protected",
    summary: "DynamoDB tables have point-in-time recovery and deletion protection (and optionally a customer managed key).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::DynamoDB::Table"],
    trigger: Trigger::Change,
    parameters: &[
        ParamSpec::boolean(
            "requirePointInTimeRecovery",
            true,
            "Point-in-time recovery must be enabled.",
        ),
        ParamSpec::boolean("requireDeletionProtection", true, "Deletion protection must be on."),
        ParamSpec::boolean(
            "requireCustomerManagedKey",
            false,
            "The table must be encrypted with a customer managed KMS key.",
        ),
        ParamSpec::list("kmsKeyArns", "Allowed KMS keys (ARNs or key ids); empty accepts any key."),
    ],
    permissions: &[
        Permission::on("dynamodb:DescribeTable", &[arn::DYNAMODB_TABLES]),
        Permission::on("dynamodb:DescribeContinuousBackups", &[arn::DYNAMODB_TABLES]),
        Permission::on("kms:DescribeKey", &[arn::KMS_KEYS]),
    ],
    item_calls_aws: true,
    timeout_seconds: 15,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[("TableName", RemediationValue::ResourceId)],
        permissions: &[
            Permission::on("dynamodb:UpdateContinuousBackups", &[arn::DYNAMODB_TABLES]),
            Permission::on("dynamodb:DescribeContinuousBackups", &[arn::DYNAMODB_TABLES]),
            Permission::on("dynamodb:UpdateTable", &[arn::DYNAMODB_TABLES]),
            Permission::on("dynamodb:DescribeTable", &[arn::DYNAMODB_TABLES]),
        ],
        automatic_safe: false,
        summary: "turns on point-in-time recovery and deletion protection (encryption is left as it is)",
        safety: "both are reversible, but point-in-time recovery is billed by table size and deletion protection makes stack deletions and cleanup scripts fail until it is turned off, so it runs automatically only with its own opt-in",
    }),
    severity: Severity::Medium,
    practices: &[7, 3],
    reads_supplementary: &["ContinuousBackupsDescription"],
    template_mode: "judges `PointInTimeRecoverySpecification`, `DeletionProtectionEnabled` and `SSESpecification` of `AWS::DynamoDB::Table` (DynamoDB's defaults when absent: both off, the AWS owned key); a key of the template is customer managed, a key from outside it is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub require_pitr: bool,
    pub require_deletion_protection: bool,
    pub require_customer_managed_key: bool,
    pub kms_key_arns: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            require_pitr: true,
            require_deletion_protection: true,
            require_customer_managed_key: false,
            kms_key_arns: Vec::new(),
        }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            require_pitr: values.boolean("requirePointInTimeRecovery")?,
            require_deletion_protection: values.boolean("requireDeletionProtection")?,
            require_customer_managed_key: values.boolean("requireCustomerManagedKey")?,
            kms_key_arns: values.list("kmsKeyArns")?,
        })
    }
}

/// What the rule reads from DynamoDB when Config's item does not record it.
#[async_trait]
pub trait TableApi: Send + Sync {
    /// `DeletionProtectionEnabled` of `DescribeTable`.
    async fn deletion_protection(&self, table: &str) -> Result<bool, Error>;
    /// Whether `DescribeContinuousBackups` reports point-in-time recovery `ENABLED`.
    async fn point_in_time_recovery(&self, table: &str) -> Result<bool, Error>;
}

/// Who manages a KMS key.
#[async_trait]
pub trait KeyManagerApi: Send + Sync {
    /// `KeyManager` of `DescribeKey`: `CUSTOMER` or `AWS`.
    async fn key_manager(&self, key: &str) -> Result<String, Error>;
}

/// A fact from the item: recorded, absent (ask the service), or present but unreadable (the
/// field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact<T> {
    Recorded(T),
    NotRecorded,
    Unreadable(&'static str),
}

/// `configuration.deletionProtectionEnabled`.
pub fn recorded_deletion_protection(item: &ConfigurationItem) -> Fact<bool> {
    match item.configuration.get("deletionProtectionEnabled") {
        None | Some(Value::Null) => Fact::NotRecorded,
        Some(Value::Bool(b)) => Fact::Recorded(*b),
        Some(_) => Fact::Unreadable("configuration.deletionProtectionEnabled"),
    }
}

/// `supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus`.
pub fn recorded_pitr(item: &ConfigurationItem) -> Fact<bool> {
    const FIELD: &str =
        "supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus";
    let Some(backups) = item.supplementary("ContinuousBackupsDescription") else {
        return Fact::NotRecorded;
    };
    match backups
        .get("pointInTimeRecoveryDescription")
        .and_then(|p| p.get("pointInTimeRecoveryStatus"))
    {
        Some(Value::String(s)) => Fact::Recorded(s.eq_ignore_ascii_case("ENABLED")),
        // A description without the status says nothing: ask, never read it as off.
        None | Some(Value::Null) if backups.is_object() => Fact::NotRecorded,
        _ => Fact::Unreadable(FIELD),
    }
}

/// The table's encryption: `None` for the AWS owned key (no `ssedescription`, or not
/// `ENABLED`), `Some(key ARN)` for SSE-KMS.
pub fn recorded_key(item: &ConfigurationItem) -> Fact<Option<String>> {
    let sse = item
        .configuration
        .get("ssedescription")
        .or_else(|| item.configuration.get("sseDescription"));
    let sse = match sse {
        None | Some(Value::Null) => return Fact::Recorded(None),
        Some(s @ Value::Object(_)) => s,
        Some(_) => return Fact::Unreadable("configuration.ssedescription"),
    };
    let field = |a: &str, b: &str| sse.get(a).or_else(|| sse.get(b));
    let status = field("status", "Status").and_then(Value::as_str).unwrap_or("ENABLED");
    if !status.eq_ignore_ascii_case("ENABLED") && !status.eq_ignore_ascii_case("UPDATING") {
        return Fact::Recorded(None);
    }
    match field("kmsmasterKeyArn", "kmsMasterKeyArn") {
        Some(Value::String(k)) if !k.is_empty() => Fact::Recorded(Some(k.clone())),
        None | Some(Value::Null) => Fact::Recorded(None),
        Some(_) => Fact::Unreadable("configuration.ssedescription.kmsmasterKeyArn"),
    }
}

/// What the rule found about a table, once every fact it needs is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    pub pitr: bool,
    pub deletion_protection: bool,
    /// The KMS key, and whether it is customer managed (`None`: not asked).
    pub key: Option<(String, Option<bool>)>,
}

/// The decision, as a pure function of what the rule found and the parameters.
pub fn evaluate(name: &str, found: &Protection, params: &Params) -> Verdict {
    let mut problems = Vec::new();
    let mut held = Vec::new();
    if params.require_pitr {
        if found.pitr {
            held.push("point-in-time recovery".to_string());
        } else {
            problems.push("point-in-time recovery is off".to_string());
        }
    }
    if params.require_deletion_protection {
        if found.deletion_protection {
            held.push("deletion protection".to_string());
        } else {
            problems.push("deletion protection is off".to_string());
        }
    }
    let wants_key = params.require_customer_managed_key || !params.kms_key_arns.is_empty();
    if wants_key {
        match &found.key {
            None => problems.push("it is encrypted with the AWS owned key, not a customer managed key".to_string()),
            Some((k, _))
                if !params.kms_key_arns.is_empty() && !config_rules_core::kms::key_allowed(&params.kms_key_arns, k) =>
            {
                problems.push(format!(
                    "its KMS key {} is not in kmsKeyArns",
                    config_rules_core::bounded(k, 128)
                ))
            }
            Some((k, Some(false))) if params.require_customer_managed_key => problems.push(format!(
                "its KMS key {} is AWS managed, not customer managed",
                config_rules_core::bounded(k, 128)
            )),
            Some((k, _)) => held.push(format!("KMS key {}", config_rules_core::bounded(k, 128))),
        }
    }
    if !problems.is_empty() {
        return Verdict::non_compliant(format!("Table {name}: {}.", problems.join("; ")));
    }
    if held.is_empty() {
        return Verdict::not_applicable(format!(
            "Table {name}: every requirement of the rule is switched off by its parameters."
        ));
    }
    Verdict::compliant(format!("Table {name} has {}.", held.join(", ")))
}

/// The rule as the runner sees it.
pub struct DynamodbTableProtected<C> {
    api: C,
}

impl<C: TableApi + KeyManagerApi> DynamodbTableProtected<C> {
    pub fn new(api: C) -> Self {
        DynamodbTableProtected { api }
    }
}

fn unreadable(name: &str, field: &str) -> Verdict {
    Verdict::non_compliant(format!(
        "Table {name}: {field} is present but unreadable; its protection cannot be confirmed."
    ))
}

#[async_trait]
impl<C: TableApi + KeyManagerApi> Rule for DynamodbTableProtected<C> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_item(
        &self,
        item: &ConfigurationItem,
        _ctx: &ItemContext,
        params: &Params,
    ) -> Result<Verdict, Error> {
        let name = item
            .config_str("tableName")
            .or(item.resource_name.as_deref())
            .unwrap_or(&item.resource_id)
            .to_string();
        let pitr = match (params.require_pitr, recorded_pitr(item)) {
            (false, _) => false,
            (true, Fact::Recorded(v)) => v,
            (true, Fact::NotRecorded) => self.api.point_in_time_recovery(&name).await?,
            (true, Fact::Unreadable(f)) => return Ok(unreadable(&name, f)),
        };
        let deletion_protection = match (params.require_deletion_protection, recorded_deletion_protection(item)) {
            (false, _) => false,
            (true, Fact::Recorded(v)) => v,
            (true, Fact::NotRecorded) => self.api.deletion_protection(&name).await?,
            (true, Fact::Unreadable(f)) => return Ok(unreadable(&name, f)),
        };
        let key = match recorded_key(item) {
            Fact::Recorded(k) => k,
            Fact::NotRecorded => None,
            Fact::Unreadable(f) => return Ok(unreadable(&name, f)),
        };
        let key = match key {
            Some(k) if params.require_customer_managed_key => {
                let manager = self.api.key_manager(&k).await?;
                Some((k, Some(manager.eq_ignore_ascii_case("CUSTOMER"))))
            }
            Some(k) => Some((k, None)),
            None => None,
        };
        Ok(evaluate(
            &name,
            &Protection {
                pitr,
                deletion_protection,
                key,
            },
            params,
        ))
    }
}

/// DynamoDB and KMS over the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkTables {
    dynamodb: aws_sdk_dynamodb::Client,
    kms: aws_sdk_kms::Client,
}

impl SdkTables {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkTables {
            dynamodb: aws_sdk_dynamodb::Client::new(sdk),
            kms: aws_sdk_kms::Client::new(sdk),
        }
    }
}

#[async_trait]
impl TableApi for SdkTables {
    async fn deletion_protection(&self, table: &str) -> Result<bool, Error> {
        let out = self
            .dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| config_rules_core::sdk_error("DescribeTable", e))?;
        Ok(out
            .table()
            .and_then(|t| t.deletion_protection_enabled())
            .unwrap_or(false))
    }

    async fn point_in_time_recovery(&self, table: &str) -> Result<bool, Error> {
        let out = self
            .dynamodb
            .describe_continuous_backups()
            .table_name(table)
            .send()
            .await
            .map_err(|e| config_rules_core::sdk_error("DescribeContinuousBackups", e))?;
        Ok(out
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status())
            .is_some_and(|s| s.as_str() == "ENABLED"))
    }
}

#[async_trait]
impl KeyManagerApi for SdkTables {
    async fn key_manager(&self, key: &str) -> Result<String, Error> {
        let out = self
            .kms
            .describe_key()
            .key_id(key)
            .send()
            .await
            .map_err(|e| config_rules_core::sdk_error("DescribeKey", e))?;
        Ok(out
            .key_metadata()
            .and_then(|m| m.key_manager())
            .map(|m| m.as_str().to_string())
            .unwrap_or_default())
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    DynamodbTableProtected::new(SdkTables::new(sdk))
}

#[cfg(test)]
mod tests;
