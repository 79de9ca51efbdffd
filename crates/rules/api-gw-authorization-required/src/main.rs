//! Lambda entry point of `api-gw-authorization-required`.

use api_gw_authorization_required::{ApiGwAuthorizationRequired, SdkApis};

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| ApiGwAuthorizationRequired::new(SdkApis::new(sdk))).await
}
