//! A metric definition as written in its file.

use super::sql::Sql;
use super::{
    DataCategory, DataSource, Fields, IndicatorType, KeyPath, Milestone, Spelling, Status, Tier,
    TimeFrame, Unique, ValueType, read_items,
};
use crate::source::{FileId, Span, Spanned};
use crate::yaml::{Node, Value};

/// `time_frame`: one value, or a list that expands into one metric per element.
#[derive(Clone, Debug, PartialEq)]
pub enum TimeFrames {
    Single(TimeFrame),
    List(Vec<Spanned<TimeFrame>>),
}

impl TimeFrames {
    /// The time frames the definition expands to, in the order written.
    pub fn each(&self) -> Vec<TimeFrame> {
        match self {
            TimeFrames::Single(tf) => vec![*tf],
            TimeFrames::List(list) => list.iter().map(|tf| tf.value).collect(),
        }
    }
}

/// One entry of `events:`: an event counted by an event-based metric.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSelector {
    pub span: Span,
    /// The `action` of the event counted.
    pub name: Spanned<String>,
    pub unique: Option<Spanned<Unique>>,
    /// `filter:` entries: additional property → value it must have.
    pub filter: Vec<(Spanned<String>, Spanned<serde_json::Value>)>,
    pub operator: Option<Spanned<String>>,
}

/// A metric definition file, typed. Optional fields are `None` when absent or malformed.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDefinition {
    pub file: FileId,
    pub key_path: Spanned<KeyPath>,
    pub description: Option<Spanned<String>>,
    pub product_group: Option<Spanned<String>>,
    pub product_categories: Vec<Spanned<String>>,
    pub value_type: Spanned<ValueType>,
    pub status: Spanned<Status>,
    pub time_frame: Spanned<TimeFrames>,
    pub data_source: Spanned<DataSource>,
    pub data_category: Option<Spanned<DataCategory>>,
    pub performance_indicator_type: Vec<Spanned<IndicatorType>>,
    pub tiers: Vec<Spanned<Tier>>,
    pub milestone: Option<Spanned<Milestone>>,
    pub introduced_by_url: Option<Spanned<String>>,
    /// The `events:` key, when present.
    pub events_key: Option<Span>,
    /// How many items `events:` lists, when it is a list.
    pub events_written: Option<usize>,
    pub events: Vec<EventSelector>,
    /// `sql:` of a database metric, parsed (boxed: most metrics have none).
    pub sql: Option<Box<Sql>>,
    /// The fields most definitions do not have (read through the methods of the same
    /// names); `None` when the definition has none of them, so that ten thousand
    /// definitions do not each carry room for them.
    rare: Option<Box<RareFields>>,
    /// Span of the first key of the file: where "missing field" problems point.
    pub head: Span,
}

/// The fields of a [`MetricDefinition`] that most definitions leave out.
#[derive(Clone, Debug, Default, PartialEq)]
struct RareFields {
    product_stage: Option<Spanned<String>>,
    product_section: Option<Spanned<String>>,
    legacy_product_category: Option<Spanned<String>>,
    milestone_removed: Option<Spanned<Milestone>>,
    removed_by_url: Option<Spanned<String>>,
    repair_issue_url: Option<Spanned<String>>,
    instrumentation_class: Option<Spanned<String>>,
    options: Option<Spanned<serde_json::Value>>,
    options_key: Option<Span>,
    value_json_schema: Option<Spanned<String>>,
}

/// The methods that read a [`RareFields`] field of a definition.
macro_rules! rare_fields {
    ($($(#[$doc:meta])* $field:ident: $type:ty;)*) => {
        impl MetricDefinition {
            $(
                $(#[$doc])*
                pub fn $field(&self) -> Option<&$type> {
                    self.rare.as_ref()?.$field.as_ref()
                }
            )*
        }
    };
}

rare_fields! {
    /// `product_stage` (a legacy field under the GitLab preset).
    product_stage: Spanned<String>;
    /// `product_section` (a legacy field under the GitLab preset).
    product_section: Spanned<String>;
    /// The single `product_category` of the 2021 format (reported as a legacy field).
    legacy_product_category: Spanned<String>;
    milestone_removed: Spanned<Milestone>;
    removed_by_url: Spanned<String>;
    repair_issue_url: Spanned<String>;
    instrumentation_class: Spanned<String>;
    options: Spanned<serde_json::Value>;
    /// The `options:` key, when present.
    options_key: Span;
    value_json_schema: Spanned<String>;
}

impl MetricDefinition {
    /// Reads a definition from its file's tree; `None` when a field it cannot exist without
    /// is missing or invalid.
    pub fn from_node(file: FileId, node: &Node) -> Option<MetricDefinition> {
        let f = Fields::new(file, node);
        let time_frame = time_frames(&f)?;
        let rare = RareFields {
            product_stage: f.string("product_stage"),
            product_section: f.string("product_section"),
            legacy_product_category: f.string("product_category"),
            milestone_removed: f.milestone("milestone_removed"),
            // GitLab's schema allows `removed_by_url:` left empty (null) for old removals; it
            // reads as an empty URL, not as a missing field.
            removed_by_url: f.string("removed_by_url").or_else(|| {
                node.get("removed_by_url")
                    .filter(|n| matches!(n.value, Value::Null))
                    .map(|n| Spanned::new(String::new(), f.span(n)))
            }),
            repair_issue_url: f.string("repair_issue_url"),
            instrumentation_class: f.string("instrumentation_class"),
            options: node
                .get("options")
                .filter(|n| matches!(n.value, Value::Map(_)))
                .map(|n| Spanned::new(n.to_json(), f.span(n))),
            options_key: f.key_span("options"),
            value_json_schema: f.string("value_json_schema"),
        };
        Some(MetricDefinition {
            file,
            key_path: f
                .string("key_path")
                .map(|k| Spanned::new(KeyPath::new(k.value), k.span))?,
            description: f.string("description"),
            product_group: f.string("product_group"),
            product_categories: f.strings("product_categories"),
            value_type: f.recovered::<ValueType>("value_type")?,
            status: f.recovered::<Status>("status")?,
            time_frame,
            data_source: f.recovered::<DataSource>("data_source")?,
            data_category: f.recovered::<DataCategory>("data_category"),
            performance_indicator_type: f
                .enumerated_list("performance_indicator_type", IndicatorType::parse),
            tiers: f.enumerated_list("tiers", Tier::parse),
            milestone: f.milestone("milestone"),
            introduced_by_url: f.string("introduced_by_url"),
            events_key: f.key_span("events"),
            events_written: node.get("events").and_then(Node::as_seq).map(<[_]>::len),
            events: read_items(
                node.get("events")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter(),
                |n| event_selector(&f, n),
            ),
            sql: f.string("sql").map(|text| Box::new(Sql::parse(text))),
            rare: (rare != RareFields::default()).then(|| Box::new(rare)),
            head: head(file, node),
        })
    }

    /// Whether the metric carries `role` in `performance_indicator_type`.
    pub fn has_role(&self, role: IndicatorType) -> bool {
        self.performance_indicator_type
            .iter()
            .any(|r| r.value == role)
    }
}

/// The span of the first key of a mapping (or of the node itself).
pub(crate) fn head(file: FileId, node: &Node) -> Span {
    match node.as_map().and_then(<[_]>::first) {
        Some(entry) => Span::new(file, entry.key_span.clone()),
        None => Span::new(file, node.span.start..node.span.start),
    }
}

fn time_frames(f: &Fields<'_>) -> Option<Spanned<TimeFrames>> {
    let node = f.node.get("time_frame")?;
    let value = match &node.value {
        Value::Str(s) => TimeFrames::Single(TimeFrame::recover("time_frame", s)?),
        Value::Seq(items) => {
            let read = |n: &Node| {
                n.as_str()
                    .and_then(|s| TimeFrame::recover("time_frame", s))
                    .map(|tf| Spanned::new(tf, f.span(n)))
            };
            let list = read_items(items.iter(), read);
            // One unreadable item makes the whole list unreadable.
            if list.is_empty() || list.len() != items.len() {
                return None;
            }
            TimeFrames::List(list)
        }
        _ => return None,
    };
    Some(Spanned::new(value, f.span(node)))
}

fn event_selector(f: &Fields<'_>, node: &Node) -> Option<EventSelector> {
    let item = Fields::new(f.file, node);
    Some(EventSelector {
        span: f.span(node),
        name: item.string("name")?,
        unique: item.enumerated("unique", Unique::parse),
        filter: node
            .get("filter")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    Spanned::new(e.key.clone(), Span::new(f.file, e.key_span.clone())),
                    Spanned::new(e.value.to_json(), f.span(&e.value)),
                )
            })
            .collect(),
        operator: item.string("operator"),
    })
}
