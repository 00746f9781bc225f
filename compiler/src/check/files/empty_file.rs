use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::{FileId, Span};

rule! {
    /// ## What it does
    /// Reports a definition file that is empty or holds only comments or `---`.
    ///
    /// ## Why is this bad?
    /// It defines nothing, yet looks like a definition in the file tree; usually it is a
    /// half-finished merge request.
    ///
    /// ## Example
    /// ```yaml
    /// ---
    /// # TODO
    /// ```
    ///
    /// ## Fix
    /// Write the definition, or delete the file.
    pub EMPTY_FILE = ("MC005", "empty-file", Error);
}

pub fn diagnostic(file: FileId) -> Diagnostic {
    Diagnostic::new(
        &EMPTY_FILE,
        Span::file_start(file),
        "the file holds no definition",
    )
    .label("empty document")
    .help("write the definition's fields here, or delete the file")
}
