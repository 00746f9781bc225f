use std::collections::HashSet;

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{IndicatorType, Status};

rule! {
    /// ## What it does
    /// Reports a stage of the taxonomy that no active metric serves as SMAU.
    ///
    /// ## Why is this bad?
    /// Stages are judged by their SMAU; without one, the stage is missing from the monthly
    /// xMAU report and its trend cannot be followed. It is a warning because a new stage
    /// may not have chosen its metric yet.
    ///
    /// ## Example
    /// The stage `package` has groups and metrics, but none lists `smau`.
    ///
    /// ## Fix
    /// Add `smau` to the `performance_indicator_type` of the metric that counts the stage's
    /// monthly active users (a 28d unique-user count).
    pub STAGE_WITHOUT_SMAU = ("MC503", "stage-without-smau", Warning);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let served: HashSet<(usize, usize)> = dictionary
        .definitions
        .iter()
        .filter(|d| d.status.value == Status::Active && d.has_role(IndicatorType::Smau))
        .filter_map(|d| {
            d.product_group
                .as_ref()
                .and_then(|g| dictionary.owner(&g.value))
        })
        .map(|o| (o.section, o.stage))
        .collect();
    for (si, section) in dictionary.taxonomy.sections.iter().enumerate() {
        for (sti, stage) in section.stages.iter().enumerate() {
            if !served.contains(&(si, sti)) {
                cx.report(
                    Diagnostic::new(
                        &STAGE_WITHOUT_SMAU,
                        stage.key.span,
                        format!("stage `{}` has no SMAU metric", stage.key.value),
                    )
                    .label("no active metric is this stage's SMAU")
                    .help("add `smau` to the performance_indicator_type of the stage's 28d unique-user metric"),
                );
            }
        }
    }
}
