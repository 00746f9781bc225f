use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::Status;

rule! {
    /// ## What it does
    /// Reports a metric with `status: broken` that has no `repair_issue_url`.
    ///
    /// ## Why is this bad?
    /// A broken metric still sends a value that must not be trusted. The repair issue is
    /// where readers of the dictionary learn what is wrong and when it will be fixed.
    ///
    /// ## Example
    /// ```yaml
    /// status: broken
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// status: broken
    /// repair_issue_url: https://gitlab.com/gitlab-org/gitlab/-/issues/400000
    /// ```
    pub BROKEN_REPAIR_ISSUE = ("MC202", "broken-repair-issue", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if def.status.value == Status::Broken && def.repair_issue_url().is_none() {
            cx.report(
                Diagnostic::new(
                    &BROKEN_REPAIR_ISSUE,
                    def.status.span,
                    "a broken metric needs `repair_issue_url`",
                )
                .label("broken here")
                .help("add `repair_issue_url: <URL of the issue that tracks the repair>`"),
            );
        }
    }
}
