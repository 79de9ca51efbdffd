//! Lambda entry point of `api-gw-cache-encrypted`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(api_gw_cache_encrypted::rule).await
}
