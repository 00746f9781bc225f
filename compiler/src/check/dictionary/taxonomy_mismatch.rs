use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::Dialect;
use crate::source::Spanned;

rule! {
    /// ## What it does
    /// Reports a `product_stage` or `product_section` that disagrees with the stage and
    /// section the taxonomy gives the definition's `product_group`.
    ///
    /// ## Why is this bad?
    /// Stage and section follow from the group. When a file repeats them, the copy goes
    /// stale the day the group moves; reports would then count the metric for one stage
    /// while the dictionary shows another.
    ///
    /// ## Example
    /// ```yaml
    /// product_group: code_review
    /// product_stage: verify
    /// ```
    ///
    /// ## Fix
    /// Delete `product_stage` and `product_section`: they are derived from the group.
    /// Or correct them to the taxonomy's values.
    pub TAXONOMY_MISMATCH = ("MC404", "taxonomy-mismatch", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    // In GitLab's own format the fields are legacy (`legacy-field` says to delete them).
    if dictionary.dialect == Dialect::Gitlab {
        return;
    }
    let entries = dictionary
        .definitions
        .iter()
        .map(|d| {
            (
                d.product_group.as_ref(),
                d.product_stage(),
                d.product_section(),
            )
        })
        .chain(dictionary.events.iter().map(|e| {
            (
                e.product_group.as_ref(),
                e.product_stage.as_ref(),
                e.product_section.as_ref(),
            )
        }));
    for (group, stage, section) in entries {
        let Some(group) = group else { continue };
        let Some(owner) = dictionary.owner(&group.value) else {
            continue;
        };
        let expected = [
            (
                "product_stage",
                stage,
                dictionary.stage(owner).key.value.as_str(),
                "stage",
            ),
            (
                "product_section",
                section,
                dictionary.section(owner).key.value.as_str(),
                "section",
            ),
        ];
        for (field, written, expected, level) in expected {
            let Some(written): Option<&Spanned<String>> = written else {
                continue;
            };
            if written.value != expected {
                cx.report(
                    Diagnostic::new(
                        &TAXONOMY_MISMATCH,
                        written.span,
                        format!(
                            "`{field}: {}` disagrees with the taxonomy: group `{}` is in {level} `{expected}`",
                            written.value, group.value
                        ),
                    )
                    .label(format!("taxonomy says `{expected}`"))
                    .related(group.span, "the group decides the stage and section")
                    .help(format!(
                        "delete `{field}` (it is derived from the group), or write `{field}: {expected}`"
                    ))
                    .fix(written.span, expected),
                );
            }
        }
    }
}
