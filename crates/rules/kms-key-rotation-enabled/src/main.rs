//! Lambda entry point of `kms-key-rotation-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(kms_key_rotation_enabled::rule).await
}
