use std::collections::HashMap;

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::source::Spanned;

rule! {
    /// ## What it does
    /// Reports a group key that appears under two stages of the taxonomy, or a stage key
    /// under two sections.
    ///
    /// ## Why is this bad?
    /// Definitions name only their group; a group in two places has two stages, and its
    /// metrics would be counted for whichever comes first.
    ///
    /// ## Example
    /// ```yaml
    /// sections:
    ///   dev:
    ///     stages:
    ///       create: {name: Create, groups: {ide: IDE}}
    ///       plan: {name: Plan, groups: {ide: IDE}}
    /// ```
    ///
    /// ## Fix
    /// Keep the group under the one stage that owns it.
    pub DUPLICATE_TAXONOMY_KEY = ("MC409", "duplicate-taxonomy-key", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let taxonomy = &dictionary.taxonomy;
    let mut stages: HashMap<&str, &Spanned<String>> = HashMap::new();
    for (section, stage) in taxonomy.stages() {
        if let Some(first) = stages.get(stage.key.value.as_str()).copied() {
            cx.report(duplicate("stage", &stage.key, first, &section.key.value));
        } else {
            stages.insert(&stage.key.value, &stage.key);
        }
    }
    let mut groups: HashMap<&str, &Spanned<String>> = HashMap::new();
    for (_, stage, group) in taxonomy.groups() {
        if let Some(first) = groups.get(group.key.value.as_str()).copied() {
            cx.report(duplicate("group", &group.key, first, &stage.key.value));
        } else {
            groups.insert(&group.key.value, &group.key);
        }
    }
}

fn duplicate(
    kind: &str,
    key: &Spanned<String>,
    first: &Spanned<String>,
    parent: &str,
) -> Diagnostic {
    Diagnostic::new(
        &DUPLICATE_TAXONOMY_KEY,
        key.span,
        format!(
            "{kind} `{}` is listed twice in the taxonomy (again under `{parent}`)",
            key.value
        ),
    )
    .label("listed again")
    .related(first.span, "first listed here")
    .help(format!("keep the {kind} in one place only"))
}
