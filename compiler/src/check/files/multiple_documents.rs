use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a file that holds more than one YAML document (a second `---`).
    ///
    /// ## Why is this bad?
    /// One file is one definition: that is how reviewers find them and how GitLab's own
    /// tooling loads them, which reads only the first document and drops the rest.
    ///
    /// ## Example
    /// ```yaml
    /// ---
    /// key_path: counts.issues
    /// ---
    /// key_path: counts.epics
    /// ```
    ///
    /// ## Fix
    /// Move each definition into a file of its own. A single leading `---` is fine.
    pub MULTIPLE_DOCUMENTS = ("MC004", "multiple-documents", Error);
}

pub fn diagnostic(span: Span) -> Diagnostic {
    Diagnostic::new(
        &MULTIPLE_DOCUMENTS,
        span,
        "a definition file must hold exactly one YAML document",
    )
    .label("a second document starts here")
    .help("move each definition to a file of its own")
}
