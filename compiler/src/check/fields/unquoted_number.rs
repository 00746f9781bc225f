use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a number where the field expects a string, most often an unquoted milestone,
    /// and shows the exact quoted replacement.
    ///
    /// ## Why is this bad?
    /// YAML reads `milestone: 8.10` as the number 8.1, so the milestone silently becomes
    /// 8.1, and `16.0` becomes 16. Sorting and "introduced in" pages are then wrong.
    ///
    /// ## Example
    /// ```yaml
    /// milestone: 8.10
    /// ```
    ///
    /// ## Fix
    /// Quote the value exactly as meant:
    /// ```yaml
    /// milestone: "8.10"
    /// ```
    pub UNQUOTED_NUMBER = ("MC106", "unquoted-number", Error);
}
