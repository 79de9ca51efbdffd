//! Lambda entry point of `lambda-env-no-plaintext-secrets`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_env_no_plaintext_secrets::rule).await
}
