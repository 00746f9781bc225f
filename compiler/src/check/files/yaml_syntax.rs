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

/// The scanner's complaint, with help chosen from what it says.
pub fn syntax(file: FileId, at: usize, info: &str) -> Diagnostic {
    let help = if info.contains("mapping values are not allowed") {
        "a value that contains `: ` must be quoted, e.g. description: \"Count: all users\""
    } else if info.contains("did not find expected") || info.contains("while parsing a flow") {
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
