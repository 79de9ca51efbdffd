//! The `config-rules` tool's library: the rule catalog, item loading, running rules over items,
//! reports, and live scans. The tool runs the same rule code and the same evaluation engine as
//! the Lambda functions; nothing here decides compliance.

pub mod catalog;
pub mod cfn;
pub mod docs;
pub mod items;
pub mod pages;
pub mod report;
pub mod run;
pub mod scan;
pub mod suppress;
pub mod template;

use thiserror::Error;

/// Why the tool stops, and its exit code.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad usage: unknown rule, unreadable file.
    #[error("{0}")]
    Input(String),
    /// A malformed event or an invalid parameter (from the engine).
    #[error("{0}")]
    Rule(config_rules_core::Error),
    /// An AWS call failed.
    #[error("{0}")]
    Aws(config_rules_core::Error),
}

impl CliError {
    /// 2 for input, event and parameter errors; 3 for AWS failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => 2,
            CliError::Rule(
                config_rules_core::Error::AwsApi { .. }
                | config_rules_core::Error::Unposted { .. }
                | config_rules_core::Error::Deadline { .. }
                | config_rules_core::Error::Panic { .. },
            ) => 3,
            CliError::Rule(_) => 2,
            CliError::Aws(_) => 3,
        }
    }
}
