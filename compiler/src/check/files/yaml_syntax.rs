use crate::check::rule::rule;

rule! {
    /// ## What it does
    /// Reports text that is not valid YAML, and YAML features definitions do not use
    /// (custom tags, complex mapping keys, unknown aliases).
    ///
    /// ## Why is this bad?
    /// A file that does not parse defines nothing: its metric silently disappears from the
    /// Service Ping and from every generated output.
    ///
    /// ## Example
    /// ```yaml
    /// description: Count: all merge requests
    /// ```
    ///
    /// ## Fix
    /// Quote values that contain `: ` or start with a YAML indicator, close every bracket
    /// and quote, and indent with spaces:
    /// ```yaml
    /// description: "Count: all merge requests"
    /// ```
    pub YAML_SYNTAX = ("MC001", "yaml-syntax", Error);
}
