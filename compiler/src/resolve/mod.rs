//! The resolve stage: typed definitions → the [`Dictionary`], the one model every check and
//! every backend reads.
//!
//! Resolving expands `time_frame` lists into one metric each (GitLab's `_weekly` /
//! `_monthly` suffixes), attaches each group's stage and section from the taxonomy, and
//! indexes events by action, and derives once every name a backend gives a metric, an event
//! or a group ([`names`]). It reports nothing: checks judge the result. [`view`] is the
//! flattened, serializable form of the result that backends and templates read.

pub mod names;
pub mod view;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::taxonomy::{Group, Section, Stage};
use crate::model::{
    Dialect, EventDefinition, KeyPath, MetricDefinition, Taxonomy, TimeFrame, TimeFrames,
};
use crate::source::FileId;
use names::{EventNames, MetricNames};

/// Where a group sits in the taxonomy (indices into its vectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Owner {
    pub section: usize,
    pub stage: usize,
    pub group: usize,
}

/// One metric of the Service Ping payload, after `time_frame` expansion.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// Index into [`Dictionary::definitions`].
    pub definition: usize,
    /// The full key path, suffix included.
    pub key_path: KeyPath,
    pub time_frame: TimeFrame,
    /// The owning group's place, when the group is in the taxonomy.
    pub owner: Option<Owner>,
}

impl Metric {
    /// The names backends give the metric. Computed when asked for (by the view, and the
    /// rules on names): a check of a large dictionary need not hold them all.
    pub fn names(&self) -> MetricNames {
        MetricNames::new(&self.key_path)
    }
}

/// A JSON Schema file referenced by `value_json_schema`, as loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueSchema {
    /// Read and parsed; `tree` holds the positions of its values (JSON is YAML), when the
    /// YAML reader could follow it.
    Loaded {
        file: FileId,
        schema: serde_json::Value,
        tree: Option<crate::yaml::Node>,
    },
    /// Read, but not JSON: the file, the byte offset of the problem, and what it is.
    NotJson {
        file: FileId,
        offset: usize,
        message: String,
    },
    /// Could not be read.
    Missing { reason: String },
}

/// The resolved dictionary.
#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    pub taxonomy: Taxonomy,
    /// The file the taxonomy came from.
    pub taxonomy_file: Option<FileId>,
    /// Metric definitions as written, in file order (each behind the pointer the parse
    /// stage made: collecting ten thousand of them into one vector would hold them twice,
    /// and a watch run shares the unchanged ones with the next run instead of copying them).
    pub definitions: Vec<Arc<MetricDefinition>>,
    /// Metrics after expansion, sorted by key path.
    pub metrics: Vec<Metric>,
    /// Event definitions, in file order.
    pub events: Vec<EventDefinition>,
    /// The names backends give each event, in the order of `events`.
    pub event_names: Vec<EventNames>,
    /// `value_json_schema` path → its schema.
    pub value_schemas: BTreeMap<String, ValueSchema>,
    /// The format the definitions follow.
    pub dialect: Dialect,
    groups: HashMap<String, Owner>,
    events_by_action: HashMap<String, usize>,
}

impl Dictionary {
    pub fn new(
        taxonomy: Taxonomy,
        taxonomy_file: Option<FileId>,
        definitions: Vec<Arc<MetricDefinition>>,
        events: Vec<EventDefinition>,
    ) -> Dictionary {
        let mut groups = HashMap::new();
        for (si, section) in taxonomy.sections.iter().enumerate() {
            for (sti, stage) in section.stages.iter().enumerate() {
                for (gi, group) in stage.groups.iter().enumerate() {
                    groups.entry(group.key.value.clone()).or_insert(Owner {
                        section: si,
                        stage: sti,
                        group: gi,
                    });
                }
            }
        }
        let mut events_by_action = HashMap::new();
        for (i, event) in events.iter().enumerate() {
            events_by_action
                .entry(event.action.value.clone())
                .or_insert(i);
        }
        // Sized up front: a collected vector would grow to up to twice what it holds.
        let expanded = definitions
            .iter()
            .map(|def| match &def.time_frame.value {
                TimeFrames::Single(_) => 1,
                TimeFrames::List(list) => list.len(),
            })
            .sum();
        let mut metrics: Vec<Metric> = Vec::with_capacity(expanded);
        metrics.extend(definitions.iter().enumerate().flat_map(|(i, def)| {
            let owner = def
                .product_group
                .as_ref()
                .and_then(|g| groups.get(&g.value).copied());
            let listed = matches!(def.time_frame.value, TimeFrames::List(_));
            def.time_frame.each().into_iter().map(move |time_frame| {
                let key_path = if listed {
                    def.key_path.value.with_suffix(time_frame)
                } else {
                    def.key_path.value.clone()
                };
                Metric {
                    definition: i,
                    key_path,
                    time_frame,
                    owner,
                }
            })
        }));
        // Unstable, so without a buffer as large as the list: metrics that compare equal
        // (a time frame listed twice) are the same in every field.
        metrics.sort_unstable_by(|a, b| {
            (&a.key_path, a.definition, a.time_frame).cmp(&(
                &b.key_path,
                b.definition,
                b.time_frame,
            ))
        });
        // Older Snowplow events may share an action (their categories tell them apart);
        // their names then carry the category too.
        let mut shared: HashMap<&str, usize> = HashMap::new();
        for event in &events {
            *shared.entry(event.action.value.as_str()).or_default() += 1;
        }
        let event_names = events
            .iter()
            .map(|e| match &e.category {
                Some(category) if shared[e.action.value.as_str()] > 1 => {
                    EventNames::new(&format!("{}_{}", category.value, e.action.value))
                }
                _ => EventNames::new(&e.action.value),
            })
            .collect();
        Dictionary {
            taxonomy,
            taxonomy_file,
            definitions,
            metrics,
            events,
            event_names,
            value_schemas: BTreeMap::new(),
            dialect: Dialect::default(),
            groups,
            events_by_action,
        }
    }

    pub fn definition(&self, metric: &Metric) -> &MetricDefinition {
        &self.definitions[metric.definition]
    }

    /// The place of a group in the taxonomy.
    pub fn owner(&self, group: &str) -> Option<Owner> {
        self.groups.get(group).copied()
    }

    pub fn section(&self, owner: Owner) -> &Section {
        &self.taxonomy.sections[owner.section]
    }

    pub fn stage(&self, owner: Owner) -> &Stage {
        &self.section(owner).stages[owner.stage]
    }

    pub fn group(&self, owner: Owner) -> &Group {
        &self.stage(owner).groups[owner.group]
    }

    /// The (first) event definition with this action.
    pub fn event(&self, action: &str) -> Option<&EventDefinition> {
        self.events_by_action.get(action).map(|&i| &self.events[i])
    }

    /// Every category the taxonomy knows: those of its groups and those listed on their own.
    pub fn categories(&self) -> impl Iterator<Item = &str> {
        self.taxonomy
            .groups()
            .flat_map(|(_, _, g)| g.categories.iter().map(|c| c.value.as_str()))
            .chain(self.taxonomy.categories.iter().map(|c| c.value.as_str()))
    }
}
