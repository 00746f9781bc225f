use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, ObjectName, Query, Select, SetExpr, Spanned as _, Statement, TableFactor, Visit, Visitor,
};

use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::sql::Sql;

use super::SqlSettings;

rule! {
    /// ## What it does
    /// Reports `sql` that is not exactly one read-only `SELECT`: several statements, a
    /// statement that changes data or schema (`INSERT`, `UPDATE`, `DELETE`, `CREATE`, ...),
    /// a data-modifying `WITH` (`WITH d AS (DELETE ... RETURNING ...)`), `SELECT ... INTO`,
    /// a row lock (`FOR UPDATE`, `FOR SHARE`), or a call to a function that is not known to
    /// be read-only. Functions are an allowlist: aggregates, window functions, comparison,
    /// string, date and time, math, array and JSON functions of PostgreSQL. Anything else
    /// (`dblink`, `txid_current`, `nextval`, `set_config`, `lo_import`, `pg_read_file`, a
    /// function of your own) is reported by name, in expressions and in `FROM`.
    ///
    /// ## Why is this bad?
    /// Metric queries run on every customer instance, every week, often as a privileged
    /// user. A query that writes would change customer data; one that locks rows would
    /// stall the application while the Service Ping runs. A denylist of dangerous functions
    /// is never complete: `dblink` runs any statement on another connection, outside the
    /// read-only transaction the runtime opens, and extensions add functions every release.
    ///
    /// A project that has vetted a function of its own allows it in `metricc.toml`:
    /// ```toml
    /// [rules.sql-not-read-only]
    /// allow-functions = ["analytics.safe_ratio"]
    /// ```
    ///
    /// ## Example
    /// ```yaml
    /// sql: |
    ///   WITH stale AS (DELETE FROM sessions RETURNING id)
    ///   SELECT COUNT(*) FROM stale
    /// ```
    ///
    /// ## Fix
    /// Count without changing anything:
    /// ```yaml
    /// sql: SELECT COUNT(*) FROM sessions WHERE expires_at < NOW()
    /// ```
    pub SQL_NOT_READ_ONLY = ("MC304", "sql-not-read-only", Error);
}

/// PostgreSQL functions known to only read: what metric SQL may call without a project
/// allowing more. Sorted (binary search); lower case; schema-less or in `pg_catalog`.
pub const READ_ONLY_FUNCTIONS: &[&str] = &[
    "abs",
    "age",
    "array_agg",
    "array_length",
    "array_position",
    "array_positions",
    "array_to_string",
    "avg",
    "bit_and",
    "bit_length",
    "bit_or",
    "bool_and",
    "bool_or",
    "btrim",
    "cardinality",
    "cbrt",
    "ceil",
    "ceiling",
    "char_length",
    "character_length",
    "coalesce",
    "concat",
    "concat_ws",
    "corr",
    "count",
    "covar_pop",
    "covar_samp",
    "cume_dist",
    "current_date",
    "current_time",
    "current_timestamp",
    "date",
    "date_bin",
    "date_part",
    "date_trunc",
    "dense_rank",
    "div",
    "every",
    "exp",
    "extract",
    "first_value",
    "floor",
    "format",
    "generate_series",
    "greatest",
    "initcap",
    "isfinite",
    "json_array_length",
    "json_build_array",
    "json_build_object",
    "json_extract_path",
    "json_extract_path_text",
    "json_object_keys",
    "json_typeof",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "jsonb_array_length",
    "jsonb_build_array",
    "jsonb_build_object",
    "jsonb_each",
    "jsonb_each_text",
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "jsonb_object_keys",
    "jsonb_path_exists",
    "jsonb_path_query_first",
    "jsonb_typeof",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "lag",
    "last_value",
    "lead",
    "least",
    "left",
    "length",
    "ln",
    "localtime",
    "localtimestamp",
    "log",
    "log10",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "make_interval",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "max",
    "md5",
    "min",
    "mod",
    "mode",
    "now",
    "nth_value",
    "ntile",
    "nullif",
    "octet_length",
    "percent_rank",
    "percentile_cont",
    "percentile_disc",
    "position",
    "power",
    "rank",
    "regexp_count",
    "regexp_like",
    "regexp_match",
    "regexp_replace",
    "regexp_substr",
    "repeat",
    "replace",
    "reverse",
    "right",
    "round",
    "row_number",
    "rpad",
    "rtrim",
    "sign",
    "split_part",
    "sqrt",
    "starts_with",
    "statement_timestamp",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "string_agg",
    "strpos",
    "substr",
    "substring",
    "sum",
    "timezone",
    "to_char",
    "to_date",
    "to_json",
    "to_jsonb",
    "to_number",
    "to_timestamp",
    "transaction_timestamp",
    "translate",
    "trim",
    "trunc",
    "unnest",
    "upper",
    "var_pop",
    "var_samp",
    "variance",
    "width_bucket",
];

/// Where a problem is: an AST span, or keywords to look up in the SQL text (for clauses
/// the parser gives no span of their own).
enum At {
    Node(sqlparser::tokenizer::Span),
    Keywords(String, sqlparser::tokenizer::Span),
}

struct Finder<'a> {
    settings: &'a SqlSettings,
    problems: Vec<(At, String)>,
    /// How many statements enclose the node being visited: statements nested in a `WITH`
    /// are reported as data-modifying CTEs, not a second time as statements.
    depth: usize,
}

impl Finder<'_> {
    /// Reports a call of `name` unless it is known to be read-only or allowed.
    fn call(&mut self, name: &ObjectName, at: sqlparser::tokenizer::Span) {
        let full = name.to_string().to_lowercase();
        let builtin = full.strip_prefix("pg_catalog.").unwrap_or(&full);
        if READ_ONLY_FUNCTIONS.binary_search(&builtin).is_ok()
            || self.settings.allows_function(&full)
        {
            return;
        }
        self.problems.push((
            At::Node(at),
            format!("`{full}()` is not a function metric SQL may call"),
        ));
    }
}

impl Visitor for Finder<'_> {
    type Break = ();

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        self.depth += 1;
        if self.depth == 1 && !matches!(statement, Statement::Query(_)) {
            let text = statement.to_string();
            let keyword = text
                .split_whitespace()
                .next()
                .unwrap_or("statement")
                .to_uppercase();
            self.problems.push((
                At::Node(statement.span()),
                format!("`{keyword}` is not a read-only SELECT"),
            ));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, _: &Statement) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(lock) = query.locks.first() {
            let keywords = lock
                .to_string()
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            self.problems.push((
                At::Keywords(keywords, query.span()),
                format!("`{lock}` locks rows while the metric runs"),
            ));
        }
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                if matches!(
                    *cte.query.body,
                    SetExpr::Insert(_)
                        | SetExpr::Update(_)
                        | SetExpr::Delete(_)
                        | SetExpr::Merge(_)
                ) {
                    self.problems.push((
                        At::Node(cte.span()),
                        format!("the `WITH {}` query changes data", cte.alias.name),
                    ));
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        if let Some(into) = &select.into {
            self.problems.push((
                At::Node(into.span()),
                "`SELECT ... INTO` creates a table".to_owned(),
            ));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(function) = expr {
            self.call(&function.name, expr.span());
        }
        ControlFlow::Continue(())
    }

    /// Functions in `FROM` (`FROM dblink('...', '...') AS t(a int)`) are calls too.
    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        match factor {
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => self.call(name, factor.span()),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

pub fn check(
    sql: &Sql,
    statements: &[Statement],
    text: &str,
    settings: &SqlSettings,
    found: &mut Vec<Diagnostic>,
) {
    {
        if statements.len() > 1 {
            let second = statements[1].span();
            found.push(
                Diagnostic::new(
                    &SQL_NOT_READ_ONLY,
                    sql.span_of(text, second.start, second.end),
                    format!("`sql` must be one statement, found {}", statements.len()),
                )
                .label("a further statement")
                .help("keep a single SELECT; remove the `;` and what follows"),
            );
        }
        if statements.is_empty() {
            found.push(
                Diagnostic::new(
                    &SQL_NOT_READ_ONLY,
                    sql.text.span,
                    "`sql` holds no statement",
                )
                .label("empty")
                .help("write one SELECT returning one value"),
            );
        }
        let mut finder = Finder {
            settings,
            problems: Vec::new(),
            depth: 0,
        };
        for statement in statements {
            let _ = statement.visit(&mut finder);
        }
        for (at, problem) in finder.problems {
            let span = match at {
                At::Node(span) => sql.span_of(text, span.start, span.end),
                At::Keywords(words, fallback) => sql
                    .find_keywords(text, &words)
                    .unwrap_or_else(|| sql.span_of(text, fallback.start, fallback.end)),
            };
            let function = problem.contains("not a function metric SQL may call");
            let help = if function {
                "metric SQL may call aggregates and PostgreSQL's comparison, string, date, \
                 math, array and JSON functions (listed in docs/definitions.md, \"Read-only \
                 functions\"); if this function only reads, allow it in metricc.toml: \
                 `[rules.sql-not-read-only] allow-functions = [\"name\"]`"
            } else {
                "write a single SELECT that only reads"
            };
            found.push(
                Diagnostic::new(
                    &SQL_NOT_READ_ONLY,
                    span,
                    format!("metric SQL must be read-only: {problem}"),
                )
                .label(if function {
                    "unknown function"
                } else {
                    "not read-only"
                })
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::READ_ONLY_FUNCTIONS;

    #[test]
    fn the_definition_reference_lists_every_allowed_function() {
        let docs = include_str!("../../../../docs/definitions.md");
        let section = docs
            .split("### Read-only functions")
            .nth(1)
            .and_then(|s| s.split("\n### ").next())
            .unwrap_or_default();
        for name in READ_ONLY_FUNCTIONS {
            assert!(
                section.contains(&format!("`{name}`")),
                "{name} is not in the docs"
            );
        }
    }

    #[test]
    fn the_allowlist_is_sorted_and_free_of_known_dangers() {
        assert!(READ_ONLY_FUNCTIONS.windows(2).all(|w| w[0] < w[1]));
        for danger in [
            "dblink",
            "txid_current",
            "nextval",
            "setval",
            "set_config",
            "lo_import",
            "pg_read_file",
            "pg_terminate_backend",
            "pg_sleep",
            "random",
        ] {
            assert!(!READ_ONLY_FUNCTIONS.contains(&danger), "{danger}");
        }
    }
}
