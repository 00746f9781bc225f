use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a value outside the field's allowed set (an unknown `status`, `data_source`,
    /// tier, ...), a list with the same item twice, or an empty list where one is required.
    /// Suggests the allowed value that was probably meant.
    ///
    /// ## Why is this bad?
    /// Enumerations drive behaviour: `data_source` decides how the value is computed,
    /// `time_frame` which window it covers. An unknown value has no behaviour.
    ///
    /// ## Example
    /// ```yaml
    /// data_source: redis_hl
    /// ```
    ///
    /// ## Fix
    /// Use one of the allowed values:
    /// ```yaml
    /// data_source: redis_hll
    /// ```
    pub INVALID_VALUE = ("MC104", "invalid-value", Error);
}
