use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::Spanned;
use crate::suggest::closest;

rule! {
    /// ## What it does
    /// Reports a `product_group` that the taxonomy (`stages.yml`) does not list, with the
    /// closest group key. A group the taxonomy lists under `retired_groups` (GitLab dropped
    /// it) gets the group that replaced it, where one is known. The 2021 label form
    /// (`group::code review`) gets its modern key.
    ///
    /// Under `--preset gitlab`, a checked GitLab tree's own
    /// `config/metrics/schema/product_groups.json` decides which groups exist at that
    /// revision.
    ///
    /// ## Why is this bad?
    /// The group decides the metric's stage and section, its owner in the dictionary, and
    /// which GMAU and SMAU it can count towards. An unknown group has none of these: the
    /// metric falls out of every stage report.
    ///
    /// ## Example
    /// ```yaml
    /// product_group: code_reviews
    /// ```
    ///
    /// ## Fix
    /// Use a group key of the taxonomy, or add the new group to `stages.yml`:
    /// ```yaml
    /// product_group: code_review
    /// ```
    pub UNKNOWN_GROUP = ("MC403", "unknown-group", Error);
}

pub fn check(cx: &mut Context<'_>) {
    // A taxonomy that could not be read is reported on its own; judging every group against
    // an empty one would bury that one problem under hundreds of follow-on errors.
    if cx.dictionary.taxonomy_file.is_none() {
        return;
    }
    let dictionary = cx.dictionary;
    let groups: Vec<&str> = dictionary
        .taxonomy
        .groups()
        .map(|(_, _, g)| g.key.value.as_str())
        .chain(
            dictionary
                .taxonomy
                .unplaced
                .iter()
                .map(|g| g.value.as_str()),
        )
        .collect();
    let used: Vec<&Spanned<String>> = dictionary
        .definitions
        .iter()
        .filter_map(|d| d.product_group.as_ref())
        .chain(
            dictionary
                .events
                .iter()
                .filter_map(|e| e.product_group.as_ref()),
        )
        .collect();
    let taxonomy = &dictionary.taxonomy;
    for group in used {
        if dictionary.owner(&group.value).is_some() || taxonomy.has_group(&group.value) {
            continue;
        }
        if let Some(retired) = taxonomy.retired(&group.value) {
            let d = Diagnostic::new(
                &UNKNOWN_GROUP,
                group.span,
                format!("product group `{}` no longer exists", group.value),
            )
            .label("dropped group");
            let d = match taxonomy.successor(&retired.key.value) {
                Some(successor) => d
                    .help(format!(
                        "`{}` was replaced by `{successor}`: write `product_group: {successor}`",
                        group.value
                    ))
                    .fix(group.span, successor),
                None => d.help("no successor is known: write the group that owns this work now"),
            };
            cx.report(d);
            continue;
        }
        let mut d = Diagnostic::new(
            &UNKNOWN_GROUP,
            group.span,
            format!("unknown product group `{}`", group.value),
        )
        .label("not in the taxonomy");
        if let Some(label) = group.value.strip_prefix("group::") {
            let key = label.trim().replace([' ', '-'], "_").to_lowercase();
            let key = taxonomy.successor(&key).map_or(key, str::to_owned);
            d = if taxonomy.has_group(&key) {
                d.help(format!(
                    "`group::` labels are the 2021 format: write `product_group: {key}`"
                ))
                .fix(group.span, key)
            } else {
                d.help(format!(
                    "`group::` labels are the 2021 format: write the group's key (`{key}` is not in the taxonomy either)"
                ))
            };
        } else if let Some(best) = closest(&group.value, groups.iter().copied()) {
            d = d
                .help(format!("did you mean `{best}`?"))
                .fix(group.span, best);
        } else {
            d = d.help("use a group key of the taxonomy, or add the group to the taxonomy file");
        }
        cx.report(d);
    }
}
