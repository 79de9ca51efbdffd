//! Lambda entry point of `lambda-concurrency-limited`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_concurrency_limited::rule).await
}
