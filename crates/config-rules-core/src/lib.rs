//! The shared evaluation engine of the serverless AWS Config rules.
//!
//! A rule crate declares a [`RuleMeta`] and implements [`Rule`]; this crate does the rest,
//! once for every rule:
//!
//! - [`event`]: decoding the Config rule event (`invokingEvent` and `ruleParameters` are JSON
//!   inside strings) for change, oversized and scheduled notifications;
//! - [`item`]: configuration items in one shape, whether from a notification or the Config API;
//! - [`params`]: typed, validated rule parameters with defaults;
//! - [`engine`]: applicability (deleted, not recorded, out of scope, exempted by tag), oversized
//!   items, and NOT_APPLICABLE results for resources gone since the last periodic run;
//! - [`post`]: PutEvaluations in batches of 100, re-sending `FailedEvaluations`, failing loudly;
//! - [`runner`]: the Lambda handler, JSON logs and the SDK configuration.

pub mod accounts;
pub mod apigw;
pub mod config_api;
pub mod deadline;
pub mod docs;
pub mod engine;
mod error;
pub mod evaluation;
pub mod event;
pub mod item;
pub mod kms;
pub mod params;
pub mod post;
pub mod rule;
pub mod runner;
pub mod suppressions;
pub mod sweep;
pub mod testing;

pub use config_api::{ConfigApi, ReportedResource, SdkConfigApi};
pub use deadline::Budget;
pub use engine::AnyRule;
pub use error::{bounded, sdk_error, serde_reason, Error, MAX_QUOTED_CHARS};
pub use evaluation::{Compliance, Evaluation, ResourceVerdict, Verdict};
pub use event::{Invocation, RuleEvent};
pub use item::ConfigurationItem;
pub use params::{FromParams, ParamKind, ParamSpec, ParamValues};
pub use rule::{
    arn, AccountContext, ItemContext, Permission, Remediation, RemediationValue, ReportsOn, Rule, RuleMeta, Severity,
    Trigger, ACCOUNT_RESOURCE_TYPE, PRACTICES,
};

/// Re-exported so rule binaries need no direct dependency on them.
pub use async_trait::async_trait;
pub use aws_config::SdkConfig;
pub use tokio;
