//! Lambda entry point of `secretsmanager-rotation-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(secretsmanager_rotation_enabled::rule).await
}
