use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::Status;
use crate::source::Spanned;

rule! {
    /// ## What it does
    /// Reports an active metric, or an event, whose `description` is empty or blank.
    ///
    /// ## Why is this bad?
    /// The description is what the metric dictionary shows and what analysts search.
    /// GitLab's generated dictionary once held hundreds of "Missing description" entries:
    /// metrics nobody outside the team could interpret.
    ///
    /// ## Example
    /// ```yaml
    /// description: ""
    /// ```
    ///
    /// ## Fix
    /// Say what is counted, over which window, and for whom:
    /// ```yaml
    /// description: Unique users who opened a merge request in the last 28 days
    /// ```
    pub EMPTY_DESCRIPTION = ("MC602", "empty-description", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let descriptions: Vec<&Spanned<String>> = dictionary
        .definitions
        .iter()
        .filter(|d| d.status.value == Status::Active)
        .filter_map(|d| d.description.as_ref())
        .chain(
            dictionary
                .events
                .iter()
                .filter_map(|e| e.description.as_ref()),
        )
        .collect();
    for description in descriptions {
        if description.value.trim().is_empty() {
            cx.report(
                Diagnostic::new(
                    &EMPTY_DESCRIPTION,
                    description.span,
                    "the description is empty",
                )
                .label("empty")
                .help("say what is counted, over which window and for whom"),
            );
        }
    }
}
