//! Lambda entry point of `lambda-no-public-access`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_no_public_access::rule).await
}
