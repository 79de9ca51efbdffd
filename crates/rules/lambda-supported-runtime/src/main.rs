//! Lambda entry point of `lambda-supported-runtime`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_supported_runtime::rule).await
}
