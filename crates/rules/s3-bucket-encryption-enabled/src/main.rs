//! Lambda entry point of `s3-bucket-encryption-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|_| s3_bucket_encryption_enabled::S3BucketEncryptionEnabled).await
}
