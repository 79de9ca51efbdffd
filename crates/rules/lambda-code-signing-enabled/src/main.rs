//! Lambda entry point of `lambda-code-signing-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_code_signing_enabled::rule).await
}
