use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a definition file whose document is not a mapping of fields (a list, a
    /// single string, a number).
    ///
    /// ## Why is this bad?
    /// A metric or event definition is a set of named fields; anything else defines nothing.
    ///
    /// ## Example
    /// ```yaml
    /// - key_path: counts.issues
    /// ```
    ///
    /// ## Fix
    /// Write the fields at the top level of the file:
    /// ```yaml
    /// key_path: counts.issues
    /// ```
    pub NOT_A_MAPPING = ("MC003", "not-a-mapping", Error);
}
