//! The parse stage: typed definitions read from the spanned YAML tree.
//!
//! Parsing is lenient on purpose. The JSON Schema check has already reported every
//! structural problem, so here a field with the wrong type is simply absent; a definition
//! is dropped only when a field it cannot exist without (its key path, its time frame, ...)
//! is unusable. That way one typo does not hide the definition from the semantic rules, and
//! users see all their problems in one run.

pub mod event;
pub mod legacy;
pub mod metric;
pub mod sql;
pub mod taxonomy;

pub use event::EventDefinition;
pub use metric::{EventSelector, MetricDefinition, TimeFrames};
pub use taxonomy::{RetiredGroup, Taxonomy};

use crate::source::{FileId, Span, Spanned};
use crate::yaml::{Node, Value};

/// The definition format a project follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// metricc's format: GitLab's current one, plus `product_stage`/`product_section`
    /// checked against the taxonomy, `sql:` and the `amau` role.
    #[default]
    Native,
    /// A GitLab checkout as it is: GitLab's current schema, in which `product_stage` and
    /// `product_section` are fields of older formats.
    Gitlab,
}

/// An enumeration written in definition files as one of a fixed set of strings.
pub trait Spelling: Sized + Copy + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The spelling used in definition files.
    fn as_str(self) -> &'static str;
    /// Reads the spelling used in definition files.
    fn parse(text: &str) -> Option<Self>;

    /// Reads a value the way a compiler recovers from an error: an older format's value as
    /// its replacement, a misspelling as the closest value. The schema check has already
    /// reported the problem; recovering lets the other rules still judge the definition.
    fn recover(field: &str, text: &str) -> Option<Self> {
        if let Some(value) = Self::parse(text) {
            return Some(value);
        }
        if let Some((replacement, _)) = legacy::replacement(field, text) {
            return Self::parse(replacement);
        }
        crate::suggest::closest(text, Self::ALL.iter().map(|v| v.as_str())).and_then(Self::parse)
    }
}

/// Declares an enum written in YAML as one of a fixed set of strings.
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The spelling used in definition files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// Reads the spelling used in definition files.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl Spelling for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str { $name::as_str(self) }
            fn parse(text: &str) -> Option<$name> { $name::parse(text) }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// The type of a metric's value in the Service Ping payload.
    pub enum ValueType {
        Number = "number",
        String = "string",
        Boolean = "boolean",
        Object = "object",
    }
}

string_enum! {
    /// Whether an event is still recorded.
    pub enum EventStatus {
        Active = "active",
        Removed = "removed",
    }
}

string_enum! {
    /// Whether a metric is collected.
    pub enum Status {
        Active = "active",
        Removed = "removed",
        Broken = "broken",
    }
}

string_enum! {
    /// The window a metric's value covers.
    pub enum TimeFrame {
        /// Database: 9 to 2 days ago; events: the last complete week.
        Week = "7d",
        /// Database: 30 to 2 days ago; events: the last 4 complete weeks.
        Month = "28d",
        /// All time.
        All = "all",
        /// Not time-framed (a setting, a version).
        None = "none",
    }
}

impl TimeFrame {
    /// The suffix a `time_frame` list appends to the key path (GitLab's convention).
    pub fn key_suffix(self) -> &'static str {
        match self {
            TimeFrame::Week => "_weekly",
            TimeFrame::Month => "_monthly",
            TimeFrame::All | TimeFrame::None => "",
        }
    }

    /// Whether the value covers a fixed-length window (the only ones unique counts allow).
    pub fn is_windowed(self) -> bool {
        matches!(self, TimeFrame::Week | TimeFrame::Month)
    }
}

string_enum! {
    /// Where a metric's value comes from.
    pub enum DataSource {
        Database = "database",
        Redis = "redis",
        RedisHll = "redis_hll",
        InternalEvents = "internal_events",
        System = "system",
        License = "license",
        Prometheus = "prometheus",
    }
}

string_enum! {
    /// The Service Ping data category, which decides whether an instance sends the metric.
    pub enum DataCategory {
        Operational = "operational",
        Optional = "optional",
        Standard = "standard",
        Subscription = "subscription",
    }
}

string_enum! {
    /// The role of a metric in product reporting (`performance_indicator_type`).
    pub enum IndicatorType {
        Smau = "smau",
        Gmau = "gmau",
        PaidGmau = "paid_gmau",
        Umau = "umau",
        Amau = "amau",
        CustomerHealthScore = "customer_health_score",
        DevopsReport = "devops_report",
        Lighthouse = "lighthouse",
        LeadingIndicator = "leading_indicator",
    }
}

impl IndicatorType {
    /// How reports name the role: `SMAU`, `paid GMAU`, `customer health score`, ...
    pub fn display_name(self) -> String {
        match self {
            IndicatorType::PaidGmau => "paid GMAU".to_owned(),
            role if role.is_xmau() => role.as_str().to_uppercase(),
            role => role.as_str().replace('_', " "),
        }
    }

    /// Whether the role is a monthly-active-users figure (AMAU, GMAU, paid GMAU, SMAU, UMAU).
    pub fn is_xmau(self) -> bool {
        matches!(
            self,
            IndicatorType::Smau
                | IndicatorType::Gmau
                | IndicatorType::PaidGmau
                | IndicatorType::Umau
                | IndicatorType::Amau
        )
    }
}

string_enum! {
    /// A subscription tier a metric or event is available in.
    pub enum Tier {
        Free = "free",
        Premium = "premium",
        Ultimate = "ultimate",
    }
}

string_enum! {
    /// What an event-based metric counts distinct values of.
    pub enum Unique {
        UserId = "user.id",
        ProjectId = "project.id",
        NamespaceId = "namespace.id",
        Label = "label",
        Property = "property",
        Value = "value",
    }
}

string_enum! {
    /// An entity an event is attributed to.
    pub enum Identifier {
        Project = "project",
        User = "user",
        Namespace = "namespace",
        FeatureEnabledByNamespaceIds = "feature_enabled_by_namespace_ids",
    }
}

/// A milestone such as `16.4`, or `<13.9` for "some release before 13.9" (which sorts
/// before `13.9`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub major: u32,
    pub minor: u32,
    pub before: bool,
}

impl Ord for Milestone {
    fn cmp(&self, other: &Milestone) -> std::cmp::Ordering {
        (self.major, self.minor, !self.before).cmp(&(other.major, other.minor, !other.before))
    }
}

impl PartialOrd for Milestone {
    fn partial_cmp(&self, other: &Milestone) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Milestone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let before = if self.before { "<" } else { "" };
        write!(f, "{before}{}.{}", self.major, self.minor)
    }
}

impl serde::Serialize for Milestone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The top-level key of the Service Ping payload that holds what the runtime records about
/// the ping itself (instance, time, version, failed metrics). It is not a metric: no key
/// path may start with it.
pub const PING_METADATA_KEY: &str = "metadata";

/// A metric's `key_path`: its dot-separated place in the Service Ping payload.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct KeyPath(String);

impl KeyPath {
    pub fn new(text: impl Into<String>) -> KeyPath {
        KeyPath(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The dot-separated segments (`counts.issues` → `counts`, `issues`).
    pub fn segments(&self) -> std::str::Split<'_, char> {
        self.0.split('.')
    }

    /// Whether the key path lies under [`PING_METADATA_KEY`], which the payload reserves.
    pub fn is_reserved(&self) -> bool {
        self.segments().next() == Some(PING_METADATA_KEY)
    }

    /// The key path a `time_frame` list gives one of its elements (`_weekly`, `_monthly`).
    pub fn with_suffix(&self, time_frame: TimeFrame) -> KeyPath {
        // Exactly as long as it needs: a check holds every expanded key path at once.
        let suffix = time_frame.key_suffix();
        let mut path = String::with_capacity(self.0.len() + suffix.len());
        path.push_str(&self.0);
        path.push_str(suffix);
        KeyPath(path)
    }
}

impl std::ops::Deref for KeyPath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for KeyPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Milestone {
    pub fn parse(text: &str) -> Option<Milestone> {
        let (before, rest) = match text.strip_prefix('<') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (major, minor) = rest.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return None;
        }
        Some(Milestone {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
            before,
        })
    }
}

/// Typed access to the fields of one YAML mapping. Values of the wrong type read as absent:
/// the schema check reports them.
pub(crate) struct Fields<'a> {
    pub file: FileId,
    pub node: &'a Node,
}

/// The values read from a sequence's items (or a mapping's entries), in a vector as long as
/// the sequence: `collect` on a `filter_map` starts at room for four, and a check holds the
/// lists of ten thousand definitions at once.
pub(crate) fn read_items<I: ExactSizeIterator, T>(
    items: I,
    read: impl FnMut(I::Item) -> Option<T>,
) -> Vec<T> {
    let mut values = Vec::with_capacity(items.len());
    values.extend(items.filter_map(read));
    values
}

impl<'a> Fields<'a> {
    pub fn new(file: FileId, node: &'a Node) -> Fields<'a> {
        Fields { file, node }
    }

    pub fn span(&self, node: &Node) -> Span {
        Span::new(self.file, node.span.clone())
    }

    pub fn string(&self, key: &str) -> Option<Spanned<String>> {
        self.node.get(key).and_then(|n| self.as_string(n))
    }

    pub fn as_string(&self, node: &Node) -> Option<Spanned<String>> {
        node.as_str()
            .map(|s| Spanned::new(s.to_owned(), self.span(node)))
    }

    /// A milestone (`"16.4"`, `"<13.9"`); absent when malformed (the schema reports it).
    pub fn milestone(&self, key: &str) -> Option<Spanned<Milestone>> {
        let node = self.node.get(key)?;
        Milestone::parse(node.as_str()?).map(|m| Spanned::new(m, self.span(node)))
    }

    pub fn enumerated<E>(&self, key: &str, parse: fn(&str) -> Option<E>) -> Option<Spanned<E>> {
        let node = self.node.get(key)?;
        parse(node.as_str()?).map(|v| Spanned::new(v, self.span(node)))
    }

    /// A required enumeration, recovered from legacy values and misspellings
    /// ([`Spelling::recover`]).
    pub fn recovered<E: Spelling>(&self, key: &str) -> Option<Spanned<E>> {
        let node = self.node.get(key)?;
        E::recover(key, node.as_str()?).map(|v| Spanned::new(v, self.span(node)))
    }

    pub fn strings(&self, key: &str) -> Vec<Spanned<String>> {
        self.list(key, |n| n.as_str().map(str::to_owned))
    }

    pub fn enumerated_list<E>(&self, key: &str, parse: fn(&str) -> Option<E>) -> Vec<Spanned<E>> {
        self.list(key, |n| n.as_str().and_then(parse))
    }

    fn list<T>(&self, key: &str, read: impl Fn(&Node) -> Option<T>) -> Vec<Spanned<T>> {
        let items = self
            .node
            .get(key)
            .and_then(Node::as_seq)
            .unwrap_or_default();
        read_items(items.iter(), |n| {
            read(n).map(|v| Spanned::new(v, self.span(n)))
        })
    }

    pub fn boolean(&self, key: &str) -> Option<Spanned<bool>> {
        let node = self.node.get(key)?;
        match node.value {
            Value::Bool(b) => Some(Spanned::new(b, self.span(node))),
            _ => None,
        }
    }

    /// The keys of a mapping-valued field, with the spans of the keys.
    pub fn keys(&self, key: &str) -> Vec<Spanned<String>> {
        self.node
            .get(key)
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| Spanned::new(e.key.clone(), Span::new(self.file, e.key_span.clone())))
            .collect()
    }

    /// The span of a key (`status:`), for problems about a field as a whole.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.node
            .entry(key)
            .map(|e| Span::new(self.file, e.key_span.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milestones_order_numerically() {
        let m = |s| Milestone::parse(s).unwrap();
        assert!(m("16.10") > m("16.9"));
        assert!(m("<13.9") < m("13.9"));
        assert_eq!(Milestone::parse("16"), None);
        assert_eq!(Milestone::parse("16.x"), None);
        assert_eq!(Milestone::parse(""), None);
    }

    #[test]
    fn milestones_print_as_written() {
        for text in ["16.4", "<13.9", "16.10"] {
            assert_eq!(Milestone::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn key_paths_take_their_time_frame_suffix() {
        let path = KeyPath::new("counts.issues");
        assert_eq!(
            path.with_suffix(TimeFrame::Week).as_str(),
            "counts.issues_weekly"
        );
        assert_eq!(
            path.with_suffix(TimeFrame::Month).as_str(),
            "counts.issues_monthly"
        );
        assert_eq!(path.with_suffix(TimeFrame::All).as_str(), "counts.issues");
        assert_eq!(path.segments().collect::<Vec<_>>(), ["counts", "issues"]);
    }

    #[test]
    fn definitions_hold_no_spare_room() {
        // A check holds ten thousand definitions at once: their lists and key paths are
        // exactly as long as what they hold (`collect` on a `filter_map` makes room for four).
        let text = "key_path: counts.issues\nproduct_categories: [team_planning]\n\
                    time_frame: [7d, 28d]\ntiers: [free, premium, ultimate]\n\
                    value_type: number\nstatus: active\ndata_source: internal_events\n\
                    events:\n- name: issue_created\n";
        let root = crate::yaml::parse(text).root.unwrap();
        let metric = MetricDefinition::from_node(FileId(0), &root).unwrap();
        assert_eq!(metric.product_categories.capacity(), 1);
        assert_eq!(metric.tiers.capacity(), 3);
        assert_eq!(metric.events.capacity(), 1);
        match &metric.time_frame.value {
            TimeFrames::List(list) => assert_eq!(list.capacity(), 2),
            TimeFrames::Single(_) => panic!("a list of time frames"),
        }
        let event = "action: issue_created\nadditional_properties:\n  label:\n    \
                     description: the issue's type\n  property: {}\nidentifiers: [user]\n";
        let root = crate::yaml::parse(event).root.unwrap();
        let event = EventDefinition::from_node(FileId(0), &root).unwrap();
        assert_eq!(event.property_descriptions.capacity(), 2);
        assert_eq!(event.property_descriptions.len(), 1);
        assert_eq!(event.identifiers.capacity(), 1);
        let weekly = KeyPath::new("counts.issues").with_suffix(TimeFrame::Week);
        assert_eq!(weekly.0.capacity(), weekly.0.len());
    }

    #[test]
    fn a_list_of_time_frames_is_unreadable_when_empty_or_when_one_item_is() {
        let read = |time_frame: &str| {
            let text = format!(
                "key_path: counts.issues\ntime_frame: {time_frame}\nvalue_type: number\n\
                 status: active\ndata_source: database\n"
            );
            let root = crate::yaml::parse(&text).root.unwrap();
            MetricDefinition::from_node(FileId(0), &root).map(|m| m.time_frame.value)
        };
        assert_eq!(read("[]"), None);
        assert_eq!(read("[7d, weekly-ish]"), None);
        assert_eq!(read("[7d, {a: b}]"), None);
        assert_eq!(read("28d"), Some(TimeFrames::Single(TimeFrame::Month)));
        assert!(matches!(read("[7d, 28d]"), Some(TimeFrames::List(l)) if l.len() == 2));
    }

    #[test]
    fn recovery_reads_legacy_values_and_misspellings() {
        assert_eq!(
            Status::recover("status", "data_available"),
            Some(Status::Active)
        );
        assert_eq!(Status::recover("status", "actve"), Some(Status::Active));
        assert_eq!(
            DataSource::recover("data_source", "ruby"),
            Some(DataSource::System)
        );
        assert_eq!(
            TimeFrame::recover("time_frame", "28days"),
            Some(TimeFrame::Month)
        );
        assert_eq!(Status::recover("status", "zzz"), None);
    }

    #[test]
    fn enums_round_trip_their_spelling() {
        for tf in TimeFrame::ALL {
            assert_eq!(TimeFrame::parse(tf.as_str()), Some(*tf));
        }
        assert_eq!(Unique::parse("user.id"), Some(Unique::UserId));
        assert_eq!(DataSource::parse("redis_hll"), Some(DataSource::RedisHll));
        assert_eq!(Status::parse("data_available"), None);
    }
}
