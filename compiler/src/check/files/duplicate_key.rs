use crate::check::rule::rule;

rule! {
    /// ## What it does
    /// Reports a mapping that sets the same key twice.
    ///
    /// ## Why is this bad?
    /// YAML loaders keep only one of the two values (GitLab's keeps the last) without a word,
    /// so the definition does not say what its author reads in it.
    ///
    /// ## Example
    /// ```yaml
    /// time_frame: 7d
    /// description: Weekly active users of the wiki
    /// time_frame: 28d
    /// ```
    ///
    /// ## Fix
    /// Keep one of the two lines.
    pub DUPLICATE_KEY = ("MC002", "duplicate-key", Error);
}
