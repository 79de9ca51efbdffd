//! Delivering evaluations: batches of at most 100, re-sending `FailedEvaluations`, and an
//! error (never silence) when anything could not be delivered.

use std::time::Duration;

use crate::config_api::ConfigApi;
use crate::deadline::Budget;
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
    post_evaluations_within(
        api,
        result_token,
        test_mode,
        evaluations,
        resend_backoff,
        Budget::unlimited(),
    )
    .await
}

/// [`post_evaluations`] within `budget`: no call starts, and no re-send waits, past it; a call
/// in flight when it runs out is abandoned. Whatever is left is counted in [`Error::Unposted`],
/// returned while the invocation can still report it.
pub async fn post_evaluations_within(
    api: &dyn ConfigApi,
    result_token: &str,
    test_mode: bool,
    evaluations: &[Evaluation],
    resend_backoff: Duration,
    budget: Budget,
) -> Result<PostReport, Error> {
    let mut report = PostReport::default();
    let mut unposted = 0usize;
    let mut last_reason = String::new();
    let mut out_of_time = false;
    for batch in evaluations.chunks(MAX_BATCH) {
        if out_of_time {
            unposted += batch.len();
            continue;
        }
        let mut pending: Vec<Evaluation> = batch.to_vec();
        let mut round = 0;
        while !pending.is_empty() {
            report.calls += 1;
            let answer = match budget.run(api.put_evaluations(result_token, test_mode, &pending)).await {
                Ok(answer) => answer,
                Err(_) => {
                    out_of_time = true;
                    last_reason = deadline_reason();
                    tracing::error!(
                        batch = pending.len(),
                        "PutEvaluations cut off by the invocation's deadline"
                    );
                    unposted += pending.len();
                    break;
                }
            };
            match answer {
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
            let wait = resend_backoff * 2u32.pow(round - 1);
            if !budget.allows(wait) {
                out_of_time = true;
                last_reason = format!("{last_reason}; {}", deadline_reason());
                unposted += pending.len();
                break;
            }
            tokio::time::sleep(wait).await;
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

fn deadline_reason() -> String {
    "the invocation's deadline was near, so posting stopped".to_string()
}
