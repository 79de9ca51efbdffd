//! Lambda entry point of `lambda-execution-role-not-shared`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(lambda_execution_role_not_shared::rule).await
}
