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
    #[error("AWS API call {operation} failed: {message}")]
    AwsApi { operation: String, message: String },

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
            Error::Unposted { .. } => "Unposted",
        }
    }

    /// Shorthand for a [`Error::MalformedEvent`].
    pub fn malformed(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::MalformedEvent {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for an [`Error::AwsApi`] from any displayable SDK error.
    pub fn aws(operation: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::AwsApi {
            operation: operation.into(),
            message: err.to_string(),
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
    let message = match &err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
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
        message,
    }
}

impl From<Error> for lambda_runtime::Diagnostic {
    fn from(err: Error) -> Self {
        lambda_runtime::Diagnostic {
            error_type: err.error_type().to_string(),
            error_message: err.to_string(),
        }
    }
}
