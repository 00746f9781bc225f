//! A realistic Service Ping for a dictionary, built from its `dictionary.json` the way an
//! instance's runtime would: every metric that is not removed, with a plausible value of
//! its type (objects generated from their value schema), nested by key path, and the
//! `metadata` every ping carries. Tests change one thing in it at a time.

#![allow(dead_code, clippy::unwrap_used)] // shared by test crates; a failed unwrap is a failed test

use serde_json::{Map, Value, json};

/// The metrics a ping of `dictionary` holds (not removed), as `dictionary.json` has them.
pub fn sent_metrics(dictionary: &Value) -> Vec<&Value> {
    dictionary["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] != "removed")
        .collect()
}

/// A ping holding every metric of `dictionary`, none failed.
pub fn sample_ping(dictionary: &Value) -> Value {
    let mut ping = json!({});
    for metric in sent_metrics(dictionary) {
        let key_path = metric["key_path"].as_str().unwrap();
        set(&mut ping, key_path, plausible_value(metric));
    }
    ping["metadata"] = json!({
        "instance_id": "6b1f1a52-3c43-4b8e-9d5e-0f1c8e9a2d17",
        "recorded_at": "2025-03-30T23:10:42.183Z",
        "version": "17.10.2",
        "failed_metrics": []
    });
    ping
}

/// A value the metric could report on a real instance.
pub fn plausible_value(metric: &Value) -> Value {
    let key_path = metric["key_path"].as_str().unwrap();
    let seed = hash(key_path);
    match metric["value_type"].as_str().unwrap() {
        "number" => {
            let scale = if key_path.ends_with("_weekly") {
                300
            } else {
                5000
            };
            json!(seed % scale)
        }
        "boolean" => json!(seed % 3 != 0),
        "string" => {
            let leaf = key_path.rsplit('.').next().unwrap();
            match leaf {
                l if l.contains("version") => json!("16.4.2"),
                l if l.ends_with("_at") => json!("2026-01-31"),
                l if l.contains("uuid") => json!("0d6bd2b3-7d53-4a1e-8f0e-5b7c4f1e9a21"),
                l => json!(format!("{l}-{}", seed % 7)),
            }
        }
        "object" => instance_of(&metric["value_schema"], seed),
        other => panic!("unknown value_type {other}"),
    }
}

/// An instance of a (value) JSON Schema: every property filled, arrays of two items.
pub fn instance_of(schema: &Value, seed: u64) -> Value {
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    let minimum = schema["minimum"].as_i64().unwrap_or(0);
    match kind {
        "object" => {
            let mut out = Map::new();
            if let Some(properties) = schema["properties"].as_object() {
                for (i, (name, property)) in properties.iter().enumerate() {
                    out.insert(name.clone(), instance_of(property, seed + i as u64));
                }
            }
            Value::Object(out)
        }
        "array" => json!([
            instance_of(&schema["items"], seed),
            instance_of(&schema["items"], seed + 1)
        ]),
        "integer" => json!(minimum.max(0) + (seed % 64) as i64),
        "number" => json!(minimum.max(0) as f64 + (seed % 640) as f64 / 10.0),
        "boolean" => json!(seed % 2 == 0),
        "null" => Value::Null,
        _ => json!(format!("text-{}", seed % 10)),
    }
}

fn hash(text: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Sets the value at `key_path`, creating the objects on the way.
pub fn set(ping: &mut Value, key_path: &str, value: Value) {
    let mut level = ping;
    let segments: Vec<&str> = key_path.split('.').collect();
    for segment in &segments[..segments.len() - 1] {
        level = level
            .as_object_mut()
            .unwrap()
            .entry(*segment)
            .or_insert_with(|| json!({}));
    }
    level
        .as_object_mut()
        .unwrap()
        .insert(segments[segments.len() - 1].to_owned(), value);
}

/// Removes the value at `key_path`, and the objects left empty above it.
pub fn remove(ping: &mut Value, key_path: &str) {
    fn go(level: &mut Value, segments: &[&str]) {
        let map = level.as_object_mut().unwrap();
        if let [last] = segments {
            map.remove(*last);
            return;
        }
        if let Some(child) = map.get_mut(segments[0]) {
            go(child, &segments[1..]);
            if child.as_object().is_some_and(Map::is_empty) {
                map.remove(segments[0]);
            }
        }
    }
    go(ping, &key_path.split('.').collect::<Vec<_>>());
}

/// The value at `key_path`.
pub fn get<'a>(ping: &'a Value, key_path: &str) -> Option<&'a Value> {
    key_path.split('.').try_fold(ping, |level, s| level.get(s))
}
