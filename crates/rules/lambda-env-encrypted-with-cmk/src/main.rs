//! Lambda entry point of `lambda-env-encrypted-with-cmk`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_env_encrypted_with_cmk::rule).await
}
