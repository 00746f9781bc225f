//! What generated code tells the runtime: every metric of the Service Ping ([`MetricSpec`])
//! and every event with the counters it feeds ([`EventSpec`]). All `const`-constructible:
//! the generated tables are plain static data, built by the compiler, with nothing to
//! initialise at start-up.

use std::fmt;

/// A metric's `value_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    Number,
    String,
    Boolean,
    Object,
}

/// A metric's (expanded) `time_frame`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeFrame {
    /// `7d`
    SevenDays,
    /// `28d`
    TwentyEightDays,
    /// `all`
    All,
    /// `none`: not time-framed.
    None,
}

impl TimeFrame {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeFrame::SevenDays => "7d",
            TimeFrame::TwentyEightDays => "28d",
            TimeFrame::All => "all",
            TimeFrame::None => "none",
        }
    }
}

/// A metric's `data_source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataSource {
    Database,
    Redis,
    RedisHll,
    InternalEvents,
    System,
    License,
    Prometheus,
}

/// A metric's `data_category`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataCategory {
    Operational,
    Optional,
    Standard,
    Subscription,
}

/// A metric's `status` (removed metrics are never in the table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Active,
    Broken,
}

/// A `performance_indicator_type`: the metric's role in xMAU reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Smau,
    Gmau,
    PaidGmau,
    Umau,
    Amau,
    CustomerHealthScore,
    DevopsReport,
    Lighthouse,
    LeadingIndicator,
}

/// What an event metric counts distinct values of (`unique:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unique {
    UserId,
    ProjectId,
    NamespaceId,
    Label,
    Property,
    Value,
}

impl Unique {
    pub fn as_str(self) -> &'static str {
        match self {
            Unique::UserId => "user.id",
            Unique::ProjectId => "project.id",
            Unique::NamespaceId => "namespace.id",
            Unique::Label => "label",
            Unique::Property => "property",
            Unique::Value => "value",
        }
    }
}

/// An event metric's `operator:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `sum(value)`: the sum of the events' `value`.
    SumValue,
}

/// A value an event property must have for a selector to count the event (`filter:`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FilterValue {
    Text(&'static str),
    Integer(i64),
    Float(f64),
    Boolean(bool),
}

/// No filter: what most selectors have. Generated code names this one empty slice instead
/// of writing `&[]` in every selector, which keeps a large dictionary's code cheaper to
/// type-check.
pub const NO_FILTER: &[(&str, FilterValue)] = &[];

/// No roles: what most metrics have (see [`NO_FILTER`]).
pub const NO_ROLES: &[Role] = &[];

/// One `events:` entry of a metric: an event, the events of it that count (`filter`), and
/// how they count. `series` names the counter it is kept in (metrics with the same
/// selector share it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Selector {
    pub event: &'static str,
    pub unique: Option<Unique>,
    pub filter: &'static [(&'static str, FilterValue)],
    pub operator: Option<Operator>,
    pub series: &'static str,
}

impl Selector {
    /// What the counter keeps.
    pub fn kind(&self) -> SeriesKind {
        match (self.unique, self.operator) {
            (Some(_), _) => SeriesKind::Distinct,
            (None, Some(Operator::SumValue)) => SeriesKind::Sum,
            (None, None) => SeriesKind::Count,
        }
    }
}

/// What a counter keeps per bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeriesKind {
    /// The number of events.
    Count,
    /// The sum of the events' `value`.
    Sum,
    /// A HyperLogLog of the distinct values.
    Distinct,
}

/// How a metric's value is obtained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueSource {
    /// Counted from recorded events (`data_source: internal_events`).
    Events(&'static [Selector]),
    /// One SQL query (`sql:`), with the named parameters it uses (`:window_start`, ...).
    Sql {
        text: &'static str,
        parameters: &'static [&'static str],
        /// The tables it reads.
        tables: &'static [&'static str],
    },
    /// Computed by the application (`instrumentation_class:`): `index` is the class's place
    /// in the generated `Instrumentation` trait.
    Instrumentation {
        class: &'static str,
        index: u16,
        /// The definition's `options`, as JSON text.
        options: Option<&'static str>,
    },
    /// The definition says nowhere how to compute it (a check was turned off): the metric
    /// fails with this explanation.
    Undefined(&'static str),
}

/// One metric of the Service Ping.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricSpec {
    pub key_path: &'static str,
    pub value_type: ValueType,
    pub time_frame: TimeFrame,
    pub data_source: DataSource,
    pub data_category: Option<DataCategory>,
    pub status: Status,
    pub roles: &'static [Role],
    pub product_group: Option<&'static str>,
    pub source: ValueSource,
}

impl MetricSpec {
    /// Whether the value is a count (an integer ≥ 0): Redis counters and HyperLogLogs, and
    /// event metrics that count events or distinct values (not sums).
    pub fn is_count(&self) -> bool {
        if self.value_type != ValueType::Number {
            return false;
        }
        match self.data_source {
            DataSource::Redis | DataSource::RedisHll => true,
            DataSource::InternalEvents => match self.source {
                ValueSource::Events(selectors) => selectors.iter().all(|s| s.operator.is_none()),
                _ => true,
            },
            _ => false,
        }
    }

    /// Whether an instance that opted out of optional data leaves it out.
    pub fn is_optional(&self) -> bool {
        self.data_category == Some(DataCategory::Optional)
    }
}

impl fmt::Display for MetricSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key_path)
    }
}

/// One counter an event feeds, with what it needs at recording time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Counter {
    pub selector: Selector,
    /// Kept per week (a 7d or 28d metric reads it).
    pub weekly: bool,
    /// Kept for all time (an `all` metric reads it).
    pub all_time: bool,
}

/// One event definition: its action and every counter it feeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventSpec {
    pub action: &'static str,
    pub counters: &'static [Counter],
    /// The counter the `metrics` facade increments for every recorded event (feature
    /// `metrics`): `metricc_<action>_total`, the action's characters that are not ASCII
    /// letters, digits or `_` written `_`.
    pub facade_counter: &'static str,
}
