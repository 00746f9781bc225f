use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::DataSource;

rule! {
    /// ## What it does
    /// Reports `sql` on a metric whose `data_source` is not `database`.
    ///
    /// ## Why is this bad?
    /// Only database metrics run SQL; on any other source the query is ignored, and readers
    /// believe the value comes from it.
    ///
    /// ## Example
    /// ```yaml
    /// data_source: redis
    /// sql: SELECT COUNT(*) FROM issues
    /// ```
    ///
    /// ## Fix
    /// Set `data_source: database`, or remove `sql`.
    pub SQL_OUTSIDE_DATABASE = ("MC307", "sql-outside-database", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if let Some(sql) = &def.sql
            && def.data_source.value != DataSource::Database
        {
            cx.report(
                Diagnostic::new(
                    &SQL_OUTSIDE_DATABASE,
                    sql.text.span,
                    format!(
                        "`sql` is only run for database metrics, not `{}`",
                        def.data_source.value
                    ),
                )
                .label("ignored")
                .related(def.data_source.span, "data source set here")
                .help("set `data_source: database`, or remove `sql`"),
            );
        }
    }
}
