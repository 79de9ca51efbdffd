//! Lambda entry point of `lambda-no-public-access`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| {
        lambda_no_public_access::LambdaNoPublicAccess::new(lambda_facts::SdkLambda::new(sdk))
    })
    .await
}
