use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a field the definition format does not have, and suggests the field that was
    /// probably meant.
    ///
    /// ## Why is this bad?
    /// A misspelt field is silently ignored by every consumer: `descripton:` leaves the
    /// metric without a description, `time_fame:` without a time frame.
    ///
    /// ## Example
    /// ```yaml
    /// key_path: counts.issues
    /// descripton: Count of issues
    /// ```
    ///
    /// ## Fix
    /// Use the field's correct name (`metricc` suggests it), or remove the field:
    /// ```yaml
    /// description: Count of issues
    /// ```
    pub UNKNOWN_FIELD = ("MC101", "unknown-field", Error);
}
