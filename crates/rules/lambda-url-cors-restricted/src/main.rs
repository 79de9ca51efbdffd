//! Lambda entry point of `lambda-url-cors-restricted`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_url_cors_restricted::rule).await
}
