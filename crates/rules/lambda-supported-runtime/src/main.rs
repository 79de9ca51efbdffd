//! Lambda entry point of `lambda-supported-runtime`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| {
        lambda_supported_runtime::LambdaSupportedRuntime::new(lambda_facts::SdkLambda::new(sdk))
    })
    .await
}
