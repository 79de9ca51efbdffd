//! Lambda entry point of `cloudtrail-multi-region-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(cloudtrail_multi_region_enabled::rule).await
}
