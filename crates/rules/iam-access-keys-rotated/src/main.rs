//! Lambda entry point of `iam-access-keys-rotated`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(iam_access_keys_rotated::rule).await
}
