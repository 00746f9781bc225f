use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a key path that is a dot-prefix of another (`counts.ci` and
    /// `counts.ci.builds`).
    ///
    /// ## Why is this bad?
    /// In the payload, `counts.ci` would have to be both a number and an object holding
    /// `builds`. JSON cannot express that: one of the two values is lost.
    ///
    /// ## Example
    /// ```yaml
    /// key_path: counts.ci          # in one file
    /// key_path: counts.ci.builds   # in another
    /// ```
    ///
    /// ## Fix
    /// Rename the shorter one so that it is a leaf of its own, e.g. `counts.ci_total`.
    pub KEY_PATH_PREFIX = ("MC402", "key-path-prefix", Error);
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let metrics = &dictionary.metrics;
    // Metrics are sorted by key path: the last one whose key path is the prefix, if any.
    let metric_at = |prefix: &str| {
        let after = metrics.partition_point(|m| m.key_path.as_str() <= prefix);
        after
            .checked_sub(1)
            .map(|i| &metrics[i])
            .filter(|m| m.key_path.as_str() == prefix)
    };
    for metric in metrics {
        for (i, _) in metric.key_path.match_indices('.') {
            let prefix = &metric.key_path[..i];
            let Some(leaf) = metric_at(prefix) else {
                continue;
            };
            let def = dictionary.definition(metric);
            let leaf_def = dictionary.definition(leaf);
            cx.report(
                Diagnostic::new(
                    &KEY_PATH_PREFIX,
                    def.key_path.span,
                    format!(
                        "`{}` puts a value under `{prefix}`, which is itself a metric ({})",
                        metric.key_path,
                        cx.path(leaf_def.file)
                    ),
                )
                .label("nested under a metric")
                .related(
                    leaf_def.key_path.span,
                    format!("`{prefix}` is a value here"),
                )
                .help(format!(
                    "a payload value cannot also be an object: rename `{prefix}` or `{}`",
                    metric.key_path
                )),
            );
            break;
        }
    }
}
