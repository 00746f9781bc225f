//! Value schemas as the payload schema embeds them: in draft 2020-12, whatever draft they
//! were written in.
//!
//! A `value_json_schema` may follow draft 4, 6, 7 or 2019-09 (MC203 accepts them), but a
//! 2020-12 document cannot hold another dialect: validators check embedded schemas against
//! 2020-12's meta-schema. The keywords whose meaning changed are rewritten so the embedded
//! copy accepts exactly what the original does: tuple `items` (→ `prefixItems`, with
//! `additionalItems` → `items`), `definitions` (→ `$defs`, references too), `dependencies`
//! (→ `dependentRequired` / `dependentSchemas`), draft 4's boolean `exclusiveMinimum` /
//! `exclusiveMaximum`, and the keywords beside a `$ref`, which drafts up to 7 ignore.

use serde_json::{Map, Value as Json};

/// A value schema's dialect, as far as embedding cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Draft {
    Four,
    Six,
    Seven,
    Draft2019,
    Draft2020,
}

/// Keywords that only annotate: kept beside a `$ref` of an older draft.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// The copy of `schema` the payload schema holds under `$defs`: draft 2020-12, without
/// `$schema` (it inherits the payload schema's), with `id` as its `$id` unless it has one.
pub fn embeddable(schema: &Json, id: &str) -> Json {
    let draft = draft_of(schema);
    match translate(schema, draft) {
        Json::Object(mut map) => {
            map.remove("$schema");
            map.entry("$id").or_insert_with(|| id.into());
            Json::Object(map)
        }
        Json::Bool(accepts) => {
            let mut map = Map::new();
            map.insert("$id".into(), id.into());
            if !accepts {
                map.insert("not".into(), Json::Object(Map::new()));
            }
            Json::Object(map)
        }
        other => other,
    }
}

/// The draft `schema` is written in: its `$schema`, or (without one) 2020-12 unless only
/// draft 7 accepts it, as MC203 decides.
fn draft_of(schema: &Json) -> Draft {
    match schema.get("$schema").and_then(Json::as_str) {
        Some(uri) if uri.contains("draft-04") => Draft::Four,
        Some(uri) if uri.contains("draft-06") => Draft::Six,
        Some(uri) if uri.contains("draft-07") => Draft::Seven,
        Some(uri) if uri.contains("2019-09") => Draft::Draft2019,
        Some(_) => Draft::Draft2020,
        None if jsonschema::validator_for(schema).is_err()
            && jsonschema::draft7::new(schema).is_ok() =>
        {
            Draft::Seven
        }
        None => Draft::Draft2020,
    }
}

fn translate(schema: &Json, draft: Draft) -> Json {
    let Json::Object(map) = schema else {
        return schema.clone();
    };
    if draft == Draft::Draft2020 {
        return schema.clone();
    }
    let mut out = Map::new();
    let ref_only = draft <= Draft::Seven && map.contains_key("$ref");
    for (key, value) in map {
        if ref_only && key != "$ref" && key != "definitions" && !ANNOTATIONS.contains(&key.as_str())
        {
            continue;
        }
        match key.as_str() {
            "$ref" => {
                let target = value.as_str().map_or_else(
                    || value.clone(),
                    |r| match r.strip_prefix("#/definitions/") {
                        Some(rest) if !map.contains_key("$defs") => {
                            Json::from(format!("#/$defs/{rest}"))
                        }
                        _ => value.clone(),
                    },
                );
                out.insert(key.clone(), target);
            }
            "definitions" if !map.contains_key("$defs") => {
                out.insert("$defs".into(), schema_map(value, draft));
            }
            "definitions" | "$defs" | "properties" | "patternProperties" | "dependentSchemas" => {
                out.insert(key.clone(), schema_map(value, draft));
            }
            "items" => match value {
                Json::Array(list) => {
                    out.insert(
                        "prefixItems".into(),
                        list.iter().map(|s| translate(s, draft)).collect(),
                    );
                    if let Some(rest) = map.get("additionalItems") {
                        out.insert("items".into(), translate(rest, draft));
                    }
                }
                single => {
                    out.insert(key.clone(), translate(single, draft));
                }
            },
            // Meaningful only beside a tuple `items`, handled there.
            "additionalItems" => {}
            "dependencies" => {
                if let Json::Object(deps) = value {
                    for (property, dependency) in deps {
                        let (keyword, value) = match dependency {
                            Json::Array(_) => ("dependentRequired", dependency.clone()),
                            schema => ("dependentSchemas", translate(schema, draft)),
                        };
                        if let Json::Object(target) = out
                            .entry(keyword)
                            .or_insert_with(|| Json::Object(Map::new()))
                        {
                            target.insert(property.clone(), value);
                        }
                    }
                }
            }
            "minimum" | "maximum" if draft == Draft::Four => {
                let exclusive = if key == "minimum" {
                    "exclusiveMinimum"
                } else {
                    "exclusiveMaximum"
                };
                if map.get(exclusive) == Some(&Json::Bool(true)) {
                    out.insert(exclusive.into(), value.clone());
                } else {
                    out.insert(key.clone(), value.clone());
                }
            }
            "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => {}
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                out.insert(
                    key.clone(),
                    match value {
                        Json::Array(list) => list.iter().map(|s| translate(s, draft)).collect(),
                        other => other.clone(),
                    },
                );
            }
            "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties" => {
                out.insert(key.clone(), translate(value, draft));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Json::Object(out)
}

/// A map of name → schema (`properties`, `$defs`, ...), each schema translated.
fn schema_map(value: &Json, draft: Draft) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), translate(v, draft)))
                .collect(),
        ),
        other => other.clone(),
    }
}
