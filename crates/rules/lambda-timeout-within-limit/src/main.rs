//! Lambda entry point of `lambda-timeout-within-limit`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_timeout_within_limit::rule).await
}
