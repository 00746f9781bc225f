//! The `metrics` facade: every recorded event increments its counter in the application's
//! `metrics` recorder, described by the generated text.

#[path = "support/create_issue.rs"]
mod create_issue;

use create_issue::CREATE_ISSUE;
use metricc_runtime::{Event, EventSpec, Recorder, UserId, facade};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::{CompositeKey, MetricKind};

static EVENT: EventSpec = CREATE_ISSUE;

fn issue(user: u64) -> Event<'static> {
    Event {
        user: Some(UserId(user)),
        ..Event::default()
    }
}

#[test]
fn every_recorded_event_increments_its_described_counter() {
    let debugging = DebuggingRecorder::new();
    let snapshotter = debugging.snapshotter();
    let recorder = Recorder::in_memory();
    metrics::with_local_recorder(&debugging, || {
        facade::describe(&[(EVENT.facade_counter, "An issue was created.")]);
        for user in 0..5 {
            recorder.record(&EVENT, &issue(user));
        }
        // Counted even when no counter of the event matches (it was still recorded).
        recorder.record(&EVENT, &Event::default());
    });
    let snapshot = snapshotter.snapshot().into_vec();
    let key = CompositeKey::new(
        MetricKind::Counter,
        metrics::Key::from_static_name("metricc_create_issue_total"),
    );
    let (_, unit, description, value) = snapshot
        .iter()
        .find(|(k, ..)| *k == key)
        .unwrap_or_else(|| panic!("no facade counter in {snapshot:?}"));
    assert_eq!(*value, DebugValue::Counter(6));
    assert_eq!(*unit, Some(metrics::Unit::Count));
    assert_eq!(
        description.as_ref().map(|d| d.to_string()),
        Some("An issue was created.".to_owned())
    );
    assert_eq!(snapshot.len(), 1, "one counter per event: {snapshot:?}");
}
