//! The time an invocation may spend: Lambda ends the process at its deadline without warning,
//! so the engine stops starting AWS calls and retries before then, and reports what it could
//! not do while it still can.

use std::future::Future;
use std::time::{Duration, Instant};

/// Time kept back from Lambda's deadline to report the outcome (the error response to the
/// Runtime API and its log line take a few milliseconds; a second covers a slow sandbox).
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(1000);

/// When the work of one invocation must stop. `Budget::unlimited()` in the CLI and in tests
/// that do not exercise deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    until: Option<Instant>,
}

/// The budget ran out before the work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired;

impl Budget {
    /// No deadline.
    pub fn unlimited() -> Self {
        Budget { until: None }
    }

    /// Work must stop at `until`.
    pub fn until(until: Instant) -> Self {
        Budget { until: Some(until) }
    }

    /// From Lambda's deadline (`Lambda-Runtime-Deadline-Ms`, milliseconds since the epoch)
    /// less [`DEADLINE_MARGIN`]; `now_ms` is the current time in the same unit.
    pub fn from_lambda_deadline(deadline_ms: u64, now_ms: u64) -> Self {
        let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms)).saturating_sub(DEADLINE_MARGIN);
        Budget::until(Instant::now() + left)
    }

    /// Time left, `None` when unlimited.
    pub fn remaining(&self) -> Option<Duration> {
        self.until.map(|u| u.saturating_duration_since(Instant::now()))
    }

    /// True once no time is left.
    pub fn expired(&self) -> bool {
        self.remaining().is_some_and(|r| r.is_zero())
    }

    /// True when `wait` still fits in the budget.
    pub fn allows(&self, wait: Duration) -> bool {
        self.remaining().is_none_or(|r| r > wait)
    }

    /// Runs `work` until it finishes or the budget runs out (the work is then dropped, which
    /// cancels an AWS call in flight).
    pub async fn run<F: Future>(&self, work: F) -> Result<F::Output, Expired> {
        match self.remaining() {
            None => Ok(work.await),
            Some(left) if left.is_zero() => Err(Expired),
            Some(left) => tokio::time::timeout(left, work).await.map_err(|_| Expired),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_past_the_budget_is_cut() {
        let budget = Budget::until(Instant::now() + Duration::from_millis(50));
        let slow = budget.run(tokio::time::sleep(Duration::from_secs(5))).await;
        assert_eq!(slow, Err(Expired));
        assert!(budget.expired());
        assert_eq!(Budget::unlimited().run(async { 7 }).await, Ok(7));
        assert!(Budget::unlimited().allows(Duration::from_secs(3600)));
    }

    #[test]
    fn lambda_deadlines_keep_a_margin() {
        let b = Budget::from_lambda_deadline(10_000, 7_000);
        let left = b.remaining().unwrap_or_default();
        assert!(
            left <= Duration::from_millis(2000) && left > Duration::from_millis(1900),
            "{left:?}"
        );
        // A deadline already past, or within the margin, leaves nothing.
        assert!(Budget::from_lambda_deadline(7_500, 7_000).expired());
        assert!(Budget::from_lambda_deadline(1_000, 7_000).expired());
    }
}
