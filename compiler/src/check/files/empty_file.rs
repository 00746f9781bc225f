use crate::check::rule::rule;

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
