//! Lambda entry point of `sns-topic-encrypted`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(sns_topic_encrypted::rule).await
}
