//! SQL executors: run the definitions' SQL (`sql:` metrics) on the application's database.
//!
//! - [`SqliteExecutor`] (feature `sqlite`): SQLite through `rusqlite`, with SQLite compiled
//!   in (no system library).
//! - [`PostgresExecutor`] (feature `postgres`): PostgreSQL through the blocking `postgres`
//!   client.
//!
//! Both are defense in depth behind the compiler's MC304 (metric SQL is proven read-only):
//! every statement runs in a read-only transaction with a statement time-out
//! ([`ExecutorOptions::statement_timeout`]), the window (`:window_start`, `:window_end`) is
//! bound as parameters, never spliced into the text, and the one value of the one row the
//! query returns becomes the metric's [`Value`]. A `COUNT` over one table can be counted in
//! primary-key batches ([`ExecutorOptions::batch_size`]) so that no single statement runs
//! long. Neither panics: what goes wrong is the metric's error, reported in the ping.
//!
//! See `docs/rust.md`, "SQL executors".

use std::time::Duration;

use crate::ping::MetricContext;
use crate::spec::ValueType;
use crate::time::Timestamp;
use crate::value::{Error, Number, Value};

// Named apart from the `postgres` crate, which this module re-exports.
#[cfg(feature = "postgres")]
#[path = "postgres.rs"]
mod postgres_executor;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use self::postgres_executor::PostgresExecutor;
#[cfg(feature = "sqlite")]
pub use self::sqlite::{SqliteExecutor, SqliteTimestamps};

/// Re-exported: the client the PostgreSQL executor connects with (its `Config`, TLS).
#[cfg(feature = "postgres")]
pub use ::postgres;
/// Re-exported: the SQLite binding, for [`SqliteExecutor::from_connection`].
#[cfg(feature = "sqlite")]
pub use rusqlite;

/// How an executor runs queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutorOptions {
    /// How long one statement may run before the database cancels it (and the metric
    /// fails). Keep it below [`PingOptions::metric_timeout`](crate::PingOptions), so that
    /// the database stops the query rather than the ping abandoning it. Default: 30 s.
    pub statement_timeout: Duration,
    /// Batch counting: `Some(n)` counts a `SELECT COUNT(*) FROM <table> [WHERE ...]` in
    /// ranges of `n` values of [`batch_column`](Self::batch_column) (a `COUNT(DISTINCT c)`
    /// in ranges of `c`), one statement per range, and adds the counts up. `None` (the
    /// default) runs every query as written.
    pub batch_size: Option<u64>,
    /// The integer primary key batch counting ranges over. Default: `id`.
    pub batch_column: String,
    /// How many idle connections an executor keeps for the next queries (PostgreSQL, and
    /// SQLite opened from a path). Default: 4.
    pub idle_connections: usize,
}

impl Default for ExecutorOptions {
    fn default() -> ExecutorOptions {
        ExecutorOptions {
            statement_timeout: Duration::from_secs(30),
            batch_size: None,
            batch_column: "id".to_owned(),
            idle_connections: 4,
        }
    }
}

impl ExecutorOptions {
    /// The statement time-out in whole milliseconds, at least 1 (0 would mean none).
    pub(crate) fn timeout_ms(&self) -> u64 {
        u64::try_from(self.statement_timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// A value bound to a named parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Param {
    /// A window bound.
    Time(Timestamp),
    /// A batch bound.
    Integer(i64),
}

/// One value of a result row, as the database gave it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code))] // SQLite has no booleans or JSON
pub(crate) enum Cell {
    Null,
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Text(String),
    Json(serde_json::Value),
}

/// Runs statements on one connection for one query.
pub(crate) trait Session {
    /// Runs one statement in its own read-only transaction, under the statement time-out,
    /// with `params` bound by name, and returns its one row.
    fn row(&mut self, sql: &str, params: &[(&str, Param)]) -> Result<Vec<Cell>, Error>;
}

/// The batch parameters' names.
const BATCH_START: &str = ":metricc_batch_start";
const BATCH_END: &str = ":metricc_batch_end";

/// Runs a metric's query on `session`: batch-counted when the options ask for it and the
/// query has a shape that can be, as one statement otherwise.
pub(crate) fn run(
    session: &mut dyn Session,
    options: &ExecutorOptions,
    context: &MetricContext,
    sql: &str,
    parameters: &[(&str, Timestamp)],
) -> Result<Value, Error> {
    let params: Vec<(&str, Param)> = parameters
        .iter()
        .map(|(name, at)| (*name, Param::Time(*at)))
        .collect();
    if let Some(size) = options.batch_size {
        if let Some(shape) = CountShape::of(sql) {
            if let Some(count) = batch_count(session, &shape, size, &options.batch_column, &params)?
            {
                return Ok(Value::Number(Number::Integer(count)));
            }
        }
    }
    let row = session.row(sql, &params)?;
    let [cell] = <[Cell; 1]>::try_from(row).map_err(|row| {
        format!(
            "the query returned {} columns; a metric's query returns one",
            row.len()
        )
    })?;
    value(cell, context.metric.value_type)
}

/// Counts in batches: `None` when the batch column's bounds are not integers (the query then
/// runs as one statement).
fn batch_count(
    session: &mut dyn Session,
    shape: &CountShape<'_>,
    size: u64,
    primary_key: &str,
    params: &[(&str, Param)],
) -> Result<Option<i64>, Error> {
    let column = shape.distinct.unwrap_or(primary_key);
    if !is_identifier(column) {
        return Ok(None);
    }
    let bounds = match session.row(&shape.bounds(column), &[]) {
        Ok(bounds) => bounds,
        Err(e) => {
            log::warn!("metricc: no batch bounds ({e}); counting in one statement");
            return Ok(None);
        }
    };
    let (low, high) = match bounds.as_slice() {
        [Cell::Integer(low), Cell::Integer(high)] => (*low, *high),
        // An empty table (or no value of the distinct column).
        [Cell::Null, Cell::Null] => return Ok(Some(0)),
        _ => return Ok(None),
    };
    let batched = shape.batched(column);
    let size = i64::try_from(size.max(1)).unwrap_or(i64::MAX);
    let mut total: i64 = 0;
    let mut start = low;
    loop {
        let last = start.saturating_add(size - 1).min(high);
        let mut bound = params.to_vec();
        bound.push((BATCH_START, Param::Integer(start)));
        bound.push((BATCH_END, Param::Integer(last)));
        let row = session.row(&batched, &bound)?;
        match row.as_slice() {
            [Cell::Integer(n)] => total = total.saturating_add(*n),
            other => return Err(format!("a batch's count returned {other:?}").into()),
        }
        if last >= high {
            return Ok(Some(total));
        }
        start = last + 1;
    }
}

/// The metric's value from the one cell its query returned: integers, floats and numerics
/// are numbers, booleans are booleans (an integer 0 or 1 too, for a boolean metric: SQLite
/// keeps booleans so), text is a string (JSON text, for an object metric), JSON is the
/// value it holds. NULL is an error: the metric falls back to `-1`.
pub(crate) fn value(cell: Cell, value_type: ValueType) -> Result<Value, Error> {
    Ok(match (cell, value_type) {
        (Cell::Null, _) => return Err("the query returned NULL".into()),
        (Cell::Integer(i @ (0 | 1)), ValueType::Boolean) => Value::Boolean(i == 1),
        (Cell::Integer(i), _) => Value::Number(Number::Integer(i)),
        (Cell::Float(x), _) => Value::Number(Number::Float(x)),
        (Cell::Boolean(b), _) => Value::Boolean(b),
        (Cell::Text(text), ValueType::Object) => Value::Object(
            serde_json::from_str(&text)
                .map_err(|e| format!("the query returned text that is not JSON: {e}"))?,
        ),
        (Cell::Text(text), _) => Value::String(text),
        (Cell::Json(json), ValueType::Object) => Value::Object(json),
        (Cell::Json(json), _) => Value::from(json),
    })
}

/// `YYYY-MM-DD HH:MM:SS`, UTC: how SQLite's date functions write times.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn sql_timestamp(at: Timestamp) -> String {
    let text = at.to_string();
    text.trim_end_matches('Z').replacen('T', " ", 1)
}

/// Whether `name` is a plain identifier (what batch counting writes into SQL unquoted).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

// --- Tokens ------------------------------------------------------------------------------

/// What a token of SQL text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A keyword or unquoted identifier.
    Word,
    /// `"..."`
    QuotedIdentifier,
    /// `'...'`, `E'...'`, `$tag$...$tag$`
    String,
    Number,
    /// `:name`
    Parameter,
    /// `::`
    Cast,
    /// `$1`
    Positional,
    /// Any other character.
    Punctuation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// The tokens of PostgreSQL-dialect SQL, without whitespace and comments. Errors on an
/// unterminated string, quoted identifier or comment.
pub(crate) fn tokens(sql: &str) -> Result<Vec<Token>, Error> {
    let bytes = sql.as_bytes();
    let word_start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80;
    let word_char = |b: u8| word_start(b) || b.is_ascii_digit() || b == b'$';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Comments nest in PostgreSQL.
                let mut depth = 0usize;
                loop {
                    match (bytes.get(i), bytes.get(i + 1)) {
                        (Some(b'/'), Some(b'*')) => {
                            depth += 1;
                            i += 2;
                        }
                        (Some(b'*'), Some(b'/')) => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        (Some(_), _) => i += 1,
                        (None, _) => return Err("the SQL has an unterminated comment".into()),
                    }
                }
                continue;
            }
            b'\'' => {
                i = quoted(bytes, i, b'\'', false)?;
                Kind::String
            }
            b'"' => {
                i = quoted(bytes, i, b'"', false)?;
                Kind::QuotedIdentifier
            }
            b'e' | b'E' if bytes.get(i + 1) == Some(&b'\'') => {
                i = quoted(bytes, i + 1, b'\'', true)?;
                Kind::String
            }
            b'$' if bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()) => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                Kind::Positional
            }
            b'$' => {
                // A dollar-quoted string: `$$...$$` or `$tag$...$tag$`.
                let mut j = i + 1;
                while j < bytes.len() && word_char(bytes[j]) && bytes[j] != b'$' {
                    j += 1;
                }
                if bytes.get(j) != Some(&b'$') {
                    i += 1;
                    out.push(Token {
                        kind: Kind::Punctuation,
                        start,
                        end: i,
                    });
                    continue;
                }
                let tag = &sql[i..=j];
                match sql[j + 1..].find(tag) {
                    Some(at) => i = j + 1 + at + tag.len(),
                    None => return Err("the SQL has an unterminated $-quoted string".into()),
                }
                Kind::String
            }
            b':' if bytes.get(i + 1) == Some(&b':') => {
                i += 2;
                Kind::Cast
            }
            b':' if bytes.get(i + 1).is_some_and(|b| word_start(*b)) => {
                i += 1;
                while i < bytes.len() && word_char(bytes[i]) && bytes[i] != b'$' {
                    i += 1;
                }
                Kind::Parameter
            }
            _ if word_start(b) => {
                while i < bytes.len() && word_char(bytes[i]) {
                    i += 1;
                }
                Kind::Word
            }
            _ if b.is_ascii_digit() => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Kind::Number
            }
            _ => {
                // One character (whole, when it is not ASCII).
                i += sql[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Punctuation
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    Ok(out)
}

/// The end of the quoted text that opens at `open`: a doubled quote is one quote; with
/// `backslash`, a backslash escapes the next character.
fn quoted(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> Result<usize, Error> {
    let mut i = open + 1;
    loop {
        match bytes.get(i) {
            None => return Err("the SQL has an unterminated quoted string or identifier".into()),
            Some(b'\\') if backslash => i += 2,
            Some(b) if *b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Ok(i + 1);
                }
            }
            Some(_) => i += 1,
        }
    }
}

/// PostgreSQL's placeholders for named parameters: every `:name` of `names` becomes `$k`,
/// `k` its place among the names the text uses (a name used twice is one placeholder).
/// Returns the text and the names in placeholder order. Strings, quoted identifiers,
/// comments and `::` casts are left as they are, and so is a `:name` not in `names`.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn positional<'n>(
    sql: &str,
    names: &[&'n str],
) -> Result<(String, Vec<&'n str>), Error> {
    let mut text = String::with_capacity(sql.len());
    let mut order: Vec<&'n str> = Vec::new();
    let mut copied = 0;
    for token in tokens(sql)? {
        if token.kind != Kind::Parameter {
            continue;
        }
        let Some(name) = names.iter().find(|n| **n == &sql[token.start..token.end]) else {
            continue;
        };
        let k = match order.iter().position(|n| n == name) {
            Some(k) => k + 1,
            None => {
                order.push(name);
                order.len()
            }
        };
        text.push_str(&sql[copied..token.start]);
        text.push('$');
        text.push_str(&k.to_string());
        copied = token.end;
    }
    text.push_str(&sql[copied..]);
    Ok((text, order))
}

/// A query batch counting can rewrite: `SELECT COUNT(*) FROM <table> [WHERE <condition>]`
/// or `SELECT COUNT(DISTINCT <column>) FROM ...`, with one table (no join, alias, group,
/// order, limit, set operation or subquery), and an optional final `;`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CountShape<'a> {
    /// `SELECT COUNT(...) FROM <table>`, as written.
    head: &'a str,
    /// The table, as written (`name` or `schema.name`).
    table: &'a str,
    /// The condition after `WHERE`, as written.
    condition: Option<&'a str>,
    /// The column of a `COUNT(DISTINCT column)`.
    distinct: Option<&'a str>,
}

impl<'a> CountShape<'a> {
    pub(crate) fn of(sql: &'a str) -> Option<CountShape<'a>> {
        let mut tokens = tokens(sql).ok()?;
        while tokens
            .last()
            .is_some_and(|t| t.kind == Kind::Punctuation && &sql[t.start..t.end] == ";")
        {
            tokens.pop();
        }
        let text = |t: &Token| &sql[t.start..t.end];
        let is = |t: Option<&Token>, kind: Kind, word: &str| {
            t.is_some_and(|t| t.kind == kind && text(t).eq_ignore_ascii_case(word))
        };
        let word = |t: Option<&Token>, w: &str| is(t, Kind::Word, w);
        let punct = |t: Option<&Token>, p: &str| is(t, Kind::Punctuation, p);
        let mut at = 0;
        let next = |at: &mut usize| {
            *at += 1;
            tokens.get(*at - 1)
        };
        if !word(next(&mut at), "SELECT")
            || !word(next(&mut at), "COUNT")
            || !punct(next(&mut at), "(")
        {
            return None;
        }
        let mut distinct = None;
        let t = next(&mut at);
        if punct(t, "*") {
        } else if word(t, "DISTINCT") {
            let column = next(&mut at).filter(|t| t.kind == Kind::Word)?;
            distinct = Some(text(column));
        } else {
            return None;
        }
        if !punct(next(&mut at), ")") || !word(next(&mut at), "FROM") {
            return None;
        }
        let first = next(&mut at).filter(|t| t.kind == Kind::Word)?;
        let mut last = first;
        if punct(tokens.get(at), ".") {
            at += 1;
            last = next(&mut at).filter(|t| t.kind == Kind::Word)?;
        }
        let head = &sql[..last.end];
        let table = &sql[first.start..last.end];
        let condition = match tokens.get(at) {
            None => None,
            Some(t) if word(Some(t), "WHERE") && at + 1 < tokens.len() => {
                const NOT_IN_A_CONDITION: &[&str] = &[
                    "SELECT",
                    "FROM",
                    "JOIN",
                    "GROUP",
                    "HAVING",
                    "ORDER",
                    "LIMIT",
                    "OFFSET",
                    "FETCH",
                    "UNION",
                    "INTERSECT",
                    "EXCEPT",
                    "WINDOW",
                    "FOR",
                    "WITH",
                    "RETURNING",
                    "INTO",
                ];
                let rest = &tokens[at + 1..];
                if rest.iter().any(|t| {
                    (t.kind == Kind::Word
                        && NOT_IN_A_CONDITION
                            .iter()
                            .any(|k| text(t).eq_ignore_ascii_case(k)))
                        || (t.kind == Kind::Punctuation && text(t) == ";")
                }) {
                    return None;
                }
                let end = rest.last().map_or(t.end, |t| t.end);
                Some(&sql[rest[0].start..end])
            }
            Some(_) => return None,
        };
        Some(CountShape {
            head,
            table,
            condition,
            distinct,
        })
    }

    /// The statement that finds the range to count over.
    fn bounds(&self, column: &str) -> String {
        format!("SELECT MIN({column}), MAX({column}) FROM {}", self.table)
    }

    /// The statement that counts one batch: the query, restricted to
    /// `column BETWEEN :metricc_batch_start AND :metricc_batch_end`. The condition is kept
    /// on lines of its own, so that a `--` comment ending it ends there.
    fn batched(&self, column: &str) -> String {
        let range = format!("{column} >= {BATCH_START} AND {column} <= {BATCH_END}");
        match self.condition {
            Some(condition) => format!("{} WHERE (\n{condition}\n) AND {range}", self.head),
            None => format!("{} WHERE {range}", self.head),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const NAMES: &[&str] = &[":window_start", ":window_end"];

    #[test]
    fn named_parameters_become_positional_outside_strings_comments_and_casts() {
        let sql = "SELECT COUNT(*) -- :window_start in a comment\n\
                   FROM t /* :window_end /* nested :window_end */ */\n\
                   WHERE a >= :window_start AND b < :window_end AND c::text <> ':window_start'\n\
                   AND \":window_end\" = E'\\':window_end' AND d = $$ :window_start $$\n\
                   AND e >= :window_start AND f = :other AND g = $tag$:window_end$tag$";
        let (text, order) = positional(sql, NAMES).unwrap();
        assert_eq!(order, [":window_start", ":window_end"]);
        assert_eq!(
            text,
            "SELECT COUNT(*) -- :window_start in a comment\n\
             FROM t /* :window_end /* nested :window_end */ */\n\
             WHERE a >= $1 AND b < $2 AND c::text <> ':window_start'\n\
             AND \":window_end\" = E'\\':window_end' AND d = $$ :window_start $$\n\
             AND e >= $1 AND f = :other AND g = $tag$:window_end$tag$"
        );
        // The order is the text's, whatever the order of the names.
        let (text, order) = positional("SELECT :window_end, :window_start", NAMES).unwrap();
        assert_eq!(
            (text.as_str(), order),
            ("SELECT $1, $2", vec![":window_end", ":window_start"])
        );
        // A parameter with a cast.
        let (text, _) = positional("WHERE d >= :window_start::date", NAMES).unwrap();
        assert_eq!(text, "WHERE d >= $1::date");
        // A string with a doubled quote, and unterminated text.
        let (text, _) = positional("SELECT 'it''s :window_end', :window_end", NAMES).unwrap();
        assert_eq!(text, "SELECT 'it''s :window_end', $1");
        for bad in [
            "SELECT 'open",
            "SELECT \"open",
            "SELECT /* open",
            "SELECT $x$ open",
        ] {
            assert!(positional(bad, NAMES).is_err(), "{bad}");
        }
    }

    /// Each token of `sql` as its kind and text.
    fn tokens_of(sql: &str) -> Vec<(Kind, &str)> {
        tokens(sql)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, &sql[t.start..t.end]))
            .collect()
    }

    #[test]
    fn tokens_are_postgresql_s() {
        use Kind::*;
        assert_eq!(
            tokens_of("/* a /* b */ :c */ x -- y\n:window_end::date"),
            [
                (Word, "x"),
                (Parameter, ":window_end"),
                (Cast, "::"),
                (Word, "date")
            ]
        );
        assert_eq!(
            tokens_of("E'it\\'s :x' e'' \"a\"\"b\" 'c''d'"),
            [
                (String, "E'it\\'s :x'"),
                (String, "e''"),
                (QuotedIdentifier, "\"a\"\"b\""),
                (String, "'c''d'"),
            ]
        );
        assert_eq!(
            tokens_of("$12 $$ :x $$ $tag$ $ :y $tag$ $ $x 1.5e3 é;"),
            [
                (Positional, "$12"),
                (String, "$$ :x $$"),
                (String, "$tag$ $ :y $tag$"),
                (Punctuation, "$"),
                (Punctuation, "$"),
                (Word, "x"),
                (Number, "1.5e3"),
                (Word, "é"),
                (Punctuation, ";"),
            ]
        );
        assert_eq!(
            tokens_of("a$1:b$c"),
            [
                (Word, "a$1"),
                (Parameter, ":b"),
                (Punctuation, "$"),
                (Word, "c")
            ]
        );
        assert_eq!(tokens_of("$1"), [(Positional, "$1")]);
        assert_eq!(tokens_of("x $"), [(Word, "x"), (Punctuation, "$")]);
    }

    #[test]
    fn batch_counting_rewrites_only_one_table_counts() {
        let shape =
            CountShape::of("SELECT COUNT(*)\nFROM issues\nWHERE issue_type = 'issue'\n").unwrap();
        assert_eq!(shape.table, "issues");
        assert_eq!(shape.condition, Some("issue_type = 'issue'"));
        assert_eq!(
            shape.batched("id"),
            "SELECT COUNT(*)\nFROM issues WHERE (\nissue_type = 'issue'\n) AND \
             id >= :metricc_batch_start AND id <= :metricc_batch_end"
        );
        assert_eq!(shape.bounds("id"), "SELECT MIN(id), MAX(id) FROM issues");
        let shape =
            CountShape::of("select count(distinct user_id) from public.ci_pipelines;").unwrap();
        assert_eq!(
            (shape.table, shape.distinct, shape.condition),
            ("public.ci_pipelines", Some("user_id"), None)
        );
        assert_eq!(
            shape.batched("user_id"),
            "select count(distinct user_id) from public.ci_pipelines WHERE \
             user_id >= :metricc_batch_start AND user_id <= :metricc_batch_end"
        );
        // A comment ending the condition stays on its line.
        let shape = CountShape::of("SELECT COUNT(*) FROM t WHERE a = 1 -- why").unwrap();
        assert_eq!(shape.condition, Some("a = 1"));
        for other in [
            "SELECT COUNT(*) FROM a JOIN b ON a.id = b.a_id",
            "SELECT COUNT(*) FROM a, b",
            "SELECT COUNT(*) FROM a x",
            "SELECT COUNT(*) FROM a WHERE id IN (SELECT a_id FROM b)",
            "SELECT COUNT(*) FROM a GROUP BY b",
            "SELECT COUNT(*) FROM a WHERE b = 1 LIMIT 1",
            "SELECT COUNT(*) FROM a UNION SELECT 1",
            "SELECT COUNT(id) FROM a",
            "SELECT COUNT(*) + 1 FROM a",
            "SELECT COUNT(*) FILTER (WHERE b) FROM a",
            "SELECT COUNT(DISTINCT a.b) FROM a",
            "WITH x AS (SELECT 1) SELECT COUNT(*) FROM x",
            "SELECT COUNT(*) FROM \"Quoted\"",
            "SELECT COUNT(*) FROM a WHERE",
            "SELECT COUNT(*) FROM a; DELETE FROM a",
            "SELECT signup_enabled FROM application_settings ORDER BY id DESC LIMIT 1",
        ] {
            assert_eq!(CountShape::of(other), None, "{other}");
        }
    }

    #[test]
    fn cells_become_the_metrics_values() {
        assert_eq!(
            value(Cell::Integer(1), ValueType::Boolean).unwrap(),
            Value::Boolean(true)
        );
        assert_eq!(
            value(Cell::Integer(1), ValueType::Number).unwrap(),
            Value::Number(Number::Integer(1))
        );
        assert_eq!(
            value(Cell::Text("{\"a\":1}".into()), ValueType::Object).unwrap(),
            Value::Object(serde_json::json!({"a": 1}))
        );
        assert!(value(Cell::Text("{".into()), ValueType::Object).is_err());
        assert!(value(Cell::Null, ValueType::Number).is_err());
        assert_eq!(
            sql_timestamp(Timestamp::from_utc(2025, 3, 4, 5, 6, 7)),
            "2025-03-04 05:06:07"
        );
    }
}
