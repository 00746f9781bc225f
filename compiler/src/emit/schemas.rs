//! `schemas/`: JSON Schemas (draft 2020-12) of what the dictionary describes.
//!
//! - `service_ping.schema.json`: the whole Service Ping payload, nested by key path. Each
//!   metric's value follows its `value_type` ([`payload_value`]), or is the fallback a
//!   failed metric reports; object metrics embed their value schema; each property carries
//!   the metric's description and its owner, roles, category, status and definition file
//!   as `x-metricc` annotations. Every object is closed (`additionalProperties: false`);
//!   optional-category metrics are not required (an instance may opt out of them); removed
//!   metrics are absent. `metadata` holds what the runtime records about the ping itself.
//! - `events/<event>.schema.json`: each event's identifiers and additional properties; with
//!   `[build.schemas] vendor`, also Snowplow's Iglu self-describing form under
//!   `iglu/schemas/<vendor>/<name>/jsonschema/1-0-0` (a static Iglu repository).
//! - `definitions/`: the schemas of the definition files themselves, for editors.
//!
//! Built as `serde_json::Value`s and written with their keys in reading order
//! (`order.rs`): the same view gives the same bytes.

mod dialect;
mod order;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use super::{EmitError, OutputFile, Settings as AllSettings};
use crate::check::schema::{EVENT_SCHEMA, METRIC_SCHEMA, TAXONOMY_SCHEMA};
use crate::model::{DataCategory, DataSource, Identifier, PING_METADATA_KEY, Status, ValueType};
use crate::resolve::view::{EventView, MetricView, View};

/// The JSON Schema dialect of every schema metricc writes (but the Iglu ones).
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";
/// The `$schema` of a self-describing (Iglu) schema.
pub const IGLU_SELF_DESCRIBING: &str =
    "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#";
/// The SchemaVer of every Iglu schema metricc writes.
pub const IGLU_VERSION: &str = "1-0-0";
/// Where the payload schema is written.
pub const PAYLOAD_SCHEMA: &str = "schemas/service_ping.schema.json";
/// The keyword of metricc's annotations on a property.
pub const ANNOTATIONS: &str = "x-metricc";

/// The value a failed metric reports, whatever its type (GitLab's fallback).
pub const FAILED: i64 = -1;
/// The value of a failed distinct-count estimate (GitLab's HLL fallback).
pub const FAILED_ESTIMATE: i64 = -2;

/// The fields of the payload's `metadata` object, in the order the docs list them.
pub const METADATA_FIELDS: &[&str] = &["instance_id", "recorded_at", "version", "failed_metrics"];
/// The fields of one `metadata.failed_metrics` entry.
pub const FAILED_METRIC_FIELDS: &[&str] = &["key_path", "error", "duration_ms"];
/// The form of `metadata.recorded_at`: an RFC 3339 date-time, to the second or finer.
pub const DATE_TIME_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

/// `[build.schemas]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The Iglu vendor (`com.example`): with it, every event schema also comes in
    /// Snowplow's self-describing form.
    pub vendor: Option<Vendor>,
}

/// An Iglu vendor: letters, digits, `-`, `_` and `.` (reverse domain notation).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Vendor(String);

impl Vendor {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Vendor {
    type Error = String;
    fn try_from(text: String) -> Result<Vendor, String> {
        if !text.is_empty() && text.chars().all(|c| iglu_char(c) || c == '.') {
            Ok(Vendor(text))
        } else {
            Err(format!(
                "`vendor = {text:?}` is not an Iglu vendor: use letters, digits, `-`, `_` and \
                 `.`, in reverse domain notation (`com.example`)"
            ))
        }
    }
}

/// A character Iglu allows in a schema's name (and, with `.`, in its vendor).
fn iglu_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// What a ping carries for one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadValue {
    pub kind: ValueKind,
    /// The values that say the metric failed: `-1`, and `-2` for distinct counts.
    pub failures: &'static [i64],
}

/// The shape of a metric's value in the ping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// An integer, at least 0: events counted, Redis counters.
    Count,
    /// A number, at least 0: sums, SQL results, settings.
    Number,
    String,
    Boolean,
    /// A value that its `value_json_schema` describes.
    Object,
}

impl ValueKind {
    /// What a value of this kind is, in a few words ("an integer ≥ 0").
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::Count => "an integer ≥ 0",
            ValueKind::Number => "a number ≥ 0",
            ValueKind::String => "a string",
            ValueKind::Boolean => "true or false",
            ValueKind::Object => "a value that matches its value schema",
        }
    }
}

/// The value a ping carries for `metric`: its kind, and the fallbacks that mark a failure.
pub fn payload_value(metric: &MetricView) -> PayloadValue {
    let kind = match metric.value_type {
        ValueType::Number => {
            let counted = match metric.data_source {
                DataSource::Redis | DataSource::RedisHll => true,
                DataSource::InternalEvents => metric.events.iter().all(|e| e.operator.is_none()),
                _ => false,
            };
            if counted {
                ValueKind::Count
            } else {
                ValueKind::Number
            }
        }
        ValueType::String => ValueKind::String,
        ValueType::Boolean => ValueKind::Boolean,
        ValueType::Object => ValueKind::Object,
    };
    // GitLab reports -2 when a distinct-count estimate fails (HyperLogLog in Redis, batched
    // estimates in the database).
    let distinct = match metric.data_source {
        DataSource::RedisHll | DataSource::Database => true,
        DataSource::InternalEvents => metric.events.iter().any(|e| e.unique.is_some()),
        _ => false,
    };
    let failures: &'static [i64] = match kind {
        ValueKind::Count | ValueKind::Number if distinct => &[FAILED, FAILED_ESTIMATE],
        _ => &[FAILED],
    };
    PayloadValue { kind, failures }
}

/// Whether a ping must carry `metric`: every metric the payload holds but optional-category
/// ones, which an instance that opted out leaves out.
pub fn is_required(metric: &MetricView) -> bool {
    metric.data_category != Some(DataCategory::Optional)
}

/// Whether the payload holds `metric` at all (removed metrics are never sent).
pub fn is_sent(metric: &MetricView) -> bool {
    metric.status != Status::Removed
}

/// The `$id` the payload schema gives an object metric's value schema, which it embeds
/// under `$defs` (so that the value schema's own `#` references keep working).
pub fn value_schema_id(metric: &MetricView) -> Option<String> {
    let path = metric.value_json_schema.as_ref()?;
    if let Some(id) = metric
        .value_schema
        .as_ref()
        .and_then(|s| s.get("$id"))
        .and_then(Json::as_str)
    {
        return Some(id.to_owned());
    }
    Some(format!("values/{}", uri_path(path)))
}

/// A path as a URI reference: characters outside the unreserved set and `/` are
/// percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

pub fn emit(view: &View, settings: &AllSettings) -> Result<Vec<OutputFile>, EmitError> {
    // The payload's schema is one large file: it is built while the events' are.
    let (payload, events) = rayon::join(
        || -> Result<OutputFile, EmitError> { json_file(PAYLOAD_SCHEMA, &payload_schema(view)?) },
        || event_files(view, settings),
    );
    let payload = payload?;
    let events = events?;
    let mut files = Vec::with_capacity(4 + events.len());
    files.push(payload);
    for (name, text) in [
        ("metric_definition", METRIC_SCHEMA),
        ("event_definition", EVENT_SCHEMA),
        ("taxonomy", TAXONOMY_SCHEMA),
    ] {
        files.push(OutputFile::new(
            format!("schemas/definitions/{name}.schema.json"),
            text,
        ));
    }
    files.extend(events);
    Ok(files)
}

/// Each event's schema, and its Iglu form when a vendor is set.
fn event_files(view: &View, settings: &AllSettings) -> Result<Vec<OutputFile>, EmitError> {
    let names = event_names(view);
    let per_event: Vec<Result<Vec<OutputFile>, EmitError>> = view
        .events
        .par_iter()
        .zip(&names)
        .map(|(event, name)| {
            let mut files = vec![json_file(
                &format!("schemas/events/{}.schema.json", name.file),
                &event_schema(event),
            )?];
            if let Some(vendor) = &settings.schemas.vendor {
                files.push(json_file(
                    &format!(
                        "schemas/iglu/schemas/{}/{}/jsonschema/{IGLU_VERSION}",
                        vendor.as_str(),
                        name.iglu
                    ),
                    &iglu_schema(event, vendor, &name.iglu),
                )?);
            }
            Ok(files)
        })
        .collect();
    // The first event's problem, as one thread would have found it.
    let mut files = Vec::with_capacity(per_event.len());
    for event in per_event {
        files.extend(event?);
    }
    Ok(files)
}

fn json_file(path: &str, value: &Json) -> Result<OutputFile, EmitError> {
    let mut bytes = Vec::with_capacity(4096);
    serde_json::to_writer_pretty(&mut bytes, &order::Ordered(value)).map_err(|e| {
        EmitError::Backend {
            backend: "schemas",
            message: format!("{path}: {e}"),
        }
    })?;
    bytes.push(b'\n');
    Ok(OutputFile::new(path, bytes))
}

fn object(entries: impl IntoIterator<Item = (&'static str, Json)>) -> Json {
    Json::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// The Service Ping payload

/// The payload's key tree: a metric at each leaf.
enum Tree<'a> {
    Metric(&'a MetricView),
    Object(BTreeMap<&'a str, Tree<'a>>),
}

/// The schema of the whole payload.
pub fn payload_schema(view: &View) -> Result<Json, EmitError> {
    let mut root: BTreeMap<&str, Tree<'_>> = BTreeMap::new();
    for metric in view.metrics.iter().filter(|m| is_sent(m)) {
        insert(&mut root, metric)?;
    }
    let mut defs = Map::new();
    defs.insert(
        "failed".into(),
        json!({
            "const": FAILED,
            "description": "The metric failed on the instance; `metadata.failed_metrics` says why."
        }),
    );
    defs.insert(
        "failed_estimate".into(),
        json!({
            "const": FAILED_ESTIMATE,
            "description": "A distinct-count estimate failed on the instance."
        }),
    );
    defs.insert("metadata".into(), metadata_schema());
    for (name, description, value, failures) in VALUE_DEFS {
        let mut choices = vec![value()];
        for failure in *failures {
            choices.push(match *failure {
                FAILED_ESTIMATE => json!({ "$ref": "#/$defs/failed_estimate" }),
                _ => json!({ "$ref": "#/$defs/failed" }),
            });
        }
        defs.insert(
            (*name).into(),
            json!({ "description": description, "anyOf": choices }),
        );
    }
    for metric in view.metrics.iter().filter(|m| is_sent(m)) {
        if let (Some(path), Some(schema), Some(id)) = (
            &metric.value_json_schema,
            &metric.value_schema,
            value_schema_id(metric),
        ) {
            defs.entry(path.clone())
                .or_insert_with(|| dialect::embeddable(schema, &id));
        }
    }
    let (mut schema, _) = tree_schema(root);
    let sent = view.metrics.iter().filter(|m| is_sent(m)).count();
    if let Json::Object(map) = &mut schema {
        if let Some(Json::Object(properties)) = map.get_mut("properties") {
            properties.insert(
                PING_METADATA_KEY.into(),
                json!({ "$ref": "#/$defs/metadata" }),
            );
        }
        let required = map
            .entry("required")
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(list) = required {
            list.push(PING_METADATA_KEY.into());
            list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
        map.insert("$schema".into(), DRAFT.into());
        map.insert("title".into(), "Service Ping".into());
        map.insert(
            "description".into(),
            format!(
                "One Service Ping: the values of {sent} metrics nested by key path, and the \
                 ping's `metadata`. A failed metric reports -1 (-2 for a failed distinct-count \
                 estimate) and is listed in `metadata.failed_metrics`."
            )
            .into(),
        );
        map.insert(
            "$comment".into(),
            "Generated by metricc from the metric definitions: do not edit.".into(),
        );
        map.insert("$defs".into(), Json::Object(defs));
    }
    Ok(schema)
}

fn insert<'a>(
    root: &mut BTreeMap<&'a str, Tree<'a>>,
    metric: &'a MetricView,
) -> Result<(), EmitError> {
    let conflict = |what: &str| EmitError::Backend {
        backend: "schemas",
        message: format!(
            "`{}` ({}:{}) {what}: the payload cannot hold it (see MC401, MC402, MC412)",
            metric.key_path, metric.file, metric.line
        ),
    };
    if metric.key_path.is_reserved() {
        return Err(conflict(&format!(
            "lies under `{PING_METADATA_KEY}`, which the payload reserves"
        )));
    }
    let mut level = root;
    let mut segments = metric.key_path.segments().peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            if level.insert(segment, Tree::Metric(metric)).is_some() {
                return Err(conflict("is defined twice or holds other metrics"));
            }
            return Ok(());
        }
        let next = level
            .entry(segment)
            .or_insert_with(|| Tree::Object(BTreeMap::new()));
        level = match next {
            Tree::Object(children) => children,
            Tree::Metric(_) => return Err(conflict("lies under another metric")),
        };
    }
    Ok(())
}

/// An object of the key tree, and whether the payload must hold it (it holds a required
/// metric).
fn tree_schema(children: BTreeMap<&str, Tree<'_>>) -> (Json, bool) {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (key, child) in children {
        let (schema, needed) = match child {
            Tree::Metric(metric) => (metric_schema(metric), is_required(metric)),
            Tree::Object(grandchildren) => tree_schema(grandchildren),
        };
        if needed {
            required.push(Json::from(key));
        }
        properties.insert(key.to_owned(), schema);
    }
    let any_required = !required.is_empty();
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Json::Object(properties));
    if any_required {
        schema.insert("required".into(), Json::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    (Json::Object(schema), any_required)
}

/// The `$defs` that metric values refer to: one per kind of value and fallbacks.
#[allow(clippy::type_complexity)]
const VALUE_DEFS: &[(&str, &str, fn() -> Json, &[i64])] = &[
    (
        "count",
        "An integer ≥ 0, or -1 when the metric failed.",
        || json!({ "type": "integer", "minimum": 0 }),
        &[FAILED],
    ),
    (
        "distinct_count",
        "A distinct count: an integer ≥ 0, -1 when the metric failed, or -2 when its estimate failed.",
        || json!({ "type": "integer", "minimum": 0 }),
        &[FAILED, FAILED_ESTIMATE],
    ),
    (
        "number",
        "A number ≥ 0, or -1 when the metric failed.",
        || json!({ "type": "number", "minimum": 0 }),
        &[FAILED],
    ),
    (
        "distinct_number",
        "A number ≥ 0, -1 when the metric failed, or -2 when a distinct-count estimate failed.",
        || json!({ "type": "number", "minimum": 0 }),
        &[FAILED, FAILED_ESTIMATE],
    ),
    (
        "string",
        "A string, or -1 when the metric failed.",
        || json!({ "type": "string" }),
        &[FAILED],
    ),
    (
        "boolean",
        "true or false, or -1 when the metric failed.",
        || json!({ "type": "boolean" }),
        &[FAILED],
    ),
];

/// The `$defs` entry a metric's value refers to (`None` for objects, which refer to their
/// value schema).
fn value_def(value: PayloadValue) -> Option<&'static str> {
    let distinct = value.failures.contains(&FAILED_ESTIMATE);
    Some(match value.kind {
        ValueKind::Count if distinct => "distinct_count",
        ValueKind::Count => "count",
        ValueKind::Number if distinct => "distinct_number",
        ValueKind::Number => "number",
        ValueKind::String => "string",
        ValueKind::Boolean => "boolean",
        ValueKind::Object => return None,
    })
}

/// One metric's property: its value or its fallbacks, described and annotated.
fn metric_schema(metric: &MetricView) -> Json {
    let value = payload_value(metric);
    let mut schema = Map::new();
    match value_def(value) {
        Some(name) => {
            schema.insert("$ref".into(), format!("#/$defs/{name}").into());
        }
        None => {
            let object = match value_schema_id(metric).filter(|_| metric.value_schema.is_some()) {
                Some(id) => json!({ "$ref": id }),
                // No value schema (its rule turned off): any value.
                None => json!(true),
            };
            schema.insert(
                "anyOf".into(),
                json!([object, { "$ref": "#/$defs/failed" }]),
            );
        }
    }
    if let Some(description) = metric
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        schema.insert("description".into(), description.trim().into());
    }
    schema.insert(ANNOTATIONS.into(), annotations(metric));
    Json::Object(schema)
}

/// metricc's annotations of a metric: where it is defined, who owns it, what it is for.
fn annotations(metric: &MetricView) -> Json {
    let mut out = Map::new();
    out.insert(
        "definition".into(),
        format!("{}:{}", metric.file, metric.line).into(),
    );
    for (key, value) in [
        ("section", &metric.product_section),
        ("stage", &metric.product_stage),
        ("group", &metric.product_group),
    ] {
        if let Some(value) = value {
            out.insert(key.into(), value.as_str().into());
        }
    }
    if !metric.performance_indicator_type.is_empty() {
        out.insert(
            "performance_indicator_type".into(),
            metric
                .performance_indicator_type
                .iter()
                .map(|r| Json::from(r.as_str()))
                .collect(),
        );
    }
    if let Some(category) = metric.data_category {
        out.insert("data_category".into(), category.as_str().into());
    }
    out.insert("status".into(), metric.status.as_str().into());
    out.insert("time_frame".into(), metric.time_frame.as_str().into());
    out.insert("data_source".into(), metric.data_source.as_str().into());
    Json::Object(out)
}

/// `metadata`: what the runtime records about the ping itself.
fn metadata_schema() -> Json {
    json!({
        "description": "What the runtime records about the ping itself.",
        "type": "object",
        "properties": {
            "instance_id": {
                "description": "The sending instance's identifier, stable across its pings.",
                "type": "string",
                "minLength": 1
            },
            "recorded_at": {
                "description": "When the ping was assembled: an RFC 3339 date-time.",
                "type": "string",
                "format": "date-time",
                "pattern": DATE_TIME_PATTERN
            },
            "version": {
                "description": "The version of the application that sent the ping.",
                "type": "string",
                "minLength": 1
            },
            "failed_metrics": {
                "description": "The metrics that failed (their value is -1, or -2 for a failed distinct-count estimate): why, and how long they ran.",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "key_path": {
                            "description": "The failed metric's key path.",
                            "type": "string",
                            "minLength": 1
                        },
                        "error": {
                            "description": "What went wrong: the error's message, `panicked: ...` or `timed out after ... ms`.",
                            "type": "string"
                        },
                        "duration_ms": {
                            "description": "How long the metric ran before it failed, in milliseconds.",
                            "type": "number",
                            "minimum": 0
                        }
                    },
                    "required": FAILED_METRIC_FIELDS,
                    "additionalProperties": false
                }
            }
        },
        "required": METADATA_FIELDS,
        "additionalProperties": false
    })
}

// ---------------------------------------------------------------------------------------
// Events

/// The names an event's schema files get.
struct EventFileNames {
    /// `events/<file>.schema.json`: the event's slug.
    file: String,
    /// The Iglu schema name: the event's Rust name (letters, digits, `_`).
    iglu: String,
}

/// Each event's file names, in view order. Older Snowplow events may share an action
/// (with different categories): those get their category appended, so that no two events
/// write one file.
fn event_names(view: &View) -> Vec<EventFileNames> {
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &view.events {
        *uses.entry(e.names.slug.as_str()).or_default() += 1;
    }
    view.events
        .iter()
        .map(|e| {
            let shared = uses.get(e.names.slug.as_str()).copied().unwrap_or(0) > 1;
            match e.category.as_deref().filter(|_| shared) {
                Some(category) => EventFileNames {
                    file: format!("{}.{}", e.names.slug, crate::resolve::names::slug(category)),
                    iglu: format!(
                        "{}_{}",
                        e.names.rust,
                        crate::resolve::names::identifier(category)
                    ),
                },
                None => EventFileNames {
                    file: e.names.slug.clone(),
                    iglu: e.names.rust.clone(),
                },
            }
        })
        .collect()
}

/// The property of an event's JSON that carries an identifier (`project` → `project_id`).
pub fn identifier_property(identifier: Identifier) -> &'static str {
    match identifier {
        Identifier::Project => "project_id",
        Identifier::User => "user_id",
        Identifier::Namespace => "namespace_id",
        Identifier::FeatureEnabledByNamespaceIds => "feature_enabled_by_namespace_ids",
    }
}

/// The properties, required ones and description of an event's JSON, in draft-4
/// compatible keywords (the Iglu form is draft 4).
fn event_body(event: &EventView) -> Map<String, Json> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for identifier in &event.identifiers {
        let name = identifier_property(*identifier);
        let schema = match identifier {
            Identifier::FeatureEnabledByNamespaceIds => json!({
                "description": "The namespaces whose feature setting enabled the action.",
                "type": "array",
                "items": { "type": ["integer", "string"] }
            }),
            other => json!({
                "description": format!("The {} the event is attributed to.", other.as_str()),
                "type": ["integer", "string"]
            }),
        };
        properties.insert(name.into(), schema);
        required.push(Json::from(name));
    }
    for name in &event.additional_properties {
        let mut schema = match name.as_str() {
            "label" | "property" => json!({ "type": "string" }),
            "value" => json!({ "type": "number" }),
            _ => json!({ "type": ["string", "number"] }),
        };
        if let (Some(description), Json::Object(map)) =
            (event.property_descriptions.get(name), &mut schema)
        {
            map.insert("description".into(), description.as_str().into());
        }
        properties.insert(name.clone(), schema);
    }
    let mut body = Map::new();
    if let Some(description) = event
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        body.insert("description".into(), description.trim().into());
    }
    body.insert("type".into(), "object".into());
    body.insert("properties".into(), Json::Object(properties));
    if !required.is_empty() {
        body.insert("required".into(), Json::Array(required));
    }
    body.insert("additionalProperties".into(), false.into());
    body
}

/// `events/<event>.schema.json`.
pub fn event_schema(event: &EventView) -> Json {
    let mut schema = event_body(event);
    schema.insert("$schema".into(), DRAFT.into());
    schema.insert("title".into(), event.action.as_str().into());
    let mut notes = Map::new();
    notes.insert(
        "definition".into(),
        format!("{}:{}", event.file, event.line).into(),
    );
    for (key, value) in [
        ("section", &event.product_section),
        ("stage", &event.product_stage),
        ("group", &event.product_group),
        ("category", &event.category),
    ] {
        if let Some(value) = value {
            notes.insert(key.into(), value.as_str().into());
        }
    }
    if let Some(status) = event.status {
        notes.insert("status".into(), status.as_str().into());
    }
    if !event.metrics.is_empty() {
        notes.insert(
            "metrics".into(),
            event
                .metrics
                .iter()
                .map(|m| Json::from(m.as_str()))
                .collect(),
        );
    }
    schema.insert(ANNOTATIONS.into(), Json::Object(notes));
    Json::Object(schema)
}

/// The Iglu self-describing form of an event's schema (draft 4, as Iglu requires).
pub fn iglu_schema(event: &EventView, vendor: &Vendor, name: &str) -> Json {
    let mut schema = event_body(event);
    schema.insert("$schema".into(), IGLU_SELF_DESCRIBING.into());
    schema.insert(
        "self".into(),
        object([
            ("vendor", vendor.as_str().into()),
            ("name", name.into()),
            ("format", "jsonschema".into()),
            ("version", IGLU_VERSION.into()),
        ]),
    );
    Json::Object(schema)
}

#[cfg(test)]
mod tests;
