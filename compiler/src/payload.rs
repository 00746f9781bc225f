//! `metricc validate-payload`: checks a received Service Ping against the dictionary.
//!
//! The rules are those of the generated payload schema (`schemas/service_ping.schema.json`,
//! see `emit/schemas.rs`), checked directly against the [`View`] so that every problem
//! reads in the dictionary's terms: the JSON path of the value, what the metric's
//! definition expects, the file and line that define it, and for an unknown key the
//! closest key path the dictionary knows. Object values are checked against their value
//! schema with the `jsonschema` crate. Two things go beyond the schema: a metric listed in
//! `metadata.failed_metrics` must be in the dictionary and report its fallback value.
//!
//! Input is bounded: a ping larger than [`MAX_PING_BYTES`] or nested deeper than
//! [`MAX_DEPTH`] levels is refused with a clear error (serde_json stops at 128 levels; the
//! walks here never go deeper than the parsed value).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::config::Config;
use crate::emit::schemas::{
    self, FAILED, FAILED_ESTIMATE, FAILED_METRIC_FIELDS, METADATA_FIELDS, PayloadValue, ValueKind,
};
use crate::error::Error;
use crate::model::PING_METADATA_KEY;
use crate::pipeline::{self, Compilation};
use crate::resolve::view::{MetricView, View};
use crate::suggest::closest;

/// The largest ping metricc reads (a ping of 10,000 metrics is about 0.5 MB).
pub const MAX_PING_BYTES: u64 = 32 * 1024 * 1024;
/// The deepest nesting serde_json parses: deeper input is refused, never overflows the stack.
pub const MAX_DEPTH: usize = 128;
/// How many unknown keys get a suggestion from the whole dictionary (beyond their
/// siblings): each search compares with every key path.
const WIDE_SUGGESTIONS: usize = 50;

/// Why a ping could not be checked at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum PingError {
    #[error(transparent)]
    Setup(#[from] Error),
    #[error(
        "cannot check the ping: the definitions have errors ({}); run `metricc check` to see them",
        crate::diagnostics::summary_line(summary)
    )]
    Definitions {
        summary: crate::diagnostics::Summary,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is larger than {} MiB: metricc does not read pings this large", path.display(), MAX_PING_BYTES / (1024 * 1024))]
    TooLarge { path: PathBuf },
    #[error(
        "{} is nested more than {MAX_DEPTH} levels deep (line {line}, column {column}): a Service Ping is not",
        path.display()
    )]
    TooDeep {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("{} is not JSON: {message}", path.display())]
    NotJson { path: PathBuf, message: String },
}

/// What kind of problem a ping has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A required metric (or the metadata) is absent.
    Missing,
    /// A key the dictionary does not know.
    UnknownKey,
    /// A metric the dictionary lists as removed.
    RemovedMetric,
    /// A value of the wrong JSON type, or a number out of range.
    WrongType,
    /// A value that has the right type but is not acceptable (value schema, date-time).
    InvalidValue,
    /// A metric listed as failed whose value is not a fallback.
    NotFailed,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::UnknownKey => "unknown-key",
            ProblemKind::RemovedMetric => "removed-metric",
            ProblemKind::WrongType => "wrong-type",
            ProblemKind::InvalidValue => "invalid-value",
            ProblemKind::NotFailed => "not-failed",
        }
    }
}

/// A definition's place: the file and the line of its `key_path`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Definition {
    pub file: String,
    pub line: usize,
}

/// One problem of a ping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Where in the ping: a JSON path (`$.counts.issues`, `$.metadata.failed_metrics[0]`).
    pub path: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What the dictionary expects there.
    pub expected: String,
    /// What the ping holds there (absent when it holds nothing).
    pub found: Option<String>,
    /// The metric concerned, if any.
    pub key_path: Option<String>,
    /// Where that metric is defined.
    pub definition: Option<Definition>,
    /// The closest known key, for an unknown one.
    pub suggestion: Option<String>,
}

/// The outcome of checking one ping.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Every problem, sorted by path.
    pub problems: Vec<Problem>,
    /// Metric values found in the ping.
    pub values: usize,
    /// Of those, the ones that report a failure (-1, -2).
    pub failed: usize,
    /// Metrics the dictionary puts in a ping (removed ones excluded).
    pub metrics: usize,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads, parses and checks the ping at `path` against the project's dictionary.
pub fn validate_file(config: &Config, path: &Path) -> Result<Report, PingError> {
    let bytes = read(path)?;
    let ping = parse(path, &bytes)?;
    let compilation = pipeline::compile(config)?;
    checked_view(&compilation).map(|view| validate(&view, &ping))
}

/// The dictionary's view, when the definitions have no errors.
pub fn checked_view(compilation: &Compilation) -> Result<View, PingError> {
    if compilation.failed() {
        return Err(PingError::Definitions {
            summary: compilation.summary,
        });
    }
    Ok(View::new(&compilation.dictionary, &compilation.sources))
}

/// A ping file's bytes, refused beyond [`MAX_PING_BYTES`].
pub fn read(path: &Path) -> Result<Vec<u8>, PingError> {
    let failed = |source| PingError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    file.take(MAX_PING_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_PING_BYTES {
        return Err(PingError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// Parses a ping; deeper nesting than [`MAX_DEPTH`] is its own error.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Json, PingError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let message = e.to_string();
        if message.starts_with("recursion limit exceeded") {
            PingError::TooDeep {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
            }
        } else {
            PingError::NotJson {
                path: path.to_path_buf(),
                message,
            }
        }
    })
}

/// The dictionary's key tree: a sent metric at each leaf.
enum Tree<'a> {
    Metric(&'a MetricView),
    Object(BTreeMap<&'a str, Tree<'a>>),
}

impl<'a> Tree<'a> {
    /// Every metric below, in key order.
    fn metrics(&self, out: &mut Vec<&'a MetricView>) {
        match self {
            Tree::Metric(m) => out.push(m),
            Tree::Object(children) => children.values().for_each(|c| c.metrics(out)),
        }
    }
}

struct Checker<'a> {
    view: &'a View,
    removed: HashMap<&'a str, &'a MetricView>,
    /// Compiled value schemas, by `value_json_schema` path (`None`: it does not compile).
    validators: HashMap<&'a str, Option<Validator>>,
    problems: Vec<Problem>,
    values: usize,
    failed: usize,
    wide_suggestions: usize,
}

/// Checks a parsed ping against the dictionary.
pub fn validate(view: &View, ping: &Json) -> Report {
    let mut root: BTreeMap<&str, Tree<'_>> = BTreeMap::new();
    for metric in view.metrics.iter().filter(|m| schemas::is_sent(m)) {
        insert(&mut root, metric);
    }
    let mut checker = Checker {
        view,
        removed: view
            .metrics
            .iter()
            .filter(|m| !schemas::is_sent(m))
            .map(|m| (m.key_path.as_str(), m))
            .collect(),
        validators: HashMap::new(),
        problems: Vec::new(),
        values: 0,
        failed: 0,
        wide_suggestions: 0,
    };
    match ping {
        Json::Object(map) => {
            checker.object(map, &root, "", "$");
            match map.get(PING_METADATA_KEY) {
                Some(metadata) => checker.metadata(metadata, map, &root),
                None => checker.problems.push(Problem {
                    kind: ProblemKind::Missing,
                    path: format!("$.{PING_METADATA_KEY}"),
                    message: format!("the ping has no `{PING_METADATA_KEY}`"),
                    expected: metadata_expected(),
                    found: None,
                    key_path: None,
                    definition: None,
                    suggestion: None,
                }),
            }
        }
        other => checker.problems.push(Problem {
            kind: ProblemKind::WrongType,
            path: "$".into(),
            message: format!("a ping is a JSON object, not {}", describe(other)),
            expected: "an object of metric values and `metadata`".into(),
            found: Some(describe(other)),
            key_path: None,
            definition: None,
            suggestion: None,
        }),
    }
    let mut problems = checker.problems;
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.kind.cmp(&b.kind)));
    Report {
        problems,
        values: checker.values,
        failed: checker.failed,
        metrics: view.metrics.iter().filter(|m| schemas::is_sent(m)).count(),
    }
}

/// Adds a metric to the key tree; a key path the payload cannot hold (its check rules
/// allowed) keeps the first definition.
fn insert<'a>(root: &mut BTreeMap<&'a str, Tree<'a>>, metric: &'a MetricView) {
    if metric.key_path.is_reserved() {
        return;
    }
    let mut level = root;
    let mut segments = metric.key_path.segments().peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            level.entry(segment).or_insert(Tree::Metric(metric));
            return;
        }
        let next = level
            .entry(segment)
            .or_insert_with(|| Tree::Object(BTreeMap::new()));
        level = match next {
            Tree::Object(children) => children,
            Tree::Metric(_) => return,
        };
    }
}

impl<'a> Checker<'a> {
    /// Checks an object of the ping against a level of the key tree. `prefix` is the key
    /// path of the level (`counts.`), `path` its JSON path.
    fn object(
        &mut self,
        map: &Map<String, Json>,
        tree: &BTreeMap<&'a str, Tree<'a>>,
        prefix: &str,
        path: &str,
    ) {
        for (key, value) in map {
            if prefix.is_empty() && key == PING_METADATA_KEY {
                continue;
            }
            let child_path = json_path(path, key);
            let key_path = format!("{prefix}{key}");
            match tree.get(key.as_str()) {
                Some(Tree::Metric(metric)) => self.value(metric, value, &child_path),
                Some(Tree::Object(children)) => match value {
                    Json::Object(inner) => {
                        self.object(inner, children, &format!("{key_path}."), &child_path);
                    }
                    other => {
                        let mut below = Vec::new();
                        children.values().for_each(|c| c.metrics(&mut below));
                        let first = below.first().copied();
                        self.problems.push(Problem {
                            kind: ProblemKind::WrongType,
                            path: child_path,
                            message: format!(
                                "`{key_path}` holds {}, so it must be an object, not {}",
                                crate::diagnostics::plural(below.len(), "metric"),
                                describe(other)
                            ),
                            expected: format!(
                                "an object holding {}",
                                crate::diagnostics::plural(below.len(), "metric")
                            ),
                            found: Some(describe(other)),
                            key_path: first.map(|m| m.key_path.to_string()),
                            definition: first.map(definition),
                            suggestion: None,
                        });
                    }
                },
                None => self.unknown(&key_path, tree, prefix, child_path),
            }
        }
        for (key, child) in tree {
            if map.contains_key(*key) {
                continue;
            }
            let child_path = json_path(path, key);
            match child {
                Tree::Metric(metric) if schemas::is_required(metric) => {
                    let value = schemas::payload_value(metric);
                    self.problems.push(Problem {
                        kind: ProblemKind::Missing,
                        path: child_path,
                        message: format!(
                            "required metric `{}` is missing (data category {})",
                            metric.key_path,
                            metric.data_category.map_or("unset", |c| c.as_str())
                        ),
                        expected: expected(value),
                        found: None,
                        key_path: Some(metric.key_path.to_string()),
                        definition: Some(definition(metric)),
                        suggestion: None,
                    });
                }
                Tree::Metric(_) => {}
                Tree::Object(_) => {
                    let mut below = Vec::new();
                    child.metrics(&mut below);
                    below.retain(|m| schemas::is_required(m));
                    let Some(first) = below.first() else {
                        continue;
                    };
                    let key_path = format!("{prefix}{key}");
                    self.problems.push(Problem {
                        kind: ProblemKind::Missing,
                        path: child_path,
                        message: format!(
                            "`{key_path}` is missing: it holds {}, e.g. `{}`",
                            crate::diagnostics::plural(below.len(), "required metric"),
                            first.key_path
                        ),
                        expected: format!(
                            "an object holding {}",
                            crate::diagnostics::plural(below.len(), "required metric")
                        ),
                        found: None,
                        key_path: Some(first.key_path.to_string()),
                        definition: Some(definition(first)),
                        suggestion: None,
                    });
                }
            }
        }
    }

    /// A key the dictionary does not put in a ping: removed, or unknown.
    fn unknown(
        &mut self,
        key_path: &str,
        tree: &BTreeMap<&'a str, Tree<'a>>,
        prefix: &str,
        path: String,
    ) {
        if let Some(metric) = self.removed.get(key_path) {
            let removed_in = metric
                .milestone_removed
                .map(|m| format!(" in {m}"))
                .unwrap_or_default();
            self.problems.push(Problem {
                kind: ProblemKind::RemovedMetric,
                path,
                message: format!(
                    "`{key_path}` was removed{removed_in}: pings of this dictionary do not send it"
                ),
                expected: "no value: removed metrics are not sent".into(),
                found: None,
                key_path: Some(key_path.to_owned()),
                definition: Some(definition(metric)),
                suggestion: None,
            });
            return;
        }
        // A typo: the closest key at this level. A misplaced key: the metric whose last
        // segment is closest, anywhere (a bounded number of times: it reads every key path).
        let leaf = key_path.rsplit('.').next().unwrap_or(key_path);
        let mut suggestion = closest(leaf, tree.keys().copied()).map(|k| format!("{prefix}{k}"));
        if suggestion.is_none() && self.wide_suggestions < WIDE_SUGGESTIONS {
            self.wide_suggestions += 1;
            let sent = self.view.metrics.iter().filter(|m| schemas::is_sent(m));
            let leaves = sent
                .clone()
                .map(|m| m.key_path.rsplit('.').next().unwrap_or(""));
            suggestion = closest(leaf, leaves).and_then(|best| {
                sent.clone()
                    .find(|m| m.key_path.rsplit('.').next() == Some(best))
                    .map(|m| m.key_path.to_string())
            });
        }
        let hint = suggestion
            .as_ref()
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        self.problems.push(Problem {
            kind: ProblemKind::UnknownKey,
            path,
            message: format!("`{key_path}` is not a key path of the dictionary{hint}"),
            expected: if prefix.is_empty() {
                "a metric's key path or `metadata`".into()
            } else {
                format!("a key path under `{}`", prefix.trim_end_matches('.'))
            },
            found: None,
            key_path: None,
            definition: suggestion
                .as_deref()
                .and_then(|s| self.view.metric(s))
                .map(definition),
            suggestion,
        });
    }

    /// Checks one metric's value.
    fn value(&mut self, metric: &'a MetricView, value: &Json, path: &str) {
        self.values += 1;
        let expectation = schemas::payload_value(metric);
        if is_fallback(value, expectation.failures) {
            self.failed += 1;
            return;
        }
        let fits = match expectation.kind {
            // JSON Schema counts 3.0 as an integer.
            ValueKind::Count => {
                value.as_u64().is_some()
                    || (value.is_f64()
                        && value.as_f64().is_some_and(|n| n >= 0.0 && n.fract() == 0.0))
            }
            ValueKind::Number => value.as_f64().is_some_and(|n| n >= 0.0),
            ValueKind::String => value.is_string(),
            ValueKind::Boolean => value.is_boolean(),
            ValueKind::Object => {
                self.object_value(metric, value, path);
                return;
            }
        };
        if !fits {
            self.problems.push(Problem {
                kind: ProblemKind::WrongType,
                path: path.to_owned(),
                message: format!(
                    "`{}` must be {}, not {}",
                    metric.key_path,
                    expected(expectation),
                    describe(value)
                ),
                expected: expected(expectation),
                found: Some(describe(value)),
                key_path: Some(metric.key_path.to_string()),
                definition: Some(definition(metric)),
                suggestion: None,
            });
        }
    }

    /// Checks an object metric's value against its value schema.
    fn object_value(&mut self, metric: &'a MetricView, value: &Json, path: &str) {
        let (Some(schema_path), Some(schema)) = (&metric.value_json_schema, &metric.value_schema)
        else {
            return;
        };
        let validator = self
            .validators
            .entry(schema_path.as_str())
            .or_insert_with(|| compile_value_schema(schema));
        let Some(validator) = validator else {
            return;
        };
        let mut found = Vec::new();
        for error in validator.iter_errors(value) {
            let pointer = error.instance_path().as_str().to_owned();
            found.push(Problem {
                kind: ProblemKind::InvalidValue,
                path: pointer_path(path, value, &pointer),
                message: format!(
                    "in the value of `{}`: {} (value schema {schema_path})",
                    metric.key_path, error
                ),
                expected: format!("a value that matches {schema_path}, or -1 when it failed"),
                found: Some(describe(error.instance())),
                key_path: Some(metric.key_path.to_string()),
                definition: Some(definition(metric)),
                suggestion: None,
            });
        }
        self.problems.extend(found);
    }

    /// Checks `metadata`, and that every metric it lists as failed reports a fallback.
    fn metadata(
        &mut self,
        metadata: &Json,
        ping: &Map<String, Json>,
        root: &BTreeMap<&'a str, Tree<'a>>,
    ) {
        let path = format!("$.{PING_METADATA_KEY}");
        let Json::Object(map) = metadata else {
            self.problems.push(plain(
                ProblemKind::WrongType,
                path,
                format!(
                    "`{PING_METADATA_KEY}` must be an object, not {}",
                    describe(metadata)
                ),
                metadata_expected(),
                Some(metadata),
            ));
            return;
        };
        for (key, value) in map {
            let field_path = json_path(&path, key);
            match key.as_str() {
                "instance_id" | "version" => {
                    if value.as_str().is_none_or(str::is_empty) {
                        self.problems.push(plain(
                            ProblemKind::WrongType,
                            field_path,
                            format!(
                                "`{key}` must be a non-empty string, not {}",
                                describe(value)
                            ),
                            "a non-empty string".into(),
                            Some(value),
                        ));
                    }
                }
                "recorded_at" => match value.as_str() {
                    Some(text) if is_date_time(text) => {}
                    Some(_) => self.problems.push(plain(
                        ProblemKind::InvalidValue,
                        field_path,
                        format!(
                            "`recorded_at` must be an RFC 3339 date-time such as \
                             `2025-01-31T08:00:00Z`, not {}",
                            describe(value)
                        ),
                        "an RFC 3339 date-time (`2025-01-31T08:00:00Z`)".into(),
                        Some(value),
                    )),
                    None => self.problems.push(plain(
                        ProblemKind::WrongType,
                        field_path,
                        format!("`recorded_at` must be a string, not {}", describe(value)),
                        "an RFC 3339 date-time (`2025-01-31T08:00:00Z`)".into(),
                        Some(value),
                    )),
                },
                "failed_metrics" => self.failed_metrics(value, &field_path, ping, root),
                other => {
                    let suggestion = closest(other, METADATA_FIELDS.iter().copied());
                    self.problems.push(Problem {
                        kind: ProblemKind::UnknownKey,
                        path: field_path,
                        message: format!(
                            "`{other}` is not a field of `{PING_METADATA_KEY}`{}",
                            suggestion
                                .map(|s| format!(" (did you mean `{s}`?)"))
                                .unwrap_or_default()
                        ),
                        expected: format!("one of {}", backticked(METADATA_FIELDS)),
                        found: None,
                        key_path: None,
                        definition: None,
                        suggestion: suggestion.map(str::to_owned),
                    });
                }
            }
        }
        for field in METADATA_FIELDS {
            if !map.contains_key(*field) {
                self.problems.push(plain(
                    ProblemKind::Missing,
                    json_path(&path, field),
                    format!("`{PING_METADATA_KEY}` has no `{field}`"),
                    metadata_expected(),
                    None,
                ));
            }
        }
    }

    fn failed_metrics(
        &mut self,
        value: &Json,
        path: &str,
        ping: &Map<String, Json>,
        root: &BTreeMap<&'a str, Tree<'a>>,
    ) {
        let Json::Array(entries) = value else {
            self.problems.push(plain(
                ProblemKind::WrongType,
                path.to_owned(),
                format!("`failed_metrics` must be a list, not {}", describe(value)),
                "a list of {key_path, error, duration_ms}".into(),
                Some(value),
            ));
            return;
        };
        for (i, entry) in entries.iter().enumerate() {
            let entry_path = format!("{path}[{i}]");
            let Json::Object(fields) = entry else {
                self.problems.push(plain(
                    ProblemKind::WrongType,
                    entry_path,
                    format!("a failed metric must be an object, not {}", describe(entry)),
                    "an object {key_path, error, duration_ms}".into(),
                    Some(entry),
                ));
                continue;
            };
            for (key, field) in fields {
                let field_path = json_path(&entry_path, key);
                let ok = match key.as_str() {
                    "key_path" => field.as_str().is_some_and(|s| !s.is_empty()),
                    "error" => field.is_string(),
                    "duration_ms" => field.as_f64().is_some_and(|n| n >= 0.0),
                    other => {
                        let suggestion = closest(other, FAILED_METRIC_FIELDS.iter().copied());
                        self.problems.push(Problem {
                            kind: ProblemKind::UnknownKey,
                            path: field_path,
                            message: format!(
                                "`{other}` is not a field of a failed metric{}",
                                suggestion
                                    .map(|s| format!(" (did you mean `{s}`?)"))
                                    .unwrap_or_default()
                            ),
                            expected: format!("one of {}", backticked(FAILED_METRIC_FIELDS)),
                            found: None,
                            key_path: None,
                            definition: None,
                            suggestion: suggestion.map(str::to_owned),
                        });
                        continue;
                    }
                };
                if !ok {
                    let wanted = match key.as_str() {
                        "key_path" => "a non-empty string",
                        "error" => "a string",
                        _ => "a number of milliseconds ≥ 0",
                    };
                    self.problems.push(plain(
                        ProblemKind::WrongType,
                        field_path,
                        format!("`{key}` must be {wanted}, not {}", describe(field)),
                        wanted.into(),
                        Some(field),
                    ));
                }
            }
            for field in FAILED_METRIC_FIELDS {
                if !fields.contains_key(*field) {
                    self.problems.push(plain(
                        ProblemKind::Missing,
                        json_path(&entry_path, field),
                        format!("a failed metric needs `{field}`"),
                        "an object {key_path, error, duration_ms}".into(),
                        None,
                    ));
                }
            }
            if let Some(key_path) = fields.get("key_path").and_then(Json::as_str) {
                self.failed_metric(key_path, &json_path(&entry_path, "key_path"), ping, root);
            }
        }
    }

    /// A metric listed as failed: it must be in the dictionary, and report a fallback.
    fn failed_metric(
        &mut self,
        key_path: &str,
        path: &str,
        ping: &Map<String, Json>,
        root: &BTreeMap<&'a str, Tree<'a>>,
    ) {
        let metric = lookup(root, key_path);
        let Some(metric) = metric else {
            if self.removed.contains_key(key_path) {
                self.unknown(key_path, &BTreeMap::new(), "", path.to_owned());
                return;
            }
            let suggestion = closest(
                key_path,
                self.view
                    .metrics
                    .iter()
                    .filter(|m| schemas::is_sent(m))
                    .map(|m| m.key_path.as_str()),
            );
            self.problems.push(Problem {
                kind: ProblemKind::UnknownKey,
                path: path.to_owned(),
                message: format!(
                    "failed metric `{key_path}` is not a key path of the dictionary{}",
                    suggestion
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default()
                ),
                expected: "the key path of a metric the ping holds".into(),
                found: Some(format!("\"{key_path}\"")),
                key_path: None,
                definition: suggestion.and_then(|s| self.view.metric(s)).map(definition),
                suggestion: suggestion.map(str::to_owned),
            });
            return;
        };
        let leaf = metric
            .key_path
            .rsplit_once('.')
            .map_or(metric.key_path.as_str(), |(_, last)| last);
        let parent = metric
            .key_path
            .rsplit_once('.')
            .map_or(Some(ping), |(head, _)| {
                head.split('.')
                    .try_fold(ping, |level, segment| match level.get(segment) {
                        Some(Json::Object(inner)) => Some(inner),
                        _ => None,
                    })
            });
        let reported = parent.and_then(|p| p.get(leaf));
        let fallbacks = schemas::payload_value(metric).failures;
        if reported.is_some_and(|v| is_fallback(v, fallbacks)) {
            return;
        }
        self.problems.push(Problem {
            kind: ProblemKind::NotFailed,
            path: path.to_owned(),
            message: match reported {
                Some(v) => format!(
                    "`{key_path}` is listed as failed, but the ping reports {} for it",
                    describe(v)
                ),
                None => {
                    format!("`{key_path}` is listed as failed, but the ping has no value for it")
                }
            },
            expected: format!("`{key_path}` reports {}", fallback_list(fallbacks)),
            found: reported.map(describe),
            key_path: Some(key_path.to_owned()),
            definition: Some(definition(metric)),
            suggestion: None,
        });
    }
}

/// Whether `value` is one of `failures` (as JSON Schema compares numbers: `-1.0` is `-1`).
fn is_fallback(value: &Json, failures: &[i64]) -> bool {
    value
        .as_f64()
        .is_some_and(|n| failures.iter().any(|f| *f as f64 == n))
}

/// The metric at `key_path` in the key tree.
fn lookup<'a>(root: &BTreeMap<&'a str, Tree<'a>>, key_path: &str) -> Option<&'a MetricView> {
    let mut level = root;
    let mut segments = key_path.split('.').peekable();
    while let Some(segment) = segments.next() {
        match (level.get(segment)?, segments.peek()) {
            (Tree::Metric(m), None) => return Some(m),
            (Tree::Object(children), Some(_)) => level = children,
            _ => return None,
        }
    }
    None
}

fn plain(
    kind: ProblemKind,
    path: String,
    message: String,
    expected: String,
    found: Option<&Json>,
) -> Problem {
    Problem {
        kind,
        path,
        message,
        expected,
        found: found.map(describe),
        key_path: None,
        definition: None,
        suggestion: None,
    }
}

fn definition(metric: &MetricView) -> Definition {
    Definition {
        file: metric.file.clone(),
        line: metric.line,
    }
}

fn metadata_expected() -> String {
    format!(
        "an object with {} (see docs/definitions.md, \"The Service Ping payload\")",
        backticked(METADATA_FIELDS)
    )
}

fn backticked(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

/// "-1" or "-1 or -2".
fn fallback_list(failures: &[i64]) -> String {
    let list: Vec<String> = failures.iter().map(i64::to_string).collect();
    list.join(" or ")
}

/// What a metric's value must be, in words.
fn expected(value: PayloadValue) -> String {
    let fallbacks = if value.failures.contains(&FAILED_ESTIMATE) {
        format!("{FAILED} (failed) or {FAILED_ESTIMATE} (failed estimate)")
    } else {
        format!("{FAILED} when it failed")
    };
    format!("{}, or {fallbacks}", value.kind.describe())
}

/// A JSON value in words: `the string "12"`, `the number -3`, `an object`.
pub fn describe(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => format!("`{b}`"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let cut = if shown.len() < s.len() { "…" } else { "" };
            format!("the string {:?}{cut}", shown)
        }
        Json::Array(list) => format!(
            "a list of {}",
            crate::diagnostics::plural(list.len(), "item")
        ),
        Json::Object(_) => "an object".into(),
    }
}

/// `path` with `key` appended: `$.counts.issues`, or `$['a key']` when the key is not a
/// plain name.
pub fn json_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{path}.{key}")
    } else {
        format!(
            "{path}['{}']",
            key.replace('\\', "\\\\").replace('\'', "\\'")
        )
    }
}

/// The JSON path of a place inside `value` (at `path`), given as a JSON pointer.
fn pointer_path(path: &str, value: &Json, pointer: &str) -> String {
    let mut out = path.to_owned();
    let mut at = Some(value);
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        match at {
            Some(Json::Array(list)) => {
                out.push_str(&format!("[{segment}]"));
                at = segment.parse::<usize>().ok().and_then(|i| list.get(i));
            }
            Some(Json::Object(map)) => {
                at = map.get(&segment);
                out = json_path(&out, &segment);
            }
            _ => {
                out = json_path(&out, &segment);
                at = None;
            }
        }
    }
    out
}

/// Compiles a value schema as the check that accepted it did: its own `$schema`, or
/// without one 2020-12, else draft 7.
fn compile_value_schema(schema: &Json) -> Option<Validator> {
    match jsonschema::validator_for(schema) {
        Ok(v) => Some(v),
        Err(_) if schema.get("$schema").is_none() => jsonschema::draft7::new(schema).ok(),
        Err(_) => None,
    }
}

/// Whether `text` is an RFC 3339 date-time as the payload schema's pattern has it
/// (`2025-01-31T08:00:00Z`, `2025-01-31T08:00:00.123+02:00`), with real dates and times.
pub fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
            .then(|| text[range].parse::<u32>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    let zone_ok = match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    zone_ok && (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 61
}

/// The human report: one block per problem (what, where in the ping, where the metric is
/// defined), then a summary line.
pub fn render_human(report: &Report, ping: &str) -> String {
    let mut out = String::new();
    for p in &report.problems {
        out.push_str(&format!(
            "error[{}]: {}
",
            p.kind.as_str(),
            p.message
        ));
        out.push_str(&format!(
            "  --> {ping} at {}
",
            p.path
        ));
        if let Some(d) = &p.definition {
            match (&p.suggestion, p.kind) {
                (Some(s), ProblemKind::UnknownKey) => {
                    out.push_str(&format!("   = `{s}` is defined in {}:{}\n", d.file, d.line));
                }
                _ => out.push_str(&format!("   = defined in {}:{}\n", d.file, d.line)),
            }
        }
        // A wrong type's message already says what was expected.
        if p.kind != ProblemKind::WrongType {
            out.push_str(&format!("   = expected: {}\n", p.expected));
        }
        if let Some(s) = &p.suggestion {
            out.push_str(&format!("help: did you mean `{s}`?\n"));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(report, ping));
    out.push('\n');
    out
}

/// `ping.json: 2 problems (351 values, 1 failed; the dictionary has 365 metrics)`.
pub fn summary_line(report: &Report, ping: &str) -> String {
    let verdict = if report.is_valid() {
        "valid".to_owned()
    } else {
        crate::diagnostics::plural(report.problems.len(), "problem")
    };
    format!(
        "{ping}: {verdict} ({}, {} failed; the dictionary has {})",
        crate::diagnostics::plural(report.values, "metric value"),
        report.failed,
        crate::diagnostics::plural(report.metrics, "metric")
    )
}

/// The JSON report: `{"ping", "valid", "problems", "summary"}`.
pub fn render_json(report: &Report, ping: &str) -> String {
    let value = serde_json::json!({
        "ping": ping,
        "valid": report.is_valid(),
        "problems": report.problems,
        "summary": {
            "problems": report.problems.len(),
            "values": report.values,
            "failed": report.failed,
            "metrics": report.metrics,
        },
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
