//! `--format junit`: JUnit XML, one test case per definition file, so CI systems that only
//! read test reports still list every failing definition.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Located, Summary};
use crate::diagnostics::Severity;
use crate::source::SourceMap;

pub(super) fn render(located: &[Located<'_>], sources: &SourceMap, summary: &Summary) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Located<'_>>> = BTreeMap::new();
    for (_, file) in sources.files() {
        by_file.entry(file.path.as_str()).or_default();
    }
    for l in located {
        by_file.entry(l.path).or_default().push(l);
    }
    let failing = by_file
        .values()
        .filter(|ls| ls.iter().any(|l| l.diagnostic.severity == Severity::Error))
        .count();

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"metricc\" tests=\"{}\" failures=\"{failing}\" errors=\"0\">",
        by_file.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"metricc check\" tests=\"{}\" failures=\"{failing}\" errors=\"0\" skipped=\"0\">",
        by_file.len()
    );
    let _ = writeln!(
        out,
        "    <properties><property name=\"errors\" value=\"{}\"/><property name=\"warnings\" value=\"{}\"/></properties>",
        summary.errors, summary.warnings
    );
    for (path, ls) in &by_file {
        let _ = write!(
            out,
            "    <testcase classname=\"metricc.check\" name=\"{}\"",
            escape(path)
        );
        if ls.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let (errors, warnings): (Vec<&Located<'_>>, Vec<&Located<'_>>) = ls
            .iter()
            .copied()
            .partition(|l| l.diagnostic.severity == Severity::Error);
        if let Some(first) = errors.first() {
            let body: Vec<String> = errors.iter().map(|l| line(l)).collect();
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                first.diagnostic.rule.code,
                escape(&first.diagnostic.message),
                escape(&body.join("\n"))
            );
        }
        if !warnings.is_empty() {
            let body: Vec<String> = warnings.iter().map(|l| line(l)).collect();
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&body.join("\n"))
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn line(l: &Located<'_>) -> String {
    let d = l.diagnostic;
    let mut s = format!(
        "{}:{}:{}: {}[{}]: {}",
        l.path, l.start.line, l.start.column, d.severity, d.rule.code, d.message
    );
    if let Some(help) = &d.help {
        s.push_str(&format!(" (help: {help})"));
    }
    s
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_handles_markup_and_control_characters() {
        assert_eq!(
            super::escape("a<b>&\"c\"\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;"
        );
    }
}
