//! Lambda entry point of `cloudtrail-lambda-data-events-logged`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(cloudtrail_lambda_data_events_logged::rule).await
}
