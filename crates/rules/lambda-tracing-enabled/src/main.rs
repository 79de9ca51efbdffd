//! Lambda entry point of `lambda-tracing-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_tracing_enabled::rule).await
}
