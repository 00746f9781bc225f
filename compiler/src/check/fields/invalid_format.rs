use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a string that does not have its field's format: a milestone that is not
    /// `MAJOR.MINOR`, an event action with capitals or spaces, an instrumentation class that
    /// is not a CamelCase class name, a key path with an empty segment.
    ///
    /// ## Why is this bad?
    /// These strings become identifiers in generated code, payload paths and database
    /// columns; a malformed one breaks them or sorts wrongly.
    ///
    /// ## Example
    /// ```yaml
    /// milestone: "16"
    /// action: Create MR
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// milestone: "16.0"
    /// action: create_merge_request
    /// ```
    pub INVALID_FORMAT = ("MC105", "invalid-format", Error);
}
