//! Lambda entry point of `api-gw-logging-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(api_gw_logging_enabled::rule).await
}
