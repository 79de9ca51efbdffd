//! Lambda entry point of `cloudtrail-multi-region-enabled`.

use cloudtrail_multi_region_enabled::{CloudtrailMultiRegionEnabled, SdkTrails};

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| CloudtrailMultiRegionEnabled::new(SdkTrails::new(sdk))).await
}
