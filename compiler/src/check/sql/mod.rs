//! Rules for the value source of database metrics and their `sql:`. The rules that read the
//! SQL's syntax tree (syntax, read-only, single value, window parameters) run per metric in
//! the parse stage, through [`check_definition`]; the others run over the dictionary.

pub mod missing_value_source;
pub mod sql_not_read_only;
pub mod sql_outside_database;
pub mod sql_single_value;
pub mod sql_syntax;
pub mod sql_window_parameters;
pub mod sql_with_instrumentation_class;

use crate::diagnostics::Diagnostic;
use crate::model::MetricDefinition;

/// What a project configures about its metric SQL (`[rules.sql-not-read-only]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SqlSettings {
    /// Functions the project has vetted as read-only, lower case, as written in the SQL
    /// (`analytics.safe_ratio`), beyond [`sql_not_read_only::READ_ONLY_FUNCTIONS`].
    pub allowed_functions: Vec<String>,
}

impl SqlSettings {
    pub fn allows_function(&self, name: &str) -> bool {
        self.allowed_functions.iter().any(|f| f == name)
    }
}

/// Runs the rules that read a metric's SQL. The parse stage calls this for each metric, in
/// parallel, while the SQL's syntax tree still exists (see `model::sql`).
pub fn check_definition(
    def: &MetricDefinition,
    text: &str,
    settings: &SqlSettings,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(sql) = &def.sql else {
        return out;
    };
    sql_syntax::check(sql, text, &mut out);
    if let Some(statements) = &sql.statements {
        sql_not_read_only::check(sql, statements, text, settings, &mut out);
        sql_single_value::check(sql, statements, text, &mut out);
        sql_window_parameters::check(def, sql, text, &mut out);
    }
    out
}
