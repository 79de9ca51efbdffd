//! Lambda entry point of `api-gw-authorization-required`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(api_gw_authorization_required::rule).await
}
