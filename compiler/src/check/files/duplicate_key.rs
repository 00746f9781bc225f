use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a mapping that sets the same key twice.
    ///
    /// ## Why is this bad?
    /// YAML loaders keep only one of the two values (GitLab's keeps the last) without a word,
    /// so the definition does not say what its author reads in it.
    ///
    /// ## Example
    /// ```yaml
    /// time_frame: 7d
    /// description: Weekly active users of the wiki
    /// time_frame: 28d
    /// ```
    ///
    /// ## Fix
    /// Keep one of the two lines.
    pub DUPLICATE_KEY = ("MC002", "duplicate-key", Error);
}

pub fn diagnostic(key: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        &DUPLICATE_KEY,
        span,
        format!("`{key}` is set twice in this mapping"),
    )
    .label("set again here")
    .related(first, "first set here")
    .help(format!(
        "keep one `{key}`: YAML loaders silently use the last one"
    ))
}
