//! Lambda entry point of `stepfunctions-logging-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(stepfunctions_logging_enabled::rule).await
}
