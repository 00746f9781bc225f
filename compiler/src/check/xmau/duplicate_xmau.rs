use std::collections::HashMap;

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{IndicatorType, MetricDefinition, Status};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a second metric in the same role: two SMAU metrics for one stage, two GMAU
    /// (or two paid GMAU) metrics for one group, or two UMAU metrics for the product.
    ///
    /// ## Why is this bad?
    /// Each role is one number per month. Distinct users cannot be de-duplicated across
    /// two separate metrics, so adding them double-counts everyone who used both, and
    /// picking one makes the other meaningless.
    ///
    /// ## Example
    /// Two definitions of the `create` stage both list `smau` in
    /// `performance_indicator_type`.
    ///
    /// ## Fix
    /// Keep the role on one metric. To count users of several features, make that one
    /// metric a unique count over all their events:
    /// ```yaml
    /// performance_indicator_type: [smau]
    /// events:
    /// - name: push_to_repository
    ///   unique: user.id
    /// - name: create_merge_request
    ///   unique: user.id
    /// ```
    pub DUPLICATE_XMAU = ("MC501", "duplicate-xmau", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    // Every metric holding each role in each scope, in file order.
    let mut holders: HashMap<(IndicatorType, String), Vec<(&MetricDefinition, Span)>> =
        HashMap::new();
    for def in &dictionary.definitions {
        if def.status.value == Status::Removed {
            continue;
        }
        let owner = def
            .product_group
            .as_ref()
            .and_then(|g| dictionary.owner(&g.value));
        for role in &def.performance_indicator_type {
            let scope = match role.value {
                IndicatorType::Smau => match owner {
                    Some(o) => format!("stage `{}`", dictionary.stage(o).key.value),
                    None => continue,
                },
                IndicatorType::Gmau | IndicatorType::PaidGmau => match &def.product_group {
                    Some(g) => format!("group `{}`", g.value),
                    None => continue,
                },
                IndicatorType::Umau => "the product".to_owned(),
                _ => continue,
            };
            holders
                .entry((role.value, scope))
                .or_default()
                .push((def, role.span));
        }
    }
    for ((role, scope), defs) in holders {
        if defs.len() < 2 {
            continue;
        }
        let name = role.display_name();
        // Each holder is reported, pointing at another: which one is the newcomer is for
        // the reviewer to say, not the file order.
        for (i, (def, span)) in defs.iter().enumerate() {
            let (other, other_span) = defs[if i == 0 { 1 } else { 0 }];
            cx.report(
                Diagnostic::new(
                    &DUPLICATE_XMAU,
                    *span,
                    format!(
                        "{scope} has {} {name} metrics: `{}` and `{}`",
                        defs.len(),
                        def.key_path.value,
                        other.key_path.value
                    ),
                )
                .label(format!("{name} role"))
                .related(other_span, format!("also the {name} of {scope}"))
                .help("distinct users cannot be de-duplicated across metrics: keep the role on one metric, and make it count all the events that matter"),
            );
        }
    }
}
