//! KMS key references as rules compare them.

/// The key id of a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID` → `ID`); other text unchanged.
pub fn key_id(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// Whether `key` (an ARN or a key id) is one of `allowed` (ARNs or key ids).
pub fn key_allowed(allowed: &[String], key: &str) -> bool {
    allowed.iter().any(|a| a == key || key_id(a) == key_id(key))
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
}
