//! Lambda entry point of `lambda-concurrency-limited`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|_| lambda_concurrency_limited::LambdaConcurrencyLimited).await
}
