//! Rules for the value source of database metrics and their `sql:`. The SQL is parsed once,
//! in the parse stage (`model::sql`); these rules read its syntax tree.

pub mod missing_value_source;
pub mod sql_not_read_only;
pub mod sql_outside_database;
pub mod sql_single_value;
pub mod sql_syntax;
pub mod sql_window_parameters;
pub mod sql_with_instrumentation_class;

use crate::check::Context;
use crate::model::MetricDefinition;
use crate::model::sql::Sql;
use sqlparser::ast::Statement;

/// Every definition with SQL that parsed, with its statements and its file's text.
pub(crate) fn parsed<'a>(
    cx: &Context<'a>,
) -> Vec<(&'a MetricDefinition, &'a Sql, &'a [Statement], &'a str)> {
    cx.dictionary
        .definitions
        .iter()
        .filter_map(|def| {
            let sql = def.sql.as_ref()?;
            let statements = sql.parsed.as_ref().ok()?;
            Some((
                def,
                sql,
                statements.as_slice(),
                cx.sources.file(def.file).text.as_str(),
            ))
        })
        .collect()
}
