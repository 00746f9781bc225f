use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a field whose value has the wrong type: a string where a list is expected, a
    /// list where a single value is expected, and so on.
    ///
    /// ## Why is this bad?
    /// Consumers read the field by its type; a wrong type makes them fail or, worse, read
    /// something else (a string `"free"` read as a list of tiers is a list of letters).
    ///
    /// ## Example
    /// ```yaml
    /// tiers: free
    /// ```
    ///
    /// ## Fix
    /// Write the value with the expected type:
    /// ```yaml
    /// tiers: [free]
    /// ```
    pub WRONG_TYPE = ("MC103", "wrong-type", Error);
}
