//! Structural validation with the shipped JSON Schemas (`compiler/schemas/`), and the
//! translation of each schema error into a located, explained diagnostic.
//!
//! The schemas are the contract editors and other tools see; this file makes their errors
//! read like a compiler's: the exact key or value, the field's name, and a suggestion
//! ("did you mean", the quoted milestone, the field that replaced a legacy one).

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

use super::fields::{
    invalid_format::INVALID_FORMAT, invalid_value::INVALID_VALUE, legacy_field,
    legacy_field::LEGACY_FIELD, legacy_value::LEGACY_VALUE, missing_field::MISSING_FIELD,
    unknown_field::UNKNOWN_FIELD, unquoted_number::UNQUOTED_NUMBER, wrong_type::WRONG_TYPE,
};
use crate::diagnostics::Diagnostic;
use crate::model::Dialect;
use crate::source::{FileId, FileKind, Span};
use crate::suggest::closest;
use crate::yaml::{Node, Value, pointer_segments};

/// The metric definition schema, as shipped and emitted.
pub const METRIC_SCHEMA: &str = include_str!("../../schemas/metric_definition.schema.json");
/// The event definition schema, as shipped and emitted.
pub const EVENT_SCHEMA: &str = include_str!("../../schemas/event_definition.schema.json");
/// The taxonomy schema, as shipped and emitted.
pub const TAXONOMY_SCHEMA: &str = include_str!("../../schemas/taxonomy.schema.json");

struct Compiled {
    schema: Json,
    validator: Validator,
}

fn compiled(kind: FileKind) -> Option<&'static Compiled> {
    static METRIC: OnceLock<Compiled> = OnceLock::new();
    static EVENT: OnceLock<Compiled> = OnceLock::new();
    static TAXONOMY: OnceLock<Compiled> = OnceLock::new();
    let (cell, text) = match kind {
        FileKind::Metric => (&METRIC, METRIC_SCHEMA),
        FileKind::Event => (&EVENT, EVENT_SCHEMA),
        FileKind::Taxonomy => (&TAXONOMY, TAXONOMY_SCHEMA),
        FileKind::ValueSchema | FileKind::List => return None,
    };
    Some(cell.get_or_init(|| {
        let schema: Json = serde_json::from_str(text).expect("shipped schemas are JSON");
        let validator = jsonschema::validator_for(&schema).expect("shipped schemas are valid");
        Compiled { schema, validator }
    }))
}

/// Validates one parsed file against its kind's schema. Under GitLab's own format
/// ([`Dialect::Gitlab`]), `product_stage` and `product_section` are legacy fields, as
/// GitLab's current schema has them no more.
pub fn validate(
    kind: FileKind,
    file: FileId,
    root: &Node,
    text: &str,
    dialect: Dialect,
) -> Vec<Diagnostic> {
    let Some(compiled) = compiled(kind) else {
        return Vec::new();
    };
    let instance = root.to_json();
    let mut out = Vec::new();
    let cx = Cx {
        kind,
        file,
        root,
        text,
        schema: &compiled.schema,
    };
    for error in compiled.validator.iter_errors(&instance) {
        cx.report(&error, &mut out);
    }
    if dialect == Dialect::Gitlab && matches!(kind, FileKind::Metric | FileKind::Event) {
        for key in ["product_section", "product_stage"] {
            if let Some(entry) = root.entry(key) {
                out.push(
                    Diagnostic::new(
                        &LEGACY_FIELD,
                        Span::new(file, entry.key_span.clone()),
                        format!("`{key}` belongs to an older definition format"),
                    )
                    .label("legacy field")
                    .help(legacy_field::stage_field_help(key)),
                );
            }
        }
    }
    out
}

struct Cx<'a> {
    kind: FileKind,
    file: FileId,
    root: &'a Node,
    text: &'a str,
    schema: &'a Json,
}

impl Cx<'_> {
    fn span(&self, node: &Node) -> Span {
        Span::new(self.file, node.span.clone())
    }

    fn report(&self, error: &ValidationError<'_>, out: &mut Vec<Diagnostic>) {
        let pointer = error.instance_path().as_str();
        let Some(node) = self.root.pointer(pointer) else {
            return;
        };
        let field = field_name(pointer);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    self.unknown_field(pointer, node, key, out);
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                self.missing_field(pointer, node, name, out);
            }
            ValidationErrorKind::Type { kind } => self.wrong_type(&field, node, kind, out),
            ValidationErrorKind::Enum { options } => {
                self.invalid_enum(&field, node, options, out);
            }
            ValidationErrorKind::Constant { expected_value } => out.push(
                Diagnostic::new(
                    &INVALID_VALUE,
                    self.span(node),
                    format!("`{field}` must be `{expected_value}`"),
                )
                .label(format!("found {}", describe(node)))
                .help(format!(
                    "write `{}: {expected_value}`, or remove the field",
                    field_key(&field)
                )),
            ),
            ValidationErrorKind::Pattern { .. } => out.push(self.invalid_format(&field, node)),
            ValidationErrorKind::UniqueItems => self.duplicate_item(&field, node, out),
            ValidationErrorKind::MinItems { .. } => out.push(
                Diagnostic::new(
                    &INVALID_VALUE,
                    self.span(node),
                    format!("`{field}` must not be empty"),
                )
                .label("empty list")
                .help("list at least one value, or remove the field"),
            ),
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.alternatives(pointer, node, context, out);
            }
            ValidationErrorKind::PropertyNames { error } => {
                // The error's instance is the offending key itself.
                let key = error.instance().as_str().unwrap_or_default().to_owned();
                let span = node.entry(&key).map_or_else(
                    || self.span(node),
                    |e| Span::new(self.file, e.key_span.clone()),
                );
                out.push(
                    Diagnostic::new(&INVALID_FORMAT, span, format!("`{key}` is not a valid key"))
                        .label("key")
                        .help(
                            "keys are lower case letters, digits, `_` and `-`, e.g. `source_code`",
                        ),
                );
            }
            _ => out.push(
                Diagnostic::new(
                    &INVALID_VALUE,
                    self.span(node),
                    format!("`{field}`: {error}"),
                )
                .label("invalid")
                .help(format!(
                    "see `{}` in the definition reference (docs/definitions.md)",
                    field_key(&field)
                )),
            ),
        }
    }

    fn unknown_field(&self, pointer: &str, node: &Node, key: &str, out: &mut Vec<Diagnostic>) {
        let Some(entry) = node.entry(key) else {
            return;
        };
        let span = Span::new(self.file, entry.key_span.clone());
        if pointer.is_empty()
            && let Some(help) = legacy_field::migration(key, self.kind == FileKind::Event, |f| {
                node.entry(f).is_some()
            })
        {
            out.push(
                Diagnostic::new(
                    &LEGACY_FIELD,
                    span,
                    format!("`{key}` belongs to an older definition format"),
                )
                .label("legacy field")
                .help(help),
            );
            return;
        }
        let allowed = allowed_fields(self.schema, pointer);
        let place = if pointer.is_empty() {
            match self.kind {
                FileKind::Metric => "a metric definition".to_owned(),
                FileKind::Event => "an event definition".to_owned(),
                _ => "this file".to_owned(),
            }
        } else {
            format!("`{}`", field_name(pointer))
        };
        let mut diagnostic = Diagnostic::new(
            &UNKNOWN_FIELD,
            span,
            format!("unknown field `{key}` in {place}"),
        )
        .label("unknown field");
        diagnostic = match closest(key, allowed.iter().map(String::as_str)) {
            Some(best) => diagnostic
                .help(format!("did you mean `{best}`?"))
                .fix(span, best.to_owned()),
            None if !allowed.is_empty() => diagnostic.help(format!(
                "remove it; the fields here are: {}",
                allowed
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => diagnostic.help("remove it"),
        };
        out.push(diagnostic);
    }

    fn missing_field(&self, pointer: &str, node: &Node, name: &str, out: &mut Vec<Diagnostic>) {
        if pointer.is_empty()
            && legacy_field::predecessor(name).is_some_and(|old| node.entry(old).is_some())
        {
            return; // the legacy-field diagnostic says to rename the old field
        }
        let span = match node.as_map().and_then(<[_]>::first) {
            Some(first) if pointer.is_empty() => Span::new(self.file, first.key_span.clone()),
            _ => self.span(node),
        };
        let place = if pointer.is_empty() {
            "this definition".to_owned()
        } else {
            format!("`{}`", field_name(pointer))
        };
        let mut diagnostic = Diagnostic::new(
            &MISSING_FIELD,
            span,
            format!("missing required field `{name}` in {place}"),
        )
        .label(format!("`{name}` is not set"));
        diagnostic = match example(name) {
            Some(example) => diagnostic.help(format!("add it, e.g. `{example}`")),
            None => diagnostic.help(format!("add `{name}`")),
        };
        out.push(diagnostic);
    }

    fn wrong_type(&self, field: &str, node: &Node, kind: &TypeKind, out: &mut Vec<Diagnostic>) {
        let expected: Vec<String> = match kind {
            TypeKind::Single(t) => vec![t.to_string()],
            TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
        };
        let wants_string = expected.iter().any(|t| t == "string");
        if wants_string && matches!(node.value, Value::Int(_) | Value::Float(_)) {
            out.push(self.unquoted_number(field, node));
            return;
        }
        if node.value == Value::Null {
            // `description:` with nothing after it: the value is missing, not mistyped.
            let key = field_key(field);
            out.push(
                Diagnostic::new(
                    &MISSING_FIELD,
                    self.span(node),
                    format!("`{field}` has no value"),
                )
                .label("empty")
                .help(match example(key) {
                    Some(example) => format!("write the value after the colon, e.g. `{example}`"),
                    None => "write the value after the colon, or remove the field".to_owned(),
                }),
            );
            return;
        }
        let expected_text = expected
            .iter()
            .map(|t| type_phrase(t))
            .collect::<Vec<_>>()
            .join(" or ");
        let mut diagnostic = Diagnostic::new(
            &WRONG_TYPE,
            self.span(node),
            format!(
                "`{field}` must be {expected_text}, found {}",
                node.type_name()
            ),
        )
        .label(format!("{} here", node.type_name()));
        if expected.iter().any(|t| t == "array") {
            if let Value::Str(s) = &node.value {
                let key = field.rsplit('.').next().unwrap_or(field);
                diagnostic = diagnostic.help(if key == "events" {
                    format!("write a list of events: `events: [{{name: {s}}}]`")
                } else {
                    format!("write a list: `{key}: [{s}]`")
                });
            }
        } else if wants_string && matches!(node.value, Value::Bool(_) | Value::Null) {
            diagnostic = diagnostic.help(format!(
                "write a value, quoted if `{}` is meant literally",
                self.raw(node)
            ));
        }
        if diagnostic.help.is_none() {
            diagnostic = diagnostic.help(format!("write {expected_text}"));
        }
        out.push(diagnostic);
    }

    fn unquoted_number(&self, field: &str, node: &Node) -> Diagnostic {
        let raw = self.raw(node);
        let read = match node.value {
            Value::Float(f) => format!("{f}"),
            Value::Int(i) => format!("{i}"),
            _ => raw.to_owned(),
        };
        let quoted = format!("\"{raw}\"");
        let message = if read != raw {
            format!("`{field}` must be a string; YAML reads `{raw}` as the number {read}")
        } else {
            format!("`{field}` must be a string, found the number {read}")
        };
        Diagnostic::new(&UNQUOTED_NUMBER, self.span(node), message)
            .label("unquoted number")
            .help(format!(
                "quote it: `{}: {quoted}`",
                field.rsplit('.').next().unwrap_or(field)
            ))
            .fix(self.span(node), quoted)
    }

    fn invalid_enum(&self, field: &str, node: &Node, options: &Json, out: &mut Vec<Diagnostic>) {
        let allowed: Vec<&str> = options
            .as_array()
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let Value::Str(value) = &node.value else {
            if matches!(node.value, Value::Int(_) | Value::Float(_)) && !allowed.is_empty() {
                out.push(self.unquoted_number(field, node));
                return;
            }
            out.push(
                Diagnostic::new(
                    &WRONG_TYPE,
                    self.span(node),
                    format!("`{field}` must be one of {}", list(&allowed)),
                )
                .label(format!("{} here", node.type_name()))
                .help(format!("write one of {}", list(&allowed))),
            );
            return;
        };
        let key = field_key(field);
        if let Some((replacement, reason)) = crate::model::legacy::replacement(key, value) {
            out.push(
                Diagnostic::new(
                    &LEGACY_VALUE,
                    self.span(node),
                    format!("`{key}: {value}` belongs to an older definition format"),
                )
                .label("legacy value")
                .help(format!("{reason}: write `{key}: {replacement}`"))
                .fix(self.span(node), replacement),
            );
            return;
        }
        let mut diagnostic = Diagnostic::new(
            &INVALID_VALUE,
            self.span(node),
            format!("`{value}` is not a valid `{key}`"),
        )
        .label("unknown value");
        diagnostic = match closest(value, allowed.iter().copied()) {
            Some(best) => diagnostic
                .help(format!(
                    "did you mean `{best}`? allowed: {}",
                    list(&allowed)
                ))
                .fix(self.span(node), best),
            None => diagnostic.help(format!("allowed: {}", list(&allowed))),
        };
        out.push(diagnostic);
    }

    fn invalid_format(&self, field: &str, node: &Node) -> Diagnostic {
        let key = field_key(field);
        let value = node.as_str().unwrap_or_default();
        let (what, help) = match key {
            "milestone" | "milestone_removed" => (
                "a milestone",
                "write MAJOR.MINOR in quotes, e.g. `\"16.4\"` (or `\"<13.9\"` for \"before 13.9\")"
                    .to_owned(),
            ),
            "action" => (
                "an event action",
                format!(
                    "actions are lower case letters, digits and `_`, e.g. `{}`",
                    snake(value)
                ),
            ),
            "instrumentation_class" => (
                "an instrumentation class name",
                "write a CamelCase class name, e.g. `CountIssuesMetric`".to_owned(),
            ),
            "key_path" => (
                "a key path",
                "write dot-separated names without spaces, e.g. `counts.issues`".to_owned(),
            ),
            _ => ("a valid value", "see `metricc explain MC105`".to_owned()),
        };
        Diagnostic::new(
            &INVALID_FORMAT,
            self.span(node),
            format!("`{value}` is not {what} (`{key}`)"),
        )
        .label("wrong format")
        .help(help)
    }

    fn duplicate_item(&self, field: &str, node: &Node, out: &mut Vec<Diagnostic>) {
        let items = node.as_seq().unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            if let Some(first) = items[..i].iter().find(|prev| prev.value == item.value) {
                out.push(
                    Diagnostic::new(
                        &INVALID_VALUE,
                        self.span(item),
                        format!("`{field}` lists `{}` twice", self.raw(item)),
                    )
                    .label("repeated")
                    .related(self.span(first), "first listed here")
                    .help("remove the repeated item"),
                );
            }
        }
    }

    /// `anyOf`/`oneOf`: report the errors of the alternative whose type matches the value;
    /// when none does, the value has the wrong type for all of them.
    fn alternatives(
        &self,
        pointer: &str,
        node: &Node,
        context: &[Vec<ValidationError<'static>>],
        out: &mut Vec<Diagnostic>,
    ) {
        let field = field_name(pointer);
        let own_path = |e: &ValidationError<'_>| e.instance_path().as_str() == pointer;
        let matching = context.iter().find(|errors| {
            !errors
                .iter()
                .any(|e| own_path(e) && matches!(e.kind(), ValidationErrorKind::Type { .. }))
        });
        if let Some(errors) = matching {
            for error in errors {
                self.report(error, out);
            }
            return;
        }
        let expected: Vec<String> = context
            .iter()
            .flatten()
            .filter_map(|e| match e.kind() {
                ValidationErrorKind::Type {
                    kind: TypeKind::Single(t),
                } => Some(type_phrase(&t.to_string())),
                _ => None,
            })
            .collect();
        out.push(
            Diagnostic::new(
                &WRONG_TYPE,
                self.span(node),
                format!(
                    "`{field}` must be {}, found {}",
                    expected.join(" or "),
                    node.type_name()
                ),
            )
            .label(format!("{} here", node.type_name()))
            .help(format!("write {}", expected.join(" or "))),
        );
    }

    /// The value as written in the file.
    fn raw(&self, node: &Node) -> &str {
        self.text.get(node.span.clone()).unwrap_or_default()
    }
}

/// The JSON-ish path of a pointer for messages: `/events/0/unique` → `events[0].unique`.
fn field_name(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer_segments(pointer) {
        if segment.bytes().all(|b| b.is_ascii_digit()) && !segment.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

/// The last name of a field path: `events[0].unique` → `unique`, `tiers[1]` → `tiers`.
fn field_key(field: &str) -> &str {
    let last = field.rsplit('.').next().unwrap_or(field);
    last.split('[').next().unwrap_or(last)
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("`{s}`"),
        Value::Int(i) => format!("`{i}`"),
        Value::Float(f) => format!("`{f}`"),
        Value::Bool(b) => format!("`{b}`"),
        _ => node.type_name().to_owned(),
    }
}

fn type_phrase(json_type: &str) -> String {
    match json_type {
        "string" => "a string",
        "array" => "a list",
        "object" => "a mapping",
        "number" | "integer" => "a number",
        "boolean" => "a boolean (true or false)",
        "null" => "empty",
        other => other,
    }
    .to_owned()
}

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A snake_case rendering of free text, for suggestions.
fn snake(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// A typical value of a required field, for "add it" suggestions.
fn example(field: &str) -> Option<&'static str> {
    Some(match field {
        "key_path" => "key_path: counts.<name>",
        "description" => "description: Count of ...",
        "value_type" => "value_type: number",
        "status" => "status: active",
        "product_group" => "product_group: <a group key of the taxonomy>",
        "time_frame" => "time_frame: 28d",
        "data_source" => "data_source: internal_events",
        "data_category" => "data_category: optional",
        "milestone" => "milestone: \"17.4\"",
        "introduced_by_url" => "introduced_by_url: https://<merge request URL>",
        "tiers" => "tiers: [free, premium, ultimate]",
        "action" => "action: <event_name>",
        "name" => "name: <event action>",
        "sections" => "sections: {dev: {name: Dev, stages: {...}}}",
        "stages" => "stages: {create: {name: Create, groups: {...}}}",
        "groups" => "groups: {source_code: Source Code}",
        _ => return None,
    })
}

/// The field names a schema allows at the object a pointer designates (for suggestions).
fn allowed_fields(schema: &Json, pointer: &str) -> Vec<String> {
    let mut current = schema;
    for segment in pointer_segments(pointer) {
        current = deref(schema, current);
        let next = current
            .get("properties")
            .and_then(|p| p.get(&segment))
            .or_else(|| current.get("items"))
            .or_else(|| {
                current
                    .get("additionalProperties")
                    .filter(|a| a.is_object())
            });
        match next {
            Some(next) => current = next,
            None => return Vec::new(),
        }
    }
    let current = deref(schema, current);
    let mut fields: Vec<String> = current
        .get("properties")
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    fields.sort();
    fields
}

/// Follows a local `$ref` (`#/$defs/x`).
fn deref<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    match schema.get("$ref").and_then(Json::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or(schema),
        None => schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_like_paths() {
        assert_eq!(field_name("/events/0/unique"), "events[0].unique");
        assert_eq!(field_name(""), "");
        assert_eq!(field_key("events[0].unique"), "unique");
        assert_eq!(field_key("tiers[1]"), "tiers");
    }

    #[test]
    fn allowed_fields_follow_refs_and_items() {
        let schema: Json = serde_json::from_str(METRIC_SCHEMA).unwrap();
        assert!(allowed_fields(&schema, "").contains(&"key_path".to_owned()));
        assert_eq!(
            allowed_fields(&schema, "/events/0"),
            vec!["filter", "name", "operator", "unique"]
        );
    }

    #[test]
    fn shipped_schemas_compile() {
        for kind in [FileKind::Metric, FileKind::Event, FileKind::Taxonomy] {
            assert!(compiled(kind).is_some());
        }
    }
}
