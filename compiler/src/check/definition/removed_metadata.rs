use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::Status;

rule! {
    /// ## What it does
    /// Reports a metric with `status: removed` that does not say when and by which change it
    /// was removed (`milestone_removed` and `removed_by_url`).
    ///
    /// ## Why is this bad?
    /// Removed metrics stay in the dictionary so that historical pings can still be read.
    /// Without the milestone, the data team cannot tell which instances still send the
    /// metric; without the URL, nobody can find out why it went.
    ///
    /// ## Example
    /// ```yaml
    /// status: removed
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// status: removed
    /// milestone_removed: "17.2"
    /// removed_by_url: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/150000
    /// ```
    pub REMOVED_METADATA = ("MC201", "removed-metadata", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if def.status.value != Status::Removed {
            continue;
        }
        let missing: Vec<&str> = [
            ("removed_by_url", def.removed_by_url().is_none()),
            ("milestone_removed", def.milestone_removed().is_none()),
        ]
        .into_iter()
        .filter_map(|(field, missing)| missing.then_some(field))
        .collect();
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        cx.report(
            Diagnostic::new(
                &REMOVED_METADATA,
                def.status.span,
                format!("a removed metric needs {list}"),
            )
            .label("removed here")
            .help(format!(
                "add {}",
                missing
                    .iter()
                    .map(|f| match *f {
                        "removed_by_url" => "`removed_by_url: <URL of the removing merge request>`",
                        _ => "`milestone_removed: \"<MAJOR.MINOR>\"`",
                    })
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        );
    }
}
