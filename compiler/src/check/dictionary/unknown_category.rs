use std::collections::HashSet;

use crate::check::Context;
use crate::diagnostics::rule::rule;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::Spanned;
use crate::suggest::closest;

rule! {
    /// ## What it does
    /// Reports a `product_categories` entry that the taxonomy does not know, with the
    /// closest category. The rule is silent when the taxonomy lists no categories at all.
    ///
    /// Where the category list is authoritative (the project's own taxonomy, or a checked
    /// GitLab tree's `config/feature_categories.yml`) an unknown category is an error; where
    /// it is the list bundled with `--preset gitlab`, which may be older than the files, it
    /// is a warning.
    ///
    /// ## Why is this bad?
    /// Usage is reported per category; a misspelt category starts a report of its own that
    /// nobody reads, and the real category looks unused.
    ///
    /// ## Example
    /// ```yaml
    /// product_categories:
    /// - code_reviews
    /// ```
    ///
    /// ## Fix
    /// Use a category of the taxonomy, or add the new category to its group in
    /// `stages.yml`.
    pub UNKNOWN_CATEGORY = ("MC408", "unknown-category", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let known: HashSet<&str> = dictionary.categories().collect();
    if known.is_empty() {
        return;
    }
    let mut sorted: Vec<&str> = known.iter().copied().collect();
    sorted.sort_unstable();
    let used: Vec<&Spanned<String>> = dictionary
        .definitions
        .iter()
        .flat_map(|d| &d.product_categories)
        .chain(dictionary.events.iter().flat_map(|e| &e.product_categories))
        .collect();
    for category in used {
        if known.contains(category.value.as_str()) {
            continue;
        }
        let mut d = Diagnostic::new(
            &UNKNOWN_CATEGORY,
            category.span,
            format!("unknown product category `{}`", category.value),
        )
        .label("not in the taxonomy");
        if !dictionary.taxonomy.categories_authoritative {
            d = d
                .label("not in metricc's bundled list")
                .default_level(Severity::Warning);
        }
        d = match closest(&category.value, sorted.iter().copied()) {
            Some(best) => d
                .help(format!("did you mean `{best}`?"))
                .fix(category.span, best),
            None if dictionary.taxonomy.categories_authoritative => {
                d.help("use a category of the taxonomy, or add it to its group's `categories`")
            }
            None => d.help(
                "if GitLab added this category after metricc's bundled list, check with the \
                 tree's own `config/feature_categories.yml`",
            ),
        };
        cx.report(d);
    }
}
