//! The JSON Schemas `metricc build` writes into `generated/schemas/`, checked the way their
//! users use them: the payload schema and the event schemas are valid (meta-validated by
//! the `jsonschema` crate and, independently, by Python's `jsonschema`), accept what the
//! runtime sends and reject each kind of mistake, and agree with `metricc
//! validate-payload`, which must locate every problem it reports.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;
mod sample_ping;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use sample_ping::*;
use serde_json::{Value, json};

const VENDOR: &str = "com.example";

/// The example project, built once with an Iglu vendor.
struct Built {
    root: tempfile::TempDir,
    dictionary: Value,
    payload: Value,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = example_project();
        std::fs::write(
            root.path().join("metricc.toml"),
            format!("[build.schemas]\nvendor = \"{VENDOR}\"\n"),
        )
        .unwrap();
        let output = run(root.path(), &["build"]);
        assert_eq!(status(&output), 0, "{}", stderr(&output));
        let read = |path: &str| -> Value {
            serde_json::from_slice(
                &std::fs::read(root.path().join("generated").join(path)).unwrap(),
            )
            .unwrap()
        };
        Built {
            dictionary: read("dictionary.json"),
            payload: read("schemas/service_ping.schema.json"),
            root,
        }
    })
}

fn generated(path: &str) -> Value {
    let file = built().root.path().join("generated").join(path);
    serde_json::from_slice(&std::fs::read(&file).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// One job for Python's `jsonschema`: check `schema` against its draft's meta-schema, then
/// validate each instance.
struct PythonJob {
    draft: &'static str,
    schema: Value,
    instances: Vec<Value>,
}

/// What Python's `jsonschema` says: the meta-schema error (if any), and for each instance
/// its first errors (empty: valid).
struct PythonVerdict {
    meta: Option<String>,
    errors: Vec<Vec<String>>,
}

const PYTHON_VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft4Validator, Draft202012Validator
jobs = json.load(open(sys.argv[1]))
out = []
for job in jobs:
    cls = {"2020-12": Draft202012Validator, "4": Draft4Validator}[job["draft"]]
    try:
        cls.check_schema(job["schema"])
        meta = None
    except Exception as e:
        meta = str(e)[:2000]
    validator = cls(job["schema"])
    errors = [[e.message[:300] for e in list(validator.iter_errors(i))[:3]] for i in job["instances"]]
    out.append({"meta": meta, "errors": errors})
json.dump(out, sys.stdout)
"#;

fn python(jobs: &[PythonJob]) -> Vec<PythonVerdict> {
    let python = tool("tools/venv/bin/python");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("jobs.json");
    let jobs_json: Vec<Value> = jobs
        .iter()
        .map(|j| json!({"draft": j.draft, "schema": j.schema, "instances": j.instances}))
        .collect();
    std::fs::write(&input, serde_json::to_vec(&jobs_json).unwrap()).unwrap();
    let output = Command::new(python)
        .args(["-c", PYTHON_VALIDATE])
        .arg(&input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let verdicts: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    verdicts
        .into_iter()
        .map(|v| PythonVerdict {
            meta: v["meta"].as_str().map(str::to_owned),
            errors: serde_json::from_value(v["errors"].clone()).unwrap(),
        })
        .collect()
}

/// The example project's view, as `validate-payload` checks pings against it (in process:
/// `validate_payload_cli.rs` runs the command itself).
fn view() -> &'static metricc::resolve::view::View {
    static VIEW: OnceLock<metricc::resolve::view::View> = OnceLock::new();
    VIEW.get_or_init(|| {
        let config = metricc::Config::load(built().root.path(), None, None).unwrap();
        let compilation = metricc::compile(&config).unwrap();
        metricc::payload::checked_view(&compilation).unwrap()
    })
}

/// Validates with the `jsonschema` crate, after checking the schema against its
/// meta-schema.
fn rust_validator(schema: &Value) -> jsonschema::Validator {
    if let Err(e) = jsonschema::meta::validate(schema) {
        panic!("not a valid schema: {e}");
    }
    jsonschema::validator_for(schema).unwrap()
}

fn metrics() -> Vec<&'static Value> {
    sent_metrics(&built().dictionary)
}

/// The first metric that `pick` accepts (the example dictionary has one of each kind the
/// tests need).
fn find(what: &str, pick: impl Fn(&Value) -> bool) -> &'static Value {
    metrics()
        .into_iter()
        .find(|m| pick(m))
        .unwrap_or_else(|| panic!("the example dictionary has no {what}"))
}

fn key(metric: &Value) -> &str {
    metric["key_path"].as_str().unwrap()
}

fn required(metric: &Value) -> bool {
    metric["data_category"] != "optional"
}

/// A total count: an integer whose only fallback is -1 (a Redis counter, or events counted
/// without `unique` or `operator`).
fn counted(metric: &Value) -> bool {
    let plain_events = metric["data_source"] == "internal_events"
        && metric["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("unique").is_none() && e.get("operator").is_none());
    metric["value_type"] == "number" && (metric["data_source"] == "redis" || plain_events)
}

/// A ping and what every validator must say of it: valid, or the JSON path and kind of
/// the problem `validate-payload` reports there.
struct Case {
    name: &'static str,
    ping: Value,
    problem: Option<(String, &'static str)>,
}

fn cases() -> Vec<Case> {
    let dictionary = &built().dictionary;
    let sample = sample_ping(dictionary);
    let count = find("required total count", |m| counted(m) && required(m));
    let distinct = find("required distinct count", |m| {
        m["data_source"] == "redis_hll"
            || m["events"]
                .as_array()
                .is_some_and(|e| e.iter().any(|s| s.get("unique").is_some()))
    });
    let string = find("string metric", |m| {
        m["value_type"] == "string" && required(m)
    });
    let optional = find("optional metric", |m| !required(m));
    let object = find("object metric with a closed value schema", |m| {
        m["value_type"] == "object" && m["value_schema"]["additionalProperties"] == false
    });
    let nested_object = find("object metric with an integer property", |m| {
        m["value_type"] == "object"
            && m["value_schema"]["properties"]
                .as_object()
                .is_some_and(|p| p.values().any(|s| s["type"] == "integer"))
    });
    let removed = built().dictionary["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "removed")
        .expect("the example dictionary has a removed metric");
    let path = |k: &str| format!("$.{k}");
    let with = |k: &str, v: Value| {
        let mut p = sample.clone();
        set(&mut p, k, v);
        p
    };
    let without = |k: &str| {
        let mut p = sample.clone();
        remove(&mut p, k);
        p
    };
    let with_metadata = |field: &str, v: Value| {
        let mut p = sample.clone();
        p["metadata"][field] = v;
        p
    };
    let top = key(count).split('.').next().unwrap().to_owned();
    let mut all_optional_left_out = sample.clone();
    for m in metrics().into_iter().filter(|m| !required(m)) {
        remove(&mut all_optional_left_out, key(m));
    }
    let integer_property = nested_object["value_schema"]["properties"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, s)| s["type"] == "integer")
        .map(|(name, _)| name.clone())
        .unwrap();
    let mut wrong_inner = plausible_value(nested_object);
    wrong_inner[&integer_property] = json!("many");
    let mut failed = with(key(count), json!(-1));
    failed["metadata"]["failed_metrics"] =
        json!([{"key_path": key(count), "error": "timed out after 5000 ms", "duration_ms": 5000}]);
    let mut no_duration = failed.clone();
    no_duration["metadata"]["failed_metrics"][0]
        .as_object_mut()
        .unwrap()
        .remove("duration_ms");
    let mut no_metadata = sample.clone();
    no_metadata.as_object_mut().unwrap().remove("metadata");
    let unknown_nested = format!("{}x", key(count));
    vec![
        Case {
            name: "the sample ping",
            ping: sample.clone(),
            problem: None,
        },
        Case {
            name: "-1 for a failed count",
            ping: failed.clone(),
            problem: None,
        },
        Case {
            name: "-1.0, a float, for a failed count",
            ping: with(key(count), json!(-1.0)),
            problem: None,
        },
        Case {
            name: "-2 for a failed distinct count",
            ping: with(key(distinct), json!(-2)),
            problem: None,
        },
        Case {
            name: "-1 for a failed string",
            ping: with(key(string), json!(-1)),
            problem: None,
        },
        Case {
            name: "-1 for a failed object",
            ping: with(key(object), json!(-1)),
            problem: None,
        },
        Case {
            name: "an optional metric left out",
            ping: without(key(optional)),
            problem: None,
        },
        Case {
            name: "every optional metric left out",
            ping: all_optional_left_out,
            problem: None,
        },
        Case {
            name: "a count as a string",
            ping: with(key(count), json!("12")),
            problem: Some((path(key(count)), "wrong-type")),
        },
        Case {
            name: "a negative count",
            ping: with(key(count), json!(-3)),
            problem: Some((path(key(count)), "wrong-type")),
        },
        Case {
            name: "-2 for a total",
            ping: with(key(count), json!(-2)),
            problem: Some((path(key(count)), "wrong-type")),
        },
        Case {
            name: "a fractional count",
            ping: with(key(count), json!(2.5)),
            problem: Some((path(key(count)), "wrong-type")),
        },
        Case {
            name: "a missing required metric",
            ping: without(key(count)),
            problem: Some((path(key(count)), "missing")),
        },
        Case {
            name: "a missing required object",
            ping: without(&top),
            problem: Some((path(&top), "missing")),
        },
        Case {
            name: "an object that is a number",
            ping: with(&top, json!(3)),
            problem: Some((path(&top), "wrong-type")),
        },
        Case {
            name: "an unknown top-level key",
            ping: with("usage_event", json!(1)),
            problem: Some(("$.usage_event".into(), "unknown-key")),
        },
        Case {
            name: "an unknown nested key",
            ping: with(&unknown_nested, json!(1)),
            problem: Some((path(&unknown_nested), "unknown-key")),
        },
        Case {
            name: "a removed metric",
            ping: with(key(removed), json!(1)),
            problem: Some((path(key(removed)), "removed-metric")),
        },
        Case {
            name: "an object value with an extra key",
            ping: with(key(object), json!({"surprise": 1})),
            problem: Some((path(key(object)), "invalid-value")),
        },
        Case {
            name: "an object value with a wrong inner type",
            ping: with(key(nested_object), wrong_inner),
            problem: Some((
                format!("$.{}.{integer_property}", key(nested_object)),
                "invalid-value",
            )),
        },
        Case {
            name: "no metadata",
            ping: no_metadata,
            problem: Some(("$.metadata".into(), "missing")),
        },
        Case {
            name: "a bad recorded_at",
            ping: with_metadata("recorded_at", json!("yesterday")),
            problem: Some(("$.metadata.recorded_at".into(), "invalid-value")),
        },
        Case {
            name: "an unknown metadata field",
            ping: with_metadata("hostname", json!("x")),
            problem: Some(("$.metadata.hostname".into(), "unknown-key")),
        },
        Case {
            name: "a failed metric without duration",
            ping: no_duration,
            problem: Some(("$.metadata.failed_metrics[0].duration_ms".into(), "missing")),
        },
        Case {
            name: "a list instead of a ping",
            ping: json!([sample]),
            problem: Some(("$".into(), "wrong-type")),
        },
    ]
}

#[test]
fn the_payload_schema_is_a_valid_2020_12_schema() {
    let schema = &built().payload;
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    rust_validator(schema);
    let verdict = python(&[PythonJob {
        draft: "2020-12",
        schema: schema.clone(),
        instances: Vec::new(),
    }]);
    assert_eq!(verdict[0].meta, None);
}

#[test]
fn the_payload_schema_is_closed_at_every_level_and_annotates_every_metric() {
    fn walk(schema: &Value, at: &str, metrics: &mut usize) {
        if let Some(properties) = schema["properties"].as_object() {
            assert_eq!(schema["additionalProperties"], false, "{at} is open");
            for (key, child) in properties {
                walk(child, &format!("{at}.{key}"), metrics);
            }
        } else if let Some(notes) = schema.get("x-metricc") {
            *metrics += 1;
            let definition = notes["definition"].as_str().unwrap();
            assert!(definition.contains(".yml:"), "{at}: {definition}");
            for key in [
                "section",
                "stage",
                "group",
                "data_category",
                "status",
                "time_frame",
            ] {
                assert!(notes[key].is_string(), "{at} has no {key}");
            }
            assert!(schema["description"].is_string(), "{at} has no description");
        }
    }
    let mut annotated = 0;
    walk(&built().payload, "$", &mut annotated);
    assert_eq!(annotated, metrics().len());
}

#[test]
fn the_schemas_and_validate_payload_agree_on_every_ping() {
    let cases = cases();
    let validator = rust_validator(&built().payload);
    let verdicts = python(&[PythonJob {
        draft: "2020-12",
        schema: built().payload.clone(),
        instances: cases.iter().map(|c| c.ping.clone()).collect(),
    }]);
    let view = view();
    for (i, case) in cases.iter().enumerate() {
        let valid = case.problem.is_none();
        assert_eq!(
            validator.is_valid(&case.ping),
            valid,
            "jsonschema crate, {}",
            case.name
        );
        assert_eq!(
            verdicts[0].errors[i].is_empty(),
            valid,
            "Python jsonschema, {}: {:?}",
            case.name,
            verdicts[0].errors[i]
        );
        let report = metricc::payload::validate(view, &case.ping);
        let report = serde_json::to_value(&report).unwrap();
        let problems = report["problems"].as_array().unwrap();
        assert_eq!(
            problems.is_empty(),
            valid,
            "validate-payload, {}: {report:#}",
            case.name
        );
        if let Some((path, kind)) = &case.problem {
            assert!(
                problems
                    .iter()
                    .any(|p| p["path"] == *path && p["kind"] == *kind),
                "{}: no {kind} at {path} in {report:#}",
                case.name
            );
        }
        for problem in problems {
            assert_located(problem);
        }
    }
}

/// Every problem has a JSON path, says what was expected, and a problem about a metric
/// points at the line of the metric's `key_path`.
fn assert_located(problem: &Value) {
    let path = problem["path"].as_str().unwrap();
    assert!(path.starts_with('$'), "{problem:#}");
    assert!(
        !problem["expected"].as_str().unwrap().is_empty(),
        "{problem:#}"
    );
    let definition = &problem["definition"];
    assert!(
        problem["key_path"].is_null() || definition.is_object(),
        "a problem about a metric says where it is defined: {problem:#}"
    );
    if definition.is_object() {
        let file = definition["file"].as_str().unwrap();
        let line = definition["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(built().root.path().join(file)).unwrap();
        let at = text.lines().nth(line - 1).unwrap();
        assert!(at.starts_with("key_path:"), "{file}:{line} is `{at}`");
    }
}

#[test]
fn validate_payload_checks_what_the_schema_cannot() {
    let sample = sample_ping(&built().dictionary);
    let count = find("required total count", |m| counted(m) && required(m));
    let mut not_failed = sample.clone();
    not_failed["metadata"]["failed_metrics"] =
        json!([{"key_path": key(count), "error": "boom", "duration_ms": 1}]);
    let mut unknown_failed = sample.clone();
    let typo = format!("{}s", key(count));
    unknown_failed["metadata"]["failed_metrics"] =
        json!([{"key_path": typo, "error": "boom", "duration_ms": 1}]);
    let validator = rust_validator(&built().payload);
    for (ping, kind, suggestion) in [
        (not_failed, "not-failed", None),
        (unknown_failed, "unknown-key", Some(key(count))),
    ] {
        assert!(validator.is_valid(&ping), "the schema cannot see this");
        let report = serde_json::to_value(metricc::payload::validate(view(), &ping)).unwrap();
        assert_eq!(
            report["problems"].as_array().unwrap().len(),
            1,
            "{report:#}"
        );
        let problem = &report["problems"][0];
        assert_eq!(problem["kind"], kind, "{problem:#}");
        assert_eq!(problem["path"], "$.metadata.failed_metrics[0].key_path");
        assert_eq!(problem["suggestion"].as_str(), suggestion);
        assert_located(problem);
    }
}

/// A sample event for an event schema: every identifier and property, with a value of its
/// type.
fn sample_event(schema: &Value) -> Value {
    let mut event = serde_json::Map::new();
    for (name, property) in schema["properties"].as_object().unwrap() {
        let types: Vec<&str> = match &property["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => vec!["string"],
        };
        let value = match types[0] {
            "integer" => json!(4711),
            "number" => json!(12.5),
            "array" => json!([1, 2]),
            _ => json!(format!("{name}-value")),
        };
        event.insert(name.clone(), value);
    }
    Value::Object(event)
}

/// Wrong events for an event schema: each breaks one rule.
fn wrong_events(schema: &Value) -> Vec<Value> {
    let sample = sample_event(schema);
    let mut wrong = vec![json!("not an event")];
    let mut extra = sample.clone();
    extra["not_a_property"] = json!(1);
    wrong.push(extra);
    if let Some(first) = schema["required"].as_array().and_then(|r| r.first()) {
        let mut missing = sample.clone();
        missing
            .as_object_mut()
            .unwrap()
            .remove(first.as_str().unwrap());
        wrong.push(missing);
    }
    if schema["properties"].get("value").is_some() {
        let mut text_value = sample.clone();
        text_value["value"] = json!("a lot");
        wrong.push(text_value);
    }
    wrong
}

/// The self-describing meta-schema of Iglu
/// (`iglu:com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0`), with `$schema` set to
/// the draft 4 it extends so that standard validators read it.
fn iglu_meta_schema() -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "description": "Meta-schema for self-describing JSON schema",
        "allOf": [
            {
                "properties": {
                    "self": {
                        "type": "object",
                        "properties": {
                            "vendor": {"type": "string", "pattern": "^[a-zA-Z0-9-_.]+$"},
                            "name": {"type": "string", "pattern": "^[a-zA-Z0-9-_]+$"},
                            "format": {"type": "string", "pattern": "^[a-zA-Z0-9-_]+$"},
                            "version": {"type": "string", "pattern": "^[0-9]+-[0-9]+-[0-9]+$"}
                        },
                        "required": ["vendor", "name", "format", "version"],
                        "additionalProperties": false
                    }
                },
                "required": ["self"]
            },
            {"$ref": "http://json-schema.org/draft-04/schema#"}
        ]
    })
}

#[test]
fn event_schemas_and_their_iglu_forms_validate_events() {
    let events = built().dictionary["events"].as_array().unwrap();
    let root = built().root.path().join("generated/schemas");
    let iglu_meta = jsonschema::draft4::new(&iglu_meta_schema()).unwrap();
    let mut jobs = Vec::new();
    let mut iglu_schemas = Vec::new();
    for event in events {
        let slug = event["names"]["slug"].as_str().unwrap();
        let name = event["names"]["rust"].as_str().unwrap();
        let schema = generated(&format!("schemas/events/{slug}.schema.json"));
        let iglu_path = format!("schemas/iglu/schemas/{VENDOR}/{name}/jsonschema/1-0-0");
        let iglu = generated(&iglu_path);

        let sample = sample_event(&schema);
        let wrong = wrong_events(&schema);
        let v = rust_validator(&schema);
        assert!(v.is_valid(&sample), "{slug}: {sample}");
        for w in &wrong {
            assert!(!v.is_valid(w), "{slug} accepts {w}");
        }
        assert_eq!(
            schema["required"].as_array().map_or(0, Vec::len),
            event["identifiers"].as_array().unwrap().len(),
            "{slug}: every identifier is required"
        );

        assert!(
            iglu_meta.is_valid(&iglu),
            "{iglu_path} is not self-describing: {iglu:#}"
        );
        assert_eq!(
            iglu["$schema"],
            "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
        );
        assert_eq!(
            iglu["self"],
            json!({"vendor": VENDOR, "name": name, "format": "jsonschema", "version": "1-0-0"})
        );
        // The data it describes, read as the draft 4 that Iglu schemas are.
        let mut body = iglu.clone();
        body["$schema"] = json!("http://json-schema.org/draft-04/schema#");
        let v4 = jsonschema::draft4::new(&body).unwrap();
        assert!(v4.is_valid(&sample), "{iglu_path}: {sample}");
        for w in &wrong {
            assert!(!v4.is_valid(w), "{iglu_path} accepts {w}");
        }

        let mut instances = vec![sample];
        instances.extend(wrong);
        jobs.push(PythonJob {
            draft: "2020-12",
            schema,
            instances: instances.clone(),
        });
        jobs.push(PythonJob {
            draft: "4",
            schema: body,
            instances,
        });
        iglu_schemas.push(iglu);
    }
    assert!(root.join("iglu").is_dir());
    jobs.push(PythonJob {
        draft: "4",
        schema: iglu_meta_schema(),
        instances: iglu_schemas,
    });
    let verdicts = python(&jobs);
    for (job, verdict) in jobs.iter().zip(&verdicts) {
        assert_eq!(verdict.meta, None, "{}", job.schema);
    }
    for pair in verdicts[..verdicts.len() - 1].iter() {
        assert!(
            pair.errors[0].is_empty(),
            "Python rejects a sample event: {:?}",
            pair.errors[0]
        );
        for errors in &pair.errors[1..] {
            assert!(!errors.is_empty(), "Python accepts a wrong event");
        }
    }
    let meta = verdicts.last().unwrap();
    assert!(meta.errors.iter().all(Vec::is_empty), "{:?}", meta.errors);
}

#[test]
fn definition_schemas_are_shipped_for_editors_at_the_documented_place() {
    for name in ["metric_definition", "event_definition", "taxonomy"] {
        let shipped =
            std::fs::read(workspace().join(format!("compiler/schemas/{name}.schema.json")))
                .unwrap();
        let written = std::fs::read(
            built()
                .root
                .path()
                .join(format!("generated/schemas/definitions/{name}.schema.json")),
        )
        .unwrap();
        assert_eq!(shipped, written, "{name}");
    }
    // Each modeline the definition reference shows, resolved from the folder it is shown
    // for, names a schema the build wrote.
    let docs = std::fs::read_to_string(workspace().join("docs/definitions.md")).unwrap();
    let mut seen = 0;
    let mut folder = None;
    for line in docs.lines() {
        if let Some(f) = line.strip_prefix("# in ") {
            folder = Some(f.trim().trim_end_matches(':').to_owned());
        }
        if let Some(target) = line.strip_prefix("# yaml-language-server: $schema=") {
            let folder = folder
                .clone()
                .expect("a modeline says which folder it is for");
            let path = built().root.path().join(&folder).join(target.trim());
            assert!(
                path.is_file(),
                "{folder}: {target} does not exist ({})",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 3, "docs/definitions.md shows {seen} modelines");
    assert!(Path::new(&built().root.path().join("generated/schemas/definitions")).is_dir());
}
