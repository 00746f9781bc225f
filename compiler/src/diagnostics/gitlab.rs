//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), so
//! merge requests show each problem on the changed line.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use super::Located;
use crate::diagnostics::Severity;

pub(super) fn render(located: &[Located<'_>]) -> String {
    // GitLab tracks findings across pipelines by fingerprint, so it must not depend on the
    // line number (an edit above would make every finding look new), yet be unique: equal
    // findings in one file are told apart by their order.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Value> = located
        .iter()
        .map(|l| {
            let d = l.diagnostic;
            let key = format!("{}\0{}\0{}", d.rule.code, l.path, d.message);
            let ordinal = seen.entry(key.clone()).or_insert(0);
            *ordinal += 1;
            let fingerprint = hex(&Sha256::digest(format!("{key}\0{ordinal}").as_bytes()));
            let description = match &d.help {
                Some(help) => format!("{} ({help})", d.message),
                None => d.message.clone(),
            };
            json!({
                "type": "issue",
                "check_name": format!("{} {}", d.rule.code, d.rule.name),
                "description": description,
                "categories": ["Bug Risk"],
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "fingerprint": fingerprint,
                "location": {
                    "path": l.path,
                    "positions": {
                        "begin": { "line": l.start.line, "column": l.start.column },
                        "end": { "line": l.end.line, "column": l.end.column },
                    },
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
