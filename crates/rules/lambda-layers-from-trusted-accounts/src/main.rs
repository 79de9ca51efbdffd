//! Lambda entry point of `lambda-layers-from-trusted-accounts`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_layers_from_trusted_accounts::rule).await
}
