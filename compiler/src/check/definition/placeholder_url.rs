use super::invalid_url::{is_placeholder, url_fields};
use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a URL field that holds a placeholder (`TODO`, `TBD`, an empty string) instead
    /// of the URL of the merge request or issue.
    ///
    /// ## Why is this bad?
    /// Generators write `TODO` while the merge request does not exist yet; it is easily
    /// forgotten, and the dictionary then links to nowhere. It is a warning because the URL
    /// is often only known once the merge request is open.
    ///
    /// ## Example
    /// ```yaml
    /// introduced_by_url: TODO
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// introduced_by_url: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/150000
    /// ```
    pub PLACEHOLDER_URL = ("MC207", "placeholder-url", Warning);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for (field, value) in url_fields(dictionary) {
        if is_placeholder(&value.value) {
            cx.report(
                Diagnostic::new(
                    &PLACEHOLDER_URL,
                    value.span,
                    format!("`{field}` is a placeholder, not a URL"),
                )
                .label("placeholder")
                .help("replace it with the URL of the merge request or issue before merging"),
            );
        }
    }
}
