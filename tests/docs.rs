//! Generated docs (docs/rules/*.md, the README's rule table) must match the rules' sources.
//! Regenerate with `cargo run -p config-rules -- docs --write` (`make docs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use config_rules::catalog::metas;
use config_rules::docs::{rule_page, with_rule_table};
use e2e_tests::workspace_root;

#[test]
fn rule_pages_match_the_sources() {
    for meta in metas() {
        let path = workspace_root().join("docs/rules").join(format!("{}.md", meta.id));
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == rule_page(meta),
            "{} is out of date: run `make docs`",
            path.display()
        );
    }
}

#[test]
fn readme_rule_table_matches_the_rules() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let expected = with_rule_table(&readme, &metas()).expect("README.md lacks the rule table markers");
    assert!(
        readme == expected,
        "README.md's rule table is out of date: run `make docs`"
    );
}

#[test]
fn every_rule_doc_has_the_required_sections() {
    for meta in metas() {
        let docs = meta.docs();
        assert!(docs.starts_with(&format!("# {}\n", meta.id)), "{}", meta.id);
        for section in [
            "**Checks**",
            "**Why it matters.**",
            "**Trigger:**",
            "**Parameters**",
            "**Scenarios**",
            "**Remediation.**",
            "**References.**",
        ] {
            assert!(docs.contains(section), "{} docs lack {section}", meta.id);
        }
        // The header's parameter table documents exactly the declared parameters, each with
        // the default the code uses.
        let rows: Vec<Vec<String>> = docs
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
            .collect();
        for p in meta.parameters {
            let row = rows
                .iter()
                .find(|r| r[0] == format!("`{}`", p.name))
                .unwrap_or_else(|| panic!("{}: no parameter row for {}", meta.id, p.name));
            let default = &row[2];
            let want = match p.default {
                _ if p.required => default == "required",
                Some(d) if !d.is_empty() => *default == format!("`{d}`"),
                _ => default == "empty" || default == "unset",
            };
            assert!(
                want,
                "{}: {} documented with default {default}, the code has {:?}",
                meta.id, p.name, p.default
            );
        }
        let documented = rows.iter().filter(|r| r.len() == 4 && !r[0].contains("AWS::")).count();
        assert!(
            documented >= meta.parameters.len(),
            "{}: the parameter table lacks rows",
            meta.id
        );
        for t in meta.resource_types {
            assert!(docs.contains(&format!("`{t}`")), "{} docs never name {t}", meta.id);
        }
    }
}

/// Every rule names the practices it serves, and its documentation says why for each.
#[test]
fn every_rule_serves_named_practices() {
    for meta in config_rules::catalog::metas() {
        assert!(!meta.practices.is_empty(), "{}: no practice", meta.id);
        let docs = meta.docs();
        for p in meta.practices {
            assert!((1..=7).contains(p), "{}: practice {p}", meta.id);
            let named = [
                format!("ractice {p},"),
                format!("ractices {p},"),
                format!(", {p},"),
                format!(" and {p} "),
                format!("ractices {p} "),
            ];
            assert!(
                named.iter().any(|n| docs.contains(n.as_str())),
                "{}: the docs do not name practice {p}",
                meta.id
            );
        }
    }
}

#[test]
fn every_rule_says_what_the_template_mode_judges() {
    for meta in metas() {
        assert!(
            !meta.template_mode.is_empty(),
            "{}: say in META.template_mode what `evaluate --template` judges",
            meta.id
        );
    }
}
