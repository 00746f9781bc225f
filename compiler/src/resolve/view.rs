//! The view: the resolved dictionary flattened for backends and templates.
//!
//! No spans, no parse-only fields: every metric after `time_frame` expansion with its owner
//! (section, stage, group), the events it counts and the names backends give it; every
//! event with the metrics it feeds; the taxonomy with what each group owns. Built once per
//! build from the checked [`Dictionary`]; `dictionary.json` is this value serialized, and
//! templates receive it as their context. Everything is sorted, so the same definitions give
//! the same view.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value as Json;

use super::names::{EventNames, KeyNames, MetricNames};
use super::{Dictionary, Owner, ValueSchema};
pub use crate::model::sql::{SqlReference, SqlReferenceKind};
use crate::model::{
    DataCategory, DataSource, EventStatus, Identifier, IndicatorType, KeyPath, Milestone, Status,
    Tier, TimeFrame, Unique, ValueType,
};
use crate::source::{SourceMap, Spanned};

/// Bumped when the shape of the view (and so of `dictionary.json`) changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

/// The whole dictionary, flattened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    pub format_version: u32,
    /// Sections → stages → groups, in taxonomy order.
    pub taxonomy: Vec<SectionView>,
    /// Every metric after `time_frame` expansion, sorted by key path.
    pub metrics: Vec<MetricView>,
    /// Every event, sorted by action.
    pub events: Vec<EventView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectionView {
    pub key: String,
    pub name: String,
    pub names: KeyNames,
    pub stages: Vec<StageView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageView {
    pub key: String,
    pub name: String,
    pub section: String,
    pub names: KeyNames,
    pub groups: Vec<GroupView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupView {
    pub key: String,
    pub name: String,
    pub stage: String,
    pub section: String,
    pub names: KeyNames,
    pub categories: Vec<String>,
    /// Key paths of the metrics the group owns.
    pub metrics: Vec<String>,
    /// Actions of the events the group owns.
    pub events: Vec<String>,
}

/// One metric of the payload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricView {
    pub key_path: KeyPath,
    /// The key path as written, before a time_frame list added its suffix.
    pub definition_key_path: KeyPath,
    pub file: String,
    pub line: usize,
    pub description: Option<String>,
    pub status: Status,
    pub value_type: ValueType,
    pub time_frame: TimeFrame,
    pub data_source: DataSource,
    pub data_category: Option<DataCategory>,
    pub product_group: Option<String>,
    pub product_stage: Option<String>,
    pub product_section: Option<String>,
    pub product_categories: Vec<String>,
    pub performance_indicator_type: Vec<IndicatorType>,
    pub tiers: Vec<Tier>,
    pub milestone: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_removed: Option<Milestone>,
    pub introduced_by_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair_issue_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrumentation_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Json>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<SelectorView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<SqlView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_json_schema: Option<String>,
    /// The JSON Schema of an object metric's value, as loaded from `value_json_schema`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_schema: Option<Json>,
    pub names: MetricNames,
}

/// One event an event-based metric counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SelectorView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<Unique>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub filter: BTreeMap<String, Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// A database metric's SQL and what the compiler found in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SqlView {
    pub text: String,
    /// Named parameters, once each, in order of use (`:window_start`, `:window_end`).
    pub parameters: Vec<String>,
    /// Tables the query reads, as written (`project_events`, `public.users`), sorted.
    pub tables: Vec<String>,
    /// Where the text names a table or a parameter (byte ranges, in text order), for
    /// backends that run the query elsewhere.
    pub references: Vec<SqlReference>,
}

/// One event definition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventView {
    pub action: String,
    pub file: String,
    pub line: usize,
    pub description: Option<String>,
    pub category: Option<String>,
    pub identifiers: Vec<Identifier>,
    pub additional_properties: Vec<String>,
    /// The description of each additional property that has one.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub property_descriptions: BTreeMap<String, String>,
    pub product_group: Option<String>,
    pub product_stage: Option<String>,
    pub product_section: Option<String>,
    pub product_categories: Vec<String>,
    pub tiers: Vec<Tier>,
    pub milestone: Option<Milestone>,
    pub introduced_by_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<EventStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Key paths of the metrics that count this event.
    pub metrics: Vec<String>,
    pub names: EventNames,
}

impl View {
    /// Flattens a checked dictionary.
    pub fn new(dictionary: &Dictionary, sources: &SourceMap) -> View {
        let mut counted_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for m in &dictionary.metrics {
            for selector in &dictionary.definition(m).events {
                let list = counted_by.entry(selector.name.value.as_str()).or_default();
                if list.last() != Some(&m.key_path.as_str()) {
                    list.push(&m.key_path);
                }
            }
        }
        // On every core: ten thousand metrics' names and places take a tenth of a second.
        let metrics: Vec<MetricView> = dictionary
            .metrics
            .par_iter()
            .map(|m| metric(dictionary, sources, m))
            .collect();
        let mut events: Vec<EventView> = dictionary
            .events
            .par_iter()
            .zip(&dictionary.event_names)
            .map(|(e, names)| {
                let owner = owner(dictionary, e.product_group.as_ref());
                let at = sources.file(e.file);
                EventView {
                    action: e.action.value.clone(),
                    file: at.path.clone(),
                    line: at.location(e.action.span.start()).line,
                    description: text(e.description.as_ref()),
                    category: text(e.category.as_ref()),
                    identifiers: values(&e.identifiers),
                    additional_properties: texts(&e.additional_properties),
                    property_descriptions: e.property_descriptions.iter().cloned().collect(),
                    product_group: text(e.product_group.as_ref()),
                    product_stage: owner.map(|o| dictionary.stage(o).key.value.clone()),
                    product_section: owner.map(|o| dictionary.section(o).key.value.clone()),
                    product_categories: texts(&e.product_categories),
                    tiers: values(&e.tiers),
                    milestone: e.milestone.as_ref().map(|m| m.value),
                    introduced_by_url: text(e.introduced_by_url.as_ref()),
                    status: e.status.as_ref().map(|s| s.value),
                    classification: text(e.classification.as_ref()),
                    metrics: counted_by
                        .get(e.action.value.as_str())
                        .map(|list| list.iter().map(|k| (*k).to_owned()).collect())
                        .unwrap_or_default(),
                    names: names.clone(),
                }
            })
            .collect();
        events.sort_by(|a, b| (&a.action, &a.file).cmp(&(&b.action, &b.file)));
        let taxonomy = taxonomy(dictionary, &metrics, &events);
        View {
            format_version: FORMAT_VERSION,
            taxonomy,
            metrics,
            events,
        }
    }

    /// A view of an empty dictionary.
    pub fn empty() -> View {
        View {
            format_version: FORMAT_VERSION,
            taxonomy: Vec::new(),
            metrics: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Every group of the taxonomy, in order.
    pub fn groups(&self) -> impl Iterator<Item = &GroupView> {
        self.taxonomy
            .iter()
            .flat_map(|s| &s.stages)
            .flat_map(|st| &st.groups)
    }

    /// Every stage of the taxonomy, in order.
    pub fn stages(&self) -> impl Iterator<Item = &StageView> {
        self.taxonomy.iter().flat_map(|s| &s.stages)
    }

    /// The metric with this key path.
    pub fn metric(&self, key_path: &str) -> Option<&MetricView> {
        self.metrics
            .binary_search_by(|m| m.key_path.as_str().cmp(key_path))
            .ok()
            .map(|i| &self.metrics[i])
    }

    /// The event with this action.
    pub fn event(&self, action: &str) -> Option<&EventView> {
        self.events
            .binary_search_by(|e| e.action.as_str().cmp(action))
            .ok()
            .map(|i| &self.events[i])
    }
}

impl MetricView {
    /// Whether the metric carries `role` in `performance_indicator_type`.
    pub fn has_role(&self, role: IndicatorType) -> bool {
        self.performance_indicator_type.contains(&role)
    }
}

fn metric(dictionary: &Dictionary, sources: &SourceMap, m: &super::Metric) -> MetricView {
    let def = dictionary.definition(m);
    let at = sources.file(def.file);
    let value_schema =
        def.value_json_schema()
            .and_then(|p| match dictionary.value_schemas.get(&p.value) {
                Some(ValueSchema::Loaded { schema, .. }) => Some(schema.clone()),
                _ => None,
            });
    MetricView {
        key_path: m.key_path.clone(),
        definition_key_path: def.key_path.value.clone(),
        file: at.path.clone(),
        line: at.location(def.key_path.span.start()).line,
        description: text(def.description.as_ref()),
        status: def.status.value,
        value_type: def.value_type.value,
        time_frame: m.time_frame,
        data_source: def.data_source.value,
        data_category: def.data_category.as_ref().map(|c| c.value),
        product_group: text(def.product_group.as_ref()),
        product_stage: m.owner.map(|o| dictionary.stage(o).key.value.clone()),
        product_section: m.owner.map(|o| dictionary.section(o).key.value.clone()),
        product_categories: texts(&def.product_categories),
        performance_indicator_type: values(&def.performance_indicator_type),
        tiers: values(&def.tiers),
        milestone: def.milestone.as_ref().map(|m| m.value),
        milestone_removed: def.milestone_removed().map(|m| m.value),
        introduced_by_url: text(def.introduced_by_url.as_ref()),
        removed_by_url: text(def.removed_by_url()),
        repair_issue_url: text(def.repair_issue_url()),
        instrumentation_class: text(def.instrumentation_class()),
        options: def.options().map(|o| o.value.clone()),
        events: def
            .events
            .iter()
            .map(|e| SelectorView {
                name: e.name.value.clone(),
                unique: e.unique.as_ref().map(|u| u.value),
                filter: e
                    .filter
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.clone()))
                    .collect(),
                operator: text(e.operator.as_ref()),
            })
            .collect(),
        sql: def.sql.as_ref().map(|s| SqlView {
            text: s.text.value.clone(),
            parameters: s
                .placeholders
                .iter()
                .filter(|p| p.starts_with(':'))
                .cloned()
                .collect(),
            tables: s.tables.clone(),
            references: s.references.clone(),
        }),
        value_json_schema: text(def.value_json_schema()),
        value_schema,
        names: m.names(),
    }
}

fn taxonomy(
    dictionary: &Dictionary,
    metrics: &[MetricView],
    events: &[EventView],
) -> Vec<SectionView> {
    let mut owned_metrics: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for m in metrics {
        if let Some(group) = &m.product_group {
            owned_metrics
                .entry(group)
                .or_default()
                .push(m.key_path.to_string());
        }
    }
    let mut owned_events: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in events {
        if let Some(group) = &e.product_group {
            owned_events
                .entry(group)
                .or_default()
                .push(e.action.clone());
        }
    }
    dictionary
        .taxonomy
        .sections
        .iter()
        .map(|s| SectionView {
            key: s.key.value.clone(),
            name: s.name.clone(),
            names: KeyNames::new(&s.key.value),
            stages: s
                .stages
                .iter()
                .map(|st| StageView {
                    key: st.key.value.clone(),
                    name: st.name.clone(),
                    section: s.key.value.clone(),
                    names: KeyNames::new(&st.key.value),
                    groups: st
                        .groups
                        .iter()
                        .map(|g| GroupView {
                            key: g.key.value.clone(),
                            name: g.name.clone(),
                            stage: st.key.value.clone(),
                            section: s.key.value.clone(),
                            names: KeyNames::new(&g.key.value),
                            categories: texts(&g.categories),
                            metrics: owned_metrics
                                .get(g.key.value.as_str())
                                .cloned()
                                .unwrap_or_default(),
                            events: owned_events
                                .get(g.key.value.as_str())
                                .cloned()
                                .unwrap_or_default(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn owner(dictionary: &Dictionary, group: Option<&Spanned<String>>) -> Option<Owner> {
    group.and_then(|g| dictionary.owner(&g.value))
}

fn text(value: Option<&Spanned<String>>) -> Option<String> {
    value.map(|v| v.value.clone())
}

fn texts(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|v| v.value.clone()).collect()
}

fn values<T: Copy>(values: &[Spanned<T>]) -> Vec<T> {
    values.iter().map(|v| v.value).collect()
}
