//! A fast reader for the YAML definition files are written in: block mappings with plain
//! keys, block sequences, plain scalars over one or more lines, one-line quoted scalars,
//! one-line flow sequences of scalars, literal block scalars (`|`, `|-`, `|+`), empty values
//! and comments. It builds the [`Node`] tree in one pass over the bytes, without the token
//! and event streams of `saphyr-parser`, which took a third of the time of a check.
//!
//! It only answers for text it is sure of. Anything else — anchors, aliases, tags, flow
//! mappings, multi-line quoted scalars, escapes, folded scalars, tabs, carriage returns,
//! several documents, a byte order mark, a line it does not expect — makes it decline, and
//! [`super::parse`] reads the file with saphyr, which also finds and describes every syntax
//! error. Where it answers, its tree, spans and problems are saphyr's: the tests compare both
//! readers on every definition file of the repository, on each construct and on thousands of
//! edited variants of the files; `tests/tests/gitlab_corpus.rs` on GitLab's own files; the
//! `yaml` fuzz target on arbitrary input.

use std::collections::HashMap;
use std::ops::Range;

use super::{Entry, MAX_NODES, Node, Parsed, Problem, Value, add_entry, resolve_plain};

/// Nesting the fast reader follows; deeper files go to saphyr, which enforces the limit.
const MAX_BLOCK_DEPTH: usize = 32;

/// The reader declines the text: saphyr reads it instead.
struct Decline;

type Read<T> = Result<T, Decline>;

/// Reads `text` when it keeps to the subset; `None` when saphyr must read it.
pub fn read(text: &str) -> Option<Parsed> {
    if !ordinary_characters(text) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        indent: None,
        nodes: 0,
        depth: 0,
        problems: Vec::new(),
    };
    let root = reader.document().ok()?;
    Some(Parsed {
        root: Some(root),
        problems: reader.problems,
    })
}

/// No control character but the line feed (no tab, no carriage return), and no byte order
/// mark, which saphyr rejects inside a document. (Other characters YAML 1.1 treated
/// specially, such as U+0085 and U+2028, are ordinary characters to saphyr.)
fn ordinary_characters(text: &str) -> bool {
    // A fold without early exit, which the compiler turns into vector instructions.
    let controls = text.bytes().fold(false, |found, b| {
        found | ((b < 0x20 && b != b'\n') | (b == 0x7F))
    });
    !controls && !text.contains('\u{feff}')
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Where reading is: after [`Reader::next_line`], the first character of a line.
    pos: usize,
    /// The indentation of the line `pos` is on, once [`Reader::next_line`] found it; `None`
    /// at the end of the text.
    indent: Option<usize>,
    nodes: usize,
    depth: usize,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn document(&mut self) -> Read<Node> {
        let mut indent = self.next_line().ok_or(Decline)?;
        if indent == 0 && self.bytes[self.pos..].starts_with(b"---") {
            self.pos += 3;
            if !matches!(self.peek(), None | Some(b' ' | b'\n')) {
                return Err(Decline);
            }
            self.end_of_line()?;
            indent = self.next_line().ok_or(Decline)?;
        }
        if indent != 0 {
            return Err(Decline);
        }
        let root = self.block(0, false)?;
        if self.indent.is_some() {
            return Err(Decline);
        }
        Ok(root)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// Moves to the first character of the next line that is neither blank nor a comment,
    /// from the start of a line; its indentation, or `None` at the end of the text.
    fn next_line(&mut self) -> Option<usize> {
        loop {
            let start = self.pos;
            self.skip_spaces();
            match self.peek() {
                None => {
                    self.indent = None;
                    return None;
                }
                Some(b'\n') => self.pos += 1,
                Some(b'#') => self.skip_line(),
                Some(_) => {
                    self.indent = Some(self.pos - start);
                    return self.indent;
                }
            }
        }
    }

    /// Moves past the end of the current line.
    fn skip_line(&mut self) {
        self.pos = match memchr_newline(&self.bytes[self.pos..]) {
            Some(i) => self.pos + i + 1,
            None => self.bytes.len(),
        };
    }

    /// After a value: spaces, then a comment (after at least one space) or the line's end;
    /// moves to the next line.
    fn end_of_line(&mut self) -> Read<()> {
        let start = self.pos;
        self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'#') if self.pos > start => {
                self.skip_line();
                Ok(())
            }
            Some(_) => Err(Decline),
        }
    }

    /// Counts one more node against [`MAX_NODES`]; past it, saphyr's reading reports it.
    fn count(&mut self) -> Read<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Decline);
        }
        Ok(())
    }

    /// A block mapping or sequence whose first character is at `pos`, in column `col`.
    fn block(&mut self, col: usize, indentless: bool) -> Read<Node> {
        self.depth += 1;
        if self.depth > MAX_BLOCK_DEPTH {
            return Err(Decline);
        }
        let node = if self.at_dash() {
            self.sequence(col, indentless)
        } else if self.key_end().is_some() {
            self.mapping(col)
        } else {
            Err(Decline)
        }?;
        self.depth -= 1;
        Ok(node)
    }

    /// At `- `: an entry of a block sequence.
    fn at_dash(&self) -> bool {
        self.peek() == Some(b'-') && matches!(self.byte_at(self.pos + 1), Some(b' ' | b'\n') | None)
    }

    /// The end of a plain mapping key at `pos` (where its `:` is), if one is there.
    fn key_end(&self) -> Option<usize> {
        let bytes = &self.bytes[self.pos..];
        if !bytes.first()?.is_ascii_alphanumeric() && bytes[0] != b'_' {
            return None;
        }
        let len = bytes
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')))?;
        (bytes[len] == b':' && matches!(bytes.get(len + 1), None | Some(b' ' | b'\n')))
            .then_some(self.pos + len)
    }

    fn mapping(&mut self, col: usize) -> Read<Node> {
        let start = self.pos;
        let mut entries: Vec<Entry> = Vec::new();
        let mut index = HashMap::new();
        let mut firsts = HashMap::new();
        loop {
            let key_end = self.key_end().ok_or(Decline)?;
            let key_span = self.pos..key_end;
            self.count()?;
            self.pos = key_end + 1;
            let value = self.value(col, key_end)?;
            let entry = Entry {
                key: self.text[key_span.clone()].to_owned(),
                key_span,
                value,
            };
            if let Some(problem) = add_entry(&mut entries, &mut index, &mut firsts, entry) {
                self.problems.push(problem);
            }
            match self.indent {
                Some(indent) if indent == col => {}
                Some(indent) if indent < col => break,
                None => break,
                Some(_) => return Err(Decline),
            }
        }
        let end = entries
            .iter()
            .map(|e| e.value.span.end)
            .max()
            .unwrap_or(start);
        self.node(Value::Map(entries), start..end)
    }

    /// A block sequence in column `col`; `indentless` when it is the value of a mapping
    /// entry in the same column.
    fn sequence(&mut self, col: usize, indentless: bool) -> Read<Node> {
        let dash = self.pos;
        let mut items = Vec::new();
        loop {
            // Every `-` of the sequence is in column `col`.
            let item_dash = self.pos;
            if self.byte_at(self.pos + 1) != Some(b' ') {
                return Err(Decline);
            }
            self.pos += 1;
            self.skip_spaces();
            let item_col = col + (self.pos - item_dash);
            let item = match self.peek() {
                None | Some(b'\n' | b'#' | b'|') => return Err(Decline),
                Some(_) if self.at_dash() => return Err(Decline),
                Some(_) if self.key_end().is_some() => self.block(item_col, false)?,
                Some(_) => {
                    let node = self.inline()?;
                    self.end_of_line()?;
                    self.next_line();
                    node
                }
            };
            items.push(item);
            match self.indent {
                Some(indent) if indent == col && self.at_dash() => {}
                Some(indent) if indent <= col => break,
                None => break,
                Some(_) => return Err(Decline),
            }
        }
        // saphyr starts an indentless sequence at its first item, others at their first `-`.
        let span = match (items.first(), items.last()) {
            (Some(first), Some(last)) if indentless => first.span.start..last.span.end,
            (Some(_), Some(last)) => dash..last.span.end,
            _ => return Err(Decline),
        };
        self.node(Value::Seq(items), span)
    }

    /// The value of a mapping entry in column `col`, after its key's `:` (at `colon`); moves
    /// to the next line.
    fn value(&mut self, col: usize, colon: usize) -> Read<Node> {
        self.skip_spaces();
        match self.peek() {
            None | Some(b'\n' | b'#') => {
                self.skip_line();
                match self.next_line() {
                    Some(indent) if indent > col => self.block(indent, false),
                    Some(indent) if indent == col && self.at_dash() => self.block(indent, true),
                    // Nothing is written: null, which saphyr places at the colon.
                    _ => self.node(Value::Null, colon..colon),
                }
            }
            Some(b'|') => self.literal(col),
            Some(b) if starts_plain(b, self.byte_at(self.pos + 1)) => self.plain_lines(col),
            Some(_) => {
                let node = self.inline()?;
                self.end_of_line()?;
                self.next_line();
                Ok(node)
            }
        }
    }

    /// A plain scalar that may go on over the following lines indented deeper than `col`
    /// (folded into one line, as YAML does); moves to the next line.
    fn plain_lines(&mut self, col: usize) -> Read<Node> {
        let start = self.pos;
        let (mut end, mut commented) = self.plain_line()?;
        let mut folded: Option<String> = None;
        loop {
            self.end_of_line()?;
            if commented {
                break;
            }
            let line = self.pos;
            let spaces = self.bytes[line..]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            match self.byte_at(line + spaces) {
                // A line deeper than `col` goes on with the scalar (whatever it starts with;
                // `: ` in it is still declined), unless it is a comment.
                Some(b) if spaces > col && b != b'#' && b != b'\n' => {
                    self.pos = line + spaces;
                    let from = self.pos;
                    let value = folded.get_or_insert_with(|| self.text[start..end].to_owned());
                    (end, commented) = self.plain_line()?;
                    value.push(' ');
                    value.push_str(&self.text[from..end]);
                }
                _ => break,
            }
        }
        self.next_line();
        match folded {
            Some(text) => {
                let value = resolve_plain(&text).unwrap_or(Value::Str(text));
                self.node(value, start..end)
            }
            None => self.plain_node(start..end),
        }
    }

    /// A value on one line: a flow sequence, a quoted or a plain scalar.
    fn inline(&mut self) -> Read<Node> {
        match self.peek() {
            Some(b'[') => self.flow_sequence(),
            Some(b'\'') => self.single_quoted(),
            Some(b'"') => self.double_quoted(),
            Some(b) if starts_plain(b, self.byte_at(self.pos + 1)) => self.plain(),
            _ => Err(Decline),
        }
    }

    /// A plain scalar in block context, ending at the line's end or a comment.
    fn plain(&mut self) -> Read<Node> {
        let start = self.pos;
        let (end, _) = self.plain_line()?;
        self.plain_node(start..end)
    }

    /// The rest of a line of a plain scalar: where its text ends (`pos` is left there), and
    /// whether a comment follows.
    fn plain_line(&mut self) -> Read<(usize, bool)> {
        let mut end = self.pos;
        let mut commented = false;
        while let Some(b) = self.peek() {
            match b {
                b'\n' => break,
                b'#' if self.bytes[self.pos - 1] == b' ' => {
                    commented = true;
                    break;
                }
                b':' if matches!(self.byte_at(self.pos + 1), None | Some(b' ' | b'\n')) => {
                    return Err(Decline);
                }
                b' ' => {}
                _ => end = self.pos + 1,
            }
            self.pos += 1;
        }
        self.pos = end;
        Ok((end, commented))
    }

    fn plain_node(&mut self, span: Range<usize>) -> Read<Node> {
        let text = &self.text[span.clone()];
        let value = resolve_plain(text).unwrap_or_else(|| Value::Str(text.to_owned()));
        self.node(value, span)
    }

    /// `'...'` on one line; `''` is a quote.
    fn single_quoted(&mut self) -> Read<Node> {
        let start = self.pos;
        let mut value = String::new();
        let mut from = start + 1;
        let mut i = from;
        loop {
            match self.byte_at(i) {
                None | Some(b'\n') => return Err(Decline),
                Some(b'\'') if self.byte_at(i + 1) == Some(b'\'') => {
                    value.push_str(&self.text[from..=i]);
                    i += 2;
                    from = i;
                }
                Some(b'\'') => break,
                Some(_) => i += 1,
            }
        }
        value.push_str(&self.text[from..i]);
        self.pos = i + 1;
        self.node(Value::Str(value), start..self.quoted_end())
    }

    /// `"..."` on one line, without escapes.
    fn double_quoted(&mut self) -> Read<Node> {
        let start = self.pos;
        let len = self.bytes[start + 1..]
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | b'\n'))
            .ok_or(Decline)?;
        let close = start + 1 + len;
        if self.bytes[close] != b'"' {
            return Err(Decline);
        }
        self.pos = close + 1;
        let value = Value::Str(self.text[start + 1..close].to_owned());
        self.node(value, start..self.quoted_end())
    }

    /// `[a, 'b', c]` on one line, of scalars only.
    fn flow_sequence(&mut self) -> Read<Node> {
        self.depth += 1;
        if self.depth > MAX_BLOCK_DEPTH {
            return Err(Decline);
        }
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_spaces();
        if self.peek() != Some(b']') {
            loop {
                let item = match self.peek() {
                    Some(b'\'') => self.single_quoted()?,
                    Some(b'"') => self.double_quoted()?,
                    Some(b) if starts_plain(b, self.byte_at(self.pos + 1)) => self.flow_plain()?,
                    _ => return Err(Decline),
                };
                items.push(item);
                self.skip_spaces();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_spaces();
                    }
                    Some(b']') => break,
                    _ => return Err(Decline),
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        self.node(Value::Seq(items), start..self.pos)
    }

    /// Where saphyr ends a quoted scalar that closed at `pos`: past the spaces after it and
    /// a comment after them, up to the line's end.
    fn quoted_end(&self) -> usize {
        let mut end = self.pos;
        while self.byte_at(end) == Some(b' ') {
            end += 1;
        }
        if end > self.pos && self.byte_at(end) == Some(b'#') {
            end += memchr_newline(&self.bytes[end..]).unwrap_or(self.bytes.len() - end);
        }
        end
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// A plain scalar inside a flow sequence: up to `,` or `]`.
    fn flow_plain(&mut self) -> Read<Node> {
        let start = self.pos;
        let mut end = start;
        while let Some(b) = self.peek() {
            match b {
                b',' | b']' => break,
                b'\n' | b'[' | b'{' | b'}' | b':' | b'#' | b'"' | b'\'' => return Err(Decline),
                b' ' => {}
                _ => end = self.pos + 1,
            }
            self.pos += 1;
        }
        self.plain_node(start..end)
    }

    /// A literal block scalar (`|`, `|-`, `|+`) as the value of an entry of the mapping in
    /// column `col`; moves to the next line after it.
    fn literal(&mut self, col: usize) -> Read<Node> {
        self.pos += 1;
        let chomp = match self.peek() {
            Some(b'-') => Chomp::Strip,
            Some(b'+') => Chomp::Keep,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            self.pos += 1;
        }
        if !matches!(self.peek(), Some(b' ' | b'\n')) {
            return Err(Decline);
        }
        self.end_of_line()?;
        // The first line sets the indentation of the content.
        let first = self.pos;
        let indent = self.bytes[first..]
            .iter()
            .take_while(|&&b| b == b' ')
            .count();
        if indent <= col || matches!(self.byte_at(first + indent), None | Some(b'\n')) {
            return Err(Decline);
        }
        let content = first + indent;
        let mut value = String::new();
        let mut last_content_end = first;
        loop {
            let line = self.pos;
            let spaces = self.bytes[line..]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            let eol = memchr_newline(&self.bytes[line..]).map(|i| line + i);
            match self.byte_at(line + spaces) {
                // The text ends: the last line must have its line break.
                None if spaces == 0 => break,
                None => return Err(Decline),
                Some(b'\n') if spaces > indent => return Err(Decline),
                Some(b'\n') => value.push('\n'),
                Some(_) if spaces < indent => break,
                Some(_) => {
                    let eol = eol.ok_or(Decline)?;
                    value.push_str(&self.text[line + indent..eol]);
                    value.push('\n');
                    last_content_end = eol;
                }
            }
            self.pos = eol.map_or(self.bytes.len(), |e| e + 1);
        }
        match chomp {
            Chomp::Keep => {}
            Chomp::Clip => value.truncate(value.trim_end_matches('\n').len() + 1),
            Chomp::Strip => value.truncate(value.trim_end_matches('\n').len()),
        }
        let mut end = last_content_end;
        while end > content && self.bytes[end - 1] == b' ' {
            end -= 1;
        }
        self.next_line();
        // saphyr starts a block scalar at its content.
        self.node(Value::Str(value), content..end)
    }

    fn node(&mut self, value: Value, span: Range<usize>) -> Read<Node> {
        self.count()?;
        Ok(Node { value, span })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Whether a plain scalar may start with `first` (followed by `next`); the reader declines
/// the indicators and everything that could be one.
fn starts_plain(first: u8, next: Option<u8>) -> bool {
    match first {
        b'-' => !matches!(next, None | Some(b' ' | b'\n' | b',' | b']')),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
        _ => true,
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests;
