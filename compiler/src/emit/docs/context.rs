//! What the docs templates receive: for each page, the view's record plus the facts a
//! reader needs that the view states only as codes (the owner's names, the time window in
//! words, how the value is counted, which xMAU figure a role feeds, where the metric lives
//! in the other outputs). Computed once per build and shared by the Markdown and the HTML
//! pages, so the two say the same thing.

use std::collections::HashMap;

use serde::Serialize;

use super::Settings;
use crate::model::{DataSource, IndicatorType, TimeFrame, Unique};
use crate::resolve::view::{
    EventView, GroupView, MetricView, SectionView, SelectorView, StageView, View,
};

/// The other outputs of the build a page may point into (`[build] outputs`).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Outputs {
    /// The JSON Schemas (`schemas/`): a metric's place in the payload.
    pub schemas: bool,
    /// The generated Rust (`rust/`): a metric's constant, an event's recording function.
    pub rust: bool,
    /// The dbt project (`dbt/`): a metric's rows and model.
    pub dbt: bool,
}

impl Outputs {
    pub fn new(names: &[&str]) -> Outputs {
        Outputs {
            schemas: names.contains(&"schemas"),
            rust: names.contains(&"rust"),
            dbt: names.contains(&"dbt"),
        }
    }
}

/// A section, stage or group as a page links to it.
#[derive(Clone, Debug, Serialize)]
pub struct OwnerRef<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub slug: &'a str,
}

/// The place of a group in the taxonomy.
#[derive(Clone, Debug, Serialize)]
pub struct Ownership<'a> {
    pub section: OwnerRef<'a>,
    pub stage: OwnerRef<'a>,
    pub group: OwnerRef<'a>,
}

/// A metric as a list links to it.
#[derive(Clone, Debug, Serialize)]
pub struct MetricRef<'a> {
    pub key_path: &'a str,
    pub slug: &'a str,
    pub description: &'a str,
    pub time_frame: &'static str,
    pub status: &'static str,
}

/// An event as a list links to it.
#[derive(Clone, Debug, Serialize)]
pub struct EventRef<'a> {
    pub action: &'a str,
    pub slug: &'a str,
    pub description: &'a str,
}

/// A link found in a definition. Only `http` and `https` URLs become links; anything else
/// is shown as text.
#[derive(Clone, Debug, Serialize)]
pub struct Link<'a> {
    pub label: &'static str,
    pub text: &'a str,
    /// The URL with every character that could end a Markdown link or reach a site
    /// generator's templating percent-encoded.
    pub href: Option<String>,
}

/// An xMAU (or other reporting) role of a metric, in words.
#[derive(Clone, Debug, Serialize)]
pub struct Role {
    pub code: &'static str,
    pub name: String,
    /// What the figure measures: `the SMAU of stage Plan`.
    pub meaning: String,
    pub xmau: bool,
}

/// One event a metric counts.
#[derive(Clone, Debug, Serialize)]
pub struct Counted<'a> {
    pub name: &'a str,
    /// The event's page, when the event is defined.
    pub slug: Option<&'a str>,
    pub description: &'a str,
    /// `distinct users (user.id)`, or `every occurrence`.
    pub counts: String,
    /// `key = value` conditions, the value as JSON.
    pub filter: Vec<(&'a str, String)>,
    pub operator: Option<&'a str>,
}

/// How a metric's value is obtained.
#[derive(Clone, Debug, Serialize)]
pub struct Counting<'a> {
    /// `sql`, `events`, `instrumentation` or `source`.
    pub kind: &'static str,
    /// One sentence.
    pub summary: String,
    pub events: Vec<Counted<'a>>,
    /// The instrumentation class's options, as JSON.
    pub options: Option<String>,
    /// A Markdown code fence longer than any run of backticks in the SQL.
    pub fence: String,
    /// Whether the SQL holds text a site generator would read as its own template syntax
    /// (`{{`, `{%`, `{#`): Markdown then shows it as escaped HTML instead of a code block.
    pub sql_has_template_syntax: bool,
}

/// Where a metric lives in the other outputs of the build (only those that are on).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Downstream<'a> {
    /// The metric's place in the Service Ping payload: a dotted path and a JSON Pointer.
    pub payload: Option<Payload>,
    /// The generated Rust constant.
    pub rust: Option<&'a str>,
    /// The metric in the dbt project.
    pub dbt: Option<Dbt<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Payload {
    pub path: String,
    pub pointer: String,
    pub schema: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dbt<'a> {
    /// The dbt name of the metric (a model of its own for SQL metrics).
    pub name: &'a str,
    /// The model holding one row per ping and key path.
    pub staging_model: &'static str,
    /// The model of its own, for SQL metrics.
    pub sql_model: Option<&'a str>,
}

/// Everything a metric page shows.
#[derive(Clone, Debug, Serialize)]
pub struct MetricPage<'a> {
    pub metric: &'a MetricView,
    pub description: &'a str,
    pub owner: Option<Ownership<'a>>,
    pub roles: Vec<Role>,
    /// The time window, in words.
    pub window: String,
    pub counting: Counting<'a>,
    /// The definition file online, when `repository_url` is set.
    pub source_url: Option<String>,
    pub links: Vec<Link<'a>>,
    pub downstream: Downstream<'a>,
}

/// Everything an event page shows.
#[derive(Clone, Debug, Serialize)]
pub struct EventPage<'a> {
    pub event: &'a EventView,
    pub description: &'a str,
    pub owner: Option<Ownership<'a>>,
    pub metrics: Vec<MetricRef<'a>>,
    pub source_url: Option<String>,
    pub links: Vec<Link<'a>>,
    /// The generated Rust recording function (`project_planning::create_issue`).
    pub rust: Option<String>,
    /// The event's JSON Schema, under `schemas/`.
    pub schema: Option<String>,
}

/// A group's page: what it owns.
#[derive(Clone, Debug, Serialize)]
pub struct GroupPage<'a> {
    pub owner: Ownership<'a>,
    pub categories: &'a [String],
    pub metrics: Vec<MetricRef<'a>>,
    pub events: Vec<EventRef<'a>>,
    pub gmau: Vec<MetricRef<'a>>,
    pub paid_gmau: Vec<MetricRef<'a>>,
}

/// A stage's page: its groups and its SMAU.
#[derive(Clone, Debug, Serialize)]
pub struct StagePage<'a> {
    pub section: OwnerRef<'a>,
    pub stage: OwnerRef<'a>,
    pub groups: Vec<GroupSummary<'a>>,
    pub smau: Vec<MetricRef<'a>>,
}

/// A section's page: its stages.
#[derive(Clone, Debug, Serialize)]
pub struct SectionPage<'a> {
    pub section: OwnerRef<'a>,
    pub stages: Vec<StageSummary<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupSummary<'a> {
    pub group: OwnerRef<'a>,
    pub metrics: Vec<MetricRef<'a>>,
    pub events: Vec<EventRef<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageSummary<'a> {
    pub stage: OwnerRef<'a>,
    pub groups: Vec<GroupSummary<'a>>,
    pub smau: Vec<MetricRef<'a>>,
}

/// The xMAU overview: each stage's SMAU, each group's GMAU, the UMAU.
#[derive(Clone, Debug, Serialize)]
pub struct XmauPage<'a> {
    pub umau: Vec<MetricRef<'a>>,
    pub sections: Vec<XmauSection<'a>>,
    /// Stages without an SMAU.
    pub stages_without_smau: usize,
    /// Metrics with the AMAU role.
    pub amau: Vec<MetricRef<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct XmauSection<'a> {
    pub section: OwnerRef<'a>,
    pub stages: Vec<XmauStage<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct XmauStage<'a> {
    pub stage: OwnerRef<'a>,
    pub smau: Vec<MetricRef<'a>>,
    pub groups: Vec<XmauGroup<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct XmauGroup<'a> {
    pub group: OwnerRef<'a>,
    pub gmau: Vec<MetricRef<'a>>,
    pub paid_gmau: Vec<MetricRef<'a>>,
}

/// The home page: the taxonomy, counts, and what no group of the taxonomy owns.
#[derive(Clone, Debug, Serialize)]
pub struct HomePage<'a> {
    pub metrics: usize,
    pub events: usize,
    pub sections: Vec<SectionSummary<'a>>,
    pub unowned_metrics: Vec<MetricRef<'a>>,
    pub unowned_events: Vec<EventRef<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SectionSummary<'a> {
    pub section: OwnerRef<'a>,
    pub stages: Vec<StageSummary<'a>>,
}

/// The view with its lookups: group key → place in the taxonomy.
pub struct Index<'a> {
    pub view: &'a View,
    groups: HashMap<&'a str, (&'a SectionView, &'a StageView, &'a GroupView)>,
    settings: &'a Settings,
    outputs: Outputs,
}

fn owner_ref<'a>(key: &'a str, name: &'a str, slug: &'a str) -> OwnerRef<'a> {
    // Sections, stages and groups without a display name show their key.
    let name = if name.is_empty() { key } else { name };
    OwnerRef { key, name, slug }
}

fn section_ref(s: &SectionView) -> OwnerRef<'_> {
    owner_ref(&s.key, &s.name, &s.names.slug)
}

fn stage_ref(s: &StageView) -> OwnerRef<'_> {
    owner_ref(&s.key, &s.name, &s.names.slug)
}

fn group_ref(g: &GroupView) -> OwnerRef<'_> {
    owner_ref(&g.key, &g.name, &g.names.slug)
}

/// A metric for lists.
pub fn metric_ref(m: &MetricView) -> MetricRef<'_> {
    MetricRef {
        key_path: &m.key_path,
        slug: &m.names.slug,
        description: m.description.as_deref().unwrap_or(""),
        time_frame: m.time_frame.as_str(),
        status: m.status.as_str(),
    }
}

fn event_ref(e: &EventView) -> EventRef<'_> {
    EventRef {
        action: &e.action,
        slug: &e.names.slug,
        description: e.description.as_deref().unwrap_or(""),
    }
}

impl<'a> Index<'a> {
    pub fn new(view: &'a View, settings: &'a Settings, outputs: Outputs) -> Index<'a> {
        let mut groups = HashMap::new();
        for section in &view.taxonomy {
            for stage in &section.stages {
                for group in &stage.groups {
                    groups.insert(group.key.as_str(), (section, stage, group));
                }
            }
        }
        Index {
            view,
            groups,
            settings,
            outputs,
        }
    }

    /// The taxonomy place of a group, when the taxonomy has the group.
    pub fn ownership(&self, group: Option<&str>) -> Option<Ownership<'a>> {
        let (section, stage, group) = self.groups.get(group?)?;
        Some(Ownership {
            section: section_ref(section),
            stage: stage_ref(stage),
            group: group_ref(group),
        })
    }

    /// The position of a group in the taxonomy order, for the search index.
    pub fn group_position(&self) -> HashMap<&'a str, usize> {
        self.view
            .groups()
            .enumerate()
            .map(|(i, g)| (g.key.as_str(), i))
            .collect()
    }

    fn metrics_of<'b>(&self, keys: impl IntoIterator<Item = &'b String>) -> Vec<MetricRef<'a>> {
        keys.into_iter()
            .filter_map(|k| self.view.metric(k))
            .map(metric_ref)
            .collect()
    }

    fn events_of<'b>(&self, actions: impl IntoIterator<Item = &'b String>) -> Vec<EventRef<'a>> {
        actions
            .into_iter()
            .filter_map(|a| self.view.event(a))
            .map(event_ref)
            .collect()
    }

    fn with_role(&self, keys: &[String], role: IndicatorType) -> Vec<MetricRef<'a>> {
        keys.iter()
            .filter_map(|k| self.view.metric(k))
            .filter(|m| m.has_role(role))
            .map(metric_ref)
            .collect()
    }

    fn source_url(&self, file: &str, line: usize) -> Option<String> {
        let base = self.settings.repository_url.as_deref()?;
        Some(format!(
            "{}/{}#L{line}",
            base.trim_end_matches('/'),
            encode_path(file)
        ))
    }

    pub fn metric_page(&self, m: &'a MetricView) -> MetricPage<'a> {
        let owner = self.ownership(m.product_group.as_deref());
        let roles = m
            .performance_indicator_type
            .iter()
            .map(|&role| Role {
                code: role.as_str(),
                name: role.display_name(),
                meaning: role_meaning(role, owner.as_ref()),
                xmau: role.is_xmau(),
            })
            .collect();
        let mut links = Vec::new();
        push_link(&mut links, "Introduced by", m.introduced_by_url.as_deref());
        push_link(&mut links, "Removed by", m.removed_by_url.as_deref());
        push_link(&mut links, "Repair issue", m.repair_issue_url.as_deref());
        let downstream = Downstream {
            payload: self.outputs.schemas.then(|| Payload {
                path: m.key_path.to_string(),
                pointer: m.key_path.segments().fold(String::new(), |mut p, s| {
                    p.push('/');
                    p.push_str(&s.replace('~', "~0").replace('/', "~1"));
                    p
                }),
                schema: "schemas/service_ping.schema.json",
            }),
            rust: self.outputs.rust.then_some(m.names.rust.as_str()),
            dbt: self.outputs.dbt.then(|| Dbt {
                name: &m.names.dbt,
                staging_model: "stg_ping_metrics",
                sql_model: m.sql.as_ref().map(|_| m.names.dbt.as_str()),
            }),
        };
        MetricPage {
            metric: m,
            description: m.description.as_deref().unwrap_or(""),
            owner,
            roles,
            window: window_words(m.time_frame, m.data_source),
            counting: self.counting(m),
            source_url: self.source_url(&m.file, m.line),
            links,
            downstream,
        }
    }

    fn counting(&self, m: &'a MetricView) -> Counting<'a> {
        let fence = m
            .sql
            .as_ref()
            .map(|s| fence_for(&s.text))
            .unwrap_or_else(|| "```".to_owned());
        let sql_has_template_syntax = m
            .sql
            .as_ref()
            .is_some_and(|s| ["{{", "{%", "{#"].iter().any(|t| s.text.contains(t)));
        let options = m
            .options
            .as_ref()
            .and_then(|o| serde_json::to_string(o).ok());
        let (kind, summary, events) = if m.sql.is_some() {
            (
                "sql",
                "This SQL query runs on the application database; its single result is the value."
                    .to_owned(),
                Vec::new(),
            )
        } else if !m.events.is_empty() {
            let events: Vec<Counted<'a>> = m.events.iter().map(|s| self.counted(s)).collect();
            ("events", events_summary(&m.events), events)
        } else if let Some(class) = &m.instrumentation_class {
            (
                "instrumentation",
                format!("The instrumentation class {class} computes the value."),
                Vec::new(),
            )
        } else {
            (
                "source",
                format!("The value is read from {}.", source_words(m.data_source)),
                Vec::new(),
            )
        };
        Counting {
            kind,
            summary,
            events,
            options,
            fence,
            sql_has_template_syntax,
        }
    }

    fn counted(&self, s: &'a SelectorView) -> Counted<'a> {
        let event = self.view.event(&s.name);
        Counted {
            name: &s.name,
            slug: event.map(|e| e.names.slug.as_str()),
            description: event.and_then(|e| e.description.as_deref()).unwrap_or(""),
            counts: match (&s.unique, &s.operator) {
                (Some(unique), _) => unique_words(*unique),
                (None, Some(op)) => format!("the total of {op}"),
                (None, None) => "every occurrence".to_owned(),
            },
            filter: s
                .filter
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_string()))
                .collect(),
            operator: s.operator.as_deref(),
        }
    }

    pub fn event_page(&self, e: &'a EventView) -> EventPage<'a> {
        let owner = self.ownership(e.product_group.as_deref());
        let mut links = Vec::new();
        push_link(&mut links, "Introduced by", e.introduced_by_url.as_deref());
        let rust = self.outputs.rust.then(|| match &owner {
            Some(o) => format!("{}::{}", o.group.slug_rust(self), e.names.rust),
            None => e.names.rust.clone(),
        });
        EventPage {
            event: e,
            description: e.description.as_deref().unwrap_or(""),
            owner,
            metrics: self.metrics_of(&e.metrics),
            source_url: self.source_url(&e.file, e.line),
            links,
            rust,
            schema: self
                .outputs
                .schemas
                .then(|| format!("schemas/events/{}.schema.json", e.names.slug)),
        }
    }

    pub fn group_page(&self, g: &'a GroupView) -> Option<GroupPage<'a>> {
        Some(GroupPage {
            owner: self.ownership(Some(&g.key))?,
            categories: &g.categories,
            metrics: self.metrics_of(&g.metrics),
            events: self.events_of(&g.events),
            gmau: self.with_role(&g.metrics, IndicatorType::Gmau),
            paid_gmau: self.with_role(&g.metrics, IndicatorType::PaidGmau),
        })
    }

    fn group_summary(&self, g: &'a GroupView) -> GroupSummary<'a> {
        GroupSummary {
            group: group_ref(g),
            metrics: self.metrics_of(&g.metrics),
            events: self.events_of(&g.events),
        }
    }

    fn smau(&self, stage: &'a StageView) -> Vec<MetricRef<'a>> {
        stage
            .groups
            .iter()
            .flat_map(|g| self.with_role(&g.metrics, IndicatorType::Smau))
            .collect()
    }

    fn stage_summary(&self, stage: &'a StageView) -> StageSummary<'a> {
        StageSummary {
            stage: stage_ref(stage),
            groups: stage.groups.iter().map(|g| self.group_summary(g)).collect(),
            smau: self.smau(stage),
        }
    }

    pub fn stage_page(&self, section: &'a SectionView, stage: &'a StageView) -> StagePage<'a> {
        StagePage {
            section: section_ref(section),
            stage: stage_ref(stage),
            groups: stage.groups.iter().map(|g| self.group_summary(g)).collect(),
            smau: self.smau(stage),
        }
    }

    pub fn section_page(&self, section: &'a SectionView) -> SectionPage<'a> {
        SectionPage {
            section: section_ref(section),
            stages: section
                .stages
                .iter()
                .map(|st| self.stage_summary(st))
                .collect(),
        }
    }

    pub fn xmau_page(&self) -> XmauPage<'a> {
        let view = self.view;
        let sections: Vec<XmauSection<'a>> = view
            .taxonomy
            .iter()
            .map(|s| XmauSection {
                section: section_ref(s),
                stages: s
                    .stages
                    .iter()
                    .map(|st| XmauStage {
                        stage: stage_ref(st),
                        smau: self.smau(st),
                        groups: st
                            .groups
                            .iter()
                            .map(|g| XmauGroup {
                                group: group_ref(g),
                                gmau: self.with_role(&g.metrics, IndicatorType::Gmau),
                                paid_gmau: self.with_role(&g.metrics, IndicatorType::PaidGmau),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let stages_without_smau = sections
            .iter()
            .flat_map(|s| &s.stages)
            .filter(|st| st.smau.is_empty())
            .count();
        let role = |r| {
            view.metrics
                .iter()
                .filter(|m| m.has_role(r))
                .map(metric_ref)
                .collect()
        };
        XmauPage {
            umau: role(IndicatorType::Umau),
            amau: role(IndicatorType::Amau),
            sections,
            stages_without_smau,
        }
    }

    pub fn home_page(&self) -> HomePage<'a> {
        let view = self.view;
        HomePage {
            metrics: view.metrics.len(),
            events: view.events.len(),
            sections: view
                .taxonomy
                .iter()
                .map(|s| SectionSummary {
                    section: section_ref(s),
                    stages: s.stages.iter().map(|st| self.stage_summary(st)).collect(),
                })
                .collect(),
            unowned_metrics: view
                .metrics
                .iter()
                .filter(|m| self.ownership(m.product_group.as_deref()).is_none())
                .map(metric_ref)
                .collect(),
            unowned_events: view
                .events
                .iter()
                .filter(|e| self.ownership(e.product_group.as_deref()).is_none())
                .map(event_ref)
                .collect(),
        }
    }
}

impl OwnerRef<'_> {
    /// The Rust module the group's events are recorded through.
    fn slug_rust(&self, index: &Index<'_>) -> String {
        index
            .groups
            .get(self.key)
            .map(|(_, _, g)| g.names.rust.clone())
            .unwrap_or_else(|| self.slug.to_owned())
    }
}

fn push_link<'a>(links: &mut Vec<Link<'a>>, label: &'static str, url: Option<&'a str>) {
    if let Some(url) = url {
        let lower = url.to_ascii_lowercase();
        let linkable = lower.starts_with("https://") || lower.starts_with("http://");
        links.push(Link {
            label,
            text: url,
            href: linkable.then(|| safe_href(url)),
        });
    }
}

/// A URL with the characters that may end a Markdown link or an HTML attribute, or start
/// template syntax, percent-encoded (a URL means the same with them encoded).
fn safe_href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '<' | '>' | '"' | '\'' | '`' | '{' | '}' | '|' | '\\' | '^' | '(' | ')' | '['
            | ']' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("%{:02X}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out
}

/// A file path as a URL path: each segment percent-encoded, `/` kept.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A Markdown code fence longer than the longest run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// The time window of a value, in words. Event-based sources count complete weeks;
/// database and other sources a window that ends two days before the ping.
pub fn window_words(time_frame: TimeFrame, source: DataSource) -> String {
    let events = matches!(
        source,
        DataSource::InternalEvents | DataSource::Redis | DataSource::RedisHll
    );
    match (time_frame, events) {
        (TimeFrame::Week, true) => "The last complete week (Monday to Sunday) before the ping.",
        (TimeFrame::Month, true) => "The last 4 complete weeks before the ping.",
        (TimeFrame::Week, false) => {
            "7 days: from 9 to 2 days before the ping (the last two days may not be settled yet)."
        }
        (TimeFrame::Month, false) => {
            "28 days: from 30 to 2 days before the ping (the last two days may not be settled yet)."
        }
        (TimeFrame::All, _) => "All time: everything up to the ping.",
        (TimeFrame::None, _) => "Not a time window: the value as it is when the ping is made.",
    }
    .to_owned()
}

fn unique_words(unique: Unique) -> String {
    let what = match unique {
        Unique::UserId => "distinct users",
        Unique::ProjectId => "distinct projects",
        Unique::NamespaceId => "distinct namespaces",
        Unique::Label => "distinct labels",
        Unique::Property => "distinct properties",
        Unique::Value => "distinct values",
    };
    format!("{what} ({unique})")
}

fn events_summary(events: &[SelectorView]) -> String {
    let several = events.len() > 1;
    let which = if several {
        "any of these events"
    } else {
        "this event"
    };
    let uniques: Vec<Unique> = events.iter().filter_map(|e| e.unique).collect();
    if let Some(first) = uniques.first().filter(|_| uniques.len() == events.len()) {
        if uniques.iter().all(|u| u == first) {
            return format!(
                "Counts the {} behind {which}, each counted once in the window.",
                unique_words(*first)
            );
        }
    }
    if events.iter().all(|e| e.operator.is_some()) {
        return format!("Adds up the values given by {which}, per the operator below.");
    }
    if events
        .iter()
        .all(|e| e.unique.is_none() && e.operator.is_none())
    {
        return format!("Counts every occurrence of {which}.");
    }
    format!("Combines {which}, each counted as shown below.")
}

fn source_words(source: DataSource) -> &'static str {
    match source {
        DataSource::Database => "the application database",
        DataSource::Redis => "a Redis counter",
        DataSource::RedisHll => "a Redis HyperLogLog (a unique count)",
        DataSource::InternalEvents => "the internal events",
        DataSource::System => "the system the instance runs on",
        DataSource::License => "the instance's license",
        DataSource::Prometheus => "Prometheus",
    }
}

fn role_meaning(role: IndicatorType, owner: Option<&Ownership<'_>>) -> String {
    let stage = owner.map_or("its stage", |o| o.stage.name);
    let group = owner.map_or("its group", |o| o.group.name);
    match role {
        IndicatorType::Smau => format!("The stage monthly active users of stage {stage}."),
        IndicatorType::Gmau => format!("The group monthly active users of group {group}."),
        IndicatorType::PaidGmau => {
            format!("The group monthly active users of group {group}, on paid tiers.")
        }
        IndicatorType::Umau => "The unique monthly active users of the whole product.".to_owned(),
        IndicatorType::Amau => "The monthly active users of one action.".to_owned(),
        IndicatorType::CustomerHealthScore => "Part of the customer health score.".to_owned(),
        IndicatorType::DevopsReport => "Shown in the DevOps report.".to_owned(),
        IndicatorType::Lighthouse => "A lighthouse metric.".to_owned(),
        IndicatorType::LeadingIndicator => "A leading indicator.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_in_the_text() {
        assert_eq!(fence_for("SELECT 1"), "```");
        assert_eq!(fence_for("SELECT '````'"), "`````");
    }

    #[test]
    fn file_paths_are_percent_encoded_but_keep_slashes() {
        assert_eq!(
            encode_path("definitions/metrics/a b#c.yml"),
            "definitions/metrics/a%20b%23c.yml"
        );
    }

    #[test]
    fn windows_differ_for_events_and_databases() {
        assert!(window_words(TimeFrame::Month, DataSource::InternalEvents).contains("4 complete"));
        assert!(window_words(TimeFrame::Month, DataSource::Database).contains("30 to 2"));
        assert!(window_words(TimeFrame::Week, DataSource::RedisHll).contains("complete week"));
        assert!(window_words(TimeFrame::Week, DataSource::Database).contains("9 to 2"));
    }

    #[test]
    fn only_web_urls_become_links() {
        let mut links = Vec::new();
        push_link(&mut links, "a", Some("javascript:alert(1)"));
        push_link(&mut links, "b", Some("HTTPS://example.com/x"));
        push_link(&mut links, "c", None);
        assert_eq!(links.len(), 2);
        assert!(links[0].href.is_none());
        assert_eq!(links[1].href.as_deref(), Some("HTTPS://example.com/x"));
        assert_eq!(
            safe_href("https://e.com/a b(c)<d>{{x}}"),
            "https://e.com/a%20b%28c%29%3Cd%3E%7B%7Bx%7D%7D"
        );
    }
}
