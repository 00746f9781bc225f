use std::collections::HashMap;

use crate::check::Context;
use crate::check::rule::rule;
use crate::diagnostics::Diagnostic;
use crate::model::TimeFrames;
use crate::resolve::Metric;

rule! {
    /// ## What it does
    /// Reports two metrics with the same key path, after `time_frame` lists are expanded
    /// (`counts.x` with `[7d, 28d]` defines `counts.x_weekly` and `counts.x_monthly`). Both
    /// definitions are shown.
    ///
    /// ## Why is this bad?
    /// The payload has one value per key path: one metric silently overwrites the other,
    /// and nobody can tell which number was sent.
    ///
    /// ## Example
    /// `counts_28d/a.yml` defines `counts.issues_monthly`, and `counts_all/b.yml` defines
    /// `counts.issues` with `time_frame: [7d, 28d]`, which expands to the same path.
    ///
    /// ## Fix
    /// Rename one of them, or delete the duplicate definition.
    pub DUPLICATE_KEY_PATH = ("MC401", "duplicate-key-path", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let mut first: HashMap<&str, &Metric> = HashMap::new();
    let mut found = Vec::new();
    for metric in &cx.dictionary.metrics {
        let Some(earlier) = first.get(metric.key_path.as_str()) else {
            first.insert(&metric.key_path, metric);
            continue;
        };
        let def = cx.dictionary.definition(metric);
        let other = cx.dictionary.definition(earlier);
        let expanded = |m: &Metric| {
            if matches!(
                cx.dictionary.definition(m).time_frame.value,
                TimeFrames::List(_)
            ) {
                format!(" (time frame {} of the list)", m.time_frame)
            } else {
                String::new()
            }
        };
        found.push(
            Diagnostic::new(
                &DUPLICATE_KEY_PATH,
                def.key_path.span,
                format!(
                    "key path `{}` is defined twice: here{} and in {}",
                    metric.key_path,
                    expanded(metric),
                    cx.path(other.file)
                ),
            )
            .label(format!("defines `{}`", metric.key_path))
            .related(
                other.key_path.span,
                format!(
                    "`{}` first defined here{}",
                    metric.key_path,
                    expanded(earlier)
                ),
            )
            .help("give each metric its own key path, or delete the duplicate definition"),
        );
    }
    for d in found {
        cx.report(d);
    }
}
