//! YAML text → a tree of [`Node`]s that know their byte span.
//!
//! Built on `saphyr-parser`'s event stream rather than a YAML-to-serde library, because we
//! need what those hide: the position of every key and value, every duplicate key (Ruby's
//! loader silently keeps the last one), and hard limits on nesting and alias expansion so a
//! hostile file costs a diagnostic, never a crash or a hang. Most files are read instead by
//! `block.rs`, a fast reader of the block YAML definitions are written in, which builds the
//! same tree and declines everything else (see [`parse`]).
//!
//! Problems come back as typed [`Problem`]s with byte ranges; the rules under
//! `check/files/` turn them into diagnostics with their own messages.
//!
//! Scalars are resolved with the YAML 1.2 core schema: `8.10` unquoted is the number 8.1,
//! exactly as GitLab's own loader reads it, which is why quoting milestones matters.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

/// Deepest nesting accepted; real definitions nest four or five levels.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one file may expand to, aliases included (defuses "billion laughs").
pub const MAX_NODES: usize = 100_000;
/// Mappings with more keys than this look for repeated keys in an index rather than by
/// scanning their entries: definitions have a few dozen keys, a hostile file may have
/// thousands.
const INDEXED_ABOVE: usize = 32;

/// A YAML value with the byte range it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Node {
    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry for `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The node a JSON pointer (`/events/0/name`) designates.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for segment in pointer_segments(pointer) {
            node = match &node.value {
                Value::Map(_) => node.get(&segment)?,
                Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The entry a JSON pointer designates, when its last segment is a mapping key.
    pub fn pointer_entry(&self, pointer: &str) -> Option<&Entry> {
        let (parent, key) = pointer.rsplit_once('/')?;
        self.pointer(parent)?.entry(&unescape_segment(key))
    }

    /// The equivalent JSON value; the JSON Schema validators read this.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// The segments of a JSON pointer, unescaped.
pub fn pointer_segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .filter(|s| !pointer.is_empty() || !s.is_empty())
        .map(unescape_segment)
}

fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// What parsing a file produced: its single document, if it could be read, and the problems.
#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub problems: Vec<Problem>,
}

/// Why a file's YAML is unusable, or what in it is suspect. Ranges are byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The text is not YAML; `info` is the scanner's own description.
    Syntax { at: usize, info: String },
    /// The scanner gave up on nesting before [`MAX_DEPTH`] was even reached.
    ScannerTooDeep { at: usize },
    /// An alias (`*name`) with no anchor before it.
    UnknownAlias { at: Range<usize> },
    /// A merge key (`<<`) whose value is not a mapping or a list of mappings.
    BadMerge { at: Range<usize> },
    /// A mapping key that is a collection or an alias.
    ComplexKey { at: Range<usize> },
    /// A core-schema tag (`!!int`) on a value that is not of that type.
    InvalidTaggedValue {
        at: Range<usize>,
        value: String,
        tag: String,
    },
    /// A tag outside the YAML core schema.
    UnsupportedTag { at: Range<usize>, tag: String },
    /// The same key twice in one mapping (the last value is kept).
    DuplicateKey {
        key: String,
        at: Range<usize>,
        first: Range<usize>,
    },
    /// A second document in the file.
    MultipleDocuments { at: Range<usize> },
    /// No document, or an empty one.
    Empty,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep { at: Range<usize> },
    /// More than [`MAX_NODES`] values.
    TooManyValues { at: Range<usize> },
    /// An alias whose expansion would pass [`MAX_NODES`].
    AliasExpansion { at: Range<usize> },
}

mod block;

/// Parses one YAML file that must hold exactly one document: with the fast reader of the
/// block YAML definitions are written in, or with saphyr's parser when that reader declines.
pub fn parse(text: &str) -> Parsed {
    block::read(text).unwrap_or_else(|| read_events(text))
}

/// What the fast reader makes of `text`; `None` when it declines it. For the tests and the
/// fuzz target that hold it to [`read_events`].
pub fn read_block(text: &str) -> Option<Parsed> {
    block::read(text)
}

/// Parses one YAML file that must hold exactly one document, with saphyr's parser.
pub fn read_events(text: &str) -> Parsed {
    let mut builder = Builder {
        text,
        offsets: CharOffsets::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        nodes: 0,
        problems: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let range = builder.offsets.range(span.start.index(), span.end.index());
                match builder.event(event, range) {
                    Flow::Continue => {}
                    Flow::Stop => break,
                }
            }
            Some(Err(error)) => {
                builder.syntax_error(&error);
                return Parsed {
                    root: None,
                    problems: builder.problems,
                };
            }
        }
    }
    let Builder {
        root, mut problems, ..
    } = builder;
    let root = match root {
        Some(Node {
            value: Value::Null, ..
        })
        | None
            if problems.is_empty() =>
        {
            problems.push(Problem::Empty);
            None
        }
        other => other,
    };
    Parsed { root, problems }
}

enum Flow {
    Continue,
    Stop,
}

/// Maps saphyr's character indices to byte offsets (the same thing for ASCII text).
struct CharOffsets {
    bytes: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> CharOffsets {
        let bytes = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            v.push(text.len());
            v
        });
        CharOffsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes {
            None => char_index.min(self.len),
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
        }
    }

    fn range(&self, start: usize, end: usize) -> Range<usize> {
        let start = self.byte(start);
        start..self.byte(end).max(start)
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        /// The key waiting for its value; `None` inside means "drop the value" (bad key).
        key: Option<Option<(String, Range<usize>)>>,
        /// Key → entry index, built once the mapping has more than [`INDEXED_ABOVE`] keys.
        index: HashMap<String, usize>,
        /// The first span of each repeated key, by entry index (a repeated key replaces the
        /// entry in place, as YAML loaders keep the last value).
        firsts: HashMap<usize, Range<usize>>,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'t> {
    text: &'t str,
    offsets: CharOffsets,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    documents: usize,
    nodes: usize,
    problems: Vec<Problem>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) -> Flow {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.problems.push(Problem::MultipleDocuments { at: range });
                    return Flow::Stop;
                }
                Flow::Continue
            }
            Event::Scalar(value, style, anchor, tag) => {
                let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                if is_key && anchor == 0 && tag.is_none() {
                    // A plain mapping key: its text as written is all that is kept.
                    let span = self.scalar_span(style, range);
                    return self.complete_key(value.into_owned(), span);
                }
                let raw = is_key.then(|| value.to_string());
                let node = match self.scalar(value, style, tag.as_deref(), range.clone()) {
                    Some(node) => node,
                    None => return Flow::Stop,
                };
                self.complete(node, anchor, raw)
            }
            Event::SequenceStart(anchor, tag) => self.open(range, anchor, tag.as_deref(), true),
            Event::MappingStart(anchor, tag) => self.open(range, anchor, tag.as_deref(), false),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id) else {
                    self.problems.push(Problem::UnknownAlias { at: range });
                    return Flow::Stop;
                };
                let size = node.count();
                if self.nodes + size > MAX_NODES {
                    self.problems.push(Problem::AliasExpansion { at: range });
                    return Flow::Stop;
                }
                self.nodes += size - 1;
                let mut node = node.clone();
                node.span = range;
                self.complete(node, 0, None)
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                Flow::Continue
            }
        }
    }

    fn open(&mut self, range: Range<usize>, anchor: usize, tag: Option<&Tag>, seq: bool) -> Flow {
        if let Some(tag) = tag
            && !tag.is_yaml_core_schema()
        {
            self.unsupported_tag(tag, range);
            return Flow::Stop;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.problems.push(Problem::TooDeep { at: range });
            return Flow::Stop;
        }
        let start = range.start;
        self.stack.push(if seq {
            Frame::Seq {
                items: Vec::new(),
                start,
                anchor,
            }
        } else {
            Frame::Map {
                entries: Vec::new(),
                key: None,
                index: HashMap::new(),
                firsts: HashMap::new(),
                start,
                anchor,
            }
        });
        Flow::Continue
    }

    fn close(&mut self) -> Flow {
        let Some(frame) = self.stack.pop() else {
            return Flow::Continue;
        };
        let (value, start, anchor, last_end) = match frame {
            Frame::Seq {
                items,
                start,
                anchor,
            } => {
                let end = items.last().map(|n| n.span.end);
                (Value::Seq(items), start, anchor, end)
            }
            Frame::Map {
                entries,
                start,
                anchor,
                ..
            } => {
                let end = entries.iter().map(|e| e.value.span.end).max();
                let entries = if entries.iter().any(|e| e.key == "<<") {
                    self.merge(entries)
                } else {
                    entries
                };
                (Value::Map(entries), start, anchor, end)
            }
        };
        // Flow collections end at their closing bracket; block ones at their last value.
        let end = match self.text.as_bytes().get(start) {
            Some(b'[') | Some(b'{') => {
                self.closing_bracket(last_end.unwrap_or(start + 1).max(start + 1))
            }
            _ => last_end.unwrap_or(start).max(start),
        };
        self.complete(
            Node {
                value,
                span: start..end,
            },
            anchor,
            None,
        )
    }

    /// Applies YAML merge keys (`<<: *base`), which GitLab's loader honours: the merged
    /// mappings' entries are added where the mapping does not set the key itself; with a
    /// list of mappings, earlier ones win.
    fn merge(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let (merges, mut own): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(|e| e.key == "<<");
        for merge in merges {
            let sources: Vec<&Node> = match &merge.value.value {
                Value::Map(_) => vec![&merge.value],
                Value::Seq(items) if items.iter().all(|i| i.as_map().is_some()) => {
                    items.iter().collect()
                }
                _ => {
                    self.problems.push(Problem::BadMerge {
                        at: merge.value.span.clone(),
                    });
                    continue;
                }
            };
            for source in sources {
                for entry in source.as_map().unwrap_or_default() {
                    if !own.iter().any(|e| e.key == entry.key) {
                        own.push(entry.clone());
                    }
                }
            }
        }
        own
    }

    /// The offset just past the `]` or `}` that follows `from` (skipping spaces and commas).
    fn closing_bracket(&self, from: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b']' | b'}' => return i + 1,
                b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
                _ => break,
            }
        }
        from
    }

    /// Adds a finished node to its parent (or makes it the root). `raw` is the scalar's text
    /// as written, which is what a mapping key is.
    fn complete(&mut self, node: Node, anchor: usize, raw: Option<String>) -> Flow {
        if let Flow::Stop = self.count(&node.span) {
            return Flow::Stop;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                index,
                firsts,
                ..
            }) => match key.take() {
                None => {
                    *key = Some(match (&node.value, raw) {
                        (Value::Seq(_) | Value::Map(_), _) | (_, None) => {
                            self.problems.push(Problem::ComplexKey {
                                at: node.span.clone(),
                            });
                            None
                        }
                        (_, Some(raw)) => Some((raw, node.span)),
                    });
                }
                Some(None) => {}
                Some(Some((name, key_span))) => {
                    let entry = Entry {
                        key: name,
                        key_span,
                        value: node,
                    };
                    if let Some(problem) = add_entry(entries, index, firsts, entry) {
                        self.problems.push(problem);
                    }
                }
            },
        }
        Flow::Continue
    }

    /// Adds a plain scalar that is a mapping key: [`Builder::complete`] without a node.
    fn complete_key(&mut self, raw: String, span: Range<usize>) -> Flow {
        if let Flow::Stop = self.count(&span) {
            return Flow::Stop;
        }
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = Some(Some((raw, span)));
        }
        Flow::Continue
    }

    /// Counts one more node against [`MAX_NODES`].
    fn count(&mut self, span: &Range<usize>) -> Flow {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.problems
                .push(Problem::TooManyValues { at: span.clone() });
            return Flow::Stop;
        }
        Flow::Continue
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        range: Range<usize>,
    ) -> Option<Node> {
        let resolved = match tag {
            None if style == ScalarStyle::Plain => {
                resolve_plain(&value).unwrap_or_else(|| Value::Str(value.into_owned()))
            }
            None => Value::Str(value.into_owned()),
            Some(tag) if tag.is_yaml_core_schema() => match tag.suffix.as_str() {
                "str" => Value::Str(value.into_owned()),
                "null" | "bool" | "int" | "float" => match resolve_plain(&value) {
                    Some(v @ Value::Null) if tag.suffix == "null" => v,
                    Some(v @ Value::Bool(_)) if tag.suffix == "bool" => v,
                    Some(v @ Value::Int(_)) if tag.suffix == "int" => v,
                    Some(Value::Int(i)) if tag.suffix == "float" => Value::Float(i as f64),
                    Some(v @ Value::Float(_)) if tag.suffix == "float" => v,
                    _ => {
                        self.problems.push(Problem::InvalidTaggedValue {
                            at: range,
                            value: value.into_owned(),
                            tag: tag.suffix.clone(),
                        });
                        return None;
                    }
                },
                _ => {
                    self.unsupported_tag(tag, range);
                    return None;
                }
            },
            Some(tag) => {
                self.unsupported_tag(tag, range);
                return None;
            }
        };
        Some(Node {
            value: resolved,
            span: self.scalar_span(style, range),
        })
    }

    /// A scalar's span: a block scalar's runs to the start of the next line, so it is ended
    /// at its text.
    fn scalar_span(&self, style: ScalarStyle, range: Range<usize>) -> Range<usize> {
        let mut end = range.end;
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            while end > range.start && matches!(self.text.as_bytes()[end - 1], b'\n' | b'\r' | b' ')
            {
                end -= 1;
            }
        }
        range.start..end
    }

    fn unsupported_tag(&mut self, tag: &Tag, range: Range<usize>) {
        self.problems.push(Problem::UnsupportedTag {
            at: range,
            tag: tag.to_string(),
        });
    }

    fn syntax_error(&mut self, error: &ScanError) {
        let at = self.offsets.byte(error.marker().index());
        let info = error.info();
        self.problems.push(if info.contains("recursion limit") {
            Problem::ScannerTooDeep { at }
        } else {
            Problem::Syntax {
                at,
                info: info.to_owned(),
            }
        });
    }
}

/// Resolves an unquoted scalar with the YAML 1.2 core schema; `None` when it is a string.
fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let bytes = text.as_bytes();
    let digits = bytes
        .strip_prefix(b"-")
        .or(bytes.strip_prefix(b"+"))
        .unwrap_or(bytes);
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        return Some(
            text.parse::<i64>()
                .map(Value::Int)
                .unwrap_or_else(|_| Value::Float(text.parse().unwrap_or(f64::NAN))),
        );
    }
    if let Some(hex) = text.strip_prefix("0x")
        && !hex.is_empty()
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Some(Value::Int(i));
    }
    if let Some(oct) = text.strip_prefix("0o")
        && !oct.is_empty()
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Some(Value::Int(i));
    }
    if is_core_float(digits) {
        if let Ok(f) = text.parse::<f64>() {
            return Some(Value::Float(f));
        }
    }
    None
}

/// Adds an entry to a mapping being built; a repeated key replaces its entry in place and
/// is reported with the span where it was first written.
fn add_entry(
    entries: &mut Vec<Entry>,
    index: &mut HashMap<String, usize>,
    firsts: &mut HashMap<usize, Range<usize>>,
    entry: Entry,
) -> Option<Problem> {
    let found = if entries.len() <= INDEXED_ABOVE {
        entries.iter().position(|e| e.key == entry.key)
    } else {
        if index.is_empty() {
            index.extend(entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)));
        }
        index.get(&entry.key).copied()
    };
    let Some(at) = found else {
        if !index.is_empty() {
            index.insert(entry.key.clone(), entries.len());
        }
        entries.push(entry);
        return None;
    };
    let first = firsts
        .entry(at)
        .or_insert_with(|| entries[at].key_span.clone())
        .clone();
    let problem = Problem::DuplicateKey {
        key: entry.key.clone(),
        at: entry.key_span.clone(),
        first,
    };
    entries[at] = entry;
    Some(problem)
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` without the sign.
fn is_core_float(s: &[u8]) -> bool {
    let mut i = 0;
    let int_digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        let parsed = parse(text);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        parsed.root.expect("a document")
    }

    /// The kinds of problems found, by variant name.
    fn kinds(text: &str) -> Vec<String> {
        parse(text)
            .problems
            .iter()
            .map(|p| {
                let debug = format!("{p:?}");
                debug
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let root = parse_ok(
            "a: 8.10\nb: '8.10'\nc: 12\nd: true\ne: ~\nf: 0x1F\ng: 1e3\nh: yes\ni: .inf\n",
        );
        assert_eq!(root.get("a").unwrap().value, Value::Float(8.1));
        assert_eq!(root.get("b").unwrap().value, Value::Str("8.10".into()));
        assert_eq!(root.get("c").unwrap().value, Value::Int(12));
        assert_eq!(root.get("d").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("e").unwrap().value, Value::Null);
        assert_eq!(root.get("f").unwrap().value, Value::Int(31));
        assert_eq!(root.get("g").unwrap().value, Value::Float(1000.0));
        assert_eq!(root.get("h").unwrap().value, Value::Str("yes".into()));
        assert_eq!(root.get("i").unwrap().value, Value::Float(f64::INFINITY));
    }

    #[test]
    fn spans_are_byte_ranges_even_after_non_ascii_text() {
        let text = "description: Café — ünïcode\nkey_path: counts.x\nlist: [a, b]\nempty: []\n";
        let root = parse_ok(text);
        let key_path = root.get("key_path").unwrap();
        assert_eq!(&text[key_path.span.clone()], "counts.x");
        assert_eq!(
            &text[root.entry("key_path").unwrap().key_span.clone()],
            "key_path"
        );
        assert_eq!(&text[root.get("list").unwrap().span.clone()], "[a, b]");
        assert_eq!(&text[root.get("empty").unwrap().span.clone()], "[]");
        assert_eq!(root.pointer("/list/1").unwrap().as_str(), Some("b"));
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_last_value_wins() {
        let parsed = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(
            parsed.problems,
            vec![Problem::DuplicateKey {
                key: "a".into(),
                at: 10..11,
                first: 0..1
            }]
        );
        let root = parsed.root.unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Int(3));
        assert_eq!(root.as_map().unwrap().len(), 2);
    }

    #[test]
    fn merge_keys_apply_like_gitlabs_loader() {
        let root = parse_ok("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().value, Value::Int(1));
        assert_eq!(m.get("y").unwrap().value, Value::Int(3));
        assert!(m.get("<<").is_none());
        assert_eq!(kinds("m:\n  <<: 5\n"), vec!["BadMerge"]);
    }

    #[test]
    fn documents_and_limits() {
        assert_eq!(kinds("a: 1\n---\nb: 2\n"), vec!["MultipleDocuments"]);
        assert_eq!(kinds("---\n# only a comment\n"), vec!["Empty"]);
        assert_eq!(kinds(""), vec!["Empty"]);
        assert_eq!(kinds("a: [1, 2\n"), vec!["Syntax"]);
        assert_eq!(kinds("a: !custom x\n"), vec!["UnsupportedTag"]);
        assert_eq!(kinds("a: !!int x\n"), vec!["InvalidTaggedValue"]);
        assert_eq!(kinds("? [a, b]\n: 1\n"), vec!["ComplexKey"]);
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(kinds(&deep), vec!["TooDeep"]);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8u8 {
            let prev = (b'a' + i - 1) as char;
            bomb.push_str(&format!(
                "{}: &{} [{}]\n",
                (b'a' + i) as char,
                (b'a' + i) as char,
                vec![format!("*{prev}"); 10].join(", ")
            ));
        }
        assert_eq!(kinds(&bomb), vec!["AliasExpansion"]);
    }
}
