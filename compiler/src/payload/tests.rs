//! The checks of `validate-payload` on the example dictionary (`definitions/`), in
//! process: a ping built from the view, then one mistake at a time. (`tests/tests/schemas.rs`
//! checks that the generated schema agrees with them; these pin the details.)

use std::sync::OnceLock;

use serde_json::json;

use super::*;
use crate::emit::schemas::{is_required, is_sent, payload_value};
use crate::model::ValueType;

/// The view of the example dictionary.
fn view() -> &'static View {
    static VIEW: OnceLock<View> = OnceLock::new();
    VIEW.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config = Config::load(&root, None, None).unwrap();
        let compilation = pipeline::compile(&config).unwrap();
        checked_view(&compilation).unwrap()
    })
}

/// A value matching a (value) schema: every property, one item per array.
fn instance(schema: &Json) -> Json {
    match schema["type"].as_str().unwrap_or("object") {
        "object" => Json::Object(
            schema["properties"]
                .as_object()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), instance(v))).collect())
                .unwrap_or_default(),
        ),
        "array" => json!([instance(&schema["items"])]),
        "integer" => json!(7),
        "number" => json!(2.5),
        "boolean" => json!(true),
        _ => json!("text"),
    }
}

/// A valid ping: every metric the dictionary sends.
fn ping() -> Json {
    let mut ping = json!({});
    for m in view().metrics.iter().filter(|m| is_sent(m)) {
        let value = match payload_value(m).kind {
            ValueKind::Count => json!(3),
            ValueKind::Number => json!(2.5),
            ValueKind::String => json!("16.4"),
            ValueKind::Boolean => json!(false),
            ValueKind::Object => instance(m.value_schema.as_ref().unwrap()),
        };
        set(&mut ping, &m.key_path, value);
    }
    ping["metadata"] = json!({
        "instance_id": "i-1",
        "recorded_at": "2025-03-30T23:10:42Z",
        "version": "17.10.2",
        "failed_metrics": []
    });
    ping
}

fn set(ping: &mut Json, key_path: &str, value: Json) {
    let (parents, leaf) = key_path.rsplit_once('.').unwrap_or(("", key_path));
    let mut level = ping;
    for segment in parents.split('.').filter(|s| !s.is_empty()) {
        level = level
            .as_object_mut()
            .unwrap()
            .entry(segment)
            .or_insert_with(|| json!({}));
    }
    level
        .as_object_mut()
        .unwrap()
        .insert(leaf.to_owned(), value);
}

fn remove(ping: &mut Json, key_path: &str) {
    let (parents, leaf) = key_path.rsplit_once('.').unwrap_or(("", key_path));
    let mut level = ping;
    for segment in parents.split('.').filter(|s| !s.is_empty()) {
        level = level.get_mut(segment).unwrap();
    }
    level.as_object_mut().unwrap().remove(leaf);
}

/// The first sent metric `pick` accepts.
fn metric(pick: impl Fn(&MetricView) -> bool) -> &'static MetricView {
    view()
        .metrics
        .iter()
        .filter(|m| is_sent(m))
        .find(|m| pick(m))
        .unwrap()
}

fn count() -> &'static MetricView {
    metric(|m| {
        payload_value(m)
            == PayloadValue {
                kind: ValueKind::Count,
                failures: &[FAILED],
            }
            && is_required(m)
    })
}

fn distinct() -> &'static MetricView {
    metric(|m| payload_value(m).failures == [FAILED, FAILED_ESTIMATE] && is_required(m))
}

fn only(report: &Report) -> &Problem {
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    &report.problems[0]
}

fn definition_of(m: &MetricView) -> Option<Definition> {
    Some(Definition {
        file: m.file.clone(),
        line: m.line,
    })
}

#[test]
fn a_ping_of_every_metric_is_valid() {
    let report = validate(view(), &ping());
    assert!(report.is_valid(), "{:#?}", report.problems);
    let sent = view().metrics.iter().filter(|m| is_sent(m)).count();
    assert_eq!(
        (report.values, report.failed, report.metrics),
        (sent, 0, sent)
    );
    assert!(
        sent < view().metrics.len(),
        "the example has removed metrics"
    );
}

#[test]
fn failures_are_fallback_values_listed_in_the_metadata() {
    let mut p = ping();
    set(&mut p, &count().key_path, json!(-1));
    set(&mut p, &distinct().key_path, json!(-2.0));
    p["metadata"]["failed_metrics"] = json!([
        {"key_path": count().key_path.as_str(), "error": "boom", "duration_ms": 3},
        {"key_path": distinct().key_path.as_str(), "error": "timed out", "duration_ms": 0.5}
    ]);
    let report = validate(view(), &p);
    assert!(report.is_valid(), "{:#?}", report.problems);
    assert_eq!(report.failed, 2);

    set(&mut p, &count().key_path, json!(-2));
    let report = validate(view(), &p);
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.path.as_str()))
        .collect();
    let path = format!("$.{}", count().key_path);
    assert_eq!(
        problems,
        [
            (ProblemKind::WrongType, path.as_str()),
            (
                ProblemKind::NotFailed,
                "$.metadata.failed_metrics[0].key_path"
            ),
        ]
    );
    assert_eq!(
        report.problems[0].message,
        format!(
            "`{}` must be an integer ≥ 0, or -1 when it failed, not the number -2",
            count().key_path
        )
    );
    assert_eq!(
        report.problems[1].message,
        format!(
            "`{}` is listed as failed, but the ping reports the number -2 for it",
            count().key_path
        )
    );
    assert_eq!(
        report.problems[1].expected,
        format!("`{}` reports -1", count().key_path)
    );
    assert_eq!(report.problems[1].definition, definition_of(count()));
}

#[test]
fn each_wrong_value_is_located_and_explained() {
    let string = metric(|m| m.value_type == ValueType::String && is_required(m));
    let number = metric(|m| payload_value(m).kind == ValueKind::Number && is_required(m));
    let boolean = metric(|m| m.value_type == ValueType::Boolean && is_required(m));
    for (m, value, found) in [
        (count(), json!("3"), "the string \"3\""),
        (count(), json!(2.5), "the number 2.5"),
        (count(), json!(-3), "the number -3"),
        (count(), json!(null), "null"),
        (number, json!(-0.5), "the number -0.5"),
        (number, json!([1]), "a list of 1 item"),
        (string, json!(3), "the number 3"),
        (string, json!(-2), "the number -2"),
        (boolean, json!("true"), "the string \"true\""),
        (boolean, json!({}), "an object"),
    ] {
        let mut p = ping();
        set(&mut p, &m.key_path, value.clone());
        let report = validate(view(), &p);
        let problem = only(&report);
        assert_eq!(problem.kind, ProblemKind::WrongType, "{value}");
        assert_eq!(problem.path, format!("$.{}", m.key_path));
        assert_eq!(problem.found.as_deref(), Some(found));
        assert_eq!(problem.key_path.as_deref(), Some(m.key_path.as_str()));
        assert_eq!(problem.definition, definition_of(m));
        assert!(problem.message.contains(&problem.expected), "{problem:?}");
    }
    let mut p = ping();
    set(&mut p, &count().key_path, json!(4.0));
    assert!(validate(view(), &p).is_valid(), "4.0 is an integer");
}

#[test]
fn missing_metrics_and_objects_are_required_unless_optional() {
    let mut p = ping();
    remove(&mut p, &count().key_path);
    let report = validate(view(), &p);
    let problem = only(&report);
    assert_eq!(problem.kind, ProblemKind::Missing);
    assert_eq!(problem.path, format!("$.{}", count().key_path));
    assert_eq!(problem.definition, definition_of(count()));
    assert_eq!(problem.expected, "an integer ≥ 0, or -1 when it failed");

    let optional = metric(|m| !is_required(m));
    let mut p = ping();
    remove(&mut p, &optional.key_path);
    assert!(validate(view(), &p).is_valid());

    // A whole object: one problem, naming how many required metrics it holds.
    let top = count().key_path.split('.').next().unwrap();
    let under: Vec<&MetricView> = view()
        .metrics
        .iter()
        .filter(|m| is_sent(m) && is_required(m) && m.key_path.starts_with(&format!("{top}.")))
        .collect();
    let mut p = ping();
    p.as_object_mut().unwrap().remove(top);
    let report = validate(view(), &p);
    let problem = only(&report);
    assert_eq!(problem.path, format!("$.{top}"));
    assert_eq!(problem.kind, ProblemKind::Missing);
    assert_eq!(
        problem.expected,
        format!(
            "an object holding {}",
            crate::diagnostics::plural(under.len(), "required metric")
        )
    );
    assert_eq!(problem.definition, definition_of(under[0]));

    // An object holding only optional metrics may be left out.
    let mut p = ping();
    for m in view()
        .metrics
        .iter()
        .filter(|m| is_sent(m) && !is_required(m))
    {
        remove(&mut p, &m.key_path);
    }
    let report = validate(view(), &p);
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.kind != ProblemKind::Missing),
        "{:#?}",
        report.problems
    );
}

#[test]
fn unknown_keys_name_the_closest_key_path() {
    let known = count().key_path.as_str();
    let (parent, leaf) = known.rsplit_once('.').unwrap();
    let typo = format!("{parent}.{}", &leaf[..leaf.len() - 1]);
    let mut p = ping();
    set(&mut p, &typo, json!(1));
    let report = validate(view(), &p);
    let problem = only(&report);
    assert_eq!(problem.kind, ProblemKind::UnknownKey);
    assert_eq!(problem.path, format!("$.{typo}"));
    assert_eq!(problem.suggestion.as_deref(), Some(known));
    assert_eq!(problem.definition, definition_of(count()));
    assert_eq!(problem.expected, format!("a key path under `{parent}`"));
    assert!(
        problem
            .message
            .contains(&format!("did you mean `{known}`?"))
    );

    // Not a sibling: the closest key path of the whole dictionary.
    let mut p = ping();
    let elsewhere = format!("somewhere.{leaf}x");
    set(&mut p, &elsewhere, json!(1));
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(problem.path, "$.somewhere");
    assert_eq!(problem.expected, "a metric's key path or `metadata`");

    let mut p = ping();
    p["zzzz qqq"] = json!(1);
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(problem.path, "$['zzzz qqq']");
    assert_eq!(problem.suggestion, None);
    assert_eq!(problem.definition, None);
}

#[test]
fn many_unknown_keys_search_the_whole_dictionary_a_bounded_number_of_times() {
    // A metric's leaf at the top level: no top-level key is close, the metric is.
    let leaf = count().key_path.rsplit('.').next().unwrap();
    let mut p = ping();
    p[leaf] = json!(1);
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(
        problem.suggestion.as_deref(),
        Some(count().key_path.as_str())
    );

    let mut p = ping();
    for i in 0..(WIDE_SUGGESTIONS + 5) {
        p[format!("{leaf}{i}")] = json!(1);
    }
    let report = validate(view(), &p);
    assert_eq!(report.problems.len(), WIDE_SUGGESTIONS + 5);
    let suggested = report
        .problems
        .iter()
        .filter(|p| p.suggestion.is_some())
        .count();
    assert_eq!(suggested, WIDE_SUGGESTIONS);
}

#[test]
fn removed_metrics_say_when_they_were_removed() {
    let removed = view()
        .metrics
        .iter()
        .find(|m| !is_sent(m) && m.milestone_removed.is_some())
        .unwrap();
    let mut p = ping();
    set(&mut p, &removed.key_path, json!(1));
    let report = validate(view(), &p);
    let problem = only(&report);
    assert_eq!(problem.kind, ProblemKind::RemovedMetric);
    assert_eq!(problem.definition, definition_of(removed));
    assert!(
        problem.message.contains(&format!(
            "was removed in {}",
            removed.milestone_removed.unwrap()
        )),
        "{}",
        problem.message
    );
}

#[test]
fn a_scalar_where_the_payload_has_an_object() {
    let top = count().key_path.split('.').next().unwrap();
    let mut p = ping();
    p[top] = json!(5);
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(problem.kind, ProblemKind::WrongType);
    assert_eq!(problem.path, format!("$.{top}"));
    assert!(
        problem.message.starts_with(&format!("`{top}` holds ")),
        "{}",
        problem.message
    );
    assert!(
        problem
            .message
            .ends_with("so it must be an object, not the number 5")
    );
    assert!(problem.definition.is_some());

    let problem = only(&validate(view(), &json!([1]))).clone();
    assert_eq!(
        (problem.kind, problem.path.as_str()),
        (ProblemKind::WrongType, "$")
    );
    assert_eq!(
        problem.message,
        "a ping is a JSON object, not a list of 1 item"
    );
}

#[test]
fn object_values_are_checked_inside_against_their_value_schema() {
    let object = metric(|m| {
        m.value_type == ValueType::Object
            && m.value_schema
                .as_ref()
                .is_some_and(|s| s["properties"]["nodes"]["type"] == "array")
    });
    let mut value = instance(object.value_schema.as_ref().unwrap());
    value["nodes"][0]["node_cpus"] = json!(-4);
    let mut p = ping();
    set(&mut p, &object.key_path, value);
    let report = validate(view(), &p);
    let problem = only(&report);
    assert_eq!(problem.kind, ProblemKind::InvalidValue);
    assert_eq!(
        problem.path,
        format!("$.{}.nodes[0].node_cpus", object.key_path)
    );
    assert_eq!(problem.found.as_deref(), Some("the number -4"));
    assert_eq!(problem.definition, definition_of(object));
    let schema = object.value_json_schema.as_deref().unwrap();
    assert_eq!(
        problem.message,
        format!(
            "in the value of `{}`: -4 is less than the minimum of 0 (value schema {schema})",
            object.key_path
        )
    );
    let mut p = ping();
    set(&mut p, &object.key_path, json!(-1));
    assert!(validate(view(), &p).is_valid());
}

#[test]
fn metadata_fields_are_required_and_checked() {
    let mut p = ping();
    p.as_object_mut().unwrap().remove("metadata");
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(
        (problem.kind, problem.path.as_str()),
        (ProblemKind::Missing, "$.metadata")
    );
    assert!(
        problem
            .expected
            .contains("`instance_id`, `recorded_at`, `version`, `failed_metrics`")
    );

    for (field, value, kind, path) in [
        (
            "instance_id",
            json!(""),
            ProblemKind::WrongType,
            "$.metadata.instance_id",
        ),
        (
            "version",
            json!(17),
            ProblemKind::WrongType,
            "$.metadata.version",
        ),
        (
            "recorded_at",
            json!("2025-02-30T00:00:00Z"),
            ProblemKind::InvalidValue,
            "$.metadata.recorded_at",
        ),
        (
            "recorded_at",
            json!(1_700_000_000),
            ProblemKind::WrongType,
            "$.metadata.recorded_at",
        ),
        (
            "failed_metrics",
            json!({}),
            ProblemKind::WrongType,
            "$.metadata.failed_metrics",
        ),
        (
            "failed_metrics",
            json!([1]),
            ProblemKind::WrongType,
            "$.metadata.failed_metrics[0]",
        ),
        (
            "failed_metric",
            json!([]),
            ProblemKind::UnknownKey,
            "$.metadata.failed_metric",
        ),
    ] {
        let mut p = ping();
        p["metadata"][field] = value.clone();
        let report = validate(view(), &p);
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.kind == kind && p.path == path),
            "{field}: {value}: {:#?}",
            report.problems
        );
    }
    let mut p = ping();
    p["metadata"]["failed_metric"] = json!([]);
    let report = validate(view(), &p);
    assert_eq!(
        report.problems[0].suggestion.as_deref(),
        Some("failed_metrics")
    );

    let mut p = ping();
    p["metadata"] = json!("none");
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(
        (problem.kind, problem.path.as_str()),
        (ProblemKind::WrongType, "$.metadata")
    );

    let mut p = ping();
    p["metadata"].as_object_mut().unwrap().remove("version");
    let problem = only(&validate(view(), &p)).clone();
    assert_eq!(
        (problem.kind, problem.path.as_str()),
        (ProblemKind::Missing, "$.metadata.version")
    );
}

#[test]
fn failed_metric_entries_are_checked_field_by_field() {
    let k = count().key_path.as_str();
    let entry_problems = |entry: Json| {
        let mut p = ping();
        set(&mut p, k, json!(-1));
        p["metadata"]["failed_metrics"] = json!([entry]);
        validate(view(), &p)
            .problems
            .into_iter()
            .map(|p| (p.kind, p.path, p.suggestion))
            .collect::<Vec<_>>()
    };
    let at = |field: &str| format!("$.metadata.failed_metrics[0].{field}");
    assert_eq!(
        entry_problems(json!({"key_path": k, "error": "x", "duration_ms": -1})),
        [(ProblemKind::WrongType, at("duration_ms"), None)]
    );
    assert_eq!(
        entry_problems(json!({"key_path": k, "error": 3, "duration_ms": 1})),
        [(ProblemKind::WrongType, at("error"), None)]
    );
    assert_eq!(
        entry_problems(json!({"key_path": "", "error": "x", "duration_ms": 1})),
        [
            (ProblemKind::UnknownKey, at("key_path"), None),
            (ProblemKind::WrongType, at("key_path"), None)
        ]
    );
    assert_eq!(
        entry_problems(json!({"key_path": k, "eror": "x", "duration_ms": 1})),
        [
            (
                ProblemKind::UnknownKey,
                at("eror"),
                Some("error".to_owned())
            ),
            (ProblemKind::Missing, at("error"), None),
        ]
    );
    let removed = view().metrics.iter().find(|m| !is_sent(m)).unwrap();
    assert_eq!(
        entry_problems(
            json!({"key_path": removed.key_path.as_str(), "error": "x", "duration_ms": 1})
        ),
        [(ProblemKind::RemovedMetric, at("key_path"), None)]
    );
    let mut p = ping();
    remove(&mut p, k);
    p["metadata"]["failed_metrics"] = json!([{"key_path": k, "error": "x", "duration_ms": 1}]);
    let report = validate(view(), &p);
    let not_failed = report
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::NotFailed)
        .unwrap();
    assert_eq!(
        not_failed.message,
        format!("`{k}` is listed as failed, but the ping has no value for it")
    );
}

#[test]
fn reports_read_as_documented() {
    let mut p = ping();
    set(&mut p, &count().key_path, json!("3"));
    let typo = format!("{}x", count().key_path);
    set(&mut p, &typo, json!(1));
    let report = validate(view(), &p);
    let human = render_human(&report, "ping.json");
    let c = count();
    assert!(human.contains(&format!(
        "error[wrong-type]: `{k}` must be an integer ≥ 0, or -1 when it failed, not the string \"3\"\n  --> ping.json at $.{k}\n   = defined in {}:{}\n\n",
        c.file, c.line, k = c.key_path
    )), "{human}");
    assert!(human.contains(&format!(
        "   = `{k}` is defined in {}:{}\n   = expected: a key path under `{}`\nhelp: did you mean `{k}`?\n",
        c.file,
        c.line,
        c.key_path.rsplit_once('.').unwrap().0,
        k = c.key_path
    )), "{human}");
    assert!(human.ends_with(&format!(
        "ping.json: 2 problems ({} metric values, 0 failed; the dictionary has {} metrics)\n",
        report.values, report.metrics
    )));
    let json: Json = serde_json::from_str(&render_json(&report, "ping.json")).unwrap();
    assert_eq!(json["ping"], "ping.json");
    assert_eq!(json["valid"], false);
    assert_eq!(json["summary"]["problems"], 2);
    assert_eq!(json["summary"]["values"], report.values);
    assert_eq!(json["problems"][0]["kind"], "wrong-type");
    assert_eq!(json["problems"][0]["definition"]["line"], c.line);
    let valid = validate(view(), &ping());
    assert_eq!(
        summary_line(&valid, "p.json"),
        format!(
            "p.json: valid ({n} metric values, 0 failed; the dictionary has {n} metrics)",
            n = valid.values
        )
    );
}

#[test]
fn reading_refuses_missing_and_oversized_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = read(&dir.path().join("none.json")).unwrap_err();
    assert!(matches!(missing, PingError::Read { .. }), "{missing}");
    let exact = dir.path().join("exact.json");
    std::fs::write(&exact, vec![b' '; MAX_PING_BYTES as usize]).unwrap();
    assert_eq!(read(&exact).unwrap().len() as u64, MAX_PING_BYTES);
    let over = dir.path().join("over.json");
    std::fs::write(&over, vec![b' '; MAX_PING_BYTES as usize + 1]).unwrap();
    let err = read(&over).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} is larger than 32 MiB: metricc does not read pings this large",
            over.display()
        )
    );
    let err = parse(Path::new("p.json"), b"{\"a\": }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "p.json is not JSON: expected value at line 1 column 7"
    );
}

#[test]
fn values_are_described_in_words() {
    assert_eq!(describe(&json!(true)), "`true`");
    assert_eq!(describe(&json!([1, 2])), "a list of 2 items");
    let long = "x".repeat(70);
    assert_eq!(
        describe(&json!(long)),
        format!("the string \"{}\"…", "x".repeat(60))
    );
}

#[test]
fn date_times_follow_rfc_3339() {
    for ok in [
        "2025-01-31T08:00:00Z",
        "2024-02-29T23:59:59.123+02:00",
        "2025-12-01t00:00:00z",
    ] {
        assert!(is_date_time(ok), "{ok}");
    }
    for bad in [
        "2025-01-31",
        "2025-01-31 08:00:00Z",
        "2025-02-29T08:00:00Z",
        "2025-13-01T08:00:00Z",
        "2025-01-31T24:00:00Z",
        "2025-01-31T08:00:00",
        "2025-01-31T08:00:00.Z",
        "2025-01-31T08:00:00+0200",
        "２025-01-31T08:00:00Z",
    ] {
        assert!(!is_date_time(bad), "{bad}");
    }
}

#[test]
fn json_paths_quote_keys_that_are_not_names() {
    assert_eq!(json_path("$", "counts"), "$.counts");
    assert_eq!(json_path("$.a", "b c"), "$.a['b c']");
    assert_eq!(json_path("$", "it's"), "$['it\\'s']");
    let value = serde_json::json!({"nodes": [{"cpus": 1}]});
    assert_eq!(
        pointer_path("$.topology", &value, "/nodes/0/cpus"),
        "$.topology.nodes[0].cpus"
    );
}

#[test]
fn deep_input_is_refused_without_overflowing_the_stack() {
    let deep = "[".repeat(1_000_000);
    let err = parse(Path::new("p.json"), deep.as_bytes()).unwrap_err();
    assert!(matches!(err, PingError::TooDeep { .. }), "{err}");
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(parse(Path::new("p.json"), ok.as_bytes()).is_ok());
}
