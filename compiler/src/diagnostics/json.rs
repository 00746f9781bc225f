//! `--format json`: one object with every diagnostic and the summary. Lines and columns are
//! 1-based; columns count Unicode characters.

use serde_json::{Value, json};

use super::{Located, Summary};

pub(super) fn render(located: &[Located<'_>], summary: &Summary) -> String {
    let diagnostics: Vec<Value> = located.iter().map(diagnostic).collect();
    let report = json!({ "diagnostics": diagnostics, "summary": summary });
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}

fn diagnostic(l: &Located<'_>) -> Value {
    let d = l.diagnostic;
    json!({
        "code": d.rule.code,
        "rule": d.rule.name,
        "severity": d.severity,
        "message": d.message,
        "file": l.path,
        "line": l.start.line,
        "column": l.start.column,
        "end_line": l.end.line,
        "end_column": l.end.column,
        "help": d.help,
        "related": l.related.iter().map(|r| json!({
            "message": r.message,
            "file": r.path,
            "line": r.start.line,
            "column": r.start.column,
            "end_line": r.end.line,
            "end_column": r.end.column,
        })).collect::<Vec<_>>(),
        "fix": d.fix.as_ref().map(|f| json!({
            "replacement": f.replacement,
            "start_byte": f.span.start(),
            "end_byte": f.span.end(),
        })),
    })
}
