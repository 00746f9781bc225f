use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
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
    let dictionary = cx.dictionary;
    // Metrics are sorted by key path, then definition: the metrics of one key path are
    // neighbours, and so are the copies one definition makes of it.
    let by_path = dictionary
        .metrics
        .chunk_by(|a, b| a.key_path == b.key_path)
        .filter(|same| same.len() > 1)
        .map(|same| {
            let mut metrics: Vec<&Metric> = same.iter().collect();
            // A list naming one time frame twice clashes with itself; `invalid-value` says so.
            metrics.dedup_by_key(|m| m.definition);
            (same[0].key_path.as_str(), metrics)
        });
    let expanded = |m: &Metric| {
        if matches!(
            dictionary.definition(m).time_frame.value,
            TimeFrames::List(_)
        ) {
            format!(" (time frame {} of its list)", m.time_frame)
        } else {
            String::new()
        }
    };
    for (path, metrics) in by_path {
        if metrics.len() < 2 {
            continue;
        }
        // Every definition is reported, pointing at another: which one is the newcomer is
        // for the reviewer to say, not the file order.
        for (i, metric) in metrics.iter().enumerate() {
            let other = metrics[if i == 0 { 1 } else { 0 }];
            let def = dictionary.definition(metric);
            let other_def = dictionary.definition(other);
            cx.report(
                Diagnostic::new(
                    &DUPLICATE_KEY_PATH,
                    def.key_path.span,
                    format!(
                        "key path `{path}` is defined {} times: here{} and in {}",
                        metrics.len(),
                        expanded(metric),
                        cx.path(other_def.file)
                    ),
                )
                .label(format!("defines `{path}`"))
                .related(
                    other_def.key_path.span,
                    format!("also defines `{path}`{}", expanded(other)),
                )
                .help("give each metric its own key path, or delete the duplicate definition"),
            );
        }
    }
}
