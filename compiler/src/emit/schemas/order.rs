//! The order keys are written in: what a reader looks for first. A schema object lists its
//! identity and description first, then its type and constraints, its properties, and its
//! `$defs` last; maps of names (`properties`, `$defs`) and plain data sort by name. The
//! order depends on keys only, so the bytes are the same from run to run.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value as Json;

/// Schema keywords in the order they are written; other keys come after them, by name,
/// and before `$defs`.
const KEYWORDS: &[&str] = &[
    "$schema",
    "self",
    "$id",
    "$comment",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "format",
    "pattern",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "$ref",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "prefixItems",
    "items",
    "properties",
    "patternProperties",
    "required",
    "additionalProperties",
];

/// Keywords whose value maps names to schemas.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords whose value is a schema or a list of schemas.
const SUBSCHEMAS: &[&str] = &[
    "items",
    "prefixItems",
    "additionalItems",
    "additionalProperties",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];

/// The order of an Iglu schema's `self`, as Iglu writes it (and its URIs read).
const SELF_DESCRIPTION: &[&str] = &["vendor", "name", "format", "version"];

#[derive(Clone, Copy)]
enum Context {
    Schema,
    Names,
    SelfDescription,
    Data,
}

/// A JSON Schema, serialized with its keys in reading order.
pub struct Ordered<'a>(pub &'a Json);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        In(self.0, Context::Schema).serialize(serializer)
    }
}

struct In<'a>(&'a Json, Context);

fn rank(key: &str) -> usize {
    if key == "$defs" {
        return KEYWORDS.len() + 1;
    }
    KEYWORDS
        .iter()
        .position(|k| *k == key)
        .unwrap_or(KEYWORDS.len())
}

impl Serialize for In<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let In(value, context) = *self;
        match value {
            Json::Object(map) => {
                let mut entries: Vec<(&String, &Json)> = map.iter().collect();
                match context {
                    Context::Schema => {
                        entries.sort_by(|a, b| (rank(a.0), a.0).cmp(&(rank(b.0), b.0)));
                    }
                    Context::SelfDescription => entries.sort_by_key(|(key, _)| {
                        SELF_DESCRIPTION
                            .iter()
                            .position(|k| *k == key.as_str())
                            .unwrap_or(SELF_DESCRIPTION.len())
                    }),
                    Context::Names | Context::Data => entries.sort_by(|a, b| a.0.cmp(b.0)),
                }
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, child) in entries {
                    let inner = match context {
                        Context::Schema if NAME_MAPS.contains(&key.as_str()) => Context::Names,
                        Context::Schema if SUBSCHEMAS.contains(&key.as_str()) => Context::Schema,
                        Context::Schema if key == "self" => Context::SelfDescription,
                        Context::Names => Context::Schema,
                        _ => Context::Data,
                    };
                    out.serialize_entry(key, &In(child, inner))?;
                }
                out.end()
            }
            Json::Array(list) => {
                let mut out = serializer.serialize_seq(Some(list.len()))?;
                for item in list {
                    out.serialize_element(&In(item, context))?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}
