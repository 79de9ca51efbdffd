//! Helpers for API Gateway stage items shared by the stage rules.

/// The `methodSettings` key of a stage's default settings.
pub const STAGE_DEFAULT_KEY: &str = "*/*";

/// A readable form of a `methodSettings` key: `~1pets~1{id}/GET` → `GET /pets/{id}`,
/// `*/*` → `all methods (*/*)`. `~1` encodes `/` and `~0` encodes `~`.
pub fn method_label(key: &str) -> String {
    if key == STAGE_DEFAULT_KEY {
        return "all methods (*/*)".to_string();
    }
    let (path, verb) = key.rsplit_once('/').unwrap_or((key, "*"));
    let path = path.replace("~1", "/").replace("~0", "~");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!("{verb} {path}")
}

#[cfg(test)]
mod tests {
    use super::method_label;

    #[test]
    fn keys_are_decoded() {
        assert_eq!(method_label("*/*"), "all methods (*/*)");
        assert_eq!(method_label("~1pets~1{id}/GET"), "GET /pets/{id}");
        assert_eq!(method_label("~1a~0b/POST"), "POST /a~b");
        assert_eq!(method_label("~1/*"), "* /");
    }
}
