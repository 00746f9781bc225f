//! The generated code and the `metrics` facade: a generated recording function increments
//! the event's counter, and `describe_counters()` describes it with the event's definition.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

// The module build.rs generated from definitions/, as the application includes it.
include!(concat!(env!("OUT_DIR"), "/metricc/rust/metrics.rs"));

use metricc_runtime::{Recorder, UserId};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

#[test]
fn generated_events_count_in_the_facade_with_their_descriptions() {
    let debugging = DebuggingRecorder::new();
    let snapshotter = debugging.snapshotter();
    let recorder = Recorder::in_memory();
    ::metrics::with_local_recorder(&debugging, || {
        metrics::describe_counters();
        for user in [1, 2, 2] {
            metrics::access::create_personal_access_token(
                &recorder,
                UserId(user),
                metrics::access::CreatePersonalAccessToken {
                    label: Some("api"),
                    value: Some(30.0),
                },
            );
        }
    });
    let snapshot = snapshotter.snapshot().into_vec();
    let (_, _, description, value) = snapshot
        .iter()
        .find(|(key, ..)| key.key().name() == "metricc_create_personal_access_token_total")
        .unwrap_or_else(|| panic!("no counter for the event in {snapshot:?}"));
    assert_eq!(*value, DebugValue::Counter(3));
    assert_eq!(
        description.as_ref().unwrap().to_string(),
        "A user created a personal access token"
    );
    assert_eq!(
        snapshot.len(),
        1,
        "one counter per recorded event: {snapshot:?}"
    );
}
