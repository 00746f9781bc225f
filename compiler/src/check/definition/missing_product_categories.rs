use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::Status;

rule! {
    /// ## What it does
    /// Reports an active metric without `product_categories` (GitLab's rule since 2025,
    /// which exempts a closed list of older metrics that predate it).
    ///
    /// ## Why is this bad?
    /// Groups own several categories; product managers read usage per category, which is
    /// impossible for a metric that names none.
    ///
    /// ## Example
    /// ```yaml
    /// product_group: code_review
    /// status: active
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// product_group: code_review
    /// product_categories:
    /// - code_review_workflow
    /// status: active
    /// ```
    pub MISSING_PRODUCT_CATEGORIES = ("MC209", "missing-product-categories", Error);
}

/// Key paths GitLab exempts from the rule: metrics that predate it and are to be backfilled
/// (`config/metrics/schema/product_categories.json`). The list is closed.
const GRANDFATHERED: &[&str] = &[
    "redis_hll_counters.count_distinct_namespace_id_from_enforce_pipeline_execution_policy_in_project_monthly",
    "redis_hll_counters.count_distinct_namespace_id_from_enforce_pipeline_execution_policy_in_project_weekly",
    "usage_activity_by_stage_monthly.manage.groups",
    "usage_activity_by_stage_monthly.manage.users_created",
    "counts.groups",
    "usage_activity_by_stage.manage.groups",
    "usage_activity_by_stage.manage.users_created",
    "topology",
];

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        // A legacy `product_category` is reported by `legacy-field`, with the migration.
        if def.status.value != Status::Active
            || !def.product_categories.is_empty()
            || def.legacy_product_category().is_some()
            || GRANDFATHERED.contains(&def.key_path.value.as_str())
        {
            continue;
        }
        let mut d = Diagnostic::new(
            &MISSING_PRODUCT_CATEGORIES,
            def.product_group.as_ref().map_or(def.head, |g| g.span),
            "an active metric needs `product_categories`",
        )
        .label("no product category");
        let categories: Vec<&str> = def
            .product_group
            .as_ref()
            .and_then(|g| cx.dictionary.owner(&g.value))
            .map(|owner| {
                cx.dictionary
                    .group(owner)
                    .categories
                    .iter()
                    .map(|c| c.value.as_str())
                    .collect()
            })
            .unwrap_or_default();
        d = if categories.is_empty() {
            d.help("add `product_categories: [<category>]`")
        } else {
            d.help(format!(
                "add `product_categories: [<category>]`; this group's categories: {}",
                categories.join(", ")
            ))
        };
        cx.report(d);
    }
}
