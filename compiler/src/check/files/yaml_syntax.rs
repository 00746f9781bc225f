use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::{FileId, Span};

rule! {
    /// ## What it does
    /// Reports text that is not valid YAML, and YAML features definitions do not use
    /// (custom tags, complex mapping keys, unknown aliases).
    ///
    /// ## Why is this bad?
    /// A file that does not parse defines nothing: its metric silently disappears from the
    /// Service Ping and from every generated output.
    ///
    /// ## Example
    /// ```yaml
    /// description: Count: all merge requests
    /// ```
    ///
    /// ## Fix
    /// Quote values that contain `: ` or start with a YAML indicator, close every bracket
    /// and quote, and indent with spaces:
    /// ```yaml
    /// description: "Count: all merge requests"
    /// ```
    pub YAML_SYNTAX = ("MC001", "yaml-syntax", Error);
}

/// The scanner's complaint, with help chosen from what it says and from the line it
/// points at.
pub fn syntax(file: FileId, at: usize, info: &str, text: &str) -> Diagnostic {
    let line = line_at(text, at);
    let help = if info.contains("mapping values are not allowed") {
        // `key: value: more` needs quotes; a lone `key: value` indented under a scalar is
        // an indentation mistake.
        let before = &line[..line.len().min(column_at(text, at))];
        if before.trim_start().contains(": ") || !line.starts_with([' ', '\t']) {
            "a value that contains `: ` must be quoted, e.g. description: \"Count: all users\""
        } else {
            "this line is indented more than the key above it, whose value is already \
             written: keys of one mapping start in the same column"
        }
    } else if info.contains("while parsing a flow") || info.contains("unclosed") {
        "check that every `[`, `{` and quote is closed"
    } else if info.contains("while parsing a block") || info.contains("did not find expected key") {
        "check the indentation of this line: the items of one list, and the keys of one \
         mapping, start in the same column, with spaces"
    } else if info.contains("did not find expected") {
        "check that every `[`, `{` and quote is closed"
    } else if info.contains("unprintable") {
        "remove the invisible control character (a NUL byte or similar) here"
    } else if info.contains("tabs") || info.contains("\\t") {
        "YAML indentation must use spaces, not tabs"
    } else {
        "check the indentation and the quoting around this point"
    };
    Diagnostic::new(
        &YAML_SYNTAX,
        Span::new(file, at..at),
        format!("invalid YAML: {info}"),
    )
    .label("here")
    .help(help)
}

/// The line of `text` that holds byte `at`, without its line break.
fn line_at(text: &str, at: usize) -> &str {
    let at = floor_boundary(text, at);
    let start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// The byte offset of `at` within its line.
fn column_at(text: &str, at: usize) -> usize {
    let at = floor_boundary(text, at);
    at - text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub fn unknown_alias(span: Span) -> Diagnostic {
    Diagnostic::new(&YAML_SYNTAX, span, "unknown alias")
        .help("define the anchor (`&name`) before using the alias (`*name`)")
}

pub fn bad_merge(span: Span) -> Diagnostic {
    Diagnostic::new(
        &YAML_SYNTAX,
        span,
        "a merge key (`<<`) needs a mapping or a list of mappings",
    )
    .label("not a mapping")
    .help("merge an anchored mapping, e.g. `<<: *defaults`, or write the fields out")
}

pub fn complex_key(span: Span) -> Diagnostic {
    Diagnostic::new(&YAML_SYNTAX, span, "a mapping key must be a plain name")
        .label("complex key")
        .help("use a name such as `key_path:` as the key")
}

pub fn invalid_tagged_value(span: Span, value: &str, tag: &str) -> Diagnostic {
    Diagnostic::new(
        &YAML_SYNTAX,
        span,
        format!("`{value}` is not a valid !!{tag}"),
    )
    .help("remove the tag or fix the value")
}

pub fn unsupported_tag(span: Span, tag: &str) -> Diagnostic {
    Diagnostic::new(&YAML_SYNTAX, span, format!("unsupported YAML tag `{tag}`"))
        .label("tag")
        .help("definitions are plain YAML: remove the tag")
}
