//! The event the runtime's tests and benchmarks record: like GitLab's `create_issue`, a
//! total, a distinct count of users, a filtered total and a sum, each kept weekly (the total
//! and the sum for all time too).

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
