//! The event the runtime's tests and benchmarks record: like GitLab's `create_issue`, a
//! total, a distinct count of users, a filtered total and a sum, each kept weekly (the total
//! and the sum for all time too).

// Shared by tests and benchmarks that each use a part of it.
#![allow(dead_code)]

use metricc_runtime::*;

pub const CREATE_ISSUE: EventSpec = EventSpec {
    action: "create_issue",
    facade_counter: "metricc_create_issue_total",
    counters: &[
        Counter {
            selector: TOTAL,
            weekly: true,
            all_time: true,
        },
        Counter {
            selector: AUTHORS,
            weekly: true,
            all_time: false,
        },
        Counter {
            selector: BY_EMAIL,
            weekly: true,
            all_time: false,
        },
        Counter {
            selector: WEIGHT,
            weekly: true,
            all_time: true,
        },
    ],
};
pub const TOTAL: Selector = Selector {
    event: "create_issue",
    unique: None,
    filter: &[],
    operator: None,
    series: "create_issue",
};
pub const AUTHORS: Selector = Selector {
    event: "create_issue",
    unique: Some(Unique::UserId),
    filter: &[],
    operator: None,
    series: "create_issue/user.id",
};
pub const BY_EMAIL: Selector = Selector {
    event: "create_issue",
    unique: None,
    filter: &[("property", FilterValue::Text("email"))],
    operator: None,
    series: "create_issue[property=email]",
};
pub const WEIGHT: Selector = Selector {
    event: "create_issue",
    unique: None,
    filter: &[],
    operator: Some(Operator::SumValue),
    series: "create_issue/sum(value)",
};

/// A metric counting `create_issue` in `time_frame`.
const fn metric(
    key_path: &'static str,
    time_frame: TimeFrame,
    selectors: &'static [Selector],
) -> MetricSpec {
    MetricSpec {
        key_path,
        value_type: ValueType::Number,
        time_frame,
        data_source: DataSource::InternalEvents,
        data_category: Some(DataCategory::Operational),
        status: Status::Active,
        roles: NO_ROLES,
        product_group: None,
        source: ValueSource::Events(selectors),
    }
}

/// The metrics that count it: its total in each window, its distinct authors weekly and
/// monthly, the filtered total, the sum.
pub static METRICS: [MetricSpec; 7] = [
    metric("issues_weekly", TimeFrame::SevenDays, &[TOTAL]),
    metric("issues_monthly", TimeFrame::TwentyEightDays, &[TOTAL]),
    metric("issues", TimeFrame::All, &[TOTAL]),
    metric("authors_weekly", TimeFrame::SevenDays, &[AUTHORS]),
    metric("authors_monthly", TimeFrame::TwentyEightDays, &[AUTHORS]),
    metric("by_email_monthly", TimeFrame::TwentyEightDays, &[BY_EMAIL]),
    metric("weight", TimeFrame::All, &[WEIGHT]),
];

/// [`METRICS`] as the table generated code gives.
pub fn metrics() -> &'static [&'static MetricSpec] {
    static TABLE: [&MetricSpec; 7] = [
        &METRICS[0],
        &METRICS[1],
        &METRICS[2],
        &METRICS[3],
        &METRICS[4],
        &METRICS[5],
        &METRICS[6],
    ];
    &TABLE
}

/// One address for the event, as generated code has.
pub static EVENT: EventSpec = CREATE_ISSUE;

/// Records an issue created by `user`: every fifth by email, each of weight 1.5.
pub fn issue(recorder: &Recorder, user: u64) {
    recorder.record(
        &EVENT,
        &Event {
            user: Some(UserId(user)),
            property: (user % 5 == 0).then_some("email"),
            value: Some(1.5),
            ..Event::default()
        },
    );
}

/// Monday 2025-03-10 00:00 UTC: the start of 2025-W11.
pub fn monday() -> Timestamp {
    Timestamp::from_utc(2025, 3, 10, 0, 0, 0)
}

/// A week, in seconds.
pub const WEEK: i64 = 7 * 86_400;
