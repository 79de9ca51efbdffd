//! Rule documentation lives in the `//!` header of each rule's `lib.rs`; this module reads it.

/// Extracts the leading `//!` block of a Rust source file as Markdown.
pub fn module_docs(source: &str) -> String {
    let mut out = Vec::new();
    for line in source.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("//!") {
            out.push(rest.strip_prefix(' ').unwrap_or(rest));
        } else if trimmed.is_empty() && out.is_empty() {
            continue;
        } else {
            break;
        }
    }
    let mut text = out.join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn leading_doc_block_is_extracted() {
        let src = "//! # Title\n//!\n//! Body `x`.\n//!   indented\n\nuse x;\n//! not this\n";
        assert_eq!(super::module_docs(src), "# Title\n\nBody `x`.\n  indented\n");
    }
}
