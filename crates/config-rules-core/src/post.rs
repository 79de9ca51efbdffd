//! Delivering evaluations: batches of at most 100, re-sending `FailedEvaluations`, and an
//! error (never silence) when anything could not be delivered.

use std::time::Duration;

use crate::config_api::ConfigApi;
use crate::evaluation::Evaluation;
use crate::Error;

/// PutEvaluations accepts at most this many evaluations per call.
pub const MAX_BATCH: usize = 100;

/// How often evaluations listed in `FailedEvaluations` are sent again.
pub const RESEND_ROUNDS: u32 = 4;

/// What a posting run delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PostReport {
    pub posted: usize,
    pub calls: usize,
}

/// Posts every evaluation. Throttling and 5xx are retried by the SDK client's retry policy;
/// evaluations that come back in `FailedEvaluations` are re-sent up to [`RESEND_ROUNDS`]
/// times with backoff. Batches keep going after a failed one, so as much as possible lands,
/// and the result is [`Error::Unposted`] if anything is left.
pub async fn post_evaluations(
    api: &dyn ConfigApi,
    result_token: &str,
    test_mode: bool,
    evaluations: &[Evaluation],
    resend_backoff: Duration,
) -> Result<PostReport, Error> {
    let mut report = PostReport::default();
    let mut unposted = 0usize;
    let mut last_reason = String::new();
    for batch in evaluations.chunks(MAX_BATCH) {
        let mut pending: Vec<Evaluation> = batch.to_vec();
        let mut round = 0;
        while !pending.is_empty() {
            report.calls += 1;
            match api.put_evaluations(result_token, test_mode, &pending).await {
                Ok(failed) => {
                    let (retry, done): (Vec<Evaluation>, Vec<Evaluation>) = pending.into_iter().partition(|e| {
                        failed
                            .iter()
                            .any(|f| f.resource_type == e.resource_type && f.resource_id == e.resource_id)
                    });
                    report.posted += done.len();
                    pending = retry;
                    if !pending.is_empty() {
                        last_reason = format!("{} evaluations returned in FailedEvaluations", pending.len());
                        tracing::warn!(
                            failed = pending.len(),
                            round,
                            "PutEvaluations returned FailedEvaluations"
                        );
                    }
                }
                Err(err) => {
                    last_reason = err.to_string();
                    tracing::error!(error = %err, batch = pending.len(), "PutEvaluations failed after retries");
                    unposted += pending.len();
                    pending.clear();
                    break;
                }
            }
            if pending.is_empty() {
                break;
            }
            if round >= RESEND_ROUNDS {
                unposted += pending.len();
                break;
            }
            round += 1;
            tokio::time::sleep(resend_backoff * 2u32.pow(round - 1)).await;
        }
    }
    if unposted > 0 {
        return Err(Error::Unposted {
            unposted,
            total: evaluations.len(),
            reason: last_reason,
        });
    }
    Ok(report)
}
