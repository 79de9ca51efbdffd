//! Lambda entry point of `required-tags`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(required_tags::rule).await
}
