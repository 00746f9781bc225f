//! What the runtime's benchmarks share: the occurrences they record, the synthetic
//! 10,000-metric dictionary, medians.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use metricc_runtime::*;

pub fn occurrence(user: u64) -> Event<'static> {
    Event {
        user: Some(UserId(user)),
        project: Some(ProjectId(user % 97)),
        namespace: None,
        label: None,
        property: (user % 5 == 0).then_some("email"),
        value: Some(1.0),
        custom: &[],
        feature_enabled_by_namespace_ids: &[],
    }
}

pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A synthetic dictionary of `n` metrics over `n / 5` events: a third totals (7d, 28d,
/// all time), a third distinct counts of users (7d, 28d), a third from instrumentation
/// classes.
pub fn dictionary(n: usize) -> (&'static [&'static MetricSpec], Vec<&'static EventSpec>) {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let events: Vec<&'static EventSpec> = (0..n / 5)
        .map(|e| {
            let action = leak(format!("event_{e}"));
            let counters: &'static [Counter] = Box::leak(Box::new([
                Counter {
                    selector: Selector {
                        event: action,
                        unique: None,
                        filter: &[],
                        operator: None,
                        series: action,
                    },
                    weekly: true,
                    all_time: true,
                },
                Counter {
                    selector: Selector {
                        event: action,
                        unique: Some(Unique::UserId),
                        filter: &[],
                        operator: None,
                        series: leak(format!("{action}/user.id")),
                    },
                    weekly: true,
                    all_time: false,
                },
            ]));
            &*Box::leak(Box::new(EventSpec {
                action,
                counters,
                facade_counter: leak(format!("metricc_{action}_total")),
            }))
        })
        .collect();
    let metrics: Vec<&'static MetricSpec> = (0..n)
        .map(|i| {
            let event = events[i % events.len()];
            let (time_frame, source, data_source) = match i % 3 {
                0 => (
                    [
                        TimeFrame::SevenDays,
                        TimeFrame::TwentyEightDays,
                        TimeFrame::All,
                    ][i % 9 / 3],
                    ValueSource::Events(std::slice::from_ref(&event.counters[0].selector)),
                    DataSource::InternalEvents,
                ),
                1 => (
                    [TimeFrame::SevenDays, TimeFrame::TwentyEightDays][i % 2],
                    ValueSource::Events(std::slice::from_ref(&event.counters[1].selector)),
                    DataSource::InternalEvents,
                ),
                _ => (
                    TimeFrame::None,
                    ValueSource::Instrumentation {
                        class: "SyntheticMetric",
                        index: (i % 100) as u16,
                        options: None,
                    },
                    DataSource::System,
                ),
            };
            &*Box::leak(Box::new(MetricSpec {
                key_path: leak(format!("section_{}.group_{}.metric_{i}", i % 12, i % 240)),
                value_type: ValueType::Number,
                time_frame,
                data_source,
                data_category: Some(DataCategory::Operational),
                status: Status::Active,
                roles: &[],
                product_group: None,
                source,
            }))
        })
        .collect();
    (Box::leak(metrics.into_boxed_slice()), events)
}

/// Records 5 weeks of events of the 10,000-metric dictionary into `store`, then assembles
/// its ping `runs` times: the median time and the number of values of a ping.
pub fn ping_after_five_weeks(store: Arc<dyn Store>, runs: usize) -> (Duration, usize) {
    let (metrics, events) = dictionary(10_000);
    let clock = ManualClock::new(Timestamp::from_utc(2025, 3, 3, 0, 0, 0));
    let recorder = Recorder::new(
        store,
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            max_pending: 100_000,
            ..RecorderOptions::default()
        },
    );
    for day in 0..35u64 {
        for i in 0..20_000u64 {
            let event = events[((i * 7 + day) % events.len() as u64) as usize];
            recorder.record(event, &occurrence(i % 3_000 + day));
        }
        recorder.flush().expect("the store takes the events");
        clock.advance(86_400);
    }
    let instrument: Arc<Instrument> =
        Arc::new(|index, _: &MetricContext| Ok(u32::from(index).into()));
    let options = PingOptions::new("bench", "1.0");
    let mut samples = Vec::new();
    let mut values = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let ping = assemble(metrics, &recorder, instrument.clone(), &options);
        samples.push(started.elapsed());
        assert!(ping.failed.is_empty(), "{:?}", ping.failed.first());
        values = ping.values.len();
    }
    (median(samples), values)
}
