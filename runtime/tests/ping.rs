//! Hardened ping assembly: a metric that errors, one that panics and one that sleeps past
//! its limit give their fallbacks and metadata while every other metric is reported, all
//! within the deadline; optional metrics are left out on opt-out; values of the wrong type
//! fail; the payload is nested by key path in a stable order.

use std::sync::Arc;
use std::time::{Duration, Instant};

use metricc_runtime::*;

const fn instrumented(
    key_path: &'static str,
    value_type: ValueType,
    data_category: DataCategory,
    index: u16,
) -> MetricSpec {
    MetricSpec {
        key_path,
        value_type,
        time_frame: TimeFrame::None,
        data_source: DataSource::System,
        data_category: Some(data_category),
        status: Status::Active,
        roles: &[],
        product_group: None,
        source: ValueSource::Instrumentation {
            class: "TestMetric",
            index,
            options: Some(r#"{"answer": 42}"#),
        },
    }
}

use DataCategory::{Operational, Optional};
use ValueType::{Boolean, Number as Num, Object, String as Text};

/// Index → behaviour, see [`instrument`].
static METRICS: [MetricSpec; 10] = [
    instrumented("instance.version", Text, Operational, 0),
    instrumented("counts.errors", Num, Operational, 1),
    instrumented("counts.panics", Num, Operational, 2),
    instrumented("counts.sleeps", Num, Operational, 3),
    instrumented("counts.good", Num, Operational, 4),
    instrumented("settings.enabled", Boolean, Optional, 5),
    instrumented("settings.topology", Object, Operational, 6),
    instrumented("counts.wrong_type", Num, Operational, 0),
    instrumented("counts.negative", Num, Operational, 7),
    instrumented("counts.options", Num, Operational, 8),
];

fn table() -> &'static [&'static MetricSpec] {
    static TABLE: [&MetricSpec; 10] = [
        &METRICS[0],
        &METRICS[1],
        &METRICS[2],
        &METRICS[3],
        &METRICS[4],
        &METRICS[5],
        &METRICS[6],
        &METRICS[7],
        &METRICS[8],
        &METRICS[9],
    ];
    &TABLE
}

fn instrument(sleep: Duration) -> Arc<Instrument> {
    Arc::new(
        move |index, context: &MetricContext| -> Result<Value, Error> {
            match index {
                0 => Ok("17.4.1".into()),
                1 => Err("connection refused".into()),
                2 => panic!("index out of bounds"),
                3 => {
                    std::thread::sleep(sleep);
                    Ok(1u32.into())
                }
                4 => Ok(12u32.into()),
                5 => Ok(true.into()),
                6 => Ok(Value::Object(serde_json::json!({"nodes": 3}))),
                7 => Ok(Value::Number(Number::Integer(-5))),
                8 => {
                    let options = context.options().ok_or("no options")?;
                    Ok(options["answer"].as_u64().ok_or("no answer")?.into())
                }
                _ => Err("unknown".into()),
            }
        },
    )
}

fn options() -> PingOptions {
    PingOptions {
        // Generous: a panic's backtrace alone can take a second on a loaded machine.
        metric_timeout: Duration::from_secs(2),
        deadline: Duration::from_secs(10),
        ..PingOptions::new("instance-1", "17.4.1")
    }
}

#[test]
fn one_bad_metric_never_loses_the_others() {
    let recorder = Recorder::in_memory();
    let started = Instant::now();
    let ping = assemble(
        table(),
        &recorder,
        instrument(Duration::from_secs(30)),
        &options(),
    );
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(6),
        "assembly took {took:?}: {:?}",
        ping.failed
    );

    assert_eq!(ping.value("instance.version"), Some(&Value::from("17.4.1")));
    assert_eq!(ping.value("counts.good"), Some(&Value::from(12u32)));
    assert_eq!(ping.value("settings.enabled"), Some(&Value::from(true)));
    assert_eq!(ping.value("counts.options"), Some(&Value::from(42u32)));
    let fallback = Value::Number(Number::Integer(FALLBACK));
    for failed in [
        "counts.errors",
        "counts.panics",
        "counts.sleeps",
        "counts.wrong_type",
        "counts.negative",
    ] {
        assert_eq!(ping.value(failed), Some(&fallback), "{failed}");
    }
    let failures: Vec<&str> = ping.failed.iter().map(|f| f.key_path).collect();
    assert_eq!(
        failures,
        [
            "counts.errors",
            "counts.negative",
            "counts.panics",
            "counts.sleeps",
            "counts.wrong_type"
        ]
    );
    let error = |key: &str| ping.failure(key).unwrap().error.clone();
    assert_eq!(error("counts.errors"), "connection refused");
    assert_eq!(error("counts.panics"), "panicked: index out of bounds");
    assert_eq!(
        error("counts.sleeps"),
        "timed out after 2000 ms (the limit per metric)"
    );
    assert_eq!(
        error("counts.wrong_type"),
        "returned a string, but the metric is a number"
    );
    assert!(error("counts.negative").contains("never negative"));
    let slept = ping.failure("counts.sleeps").unwrap().duration;
    assert!(
        slept >= Duration::from_secs(2) && slept < Duration::from_secs(5),
        "{slept:?}"
    );
}

#[test]
fn the_deadline_bounds_the_whole_ping() {
    let recorder = Recorder::in_memory();
    let options = PingOptions {
        metric_timeout: Duration::from_secs(60),
        deadline: Duration::from_millis(400),
        lanes: 1,
        ..options()
    };
    let started = Instant::now();
    let ping = assemble(
        table(),
        &recorder,
        instrument(Duration::from_secs(30)),
        &options,
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    // Before the sleeper: reported. The sleeper: timed out. After it: never evaluated.
    assert_eq!(ping.value("instance.version"), Some(&Value::from("17.4.1")));
    let sleeper = ping.failure("counts.sleeps").unwrap();
    assert_eq!(
        sleeper.error,
        "timed out: the ping's deadline of 400 ms passed"
    );
    let after = ping.failure("counts.good").unwrap();
    assert_eq!(
        after.error,
        "not evaluated: the ping's deadline of 400 ms passed"
    );
    assert_eq!(after.duration, Duration::ZERO);
    assert_eq!(ping.values.len(), METRICS.len());
}

#[test]
fn optional_metrics_are_left_out_on_opt_out() {
    let recorder = Recorder::in_memory();
    let options = PingOptions {
        include_optional: false,
        ..options()
    };
    let ping = assemble(table(), &recorder, instrument(Duration::ZERO), &options);
    assert_eq!(ping.value("settings.enabled"), None);
    assert!(ping.value("counts.good").is_some());
    let json = ping.to_json();
    assert!(json["settings"].get("enabled").is_none(), "{json}");
}

#[test]
fn the_payload_is_nested_sorted_and_carries_metadata() {
    let recorder = Recorder::in_memory();
    let ping = assemble(table(), &recorder, instrument(Duration::ZERO), &options());
    let json = ping.to_json();
    assert_eq!(json["counts"]["good"], serde_json::json!(12));
    assert_eq!(
        json["settings"]["topology"],
        serde_json::json!({"nodes": 3})
    );
    assert_eq!(json["counts"]["errors"], serde_json::json!(-1));
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["counts", "instance", "metadata", "settings"]);
    let metadata = &json["metadata"];
    assert_eq!(metadata["instance_id"], "instance-1");
    assert_eq!(metadata["version"], "17.4.1");
    let recorded_at = metadata["recorded_at"].as_str().unwrap();
    assert!(
        recorded_at.ends_with('Z') && recorded_at.len() == 20,
        "{recorded_at}"
    );
    let failed = metadata["failed_metrics"].as_array().unwrap();
    assert_eq!(failed.len(), 4);
    assert_eq!(failed[0]["key_path"], "counts.errors");
    assert_eq!(failed[0]["error"], "connection refused");
    assert!(failed[0]["duration_ms"].as_f64().unwrap() >= 0.0);
    let entry_keys: Vec<&String> = failed[0].as_object().unwrap().keys().collect();
    assert_eq!(entry_keys, ["duration_ms", "error", "key_path"]);
    // Stable: the same ping gives the same text.
    assert_eq!(ping.to_json_string(), ping.to_json_string());
}

struct Database;

impl SqlExecutor for Database {
    fn query(
        &self,
        context: &MetricContext,
        sql: &str,
        parameters: &[(&str, Timestamp)],
    ) -> Result<Value, Error> {
        assert_eq!(
            sql,
            "SELECT COUNT(*) FROM issues WHERE created_at >= :window_start AND created_at < :window_end"
        );
        assert_eq!(context.metric.key_path, "counts.issues_weekly");
        let start = parameters
            .iter()
            .find(|(n, _)| *n == ":window_start")
            .ok_or("no start")?
            .1;
        let end = parameters
            .iter()
            .find(|(n, _)| *n == ":window_end")
            .ok_or("no end")?
            .1;
        Ok(((end.0 - start.0) / 86_400).into())
    }
}

static SQL_METRIC: MetricSpec = MetricSpec {
    key_path: "counts.issues_weekly",
    value_type: ValueType::Number,
    time_frame: TimeFrame::SevenDays,
    data_source: DataSource::Database,
    data_category: None,
    status: Status::Active,
    roles: &[Role::Smau],
    product_group: None,
    source: ValueSource::Sql {
        text: "SELECT COUNT(*) FROM issues WHERE created_at >= :window_start AND created_at < :window_end",
        parameters: &[":window_start", ":window_end"],
        tables: &["issues"],
    },
};

#[test]
fn sql_metrics_get_their_window_or_fail_without_an_executor() {
    static TABLE: [&MetricSpec; 1] = [&SQL_METRIC];
    let recorder = Recorder::in_memory();
    let options = PingOptions {
        sql: Some(Arc::new(Database)),
        ..options()
    };
    let ping = assemble(&TABLE, &recorder, instrument(Duration::ZERO), &options);
    assert_eq!(ping.value("counts.issues_weekly"), Some(&Value::from(7u32)));
    let ping = assemble(
        &TABLE,
        &recorder,
        instrument(Duration::ZERO),
        &PingOptions::new("i", "v"),
    );
    assert!(
        ping.failure("counts.issues_weekly")
            .unwrap()
            .error
            .contains("no SQL executor")
    );
}
