use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports an enumeration value that an older version of the definition format used and
    /// the current one dropped, with its replacement: the 2021 statuses `data_available`,
    /// `implemented`, `deprecated` and `not_used`, the `ruby` data source, and others.
    ///
    /// ## Why is this bad?
    /// Current tooling does not know the old value, so the metric's state or source is
    /// undefined for it.
    ///
    /// ## Example
    /// ```yaml
    /// status: data_available
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// status: active
    /// ```
    pub LEGACY_VALUE = ("MC108", "legacy-value", Error);
}
