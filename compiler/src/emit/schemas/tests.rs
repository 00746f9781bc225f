use serde_json::json;

use super::*;
use crate::model::{KeyPath, TimeFrame, Unique};
use crate::resolve::names::MetricNames;
use crate::resolve::view::SelectorView;

fn metric(key_path: &str, value_type: ValueType, data_source: DataSource) -> MetricView {
    MetricView {
        key_path: KeyPath::new(key_path),
        definition_key_path: KeyPath::new(key_path),
        file: format!("definitions/metrics/{key_path}.yml"),
        line: 2,
        description: Some(format!("The {key_path}")),
        status: Status::Active,
        value_type,
        time_frame: TimeFrame::All,
        data_source,
        data_category: Some(DataCategory::Operational),
        product_group: Some("code_review".into()),
        product_stage: Some("create".into()),
        product_section: Some("dev".into()),
        product_categories: Vec::new(),
        performance_indicator_type: Vec::new(),
        tiers: Vec::new(),
        milestone: None,
        milestone_removed: None,
        introduced_by_url: None,
        removed_by_url: None,
        repair_issue_url: None,
        instrumentation_class: None,
        options: None,
        events: Vec::new(),
        sql: None,
        value_json_schema: None,
        value_schema: None,
        names: MetricNames::new(key_path),
    }
}

fn selector(unique: Option<Unique>, operator: Option<&str>) -> SelectorView {
    SelectorView {
        name: "create_issue".into(),
        unique,
        filter: BTreeMap::new(),
        operator: operator.map(str::to_owned),
    }
}

fn view(metrics: Vec<MetricView>) -> View {
    let mut view = View::empty();
    view.metrics = metrics;
    view.metrics.sort_by(|a, b| a.key_path.cmp(&b.key_path));
    view
}

fn validator(schema: &Json) -> jsonschema::Validator {
    jsonschema::meta::validate(schema).unwrap();
    jsonschema::validator_for(schema).unwrap()
}

#[test]
fn values_follow_the_value_type_and_failures_the_kind_of_count() {
    let mut events = metric(
        "counts.issues",
        ValueType::Number,
        DataSource::InternalEvents,
    );
    events.events = vec![selector(None, None)];
    let mut unique = events.clone();
    unique.events.push(selector(Some(Unique::UserId), None));
    let mut sum = events.clone();
    sum.events = vec![selector(None, Some("sum(value)"))];
    let cases = [
        (&events, ValueKind::Count, &[FAILED][..]),
        (&unique, ValueKind::Count, &[FAILED, FAILED_ESTIMATE][..]),
        (&sum, ValueKind::Number, &[FAILED][..]),
        (
            &metric("a", ValueType::Number, DataSource::Redis),
            ValueKind::Count,
            &[FAILED][..],
        ),
        (
            &metric("a", ValueType::Number, DataSource::RedisHll),
            ValueKind::Count,
            &[FAILED, FAILED_ESTIMATE][..],
        ),
        (
            &metric("a", ValueType::Number, DataSource::Database),
            ValueKind::Number,
            &[FAILED, FAILED_ESTIMATE][..],
        ),
        (
            &metric("a", ValueType::Number, DataSource::System),
            ValueKind::Number,
            &[FAILED][..],
        ),
        (
            &metric("a", ValueType::String, DataSource::Database),
            ValueKind::String,
            &[FAILED][..],
        ),
        (
            &metric("a", ValueType::Boolean, DataSource::System),
            ValueKind::Boolean,
            &[FAILED][..],
        ),
    ];
    for (m, kind, failures) in cases {
        let value = payload_value(m);
        assert_eq!((value.kind, value.failures), (kind, failures), "{m:?}");
    }
}

#[test]
fn the_payload_nests_key_paths_and_requires_all_but_optional_metrics() {
    let mut optional = metric("counts.optional", ValueType::Number, DataSource::Redis);
    optional.data_category = Some(DataCategory::Optional);
    let mut only_optional = optional.clone();
    only_optional.key_path = KeyPath::new("extra.optional");
    let mut removed = metric("counts.removed", ValueType::Number, DataSource::Redis);
    removed.status = Status::Removed;
    let schema = payload_schema(&view(vec![
        metric("counts.issues", ValueType::Number, DataSource::Redis),
        metric("settings.name", ValueType::String, DataSource::System),
        optional,
        only_optional,
        removed,
    ]))
    .unwrap();
    assert_eq!(schema["$schema"], DRAFT);
    assert_eq!(
        schema["required"],
        json!(["counts", "metadata", "settings"])
    );
    assert_eq!(
        schema["properties"]["counts"]["required"],
        json!(["issues"])
    );
    assert!(schema["properties"]["counts"]["properties"]["removed"].is_null());
    assert!(schema["properties"]["extra"].get("required").is_none());
    let issues = &schema["properties"]["counts"]["properties"]["issues"];
    assert_eq!(issues["description"], "The counts.issues");
    assert_eq!(
        issues[ANNOTATIONS]["definition"],
        "definitions/metrics/counts.issues.yml:2"
    );
    assert_eq!(issues[ANNOTATIONS]["stage"], "create");

    let v = validator(&schema);
    let metadata = json!({
        "instance_id": "i-1", "recorded_at": "2025-01-31T08:00:00Z", "version": "17.8.0",
        "failed_metrics": [{"key_path": "counts.issues", "error": "timed out", "duration_ms": 12.5}]
    });
    let good = json!({
        "counts": {"issues": 3}, "settings": {"name": "x"}, "metadata": metadata
    });
    assert!(v.is_valid(&good));
    for (bad, why) in [
        (json!({"counts": {"issues": "3"}}), "a string count"),
        (json!({"counts": {"issues": -3}}), "a negative count"),
        (json!({"counts": {"issues": -2}}), "-2 for a plain counter"),
        (json!({"counts": {"issues": 1.5}}), "a fraction of a count"),
        (json!({"counts": {}}), "a missing metric"),
        (
            json!({"counts": {"issues": 1, "isues": 1}}),
            "a nested unknown key",
        ),
        (json!({"count": {}}), "a top-level unknown key"),
        (
            json!({"counts": {"issues": 1, "removed": 1}}),
            "a removed metric",
        ),
        (json!({"settings": {"name": -2}}), "-2 for a string"),
        (json!({"metadata": {"version": ""}}), "an empty version"),
        (
            json!({"metadata": {"recorded_at": "yesterday"}}),
            "a time that is not RFC 3339",
        ),
    ] {
        let mut ping = good.clone();
        merge(&mut ping, &bad);
        assert!(!v.is_valid(&ping), "accepted {why}: {ping}");
    }
    for (fine, why) in [
        (json!({"counts": {"issues": -1}}), "-1 for a failed count"),
        (json!({"counts": {"issues": 3.0}}), "an integral float"),
        (json!({"settings": {"name": -1}}), "-1 for a failed string"),
        (json!({"counts": {"optional": 2}}), "an optional metric"),
        (json!({"extra": {"optional": 2}}), "an optional-only object"),
    ] {
        let mut ping = good.clone();
        merge(&mut ping, &fine);
        assert!(v.is_valid(&ping), "rejected {why}: {ping}");
    }
}

/// Deep-merges `patch` into `target`; `null` in the patch removes a key.
fn merge(target: &mut Json, patch: &Json) {
    match (target, patch) {
        (Json::Object(t), Json::Object(p)) => {
            if p.is_empty() {
                t.clear();
            }
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if v.is_object() && existing.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

#[test]
fn a_key_path_the_payload_cannot_hold_is_an_error_not_a_panic() {
    for pair in [
        ["counts.ci", "counts.ci.builds"],
        ["counts.ci", "counts.ci"],
        ["metadata.x", "counts.y"],
    ] {
        let metrics = pair
            .iter()
            .map(|k| metric(k, ValueType::Number, DataSource::Redis))
            .collect();
        let err = payload_schema(&view(metrics)).unwrap_err().to_string();
        assert!(err.contains("the payload cannot hold it"), "{err}");
    }
}

#[test]
fn object_metrics_embed_their_value_schema_once() {
    let value_schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"n": {"$ref": "#/$defs/n"}},
        "$defs": {"n": {"type": "integer"}},
        "additionalProperties": false
    });
    let mut a = metric("settings.a", ValueType::Object, DataSource::System);
    a.value_json_schema = Some("definitions/objects schemas/n.json".into());
    a.value_schema = Some(value_schema);
    let mut b = a.clone();
    b.key_path = KeyPath::new("settings.b");
    let schema = payload_schema(&view(vec![a, b])).unwrap();
    let defs = schema["$defs"].as_object().unwrap();
    // failed, failed_estimate, metadata, six kinds of value, and the value schema, once
    assert_eq!(defs.len(), 10, "{:?}", defs.keys());
    let embedded = &defs["definitions/objects schemas/n.json"];
    assert_eq!(
        embedded["$id"],
        "values/definitions/objects%20schemas/n.json"
    );
    assert!(embedded.get("$schema").is_none());
    assert_eq!(
        schema["properties"]["settings"]["properties"]["a"]["anyOf"][0]["$ref"],
        "values/definitions/objects%20schemas/n.json"
    );
    let v = validator(&schema);
    let ping = |a: Json| {
        json!({"settings": {"a": a, "b": -1}, "metadata": {
            "instance_id": "i", "recorded_at": "2025-01-31T08:00:00Z", "version": "1",
            "failed_metrics": []}})
    };
    assert!(v.is_valid(&ping(json!({"n": 1}))));
    assert!(v.is_valid(&ping(json!(-1))));
    assert!(!v.is_valid(&ping(json!({"n": "x"}))));
    assert!(!v.is_valid(&ping(json!({"m": 1}))));
}

#[test]
fn older_drafts_are_embedded_as_2020_12_with_the_same_meaning() {
    let cases = [
        (
            json!({
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {
                    "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}],
                             "additionalItems": false},
                    "tag": {"$ref": "#/definitions/tag", "type": "integer"},
                    "card": {"type": "string"},
                    "cvc": {"type": "string"},
                    "definitions": {"type": "boolean"},
                    "positive": {"type": "number", "exclusiveMinimum": 0}
                },
                "dependencies": {"card": ["cvc"], "cvc": {"required": ["card"]}},
                "definitions": {"tag": {"type": "string", "maxLength": 3}}
            }),
            vec![
                (json!({"pair": ["a", 1]}), true),
                (json!({"pair": ["a", 1, 2]}), false),
                (json!({"pair": [1, "a"]}), false),
                (json!({"tag": "abc"}), true),
                (json!({"tag": "abcd"}), false),
                (json!({"card": "x"}), false),
                (json!({"card": "x", "cvc": "1"}), true),
                (json!({"cvc": "1"}), false),
                (json!({"definitions": true}), true),
                (json!({"definitions": 1}), false),
                (json!({"positive": 0}), false),
                (json!({"positive": 0.5}), true),
            ],
        ),
        (
            json!({
                "$schema": "http://json-schema.org/draft-04/schema#",
                "type": "object",
                "properties": {
                    "low": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
                    "high": {"type": "number", "maximum": 10, "exclusiveMaximum": false}
                }
            }),
            vec![
                (json!({"low": 0}), false),
                (json!({"low": 0.5}), true),
                (json!({"high": 10}), true),
                (json!({"high": 11}), false),
            ],
        ),
        (
            // No `$schema`, and only draft 7 reads it: tuple items beside `additionalItems`.
            json!({"type": "array", "items": [{"type": "string"}], "additionalItems": {"type": "integer"}}),
            vec![
                (json!(["a", 1, 2]), true),
                (json!(["a", "b"]), false),
                (json!([1]), false),
            ],
        ),
        (json!(false), vec![(json!(1), false)]),
        (json!(true), vec![(json!(1), true)]),
    ];
    for (original, instances) in cases {
        let embedded = dialect::embeddable(&original, "values/x.json");
        let mut document = json!({"$schema": DRAFT, "$ref": "values/x.json"});
        document["$defs"] = json!({ "x": embedded });
        let copy = validator(&document);
        let source = jsonschema::validator_for(&original)
            .or_else(|_| jsonschema::draft7::new(&original))
            .unwrap();
        for (instance, valid) in instances {
            assert_eq!(source.is_valid(&instance), valid, "original, {instance}");
            assert_eq!(
                copy.is_valid(&instance),
                valid,
                "embedded {document:#}\n{instance}"
            );
        }
    }
}

/// Every older draft a value schema names is rewritten (here: its tuple `items`), down to the
/// subschemas of the keywords that hold one.
#[test]
fn every_older_draft_is_recognised_and_rewritten_throughout() {
    for uri in [
        "http://json-schema.org/draft-04/schema#",
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft/2019-09/schema",
    ] {
        let tuple =
            json!({"type": "array", "items": [{"type": "string"}], "additionalItems": false});
        let mut original = json!({"$schema": uri, "type": "object"});
        for keyword in [
            "additionalProperties",
            "not",
            "if",
            "then",
            "else",
            "propertyNames",
        ] {
            original[keyword] = tuple.clone();
        }
        original["properties"] = json!({ "pair": tuple });
        let embedded = dialect::embeddable(&original, "values/x.json");
        for at in [
            "/properties/pair",
            "/additionalProperties",
            "/not",
            "/if",
            "/then",
            "/else",
            "/propertyNames",
        ] {
            let copy = embedded.pointer(at).unwrap();
            assert_eq!(
                copy,
                &json!({"type": "array", "prefixItems": [{"type": "string"}], "items": false}),
                "{uri} {at}: {embedded:#}"
            );
        }
    }
}

/// A 2020-12 schema, whether it says so or not, is embedded as written: no older draft's
/// reading (which drops the siblings of `$ref`) is applied to it.
#[test]
fn value_schemas_of_2020_12_are_embedded_as_written() {
    let body = json!({
        "type": "object",
        "properties": {"tag": {"$ref": "#/$defs/tag", "maxLength": 3}},
        "$defs": {"tag": {"type": "string"}}
    });
    let mut named = body.clone();
    named["$schema"] = json!(DRAFT);
    for original in [named, body.clone()] {
        let mut expected = body.clone();
        expected["$id"] = json!("values/x.json");
        assert_eq!(dialect::embeddable(&original, "values/x.json"), expected);
    }
}

/// A draft-7 schema that has both `definitions` and `$defs` keeps both: `definitions` is
/// renamed only when the name is free.
#[test]
fn definitions_beside_defs_are_not_renamed_over_them() {
    let original = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"old": {"type": "string"}},
        "$defs": {"new": {"type": "integer"}}
    });
    let embedded = dialect::embeddable(&original, "values/x.json");
    assert_eq!(
        embedded["$defs"],
        json!({"new": {"type": "integer"}}),
        "{embedded:#}"
    );
    assert_eq!(
        embedded["definitions"],
        json!({"old": {"type": "string"}}),
        "{embedded:#}"
    );
}

/// Draft 7's `dependencies` is split into the two keywords 2020-12 has for it (validators
/// that follow 2020-12 strictly ignore `dependencies`).
#[test]
fn dependencies_become_dependent_required_and_dependent_schemas() {
    let original = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "dependencies": {"card": ["cvc"], "cvc": {"required": ["card"]}}
    });
    assert_eq!(
        dialect::embeddable(&original, "values/x.json"),
        json!({
            "$id": "values/x.json",
            "dependentRequired": {"card": ["cvc"]},
            "dependentSchemas": {"cvc": {"required": ["card"]}}
        })
    );
}

#[test]
fn vendors_are_checked_when_the_settings_are_read() {
    assert!(Vendor::try_from("com.example-corp_1".to_owned()).is_ok());
    for bad in ["", "com example", "com/example", "com.exämple"] {
        let err = Vendor::try_from(bad.to_owned()).unwrap_err();
        assert!(err.contains("is not an Iglu vendor"), "{err}");
    }
}

#[test]
fn keys_are_written_in_reading_order() {
    let schema = json!({
        "$defs": {"b": {"type": "string", "description": "B"}, "a": {}},
        "type": "object",
        "title": "T",
        "$schema": DRAFT,
        "properties": {"type": {"x-metricc": {"z": 1, "a": 2}, "anyOf": [{"minimum": 0, "type": "integer"}], "description": "d"}},
        "zzz": {"type": 1, "description": 2, "vendor": 3, "name": 4},
        "self": {"version": "1-0-0", "format": "jsonschema", "name": "n", "vendor": "v"}
    });
    let text = serde_json::to_string(&order::Ordered(&schema)).unwrap();
    assert_eq!(
        text,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","self":{"vendor":"v","name":"n","format":"jsonschema","version":"1-0-0"},"title":"T","type":"object","properties":{"type":{"description":"d","anyOf":[{"type":"integer","minimum":0}],"x-metricc":{"a":2,"z":1}}},"zzz":{"description":2,"name":4,"type":1,"vendor":3},"$defs":{"a":{},"b":{"description":"B","type":"string"}}}"#
    );
}

/// Older Snowplow events may share an action: those (and only those) get their category in
/// their file and Iglu names.
#[test]
fn events_that_share_an_action_get_their_category_in_their_names() {
    let event = |action: &str, category: Option<&str>| crate::resolve::view::EventView {
        action: action.to_owned(),
        file: format!("definitions/events/{action}.yml"),
        line: 1,
        description: None,
        category: category.map(str::to_owned),
        identifiers: Vec::new(),
        additional_properties: Vec::new(),
        property_descriptions: std::collections::BTreeMap::new(),
        product_group: None,
        product_stage: None,
        product_section: None,
        product_categories: Vec::new(),
        tiers: Vec::new(),
        milestone: None,
        introduced_by_url: None,
        status: None,
        classification: None,
        metrics: Vec::new(),
        names: crate::resolve::names::EventNames::new(action),
    };
    let mut view = View::empty();
    view.events = vec![
        event("click", Some("Projects::Show")),
        event("click", Some("Issues::Show")),
        event("create_issue", Some("Issues::Create")),
    ];
    let names: Vec<(String, String)> = event_names(&view)
        .into_iter()
        .map(|n| (n.file, n.iglu))
        .collect();
    assert_eq!(
        names,
        [
            ("click.projects--show".into(), "click_projects__show".into()),
            ("click.issues--show".into(), "click_issues__show".into()),
            ("create_issue".into(), "create_issue".into()),
        ]
    );
}
