//! Lambda entry point of `sqs-queue-encrypted`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(sqs_queue_encrypted::rule).await
}
