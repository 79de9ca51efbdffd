//! Lambda entry point of `lambda-execution-role-not-shared`.

use lambda_execution_role_not_shared::{LambdaExecutionRoleNotShared, SdkLambda};

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(|sdk| LambdaExecutionRoleNotShared::new(SdkLambda::new(sdk))).await
}
