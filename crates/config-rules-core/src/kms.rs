//! KMS key references as rules compare them.

/// The key id of a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID` → `ID`); other text unchanged.
pub fn key_id(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// Whether `key` (an ARN or a key id) is one of `allowed` (ARNs or key ids).
pub fn key_allowed(allowed: &[String], key: &str) -> bool {
    allowed.iter().any(|a| a == key || key_id(a) == key_id(key))
}

/// Whether a key reference names an AWS managed key: an alias under `alias/aws/`, bare or in
/// an alias ARN (`arn:aws:kms:REGION:ACCOUNT:alias/aws/sqs`). Customers cannot create aliases
/// under `aws/`.
pub fn is_aws_managed_alias(reference: &str) -> bool {
    reference.starts_with("alias/aws/") || reference.contains(":alias/aws/")
}

/// The verdict on a resource encrypted with KMS key `key` (as the service records it: an ARN,
/// a key id or an alias): not one of `allowed` (when given), AWS managed when a customer
/// managed key is required, or compliant. `what` names the resource ("Queue orders"), `mode`
/// the kind of encryption ("SSE-KMS").
pub fn judge_key(
    what: &str,
    key: &str,
    mode: &str,
    require_customer_managed: bool,
    allowed: &[String],
) -> crate::Verdict {
    let shown = crate::bounded(key, 160);
    if !allowed.is_empty() && !key_allowed(allowed, key) {
        return crate::Verdict::non_compliant(format!(
            "{what} encrypts with KMS key {shown}, which is not in kmsKeyArns."
        ));
    }
    if is_aws_managed_alias(key) {
        if require_customer_managed {
            return crate::Verdict::non_compliant(format!(
                "{what} encrypts with the AWS managed KMS key {shown}, not a customer managed key."
            ));
        }
        return crate::Verdict::compliant(format!(
            "{what} encrypts with the AWS managed KMS key {shown} ({mode})."
        ));
    }
    crate::Verdict::compliant(format!("{what} encrypts with KMS key {shown} ({mode})."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_ids_match_each_other() {
        let arn = "arn:aws:kms:us-east-1:123456789012:key/1234-abcd";
        assert!(key_allowed(&[arn.to_string()], arn));
        assert!(key_allowed(&["1234-abcd".to_string()], arn));
        assert!(key_allowed(&[arn.to_string()], "1234-abcd"));
        assert!(!key_allowed(
            &["arn:aws:kms:us-east-1:123456789012:key/other".to_string()],
            arn
        ));
        assert!(!key_allowed(&[], arn));
    }

    #[test]
    fn aws_managed_keys_are_named_by_their_aws_aliases() {
        assert!(is_aws_managed_alias("alias/aws/sqs"));
        assert!(is_aws_managed_alias("arn:aws:kms:us-east-1:123456789012:alias/aws/sns"));
        assert!(!is_aws_managed_alias("alias/awsome"));
        assert!(!is_aws_managed_alias(
            "arn:aws:kms:us-east-1:123456789012:key/1234-abcd"
        ));
    }
}
