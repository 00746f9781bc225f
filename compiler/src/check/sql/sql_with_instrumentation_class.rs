use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a metric that has both `sql` and an `instrumentation_class`.
    ///
    /// ## Why is this bad?
    /// Each is a complete recipe for the value. With both, readers cannot tell which one the
    /// Service Ping runs, and the data team may recompute a different number from the SQL.
    ///
    /// ## Example
    /// ```yaml
    /// data_source: database
    /// instrumentation_class: CountIssuesMetric
    /// sql: SELECT COUNT(*) FROM issues
    /// ```
    ///
    /// ## Fix
    /// Keep one of the two: prefer `sql`, which the compiler checks and the data team can
    /// run on the database replica.
    pub SQL_WITH_INSTRUMENTATION_CLASS = ("MC301", "sql-with-instrumentation-class", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if let (Some(sql), Some(class)) = (&def.sql, def.instrumentation_class()) {
            cx.report(
                Diagnostic::new(
                    &SQL_WITH_INSTRUMENTATION_CLASS,
                    class.span,
                    "a metric has either `sql` or an `instrumentation_class`, not both",
                )
                .label("second source of the value")
                .related(sql.text.span, "the SQL computes the value too")
                .help("remove `instrumentation_class` (and its `options`), or remove `sql`"),
            );
        }
    }
}
