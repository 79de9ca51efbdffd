//! A scriptable in-memory [`ConfigApi`] for tests of the engine, the rules and the CLI.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::config_api::{ConfigApi, FailedEvaluation, ReportedResource};
use crate::evaluation::Evaluation;
use crate::item::ConfigurationItem;
use crate::Error;

/// One recorded PutEvaluations request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutCall {
    pub result_token: String,
    pub test_mode: bool,
    pub evaluations: Vec<Evaluation>,
}

/// How the fake answers the next PutEvaluations call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// Accept everything.
    Accept,
    /// List the first `n` evaluations of the call in `FailedEvaluations`.
    FailFirst(usize),
    /// Fail the call (after the SDK's retries, as far as the engine can tell).
    Error,
    /// Answer (accepting everything) only after this long: an endpoint that does not answer.
    Hang(std::time::Duration),
}

/// A fake AWS Config: records PutEvaluations calls, serves items and stored results.
#[derive(Debug, Default)]
pub struct FakeConfig {
    calls: Mutex<Vec<PutCall>>,
    script: Mutex<VecDeque<PutOutcome>>,
    /// Served by `resource_config_history`, keyed by (type, id).
    pub items: BTreeMap<(String, String), ConfigurationItem>,
    /// Served by `reported_resources`.
    pub reported: Vec<ReportedResource>,
    /// Every `resource_config_history` request: (type, id, laterTime).
    history_requests: Mutex<Vec<(String, String, DateTime<Utc>)>>,
}

impl FakeConfig {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers the next calls with these outcomes, then accepts.
    pub fn script(self, outcomes: impl IntoIterator<Item = PutOutcome>) -> Self {
        if let Ok(mut s) = self.script.lock() {
            s.extend(outcomes);
        }
        self
    }

    pub fn with_item(mut self, item: ConfigurationItem) -> Self {
        self.items
            .insert((item.resource_type.clone(), item.resource_id.clone()), item);
        self
    }

    pub fn calls(&self) -> Vec<PutCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn history_requests(&self) -> Vec<(String, String, DateTime<Utc>)> {
        self.history_requests.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl ConfigApi for FakeConfig {
    async fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        evaluations: &[Evaluation],
    ) -> Result<Vec<FailedEvaluation>, Error> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(PutCall {
                result_token: result_token.to_string(),
                test_mode,
                evaluations: evaluations.to_vec(),
            });
        }
        let outcome = self
            .script
            .lock()
            .ok()
            .and_then(|mut s| s.pop_front())
            .unwrap_or(PutOutcome::Accept);
        match outcome {
            PutOutcome::Accept => Ok(Vec::new()),
            PutOutcome::Hang(wait) => {
                tokio::time::sleep(wait).await;
                Ok(Vec::new())
            }
            PutOutcome::FailFirst(n) => Ok(evaluations
                .iter()
                .take(n)
                .map(|e| FailedEvaluation {
                    resource_type: e.resource_type.clone(),
                    resource_id: e.resource_id.clone(),
                })
                .collect()),
            PutOutcome::Error => Err(Error::aws("PutEvaluations", "ThrottlingException: Rate exceeded")),
        }
    }

    async fn resource_config_history(
        &self,
        resource_type: &str,
        resource_id: &str,
        later_time: DateTime<Utc>,
    ) -> Result<Option<ConfigurationItem>, Error> {
        if let Ok(mut r) = self.history_requests.lock() {
            r.push((resource_type.to_string(), resource_id.to_string(), later_time));
        }
        Ok(self
            .items
            .get(&(resource_type.to_string(), resource_id.to_string()))
            .cloned())
    }

    async fn reported_resources(&self, _config_rule_name: &str) -> Result<Vec<ReportedResource>, Error> {
        Ok(self.reported.clone())
    }
}

/// Parses raw `ruleParameters` against a rule's declared parameters into its typed `Params`,
/// as the engine does (for rule tests).
pub fn parse_params<P: crate::FromParams>(specs: &[crate::ParamSpec], raw: serde_json::Value) -> Result<P, Error> {
    crate::ParamValues::parse(specs, Some(&raw)).and_then(|v| P::from_params(&v))
}
