//! Errors of the evaluation engine.
//!
//! Every error carries a stable [`Error::error_type`] that the Lambda runner reports as the
//! invocation's `errorType`, so alarms and log queries can match on it. A NON_COMPLIANT
//! resource is never an error: it is an [`crate::Evaluation`].

use thiserror::Error;

/// What can go wrong while handling one Config rule invocation.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The event from AWS Config does not have the shape the engine expects.
    /// `field` is the JSON path of the offending field, e.g. `invokingEvent.messageType`.
    #[error("malformed event: {field}: {reason}")]
    MalformedEvent { field: String, reason: String },

    /// A rule parameter is unknown or has a value of the wrong form.
    #[error("invalid rule parameter {key}: {reason} (expected {expected})")]
    InvalidParameters {
        key: String,
        reason: String,
        expected: String,
    },

    /// An AWS API call failed after the SDK's retries.
    /// `code` is the service's error code (`AccessDeniedException`, `ThrottlingException`)
    /// when the service answered.
    #[error("AWS API call {operation} failed: {message}")]
    AwsApi {
        operation: String,
        message: String,
        code: Option<String>,
    },

    /// An evaluation breaks PutEvaluations' constraints (an empty or too long resource id or
    /// type): a bug or hostile input, never posted or printed.
    #[error("invalid evaluation: {field}: {reason}")]
    InvalidEvaluation { field: String, reason: String },

    /// The invocation's deadline came before the rule finished judging: nothing was posted.
    #[error("the invocation's deadline came while {activity}; nothing was posted (raise the function's timeout, or see what was slow in the logs)")]
    Deadline { activity: String },

    /// A rule or a library it calls panicked: a bug, reported instead of a dead process.
    #[error("the rule panicked: {message}; nothing was posted")]
    Panic { message: String },

    /// The event names an account this function does not serve: not its own in account mode;
    /// outside the organization, or excluded, in organization mode. Refused before any AWS call.
    #[error("event for account {account} refused: {reason}; nothing was evaluated or posted")]
    AccountRefused { account: String, reason: String },

    /// The member account's role could not be assumed: nothing was read or posted anywhere.
    #[error("cannot work in account {account}: assuming {role_arn} failed: {message}; nothing was posted")]
    AssumeRole {
        account: String,
        role_arn: String,
        message: String,
    },

    /// The suppressions file given to the function cannot be read or is not valid: nothing is
    /// posted, as its entries would have changed the results.
    #[error("suppressions file {file}: {reason}")]
    Suppressions { file: String, reason: String },

    /// Some evaluations could not be delivered to PutEvaluations.
    #[error("{unposted} of {total} evaluations were not posted to AWS Config: {reason}")]
    Unposted {
        unposted: usize,
        total: usize,
        reason: String,
    },
}

impl Error {
    /// The stable error type name reported to Lambda (`errorType`).
    pub fn error_type(&self) -> &'static str {
        match self {
            Error::MalformedEvent { .. } => "MalformedEvent",
            Error::InvalidParameters { .. } => "InvalidParameters",
            Error::AwsApi { .. } => "AwsApi",
            Error::InvalidEvaluation { .. } => "InvalidEvaluation",
            Error::Deadline { .. } => "Deadline",
            Error::Panic { .. } => "Panic",
            Error::Unposted { .. } => "Unposted",
            Error::AccountRefused { .. } => "AccountRefused",
            Error::AssumeRole { .. } => "AssumeRole",
            Error::Suppressions { .. } => "Suppressions",
        }
    }

    /// Shorthand for a [`Error::MalformedEvent`].
    /// Both are cut to [`MAX_QUOTED_CHARS`]: they may quote the input.
    pub fn malformed(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::MalformedEvent {
            field: bounded(&field.into(), MAX_QUOTED_CHARS),
            reason: bounded(&reason.into(), MAX_QUOTED_CHARS),
        }
    }

    /// Shorthand for an [`Error::AwsApi`] from any displayable SDK error.
    pub fn aws(operation: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::AwsApi {
            operation: operation.into(),
            message: bounded(&err.to_string(), MAX_QUOTED_CHARS),
            code: None,
        }
    }

    /// True for an AWS error that says the caller may not read this one resource (a key
    /// policy that does not delegate to IAM, an SCP, a permissions boundary): the sweep gives
    /// that resource its own result and goes on. Throttling, 5xx and time-outs are not: they
    /// fail the invocation, so nothing is judged on a passing fault.
    pub fn is_access_denied(&self) -> bool {
        match self {
            Error::AwsApi { code: Some(code), .. } => {
                matches!(
                    code.as_str(),
                    "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthorizationError"
                ) || code.ends_with("AccessDenied")
            }
            _ => false,
        }
    }
}

/// An [`Error::AwsApi`] from an SDK error, in one line: the service's error code and message,
/// or the kind of failure and its innermost cause. Never the raw response, which may hold
/// whole configuration items or policies.
pub fn sdk_error<E, R>(operation: &str, err: aws_sdk_config::error::SdkError<E, R>) -> Error
where
    E: aws_sdk_config::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_config::error::SdkError;
    let innermost = |e: &(dyn std::error::Error + 'static)| {
        let mut cur = e;
        while let Some(next) = cur.source() {
            cur = next;
        }
        cur.to_string()
    };
    let mut code = None;
    let message = match &err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            code = e.code().map(str::to_string);
            format!(
                "{}: {}",
                e.code().unwrap_or("UnknownError"),
                e.message().unwrap_or("no message")
            )
        }
        SdkError::TimeoutError(_) => "timed out".to_string(),
        SdkError::DispatchFailure(_) => format!("could not send the request: {}", innermost(&err)),
        SdkError::ResponseError(_) => format!("unreadable response: {}", innermost(&err)),
        SdkError::ConstructionFailure(_) => {
            format!("could not build the request: {}", innermost(&err))
        }
        _ => innermost(&err),
    };
    Error::AwsApi {
        operation: operation.to_string(),
        message: bounded(&message, MAX_QUOTED_CHARS),
        code,
    }
}

/// A serde error as one line that quotes no value: serde names the offending value
/// (`invalid type: string "s3cr3t", expected a map`), and an item's values may be secrets
/// (environment variables, tags). Quoted strings become `a string`; the rest is kept and cut
/// to [`MAX_QUOTED_CHARS`].
pub fn serde_reason(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("string \"") {
        out.push_str(&rest[..at]);
        out.push_str("a string");
        let after = &rest[at + "string \"".len()..];
        // The closing quote: the first one not escaped by a backslash.
        let mut escaped = false;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = i + 1;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &after[end.min(after.len())..];
    }
    out.push_str(rest);
    bounded(&out, MAX_QUOTED_CHARS)
}

/// The most characters of outside text (an id, a value, a service message) an error or an
/// annotation quotes; longer text is cut with an ellipsis, so no input makes an unbounded log line.
pub const MAX_QUOTED_CHARS: usize = 200;

/// `text` cut to at most `max` characters (on a character boundary), ending in `…` when cut.
pub fn bounded(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl From<Error> for lambda_runtime::Diagnostic {
    fn from(err: Error) -> Self {
        lambda_runtime::Diagnostic {
            error_type: err.error_type().to_string(),
            error_message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_errors_quote_no_value() {
        let err = serde_json::from_str::<std::collections::BTreeMap<String, u8>>(r#"{"a": "s3cr3t \" still secret"}"#)
            .unwrap_err();
        let reason = serde_reason(&err);
        assert!(
            !reason.contains("s3cr3t") && !reason.contains("still secret"),
            "{reason}"
        );
        assert!(reason.starts_with("invalid type: a string, expected u8"), "{reason}");
        let huge = serde_json::from_str::<u8>(&format!("\"{}\"", "x".repeat(100_000))).unwrap_err();
        assert!(serde_reason(&huge).len() < 100);
    }

    #[test]
    fn quoted_input_is_bounded() {
        let err = Error::malformed(
            "invokingEvent.messageType",
            format!("unknown message type {:?}", "M".repeat(1_000_000)),
        );
        assert!(
            err.to_string().chars().count() < 500,
            "{} characters",
            err.to_string().len()
        );
        assert!(err.to_string().ends_with('…'));
    }
}
