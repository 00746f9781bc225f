use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::Span;
use crate::yaml::{MAX_DEPTH, MAX_NODES};

rule! {
    /// ## What it does
    /// Reports YAML that nests deeper than 64 levels or expands, through aliases, to more
    /// than 100,000 nodes (keys and values), and stops reading the file there.
    ///
    /// ## Why is this bad?
    /// Real definitions nest four or five levels. Aliases that refer to aliases can make a
    /// one-kilobyte file expand to billions of values ("billion laughs"); reading it would
    /// exhaust memory in CI.
    ///
    /// ## Example
    /// ```yaml
    /// a: &a [x, x, x, x, x, x, x, x, x, x]
    /// b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    /// c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    /// # ...
    /// ```
    ///
    /// ## Fix
    /// Write values out instead of nesting aliases, and flatten deep structures.
    pub RESOURCE_LIMIT = ("MC009", "resource-limit", Error);
}

pub fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RESOURCE_LIMIT,
        span,
        format!("nesting deeper than {MAX_DEPTH} levels"),
    )
    .label("too deep")
    .help("definitions nest a few levels at most; flatten this value")
}

pub fn scanner_too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RESOURCE_LIMIT,
        span,
        "the YAML nests too deeply to be read",
    )
    .label("too deep")
    .help("definitions nest a few levels at most; flatten this value")
}

pub fn too_many_values(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RESOURCE_LIMIT,
        span,
        format!("the file holds more than {MAX_NODES} values"),
    )
    .help("a definition holds a few dozen values; split or shorten this file")
}

pub fn alias_expansion(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RESOURCE_LIMIT,
        span,
        format!("aliases expand this file beyond {MAX_NODES} values"),
    )
    .label("this alias would exceed the limit")
    .help("write the values out instead of nesting aliases")
}
