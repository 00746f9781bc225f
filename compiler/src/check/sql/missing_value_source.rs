use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::{DataSource, Status};

rule! {
    /// ## What it does
    /// Reports an active `database` metric that has neither `sql` nor an
    /// `instrumentation_class`, so nothing says how its value is computed.
    ///
    /// ## Why is this bad?
    /// The generated Service Ping cannot compute the metric, and the data team cannot
    /// recompute it from the database replica. (GitLab still computes some old database
    /// metrics in application code; the `gitlab` preset therefore turns this rule off.)
    ///
    /// ## Example
    /// ```yaml
    /// data_source: database
    /// time_frame: all
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// data_source: database
    /// time_frame: all
    /// sql: SELECT COUNT(*) FROM issues
    /// ```
    pub MISSING_VALUE_SOURCE = ("MC302", "missing-value-source", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if def.data_source.value == DataSource::Database
            && def.status.value != Status::Removed
            && def.sql.is_none()
            && def.instrumentation_class().is_none()
        {
            cx.report(
                Diagnostic::new(
                    &MISSING_VALUE_SOURCE,
                    def.data_source.span,
                    "a database metric needs `sql` or an `instrumentation_class`",
                )
                .label("nothing computes this value")
                .help(
                    "add `sql: SELECT COUNT(*) FROM ...` (one read-only query returning one value)",
                ),
            );
        }
    }
}
