use sqlparser::ast::{GroupByExpr, SelectItem, SetExpr, Spanned as _, Statement};

use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::sql::Sql;

rule! {
    /// ## What it does
    /// Reports `sql` whose result is not one value: a SELECT with several columns, `*`, or a
    /// top-level `GROUP BY` (one row per group).
    ///
    /// ## Why is this bad?
    /// A metric is one number (or string, or boolean) in the payload. With several columns
    /// or rows, which one is reported depends on the database driver, and usually it is not
    /// the one meant.
    ///
    /// ## Example
    /// ```yaml
    /// sql: SELECT state, COUNT(*) FROM issues GROUP BY state
    /// ```
    ///
    /// ## Fix
    /// One metric per value:
    /// ```yaml
    /// sql: SELECT COUNT(*) FROM issues WHERE state = 'opened'
    /// ```
    pub SQL_SINGLE_VALUE = ("MC305", "sql-single-value", Error);
}

pub fn check(sql: &Sql, statements: &[Statement], text: &str, found: &mut Vec<Diagnostic>) {
    {
        let Some(Statement::Query(query)) = statements.first() else {
            return;
        };
        // The columns of a UNION are those of its first SELECT.
        let mut body = &*query.body;
        let select = loop {
            match body {
                SetExpr::Select(select) => break Some(select),
                SetExpr::SetOperation { left, .. } => body = left,
                SetExpr::Query(q) => body = &q.body,
                _ => break None,
            }
        };
        let Some(select) = select else { return };
        let problem = if select.projection.len() != 1 {
            let first = select
                .projection
                .first()
                .map_or_else(|| select.span(), |p| p.span());
            let last = select
                .projection
                .last()
                .map_or_else(|| select.span(), |p| p.span());
            Some((
                first.union(&last),
                format!("returns {} columns", select.projection.len()),
            ))
        } else if let SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) =
            &select.projection[0]
        {
            Some((
                select.projection[0].span(),
                "selects `*`, every column".to_owned(),
            ))
        } else {
            match &select.group_by {
                GroupByExpr::Expressions(exprs, _) if !exprs.is_empty() => Some((
                    exprs[0].span(),
                    "returns one row per group (a top-level `GROUP BY`)".to_owned(),
                )),
                GroupByExpr::All(_) => Some((
                    select.span(),
                    "returns one row per group (a top-level `GROUP BY`)".to_owned(),
                )),
                _ => None,
            }
        };
        if let Some((span, problem)) = problem {
            found.push(
                Diagnostic::new(
                    &SQL_SINGLE_VALUE,
                    sql.span_of(text, span.start, span.end),
                    format!("metric SQL must return one value, but it {problem}"),
                )
                .label("more than one value")
                .help("select exactly one expression, e.g. `SELECT COUNT(*) FROM ...`, and aggregate in a subquery if needed"),
            );
        }
    }
}
