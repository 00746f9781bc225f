//! `--format sarif`: SARIF 2.1.0, read by GitHub code scanning, GitLab and IDEs.

use serde_json::{Value, json};

use super::{Located, Rule};
use crate::diagnostics::Severity;
use crate::source::BUNDLED_PREFIX;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub(super) fn render(rules: &[&Rule], located: &[Located<'_>]) -> String {
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.summary() },
                "help": { "text": rule.explanation(), "markdown": rule.explanation() },
                "defaultConfiguration": { "level": level(rule.default) },
            })
        })
        .collect();
    let results: Vec<Value> = located.iter().map(|l| result(rules, l)).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "metricc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "PROJECTROOT": { "description": { "text": "the project root metricc ran in" } } },
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(rules: &[&Rule], l: &Located<'_>) -> Value {
    let d = l.diagnostic;
    let rule_index = rules.iter().position(|r| r.code == d.rule.code);
    let text = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let mut result = json!({
        "ruleId": d.rule.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact(l.path),
                "region": {
                    "startLine": l.start.line,
                    "startColumn": l.start.column,
                    "endLine": l.end.line,
                    "endColumn": l.end.column,
                },
            },
        }],
    });
    if !d.related.is_empty() {
        result["relatedLocations"] = l
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({
                    "id": i,
                    "message": { "text": r.message },
                    "physicalLocation": {
                        "artifactLocation": artifact(r.path),
                        "region": {
                            "startLine": r.start.line,
                            "startColumn": r.start.column,
                            "endLine": r.end.line,
                            "endColumn": r.end.column,
                        },
                    },
                })
            })
            .collect();
    }
    result
}

/// A file's SARIF location: a URI reference relative to the project root, or a `metricc:`
/// URI for files bundled in metricc itself.
fn artifact(path: &str) -> Value {
    match path.strip_prefix(BUNDLED_PREFIX) {
        Some(bundled) => json!({ "uri": format!("metricc:{}", encode(bundled)) }),
        None => json!({ "uri": encode(path), "uriBaseId": "PROJECTROOT" }),
    }
}

/// Percent-encodes a `/`-separated path into a URI reference (RFC 3986).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            super::encode("config/metrics/a b#1.yml"),
            "config/metrics/a%20b%231.yml"
        );
        assert_eq!(super::encode("é.yml"), "%C3%A9.yml");
        let bundled = super::artifact("<metricc>/presets/gitlab/stages.yml");
        assert_eq!(bundled["uri"], "metricc:presets/gitlab/stages.yml");
        assert!(bundled.get("uriBaseId").is_none());
    }
}
