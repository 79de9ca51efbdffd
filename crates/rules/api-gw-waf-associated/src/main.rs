//! Lambda entry point of `api-gw-waf-associated`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(api_gw_waf_associated::rule).await
}
