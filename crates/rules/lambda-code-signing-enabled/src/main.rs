//! Lambda entry point of `lambda-code-signing-enabled`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| {
        lambda_code_signing_enabled::LambdaCodeSigningEnabled::new(lambda_facts::SdkLambda::new(sdk))
    })
    .await
}
