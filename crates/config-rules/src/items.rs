//! Loading configuration items from files: a Config snapshot (`configurationItems`, as
//! `deliver-config-snapshot` writes it), a `GetResourceConfigHistory` or
//! `BatchGetResourceConfig` response (`configurationItems` / `baseConfigurationItems`), a list
//! of items, a single item, or a directory of such files. Both the notification shape and the
//! API shape are accepted.

use std::path::Path;

use chrono::{DateTime, Utc};
use config_rules_core::ConfigurationItem;
use serde_json::Value;

use crate::CliError;

/// Every item in `path` (a file, or a directory whose `.json` files are read in name order).
/// Items without a capture time get `now`, the time their evaluations stand for.
pub fn load(path: &Path, now: DateTime<Utc>) -> Result<Vec<ConfigurationItem>, CliError> {
    let mut files = Vec::new();
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        for entry in entries {
            let p = entry
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?
                .path();
            if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut items = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            CliError::Input(format!(
                "{}: not JSON: {}",
                file.display(),
                config_rules_core::serde_reason(&e)
            ))
        })?;
        items.extend(from_document(&value, &file.display().to_string(), now)?);
    }
    Ok(items)
}

/// The items of one JSON document.
pub fn from_document(doc: &Value, name: &str, now: DateTime<Utc>) -> Result<Vec<ConfigurationItem>, CliError> {
    let (list, field): (Vec<&Value>, &str) = if let Some(Value::Array(a)) = doc.get("configurationItems") {
        (a.iter().collect(), "configurationItems")
    } else if let Some(Value::Array(a)) = doc.get("baseConfigurationItems") {
        (a.iter().collect(), "baseConfigurationItems")
    } else if let Value::Array(a) = doc {
        (a.iter().collect(), "")
    } else if doc.get("resourceType").is_some() {
        (vec![doc], "")
    } else {
        return Err(CliError::Input(format!(
            "{name}: no configuration items (expected configurationItems, baseConfigurationItems, a list or one item)"
        )));
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let at = if field.is_empty() {
                format!("{name}[{i}]")
            } else {
                format!("{name}: {field}[{i}]")
            };
            let mut item = ConfigurationItem::from_api_json(v, &at).map_err(|e| match e {
                config_rules_core::Error::MalformedEvent { field, reason } => {
                    CliError::Input(format!("malformed item: {field}: {reason}"))
                }
                other => CliError::Input(other.to_string()),
            })?;
            item.configuration_item_capture_time.get_or_insert(now);
            Ok(item)
        })
        .collect()
}
