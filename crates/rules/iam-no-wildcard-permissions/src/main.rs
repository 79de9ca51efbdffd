//! Lambda entry point of `iam-no-wildcard-permissions`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(iam_no_wildcard_permissions::rule).await
}
