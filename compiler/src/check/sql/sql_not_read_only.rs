use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Query, Select, SetExpr, Spanned as _, Statement, Visit, Visitor};

use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::sql::Sql;

rule! {
    /// ## What it does
    /// Reports `sql` that is not exactly one read-only `SELECT`: several statements, a
    /// statement that changes data or schema (`INSERT`, `UPDATE`, `DELETE`, `CREATE`, ...),
    /// a data-modifying `WITH` (`WITH d AS (DELETE ... RETURNING ...)`), `SELECT ... INTO`,
    /// a row lock (`FOR UPDATE`, `FOR SHARE`), or a call to a function with side effects
    /// (`nextval`, `set_config`, `pg_sleep`, ...).
    ///
    /// ## Why is this bad?
    /// Metric queries run on every customer instance, every week, often as a privileged
    /// user. A query that writes would change customer data; one that locks rows would
    /// stall the application while the Service Ping runs.
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

/// Functions that change state or hold the connection, so a metric must not call them.
const SIDE_EFFECTS: &[&str] = &[
    "nextval",
    "setval",
    "set_config",
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_advisory_lock",
    "pg_advisory_xact_lock",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_notify",
    "lo_import",
    "lo_export",
    "lo_unlink",
    "dblink",
    "dblink_exec",
    "pg_read_file",
    "pg_reload_conf",
];

/// Where a problem is: an AST span, or keywords to look up in the SQL text (for clauses
/// the parser gives no span of their own).
enum At {
    Node(sqlparser::tokenizer::Span),
    Keywords(String, sqlparser::tokenizer::Span),
}

#[derive(Default)]
struct Finder {
    problems: Vec<(At, String)>,
    /// How many statements enclose the node being visited: statements nested in a `WITH`
    /// are reported as data-modifying CTEs, not a second time as statements.
    depth: usize,
}

impl Visitor for Finder {
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
            let name = function.name.to_string().to_lowercase();
            let base = name.rsplit('.').next().unwrap_or(&name);
            if SIDE_EFFECTS.contains(&base) {
                self.problems.push((
                    At::Node(expr.span()),
                    format!("`{base}()` has side effects"),
                ));
            }
        }
        ControlFlow::Continue(())
    }
}

pub fn check(sql: &Sql, statements: &[Statement], text: &str, found: &mut Vec<Diagnostic>) {
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
        let mut finder = Finder::default();
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
            found.push(
                Diagnostic::new(
                    &SQL_NOT_READ_ONLY,
                    span,
                    format!("metric SQL must be read-only: {problem}"),
                )
                .label("not read-only")
                .help("write a single SELECT that only reads"),
            );
        }
    }
}
