use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a required field that the definition does not set.
    ///
    /// ## Why is this bad?
    /// Every consumer relies on these fields: the payload needs `key_path`, the dictionary
    /// `description`, reporting `product_group`, the collector `value_type`, and the data team
    /// `time_frame` to know what window a number covers.
    ///
    /// ## Example
    /// ```yaml
    /// key_path: counts.issues
    /// description: Count of issues
    /// # no value_type, time_frame, ...
    /// ```
    ///
    /// ## Fix
    /// Add the field; the help line shows a typical value.
    pub MISSING_FIELD = ("MC102", "missing-field", Error);
}
