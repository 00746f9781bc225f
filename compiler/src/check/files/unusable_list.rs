use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a GitLab list in the checked tree that cannot be read as a list of names:
    /// `config/metrics/schema/product_groups.json` (a JSON object whose `enum` lists the
    /// groups) or `config/feature_categories.yml` (a YAML list of categories). metricc then
    /// falls back to its bundled list.
    ///
    /// ## Why is this bad?
    /// Under `--preset gitlab` these two files decide which groups and categories exist at
    /// the checked revision. When they cannot be read, the bundled lists, which may be older
    /// or newer than the tree, decide instead.
    ///
    /// ## Example
    /// ```yaml
    /// # config/feature_categories.yml
    /// categories: [code_review_workflow]
    /// ```
    ///
    /// ## Fix
    /// Restore the file's shape, e.g. with GitLab's own generator
    /// (`scripts/update-feature-categories`):
    /// ```yaml
    /// - code_review_workflow
    /// ```
    pub UNUSABLE_LIST = ("MC010", "unusable-list", Warning);
}

/// The diagnostic for a list file of the wrong shape (or not YAML/JSON at all).
pub fn diagnostic(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        &UNUSABLE_LIST,
        span,
        format!("this is not a list of {what}: metricc's bundled list is used instead"),
    )
    .label("expected a list of names")
    .help(if what == "groups" {
        "GitLab's product_groups.json is `{\"enum\": [\"group_a\", ...]}`"
    } else {
        "GitLab's feature_categories.yml is a YAML list: `- category_a`"
    })
}
