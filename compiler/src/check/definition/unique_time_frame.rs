use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a unique count (an event with `unique:`) whose `time_frame` is `all` or
    /// `none`, or a list containing them.
    ///
    /// ## Why is this bad?
    /// Distinct values are counted with HyperLogLog sketches kept per week; they are kept
    /// for a limited time, so "distinct users of all time" cannot be computed, and a merged
    /// all-time sketch would grow without bound.
    ///
    /// ## Example
    /// ```yaml
    /// time_frame: [7d, 28d, all]
    /// events:
    /// - name: view_wiki_page
    ///   unique: user.id
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// time_frame: [7d, 28d]
    /// ```
    pub UNIQUE_TIME_FRAME = ("MC205", "unique-time-frame", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        let bad: Vec<&str> = def
            .time_frame
            .each()
            .into_iter()
            .filter(|tf| !tf.is_windowed())
            .map(|tf| tf.as_str())
            .collect();
        if bad.is_empty() {
            continue;
        }
        if let Some(unique) = def.events.iter().find_map(|e| e.unique.as_ref()) {
            cx.report(
                Diagnostic::new(
                    &UNIQUE_TIME_FRAME,
                    unique.span,
                    format!(
                        "a unique count needs a 7d or 28d time frame, not `{}`",
                        bad.join("`, `")
                    ),
                )
                .label("counts distinct values")
                .related(def.time_frame.span, "time frame set here")
                .help(
                    "use `time_frame: 7d`, `28d` or `[7d, 28d]`, or drop `unique` to count a total",
                ),
            );
        }
    }
}
