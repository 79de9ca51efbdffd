//! Lambda entry point of `api-gw-throttling-configured`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(api_gw_throttling_configured::rule).await
}
