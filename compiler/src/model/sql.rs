//! The `sql:` of a database metric, parsed once (PostgreSQL dialect) in the parse stage.
//!
//! The syntax tree is large (sqlparser's nodes are wide enums: about 13 KB per query), so it
//! lives only through the parse stage, where the rules that read it run
//! (`check::sql::check_definition`); the facts later rules need are kept.

use std::ops::ControlFlow;

use sqlparser::ast::{
    DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Query, SelectItem,
    SetExpr, Spanned as _, Statement, TableFactor, Value as SqlValue, Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Location as SqlLocation;

use crate::source::{Span, Spanned};

/// The named parameter for the start of a metric's time window.
pub const WINDOW_START: &str = ":window_start";
/// The named parameter for the end of a metric's time window.
pub const WINDOW_END: &str = ":window_end";

/// A metric's SQL: its text as written, and what the parser made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sql {
    pub text: Spanned<String>,
    /// The syntax error, when the SQL does not parse.
    pub error: Option<SqlError>,
    /// Every placeholder the SQL uses (`:window_start`, `$1`, `?`), in order, once each.
    pub placeholders: Vec<String>,
    /// When the query's one column is `COUNT(DISTINCT <column>)`: that column's name, in
    /// parts (`["issues", "author_id"]`).
    pub distinct_count_of: Option<Vec<String>>,
    /// The tables the query reads (`project_events`, `public.users`), sorted, once each;
    /// common table expressions (`WITH x AS ...`) and table functions are not tables.
    pub tables: Vec<String>,
    /// Where the text names a table or a parameter, in text order: what a backend replaces
    /// to run the query elsewhere (the dbt project reads tables through `source()`).
    pub references: Vec<SqlReference>,
    /// The syntax tree, during the parse stage only; see the module documentation.
    pub statements: Option<Vec<Statement>>,
}

/// One place in the SQL text that names a table or a parameter.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SqlReference {
    /// Byte range in the SQL text.
    pub start: usize,
    pub end: usize,
    pub kind: SqlReferenceKind,
    /// The table as written (`public.users`), or the parameter (`:window_start`).
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SqlReferenceKind {
    Table,
    Parameter,
}

/// A syntax error, with its position inside the SQL text (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct SqlError {
    pub message: String,
    pub line: u64,
    pub column: u64,
}

impl Sql {
    /// Parses the SQL of a `sql:` value.
    pub fn parse(text: Spanned<String>) -> Sql {
        match Parser::parse_sql(&PostgreSqlDialect {}, &text.value) {
            Ok(statements) => {
                let references = references(&statements, &text.value);
                let mut placeholders: Vec<String> = Vec::new();
                let mut tables: Vec<String> = Vec::new();
                for r in &references {
                    let list = match r.kind {
                        SqlReferenceKind::Table => &mut tables,
                        SqlReferenceKind::Parameter => &mut placeholders,
                    };
                    if !list.contains(&r.name) {
                        list.push(r.name.clone());
                    }
                }
                tables.sort();
                Sql {
                    error: None,
                    placeholders,
                    distinct_count_of: distinct_count_of(&statements),
                    tables,
                    references,
                    statements: Some(statements),
                    text,
                }
            }
            Err(e) => {
                let full = e.to_string();
                let message = full.strip_prefix("sql parser error: ").unwrap_or(&full);
                let (message, line, column) = split_position(message);
                Sql {
                    text,
                    error: Some(SqlError {
                        message,
                        line,
                        column,
                    }),
                    placeholders: Vec::new(),
                    distinct_count_of: None,
                    tables: Vec::new(),
                    references: Vec::new(),
                    statements: None,
                }
            }
        }
    }

    /// Drops the syntax tree once the rules that read it have run.
    pub fn drop_syntax_tree(&mut self) {
        self.statements = None;
        // What is kept is kept for the whole run: no room to spare.
        self.placeholders.shrink_to_fit();
        self.tables.shrink_to_fit();
        self.references.shrink_to_fit();
    }

    /// The file span of a position inside the SQL text (1-based line and column).
    ///
    /// The SQL is the YAML scalar's value, which differs from the file's text by quotes,
    /// escapes, indentation and folded lines. The two are aligned character by character:
    /// equal characters match, whitespace matches whitespace, and file characters with no
    /// counterpart in the value (quotes, backslashes, indentation) are skipped.
    pub fn span_at(&self, file_text: &str, line: u64, column: u64) -> Span {
        let value = self.text.span;
        let target = char_index(&self.text.value, line, column);
        let raw = file_text.get(value.range()).unwrap_or("");
        let raw: Vec<(usize, char)> = raw.char_indices().collect();
        let mut j = 0;
        for (i, c) in self.text.value.chars().enumerate() {
            let matched = align(&raw, j, c);
            if i == target {
                let k = matched.map_or(j, |(start, _)| start);
                let byte = raw.get(k).map_or(value.end(), |&(b, _)| value.start() + b);
                return Span::new(value.file, byte..byte);
            }
            if let Some((_, next)) = matched {
                j = next;
            }
        }
        Span::new(value.file, value.end()..value.end())
    }

    /// The file span of an AST node's SQL range.
    pub fn span_of(&self, file_text: &str, start: SqlLocation, end: SqlLocation) -> Span {
        if start.line == 0 {
            return self.text.span;
        }
        let a = self.span_at(file_text, start.line, start.column);
        let b = self.span_at(file_text, end.line, end.column);
        Span::new(a.file, a.start()..b.start().max(a.start()))
    }

    /// The file span of the first occurrence of `needle` in the SQL as written.
    pub fn find(&self, file_text: &str, needle: &str) -> Option<Span> {
        let value = self.text.span;
        let raw = file_text.get(value.range())?;
        raw.find(needle).map(|i| {
            Span::new(
                value.file,
                value.start() + i..value.start() + i + needle.len(),
            )
        })
    }

    /// Like [`Sql::find`], ignoring ASCII case and treating any run of whitespace in
    /// `needle` as matching any run of whitespace in the SQL.
    pub fn find_keywords(&self, file_text: &str, needle: &str) -> Option<Span> {
        let value = self.text.span;
        let raw = file_text.get(value.range())?.as_bytes();
        let words: Vec<&str> = needle.split_whitespace().collect();
        (0..raw.len()).find_map(|start| {
            let mut i = start;
            for (n, word) in words.iter().enumerate() {
                if n > 0 {
                    let spaces = raw[i..]
                        .iter()
                        .take_while(|b| b.is_ascii_whitespace())
                        .count();
                    if spaces == 0 {
                        return None;
                    }
                    i += spaces;
                }
                let end = i + word.len();
                if end > raw.len() || !raw[i..end].eq_ignore_ascii_case(word.as_bytes()) {
                    return None;
                }
                i = end;
            }
            Some(Span::new(
                value.file,
                value.start() + start..value.start() + i,
            ))
        })
    }
}

/// Every table (not a common table expression, not a table function) and every
/// placeholder (`:name`, `$1`, `?`) the statements name, with its place in `text`, in text
/// order.
fn references(statements: &[Statement], text: &str) -> Vec<SqlReference> {
    #[derive(Default)]
    struct Found {
        tables: Vec<(sqlparser::tokenizer::Span, String)>,
        placeholders: Vec<(sqlparser::tokenizer::Span, String)>,
        ctes: Vec<String>,
    }
    impl Visitor for Found {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if let Some(with) = &query.with {
                for cte in &with.cte_tables {
                    self.ctes.push(cte.alias.name.value.to_lowercase());
                }
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
            if let TableFactor::Table {
                name, args: None, ..
            } = factor
            {
                self.tables.push((name.span(), name.to_string()));
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if let Expr::Value(v) = expr
                && let SqlValue::Placeholder(p) = &v.value
            {
                self.placeholders.push((v.span, p.clone()));
            }
            ControlFlow::Continue(())
        }
    }
    let mut found = Found::default();
    for statement in statements {
        let _ = statement.visit(&mut found);
    }
    let Found {
        tables,
        placeholders,
        ctes,
    } = found;
    let starts = line_starts(text);
    let byte = |at: sqlparser::tokenizer::Location| byte_offset(text, &starts, at);
    let mut references: Vec<SqlReference> = tables
        .into_iter()
        .filter(|(_, name)| !ctes.contains(&name.to_lowercase()))
        .map(|(span, name)| (span, SqlReferenceKind::Table, name))
        .chain(
            placeholders
                .into_iter()
                .map(|(span, name)| (span, SqlReferenceKind::Parameter, name)),
        )
        .filter_map(|(span, kind, name)| {
            let (start, end) = (byte(span.start)?, byte(span.end)?);
            (start < end).then_some(SqlReference {
                start,
                end,
                kind,
                name,
            })
        })
        .collect();
    references.sort_by_key(|r| r.start);
    references.dedup_by_key(|r| r.start);
    references
}

/// The byte offset of each line's start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The byte offset of a 1-based line and column (columns count characters), if it lies in
/// `text`.
fn byte_offset(text: &str, starts: &[usize], at: sqlparser::tokenizer::Location) -> Option<usize> {
    let line_start = *starts.get(usize::try_from(at.line).ok()?.checked_sub(1)?)?;
    let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let line = text[line_start..].split('\n').next().unwrap_or("");
    let offset = match line.char_indices().nth(column) {
        Some((i, _)) => i,
        None if line.chars().count() == column => line.len(),
        None => return None,
    };
    Some(line_start + offset)
}

/// The column of `SELECT COUNT(DISTINCT <column>) ...`, when that is the query's one value.
fn distinct_count_of(statements: &[Statement]) -> Option<Vec<String>> {
    let [Statement::Query(query)] = statements else {
        return None;
    };
    let SetExpr::Select(select) = &*query.body else {
        return None;
    };
    let [SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. }] =
        select.projection.as_slice()
    else {
        return None;
    };
    let Expr::Function(function) = expr else {
        return None;
    };
    if !function.name.to_string().eq_ignore_ascii_case("count") {
        return None;
    }
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    if list.duplicate_treatment != Some(DuplicateTreatment::Distinct) {
        return None;
    }
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(column))] = list.args.as_slice() else {
        return None;
    };
    let mut column = column;
    while let Expr::Nested(inner) = column {
        column = inner;
    }
    match column {
        Expr::Identifier(ident) => Some(vec![ident.value.to_lowercase()]),
        Expr::CompoundIdentifier(idents) => {
            Some(idents.iter().map(|i| i.value.to_lowercase()).collect())
        }
        _ => None,
    }
}

/// Where value character `c` is written in the raw scalar at or after `j` (looking a few
/// characters ahead): its start and the position after it. Escapes (`\t`, `\"`) count as
/// the character they stand for; exact matches win over whitespace matching whitespace
/// (folded lines, indentation).
fn align(raw: &[(usize, char)], j: usize, c: char) -> Option<(usize, usize)> {
    const LOOKAHEAD: usize = 8;
    let window = raw.get(j..).unwrap_or_default();
    if let [(_, '\\'), (_, e), ..] = window {
        let decoded = match e {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            '0' => '\0',
            other => *other,
        };
        if decoded == c {
            return Some((j, j + 2));
        }
    }
    let exact = window.iter().take(LOOKAHEAD).position(|&(_, r)| r == c);
    let loose = || {
        window
            .iter()
            .take(LOOKAHEAD)
            .position(|&(_, r)| c.is_whitespace() && r.is_whitespace())
    };
    exact.or_else(loose).map(|k| (j + k, j + k + 1))
}

/// The character index of a 1-based line and column in `text`.
fn char_index(text: &str, line: u64, column: u64) -> usize {
    let mut current = 1;
    let mut col = 1;
    for (i, c) in text.chars().enumerate() {
        if current == line && col == column {
            return i;
        }
        if c == '\n' {
            if current == line {
                return i; // past the end of the line: its end
            }
            current += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    text.chars().count()
}

/// Splits sqlparser's "... at Line: 3, Column: 7" suffix off a message.
fn split_position(message: &str) -> (String, u64, u64) {
    if let Some(i) = message.rfind(" at Line: ") {
        let tail = &message[i + " at Line: ".len()..];
        if let Some((line, column)) = tail.split_once(", Column: ") {
            let line = line.trim().parse().unwrap_or(1);
            let column = column.trim().parse().unwrap_or(1);
            return (message[..i].to_owned(), line, column);
        }
    }
    (message.to_owned(), 1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn tables_are_the_relations_read_without_ctes() {
        let sql = Sql::parse(Spanned::new(
            "WITH recent AS (SELECT * FROM issues WHERE created_at > :window_start) \
             SELECT COUNT(*) FROM recent JOIN public.projects p ON p.id = recent.project_id \
             WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = recent.author_id)"
                .to_owned(),
            Span::new(FileId(0), 0..0),
        ));
        assert_eq!(sql.tables, ["issues", "public.projects", "users"]);
    }

    #[test]
    fn the_facts_kept_after_the_syntax_tree_hold_no_spare_room() {
        let mut sql = Sql::parse(Spanned::new(
            "SELECT COUNT(*) FROM issues WHERE created_at > :window_start".to_owned(),
            Span::new(FileId(0), 0..0),
        ));
        sql.drop_syntax_tree();
        assert!(sql.statements.is_none());
        assert_eq!((sql.tables.len(), sql.tables.capacity()), (1, 1));
        assert_eq!(
            (sql.placeholders.len(), sql.placeholders.capacity()),
            (1, 1)
        );
        assert_eq!((sql.references.len(), sql.references.capacity()), (2, 2));
    }

    /// The SQL of a file whose `sql:` value (as YAML reads it) is `value`.
    fn sql_in(file_text: &str, value: &str) -> Sql {
        let root = crate::yaml::parse(file_text).root.unwrap();
        let node = root.get("sql").unwrap();
        assert_eq!(node.as_str(), Some(value));
        Sql::parse(Spanned::new(
            value.to_owned(),
            Span::new(FileId(0), node.span.clone()),
        ))
    }

    fn at(file: &str, sql: &Sql, line: u64, column: u64) -> String {
        let span = sql.span_at(file, line, column);
        file[span.start()..].chars().take(5).collect()
    }

    #[test]
    fn positions_map_back_for_every_scalar_style() {
        let literal = "sql: |\n  SELECT COUNT(*)\n  FROM issues WHER x\n";
        let sql = sql_in(literal, "SELECT COUNT(*)\nFROM issues WHER x\n");
        assert_eq!(at(literal, &sql, 2, 13), "WHER ");

        let blank_first = "sql: |\n\n  SELECT 1\n  FROM t WHER x\n";
        let sql = sql_in(blank_first, "\nSELECT 1\nFROM t WHER x\n");
        assert_eq!(at(blank_first, &sql, 3, 8), "WHER ");

        let folded = "sql: >\n  SELECT COUNT(*)\n  FROM issues\n  WHER x\n";
        let sql = sql_in(folded, "SELECT COUNT(*) FROM issues WHER x\n");
        assert_eq!(at(folded, &sql, 1, 29), "WHER ");

        let quoted = "sql: \"SELECT\\ta FROM \\\"b\\\" WHER x\"\n";
        let sql = sql_in(quoted, "SELECT\ta FROM \"b\" WHER x");
        assert_eq!(at(quoted, &sql, 1, 19), "WHER ");

        let multi = "sql: \"SELECT a\n  FROM b WHER state\"\n";
        let sql = sql_in(multi, "SELECT a FROM b WHER state");
        assert_eq!(at(multi, &sql, 1, 22), "state");

        let single = "sql: 'SELECT ''x'' WHER y'\n";
        let sql = sql_in(single, "SELECT 'x' WHER y");
        assert_eq!(at(single, &sql, 1, 12), "WHER ");
    }

    #[test]
    fn keywords_are_found_across_case_and_line_breaks() {
        let file = "sql: |\n  select a from b for\n    update\n";
        let sql = sql_in(file, "select a from b for\n  update\n");
        let span = sql.find_keywords(file, "FOR UPDATE").unwrap();
        assert_eq!(&file[span.range()], "for\n    update");
        assert!(sql.find_keywords(file, "FOR SHARE").is_none());
    }

    #[test]
    fn references_locate_tables_and_parameters_in_the_text() {
        let text = "WITH recent AS (SELECT * FROM issues WHERE created_at > :window_start)\n\
                    SELECT COUNT(*) FROM recent\n  JOIN public.\"Projéts\" p ON p.id = 1\n\
                    WHERE a < :window_end AND 'issues' <> ':window_end' -- FROM users\n\
                    AND EXISTS (SELECT 1 FROM generate_series(1, 2) g, issues)";
        let sql = Sql::parse(Spanned::new(text.to_owned(), Span::new(FileId(0), 0..0)));
        let found: Vec<(&str, SqlReferenceKind, &str)> = sql
            .references
            .iter()
            .map(|r| (&text[r.start..r.end], r.kind, r.name.as_str()))
            .collect();
        use SqlReferenceKind::*;
        assert_eq!(
            found,
            [
                ("issues", Table, "issues"),
                (":window_start", Parameter, ":window_start"),
                ("public.\"Projéts\"", Table, "public.\"Projéts\""),
                (":window_end", Parameter, ":window_end"),
                ("issues", Table, "issues"),
            ]
        );
        assert_eq!(sql.tables, ["issues", "public.\"Projéts\""]);
        assert_eq!(sql.placeholders, [WINDOW_START, WINDOW_END]);
    }

    #[test]
    fn placeholders_are_listed_once() {
        let file = "sql: SELECT COUNT(*) FROM x WHERE a > :window_start AND a < :window_end AND b > :window_start\n";
        let sql = sql_in(file, &file[5..file.len() - 1]);
        assert_eq!(sql.placeholders, vec![WINDOW_START, WINDOW_END]);
    }

    #[test]
    fn distinct_counts_are_recognised_with_or_without_parentheses() {
        for (query, column) in [
            (
                "SELECT COUNT(DISTINCT author_id) FROM issues",
                Some(vec!["author_id"]),
            ),
            (
                "SELECT count(DISTINCT(i.author_id)) FROM issues i",
                Some(vec!["i", "author_id"]),
            ),
            ("SELECT COUNT(author_id) FROM issues", None),
            ("SELECT COUNT(DISTINCT author_id), 1 FROM issues", None),
        ] {
            let file = format!("sql: {query}\n");
            let sql = sql_in(&file, query);
            let expected = column.map(|c| c.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(sql.distinct_count_of, expected, "{query}");
        }
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let sql = sql_in("sql: SELEC 1\n", "SELEC 1");
        let err = sql.error.unwrap();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains("SELEC"));
    }
}
