use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a metric whose `milestone_removed` is earlier than its `milestone`.
    ///
    /// ## Why is this bad?
    /// A metric cannot be removed before it was added; one of the two milestones is wrong,
    /// and the data team uses both to decide which instances can report the metric.
    ///
    /// ## Example
    /// ```yaml
    /// milestone: "16.4"
    /// milestone_removed: "15.11"
    /// ```
    ///
    /// ## Fix
    /// Correct whichever milestone is wrong:
    /// ```yaml
    /// milestone: "16.4"
    /// milestone_removed: "16.11"
    /// ```
    pub MILESTONE_ORDER = ("MC208", "milestone-order", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        let (Some(added), Some(removed)) = (&def.milestone, def.milestone_removed()) else {
            continue;
        };
        let (a, r) = (added.value, removed.value);
        // `<13.9` means "some release before 13.9": no order is certain with it.
        if !a.before && !r.before && (r.major, r.minor) < (a.major, a.minor) {
            cx.report(
                Diagnostic::new(
                    &MILESTONE_ORDER,
                    removed.span,
                    format!(
                        "removed in {} but added in {}: a metric cannot be removed before it exists",
                        removed.value, added.value
                    ),
                )
                .label("earlier than the milestone it was added in")
                .related(added.span, "added here")
                .help("correct `milestone` or `milestone_removed`"),
            );
        }
    }
}
