use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::sql::Sql;

rule! {
    /// ## What it does
    /// Reports `sql` that does not parse as PostgreSQL, at the exact place the parser gave
    /// up.
    ///
    /// ## Why is this bad?
    /// The query would fail on every instance, every week, and the metric would report `-1`
    /// until someone noticed.
    ///
    /// ## Example
    /// ```yaml
    /// sql: SELECT COUNT(*) FROM issues WHER state = 'opened'
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// sql: SELECT COUNT(*) FROM issues WHERE state = 'opened'
    /// ```
    pub SQL_SYNTAX = ("MC303", "sql-syntax", Error);
}

pub fn check(sql: &Sql, text: &str, out: &mut Vec<Diagnostic>) {
    let Some(error) = &sql.error else { return };
    let at = sql.span_at(text, error.line, error.column);
    out.push(
        Diagnostic::new(&SQL_SYNTAX, at, format!("invalid SQL: {}", error.message))
            .label("the parser stopped here")
            .help("the SQL must be one PostgreSQL SELECT statement"),
    );
}
