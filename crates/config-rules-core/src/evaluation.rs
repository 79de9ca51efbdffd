//! Compliance results: what a rule decides ([`Verdict`]) and what is posted ([`Evaluation`]).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// The longest annotation PutEvaluations accepts, in characters.
pub const MAX_ANNOTATION_CHARS: usize = 256;

/// The marker appended to an annotation that had to be cut.
pub const CUT_MARKER: char = '…';

/// Compliance types a custom rule may report (`INSUFFICIENT_DATA` is rejected for custom rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Compliance {
    NonCompliant,
    Compliant,
    NotApplicable,
}

impl Compliance {
    /// The API spelling: `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Compliant => "COMPLIANT",
            Compliance::NonCompliant => "NON_COMPLIANT",
            Compliance::NotApplicable => "NOT_APPLICABLE",
        }
    }

    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "COMPLIANT" => Some(Compliance::Compliant),
            "NON_COMPLIANT" => Some(Compliance::NonCompliant),
            "NOT_APPLICABLE" => Some(Compliance::NotApplicable),
            _ => None,
        }
    }
}

impl std::fmt::Display for Compliance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's decision about one resource: compliance and a one-sentence reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub compliance: Compliance,
    pub annotation: String,
}

impl Verdict {
    pub fn new(compliance: Compliance, annotation: impl Into<String>) -> Self {
        Verdict {
            compliance,
            annotation: annotation.into(),
        }
    }
    pub fn compliant(annotation: impl Into<String>) -> Self {
        Self::new(Compliance::Compliant, annotation)
    }
    pub fn non_compliant(annotation: impl Into<String>) -> Self {
        Self::new(Compliance::NonCompliant, annotation)
    }
    pub fn not_applicable(annotation: impl Into<String>) -> Self {
        Self::new(Compliance::NotApplicable, annotation)
    }

    /// The result for one resource the rule was refused access to in a sweep
    /// ([`crate::Error::is_access_denied`]): NON_COMPLIANT, since nothing shows it complies,
    /// with the refused call named, so one unreadable resource never stops the others'
    /// results and is never taken for a compliant one. `subject` is e.g. `Key 1234abcd`.
    pub fn unreadable(subject: &str, err: &crate::Error) -> Self {
        Self::non_compliant(format!("{subject} could not be checked: {err}."))
    }
}

/// A verdict about a resource the rule found itself (periodic and account-level rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceVerdict {
    pub resource_type: String,
    pub resource_id: String,
    pub verdict: Verdict,
}

/// One evaluation in the shape of PutEvaluations' `Evaluations` list.
///
/// Construct it with [`Evaluation::new`], which enforces the annotation limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    #[serde(rename = "ComplianceResourceType")]
    pub resource_type: String,
    #[serde(rename = "ComplianceResourceId")]
    pub resource_id: String,
    #[serde(rename = "ComplianceType")]
    pub compliance: Compliance,
    #[serde(rename = "Annotation")]
    pub annotation: String,
    #[serde(rename = "OrderingTimestamp", serialize_with = "rfc3339")]
    pub ordering_timestamp: DateTime<Utc>,
}

fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

impl Evaluation {
    pub fn new(
        resource_type: impl Into<String>,
        resource_id: impl Into<String>,
        verdict: Verdict,
        ordering_timestamp: DateTime<Utc>,
    ) -> Self {
        Evaluation {
            resource_type: resource_type.into(),
            resource_id: resource_id.into(),
            compliance: verdict.compliance,
            annotation: truncate_annotation(&verdict.annotation),
            ordering_timestamp,
        }
    }
}

/// A list for an annotation: the first `shown` items joined by commas, then `and N more`, so
/// an annotation stays readable (and within 256 characters) however long the list.
pub fn list_names<S: AsRef<str>>(items: &[S], shown: usize) -> String {
    let mut s = items
        .iter()
        .take(shown)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        s.push_str(&format!(" and {} more", items.len() - shown));
    }
    s
}

/// PutEvaluations' limits on `ComplianceResourceType` and `ComplianceResourceId`, in characters.
pub const MAX_RESOURCE_TYPE_CHARS: usize = 256;
pub const MAX_RESOURCE_ID_CHARS: usize = 768;

impl Evaluation {
    /// Checks the evaluation against PutEvaluations' constraints (Config API reference,
    /// `Evaluation`): resource type 1–256 characters, resource id 1–768, and an account-level
    /// result names a 12-digit account. The annotation is already cut by [`Evaluation::new`].
    pub fn validate(&self) -> Result<(), crate::Error> {
        let check = |field: &str, value: &str, max: usize| -> Result<(), crate::Error> {
            let n = value.chars().count();
            if n == 0 || n > max {
                return Err(crate::Error::InvalidEvaluation {
                    field: field.to_string(),
                    reason: format!(
                        "{} characters, PutEvaluations accepts 1 to {max} (value starts {:?})",
                        n,
                        crate::bounded(value, 60)
                    ),
                });
            }
            Ok(())
        };
        check("ComplianceResourceType", &self.resource_type, MAX_RESOURCE_TYPE_CHARS)?;
        check("ComplianceResourceId", &self.resource_id, MAX_RESOURCE_ID_CHARS)?;
        if self.resource_type == crate::ACCOUNT_RESOURCE_TYPE
            && !(self.resource_id.len() == 12 && self.resource_id.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(crate::Error::InvalidEvaluation {
                field: "ComplianceResourceId".to_string(),
                reason: format!(
                    "an {} result needs a 12-digit account id, found {:?}",
                    crate::ACCOUNT_RESOURCE_TYPE,
                    crate::bounded(&self.resource_id, 60)
                ),
            });
        }
        Ok(())
    }
}

/// Cuts an annotation to at most [`MAX_ANNOTATION_CHARS`] characters on a character
/// boundary, ending a cut annotation with [`CUT_MARKER`].
pub fn truncate_annotation(text: &str) -> String {
    if text.chars().count() <= MAX_ANNOTATION_CHARS {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_ANNOTATION_CHARS - 1).collect();
    out.push(CUT_MARKER);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_shortened_with_a_count() {
        assert_eq!(list_names(&["a", "b"], 5), "a, b");
        assert_eq!(list_names(&["a", "b", "c"], 2), "a, b and 1 more");
        assert_eq!(list_names::<&str>(&[], 2), "");
        assert_eq!(list_names(&vec!["x".to_string(); 10], 3), "x, x, x and 7 more");
    }

    #[test]
    fn short_annotations_are_kept() {
        assert_eq!(truncate_annotation("fine"), "fine");
        let exact = "a".repeat(256);
        assert_eq!(truncate_annotation(&exact), exact);
    }

    #[test]
    fn long_annotations_are_cut_and_marked() {
        let cut = truncate_annotation(&"a".repeat(300));
        assert_eq!(cut.chars().count(), 256);
        assert_eq!(cut, format!("{}…", "a".repeat(255)));
    }

    #[test]
    fn multibyte_characters_are_never_split() {
        // 'é' is two bytes and '🔒' four: a byte cut at 256 would land inside one.
        let text = "é🔒".repeat(200);
        let cut = truncate_annotation(&text);
        assert_eq!(cut.chars().count(), 256);
        assert!(cut.ends_with('…'));
        let expected: String = text.chars().take(255).collect();
        assert_eq!(cut, format!("{expected}…"));
    }

    #[test]
    fn evaluations_outside_put_evaluations_limits_are_refused_naming_the_field() {
        let ts = Utc::now();
        let ok = |t: &str, id: &str| Evaluation::new(t, id, Verdict::compliant("ok"), ts).validate();
        assert_eq!(ok("AWS::Lambda::Function", &"f".repeat(768)), Ok(()));
        assert_eq!(ok("AWS::::Account", "123456789012"), Ok(()));
        let field_of = |r: Result<(), crate::Error>| match r {
            Err(crate::Error::InvalidEvaluation { field, .. }) => field,
            other => panic!("expected InvalidEvaluation, got {other:?}"),
        };
        assert_eq!(field_of(ok("AWS::Lambda::Function", "")), "ComplianceResourceId");
        assert_eq!(
            field_of(ok("AWS::Lambda::Function", &"f".repeat(769))),
            "ComplianceResourceId"
        );
        assert_eq!(field_of(ok("", "f")), "ComplianceResourceType");
        assert_eq!(field_of(ok(&"T".repeat(257), "f")), "ComplianceResourceType");
        assert_eq!(field_of(ok("AWS::::Account", "")), "ComplianceResourceId");
        assert_eq!(field_of(ok("AWS::::Account", "12345678901x")), "ComplianceResourceId");
        // The message quotes at most a short prefix of the offending value.
        let err = ok("AWS::Lambda::Function", &"x".repeat(100_000))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn evaluation_serializes_in_put_evaluations_shape() {
        let ts = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let e = Evaluation::new("AWS::Lambda::Function", "f", Verdict::compliant("ok"), ts);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "ComplianceResourceType": "AWS::Lambda::Function",
                "ComplianceResourceId": "f",
                "ComplianceType": "COMPLIANT",
                "Annotation": "ok",
                "OrderingTimestamp": "2026-01-02T03:04:05.678Z"
            })
        );
    }
}
