//! Lambda entry point of `s3-bucket-encryption-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(s3_bucket_encryption_enabled::rule).await
}
