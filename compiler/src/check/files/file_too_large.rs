use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a definition file larger than 1 MiB, without parsing it.
    ///
    /// ## Why is this bad?
    /// A definition is a few hundred bytes. A file this large is a mistake (a data dump, a
    /// binary saved with a `.yml` name) and parsing it would only slow every CI run down.
    ///
    /// ## Example
    /// A 40 MB `export.yml` committed into `definitions/metrics/`.
    ///
    /// ## Fix
    /// Move the file out of the definitions folders.
    pub FILE_TOO_LARGE = ("MC008", "file-too-large", Error);
}
