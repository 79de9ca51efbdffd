//! Lambda entry point of `lambda-async-failures-captured`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_async_failures_captured::rule).await
}
