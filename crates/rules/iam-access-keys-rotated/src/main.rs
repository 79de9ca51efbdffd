//! Lambda entry point of `iam-access-keys-rotated`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| {
        iam_access_keys_rotated::IamAccessKeysRotated::new(iam_access_keys_rotated::SdkIam::new(sdk))
    })
    .await
}
