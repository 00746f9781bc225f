//! `dictionary.json`: the resolved dictionary for any other tool. Every metric after
//! `time_frame` expansion with its stage and section, every event with the metrics that
//! count it, and the taxonomy. Sorted, without timestamps: byte-identical from run to run.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::OutputFile;
use crate::model::{EventDefinition, MetricDefinition};
use crate::resolve::{Dictionary, Metric};
use crate::source::{SourceMap, Spanned};

/// Bumped when the shape of the file changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    taxonomy: Vec<SectionOut<'a>>,
    metrics: Vec<MetricOut<'a>>,
    events: Vec<EventOut<'a>>,
}

#[derive(Serialize)]
struct SectionOut<'a> {
    key: &'a str,
    name: &'a str,
    stages: Vec<StageOut<'a>>,
}

#[derive(Serialize)]
struct StageOut<'a> {
    key: &'a str,
    name: &'a str,
    groups: Vec<GroupOut<'a>>,
}

#[derive(Serialize)]
struct GroupOut<'a> {
    key: &'a str,
    name: &'a str,
    categories: Vec<&'a str>,
}

#[derive(Serialize)]
struct MetricOut<'a> {
    key_path: &'a str,
    /// The key path as written, before a time_frame list added its suffix.
    definition_key_path: &'a str,
    file: &'a str,
    description: Option<&'a str>,
    status: &'a str,
    value_type: &'a str,
    time_frame: &'a str,
    data_source: &'a str,
    data_category: Option<&'a str>,
    product_group: Option<&'a str>,
    product_stage: Option<&'a str>,
    product_section: Option<&'a str>,
    product_categories: Vec<&'a str>,
    performance_indicator_type: Vec<&'a str>,
    tiers: Vec<&'a str>,
    milestone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone_removed: Option<&'a str>,
    introduced_by_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed_by_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repair_issue_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instrumentation_class: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<&'a Json>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    events: Vec<SelectorOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_json_schema: Option<&'a str>,
}

#[derive(Serialize)]
struct SelectorOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    filter: BTreeMap<&'a str, &'a Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator: Option<&'a str>,
}

#[derive(Serialize)]
struct EventOut<'a> {
    action: &'a str,
    file: &'a str,
    description: Option<&'a str>,
    category: Option<&'a str>,
    identifiers: Vec<&'a str>,
    additional_properties: Vec<&'a str>,
    product_group: Option<&'a str>,
    product_stage: Option<&'a str>,
    product_section: Option<&'a str>,
    product_categories: Vec<&'a str>,
    tiers: Vec<&'a str>,
    milestone: Option<&'a str>,
    introduced_by_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classification: Option<&'a str>,
    /// Key paths of the metrics that count this event.
    metrics: Vec<&'a str>,
}

fn text(value: &Option<Spanned<String>>) -> Option<&str> {
    value.as_ref().map(|v| v.value.as_str())
}

fn texts(values: &[Spanned<String>]) -> Vec<&str> {
    values.iter().map(|v| v.value.as_str()).collect()
}

pub fn emit(dictionary: &Dictionary, sources: &SourceMap) -> OutputFile {
    let taxonomy = dictionary
        .taxonomy
        .sections
        .iter()
        .map(|s| SectionOut {
            key: &s.key.value,
            name: &s.name,
            stages: s
                .stages
                .iter()
                .map(|st| StageOut {
                    key: &st.key.value,
                    name: &st.name,
                    groups: st
                        .groups
                        .iter()
                        .map(|g| GroupOut {
                            key: &g.key.value,
                            name: &g.name,
                            categories: texts(&g.categories),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let metrics = dictionary
        .metrics
        .iter()
        .map(|m| metric(dictionary, sources, m))
        .collect();
    let mut counted_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &dictionary.metrics {
        for selector in &dictionary.definition(m).events {
            let list = counted_by.entry(selector.name.value.as_str()).or_default();
            if list.last() != Some(&m.key_path.as_str()) {
                list.push(&m.key_path);
            }
        }
    }
    let mut events: Vec<EventOut<'_>> = dictionary
        .events
        .iter()
        .map(|e| {
            let metrics = counted_by
                .get(e.action.value.as_str())
                .cloned()
                .unwrap_or_default();
            event(dictionary, sources, e, metrics)
        })
        .collect();
    events.sort_by(|a, b| (a.action, a.file).cmp(&(b.action, b.file)));
    let document = Document {
        format_version: FORMAT_VERSION,
        taxonomy,
        metrics,
        events,
    };
    // Sized up front: growing a buffer of this size by doubling would briefly need twice
    // the memory, and this is the largest allocation of a build.
    let estimate = 1200 * document.metrics.len() + 800 * document.events.len() + 4096;
    let mut json = Vec::with_capacity(estimate);
    if serde_json::to_writer_pretty(&mut json, &document).is_err() {
        json.clear();
    }
    json.push(b'\n');
    OutputFile::new("dictionary.json", json)
}

fn metric<'a>(dictionary: &'a Dictionary, sources: &'a SourceMap, m: &'a Metric) -> MetricOut<'a> {
    let def: &MetricDefinition = dictionary.definition(m);
    let owner = m.owner;
    MetricOut {
        key_path: &m.key_path,
        definition_key_path: &def.key_path.value,
        file: &sources.file(def.file).path,
        description: text(&def.description),
        status: def.status.value.as_str(),
        value_type: def.value_type.value.as_str(),
        time_frame: m.time_frame.as_str(),
        data_source: def.data_source.value.as_str(),
        data_category: def.data_category.as_ref().map(|c| c.value.as_str()),
        product_group: text(&def.product_group),
        product_stage: owner.map(|o| dictionary.stage(o).key.value.as_str()),
        product_section: owner.map(|o| dictionary.section(o).key.value.as_str()),
        product_categories: texts(&def.product_categories),
        performance_indicator_type: def
            .performance_indicator_type
            .iter()
            .map(|r| r.value.as_str())
            .collect(),
        tiers: def.tiers.iter().map(|t| t.value.as_str()).collect(),
        milestone: text(&def.milestone),
        milestone_removed: text(&def.milestone_removed),
        introduced_by_url: text(&def.introduced_by_url),
        removed_by_url: text(&def.removed_by_url),
        repair_issue_url: text(&def.repair_issue_url),
        instrumentation_class: text(&def.instrumentation_class),
        options: def.options.as_ref().map(|o| &o.value),
        events: def
            .events
            .iter()
            .map(|e| SelectorOut {
                name: &e.name.value,
                unique: e.unique.as_ref().map(|u| u.value.as_str()),
                filter: e
                    .filter
                    .iter()
                    .map(|(k, v)| (k.value.as_str(), &v.value))
                    .collect(),
                operator: text(&e.operator),
            })
            .collect(),
        sql: def.sql.as_ref().map(|s| s.text.value.as_str()),
        value_json_schema: text(&def.value_json_schema),
    }
}

fn event<'a>(
    dictionary: &'a Dictionary,
    sources: &'a SourceMap,
    e: &'a EventDefinition,
    metrics: Vec<&'a str>,
) -> EventOut<'a> {
    let owner = e
        .product_group
        .as_ref()
        .and_then(|g| dictionary.owner(&g.value));
    EventOut {
        action: &e.action.value,
        file: &sources.file(e.file).path,
        description: text(&e.description),
        category: text(&e.category),
        identifiers: e.identifiers.iter().map(|i| i.value.as_str()).collect(),
        additional_properties: texts(&e.additional_properties),
        product_group: text(&e.product_group),
        product_stage: owner.map(|o| dictionary.stage(o).key.value.as_str()),
        product_section: owner.map(|o| dictionary.section(o).key.value.as_str()),
        product_categories: texts(&e.product_categories),
        tiers: e.tiers.iter().map(|t| t.value.as_str()).collect(),
        milestone: text(&e.milestone),
        introduced_by_url: text(&e.introduced_by_url),
        status: text(&e.status),
        classification: text(&e.classification),
        metrics,
    }
}
