//! Lambda entry point of `dynamodb-table-protected`.

#[tokio::main]
async fn main() -> Result<(), config_rules_core::runner::BoxError> {
    config_rules_core::runner::run(dynamodb_table_protected::rule).await
}
