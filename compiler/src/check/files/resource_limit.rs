use crate::check::rule::rule;

rule! {
    /// ## What it does
    /// Reports YAML that nests deeper than 64 levels or expands, through aliases, to more
    /// than 100,000 nodes (keys and values), and stops reading the file there.
    ///
    /// ## Why is this bad?
    /// Real definitions nest four or five levels. Aliases that refer to aliases can make a
    /// one-kilobyte file expand to billions of values ("billion laughs"); reading it would
    /// exhaust memory in CI.
    ///
    /// ## Example
    /// ```yaml
    /// a: &a [x, x, x, x, x, x, x, x, x, x]
    /// b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    /// c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    /// # ...
    /// ```
    ///
    /// ## Fix
    /// Write values out instead of nesting aliases, and flatten deep structures.
    pub RESOURCE_LIMIT = ("MC009", "resource-limit", Error);
}
