//! The `sql:` of a database metric, parsed once (PostgreSQL dialect) in the parse stage so
//! that every SQL and xMAU rule reads the same syntax tree.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Statement, Value as SqlValue, visit_expressions};
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
    pub parsed: Result<Vec<Statement>, SqlError>,
    /// Where the SQL text starts in the file, to turn SQL positions into file positions.
    layout: Layout,
}

/// A syntax error, with its position inside the SQL text (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct SqlError {
    pub message: String,
    pub line: u64,
    pub column: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    /// A block scalar (`sql: |`): SQL line N is file line `first_line + N - 1`, after
    /// `indent` bytes of indentation.
    Block {
        first_line_start: usize,
        indent: usize,
    },
    /// A one-line scalar: SQL column N is at byte `start + N - 1`.
    Inline { start: usize },
}

impl Sql {
    /// Parses `text`; `file_text` is the whole file, to learn how the scalar was written.
    pub fn parse(text: Spanned<String>, file_text: &str) -> Sql {
        let start = text.span.start;
        let quoted = matches!(file_text.as_bytes().get(start), Some(b'"' | b'\''));
        let layout = if !quoted && text.value.contains('\n') {
            let first_line_start = file_text[..start].rfind('\n').map_or(0, |i| i + 1);
            Layout::Block {
                first_line_start,
                indent: start - first_line_start,
            }
        } else {
            Layout::Inline {
                start: start + usize::from(quoted),
            }
        };
        let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &text.value).map_err(|e| {
            let full = e.to_string();
            let message = full
                .strip_prefix("sql parser error: ")
                .unwrap_or(&full)
                .to_owned();
            let (message, line, column) = split_position(&message);
            SqlError {
                message,
                line,
                column,
            }
        });
        Sql {
            text,
            parsed,
            layout,
        }
    }

    /// The file span of a position inside the SQL text (clamped to the SQL's value).
    pub fn span_at(&self, file_text: &str, line: u64, column: u64) -> Span {
        let value = self.text.span;
        let byte = match self.layout {
            Layout::Inline { start } => {
                let line_text = file_text.get(start..value.end).unwrap_or("");
                start + char_offset(line_text, column)
            }
            Layout::Block {
                first_line_start,
                indent,
            } => {
                let mut line_start = first_line_start;
                for _ in 1..line.max(1) {
                    match file_text[line_start..].find('\n') {
                        Some(i) => line_start += i + 1,
                        None => break,
                    }
                }
                let content = (line_start + indent).min(file_text.len());
                let line_end = file_text[content..]
                    .find('\n')
                    .map_or(file_text.len(), |i| content + i);
                content + char_offset(&file_text[content..line_end], column)
            }
        };
        let byte = byte.clamp(value.start, value.end.max(value.start));
        Span::new(value.file, byte..byte)
    }

    /// The file span of an AST node's SQL range.
    pub fn span_of(&self, file_text: &str, start: SqlLocation, end: SqlLocation) -> Span {
        if start.line == 0 {
            return self.text.span;
        }
        let a = self.span_at(file_text, start.line, start.column);
        let b = self.span_at(file_text, end.line, end.column);
        Span::new(a.file, a.start..b.start.max(a.start))
    }

    /// The file span of the first occurrence of `needle` in the SQL as written.
    pub fn find(&self, file_text: &str, needle: &str) -> Option<Span> {
        let value = self.text.span;
        let raw = file_text.get(value.range())?;
        raw.find(needle)
            .map(|i| Span::new(value.file, value.start + i..value.start + i + needle.len()))
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
            Some(Span::new(value.file, value.start + start..value.start + i))
        })
    }

    /// Every placeholder (`:name`, `$1`, `?`) the SQL uses, in order, without repeats.
    pub fn placeholders(&self) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        if let Ok(statements) = &self.parsed {
            let _ = visit_expressions(statements, |expr: &Expr| {
                if let Expr::Value(v) = expr
                    && let SqlValue::Placeholder(p) = &v.value
                    && !found.contains(p)
                {
                    found.push(p.clone());
                }
                ControlFlow::<()>::Continue(())
            });
        }
        found
    }
}

/// The byte offset of 1-based character column `column` in `line`.
fn char_offset(line: &str, column: u64) -> usize {
    let n = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    line.char_indices().nth(n).map_or(line.len(), |(i, _)| i)
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

    fn sql_in(file_text: &str, value: &str, start: usize) -> Sql {
        let span = Span::new(FileId(0), start..start + value.len());
        Sql::parse(Spanned::new(value.to_owned(), span), file_text)
    }

    #[test]
    fn block_scalar_positions_map_to_file_lines() {
        let file = "sql: |\n  SELECT COUNT(*)\n  FROM issues WHER x\n";
        let start = file.find("SELECT").unwrap();
        let sql = sql_in(file, "SELECT COUNT(*)\nFROM issues WHER x\n", start);
        let at = sql.span_at(file, 2, 6);
        assert_eq!(&file[at.start..at.start + 6], "issues");
    }

    #[test]
    fn quoted_scalar_positions_skip_the_quote() {
        let file = "sql: \"SELECT a FROM b\"\n";
        let start = file.find('"').unwrap();
        let sql = sql_in(file, "SELECT a FROM b", start);
        let at = sql.span_at(file, 1, 8);
        assert_eq!(&file[at.start..at.start + 1], "a");
    }

    #[test]
    fn keywords_are_found_across_case_and_line_breaks() {
        let file = "select a from b for\n  update";
        let sql = sql_in(file, file, 0);
        let span = sql.find_keywords(file, "FOR UPDATE").unwrap();
        assert_eq!(&file[span.range()], "for\n  update");
        assert!(sql.find_keywords(file, "FOR SHARE").is_none());
    }

    #[test]
    fn placeholders_are_listed_once() {
        let file = "SELECT COUNT(*) FROM x WHERE a > :window_start AND a < :window_end AND b > :window_start";
        let sql = sql_in(file, file, 0);
        assert_eq!(sql.placeholders(), vec![WINDOW_START, WINDOW_END]);
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let sql = sql_in("SELEC 1", "SELEC 1", 0);
        let err = sql.parsed.unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains("SELEC"));
    }
}
