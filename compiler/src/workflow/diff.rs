//! `metricc diff --base REV`: what a change does to the dictionary, compared with the
//! dictionary at a git revision. Metrics added and removed, status changes, and the
//! changes that break an active metric's series: its key path renamed, its value type or
//! time frame changed, its counting changed (events, unique, filter, operator, SQL), an
//! xMAU role moved to another metric.
//!
//! A breaking change is allowed when the change follows the documented path: the old
//! metric stays, marked `status: removed` with `milestone_removed`, and a new metric (a
//! new key path) takes over.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{IndicatorType, MetricDefinition, Status};
use crate::pipeline::Compilation;
use crate::resolve::Dictionary;
use crate::source::SourceMap;

/// The changes between two dictionaries.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// The revision compared with.
    pub base: String,
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub status_changes: Vec<Change>,
    /// Changes that break an active metric's series, not done the documented way.
    pub breaking: Vec<Change>,
}

/// A metric definition, by its key path and file.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub key_path: String,
    pub file: String,
}

/// One change to a metric.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub key_path: String,
    pub file: String,
    /// `status`, `removed`, `key_path`, `value_type`, `time_frame`, `counting`, `xmau_role`.
    pub kind: &'static str,
    pub before: String,
    pub after: String,
}

impl Report {
    /// Whether the change breaks an active metric (the exit status of `metricc diff`).
    pub fn is_breaking(&self) -> bool {
        !self.breaking.is_empty()
    }
}

struct Side<'a> {
    dictionary: &'a Dictionary,
    sources: &'a SourceMap,
}

impl<'a> Side<'a> {
    fn file(&self, def: &MetricDefinition) -> &'a str {
        &self.sources.file(def.file).path
    }
}

/// Compares the dictionary at `base_name` (`base`) with `head`.
pub fn compare(base_name: &str, base: &Compilation, head: &Compilation) -> Report {
    let base = Side {
        dictionary: &base.dictionary,
        sources: &base.sources,
    };
    let head = Side {
        dictionary: &head.dictionary,
        sources: &head.sources,
    };
    let mut report = Report {
        base: base_name.to_owned(),
        ..Report::default()
    };
    fn by_key<'a>(side: &Side<'a>) -> BTreeMap<String, &'a MetricDefinition> {
        side.dictionary
            .definitions
            .iter()
            .map(|d| (d.key_path.value.to_string(), &**d))
            .collect()
    }
    let base_defs = by_key(&base);
    let head_defs = by_key(&head);
    let mut head_unmatched: BTreeSet<&str> = head_defs
        .keys()
        .filter(|k| !base_defs.contains_key(*k))
        .map(String::as_str)
        .collect();
    let head_by_file: BTreeMap<&str, &MetricDefinition> = head
        .dictionary
        .definitions
        .iter()
        .map(|d| (head.file(d), &**d))
        .collect();

    for (key, old) in &base_defs {
        let file = base.file(old);
        let entry = Entry {
            key_path: key.clone(),
            file: file.to_owned(),
        };
        let new = match head_defs.get(key) {
            Some(new) => *new,
            None => match head_by_file.get(file) {
                // The same file now defines another key path: renamed in place.
                Some(new) if head_unmatched.contains(new.key_path.value.as_str()) => {
                    head_unmatched.remove(new.key_path.value.as_str());
                    if old.status.value == Status::Active {
                        report.breaking.push(change(
                            &entry,
                            "key_path",
                            key.clone(),
                            new.key_path.value.to_string(),
                        ));
                    }
                    *new
                }
                _ => {
                    if old.status.value == Status::Active {
                        report.breaking.push(change(
                            &entry,
                            "removed",
                            "active".to_owned(),
                            "deleted".to_owned(),
                        ));
                    }
                    report.removed.push(entry);
                    continue;
                }
            },
        };
        if old.status.value != new.status.value {
            report.status_changes.push(change(
                &entry,
                "status",
                old.status.value.to_string(),
                new.status.value.to_string(),
            ));
        }
        if old.status.value != Status::Active || followed_documented_path(new) {
            continue;
        }
        if new.status.value == Status::Removed {
            report.breaking.push(change(
                &entry,
                "status",
                "active".to_owned(),
                "removed without `milestone_removed`".to_owned(),
            ));
            continue;
        }
        let fields = [
            (
                "value_type",
                old.value_type.value.to_string(),
                new.value_type.value.to_string(),
            ),
            ("time_frame", time_frames(old), time_frames(new)),
            ("counting", counting(old), counting(new)),
        ];
        for (kind, before, after) in fields {
            if before != after {
                report.breaking.push(change(&entry, kind, before, after));
            }
        }
    }
    for key in head_unmatched {
        if let Some(def) = head_defs.get(key) {
            report.added.push(Entry {
                key_path: key.to_owned(),
                file: head.file(def).to_owned(),
            });
        }
    }
    xmau_moves(&base, &head, &mut report);
    report.breaking.sort();
    report.status_changes.sort();
    report.breaking.dedup();
    report
}

/// The documented way to change a metric: mark it removed, with the milestone.
fn followed_documented_path(def: &MetricDefinition) -> bool {
    def.status.value == Status::Removed && def.milestone_removed().is_some()
}

fn change(entry: &Entry, kind: &'static str, before: String, after: String) -> Change {
    Change {
        key_path: entry.key_path.clone(),
        file: entry.file.clone(),
        kind,
        before,
        after,
    }
}

fn time_frames(def: &MetricDefinition) -> String {
    def.time_frame
        .each()
        .iter()
        .map(|tf| tf.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a metric counts, written out for comparison and display.
fn counting(def: &MetricDefinition) -> String {
    let mut parts: Vec<String> = def
        .events
        .iter()
        .map(|e| {
            let mut text = e.name.value.clone();
            if let Some(unique) = &e.unique {
                text.push_str(&format!(" unique {}", unique.value));
            }
            if !e.filter.is_empty() {
                let filter: Vec<String> = e
                    .filter
                    .iter()
                    .map(|(k, v)| format!("{}={}", k.value, v.value))
                    .collect();
                text.push_str(&format!(" filter {}", filter.join(",")));
            }
            if let Some(operator) = &e.operator {
                text.push_str(&format!(" {}", operator.value));
            }
            text
        })
        .collect();
    parts.sort();
    if let Some(sql) = &def.sql {
        parts.push(format!(
            "sql: {}",
            sql.text
                .value
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    parts.join("; ")
}

/// Each xMAU role's holder (stage for SMAU, group for GMAU, the product for UMAU).
fn xmau_holders<'a>(side: &Side<'a>) -> BTreeMap<(IndicatorType, String), (String, String)> {
    let mut holders = BTreeMap::new();
    for def in &side.dictionary.definitions {
        if def.status.value != Status::Active {
            continue;
        }
        let group = def.product_group.as_ref().map(|g| g.value.clone());
        let owner = group.as_deref().and_then(|g| side.dictionary.owner(g));
        for role in &def.performance_indicator_type {
            let scope = match role.value {
                IndicatorType::Smau => owner
                    .map(|o| format!("stage {}", side.dictionary.stage(o).key.value))
                    .or_else(|| group.clone().map(|g| format!("group {g}"))),
                IndicatorType::Gmau | IndicatorType::PaidGmau => {
                    group.clone().map(|g| format!("group {g}"))
                }
                IndicatorType::Umau => Some("the product".to_owned()),
                _ => None,
            };
            if let Some(scope) = scope {
                holders.insert(
                    (role.value, scope),
                    (def.key_path.value.to_string(), side.file(def).to_owned()),
                );
            }
        }
    }
    holders
}

/// An xMAU role that another active metric holds now, while the old holder is not marked
/// removed the documented way.
fn xmau_moves(base: &Side<'_>, head: &Side<'_>, report: &mut Report) {
    let before = xmau_holders(base);
    let after = xmau_holders(head);
    for ((role, scope), (old_key, old_file)) in &before {
        let Some((new_key, new_file)) = after.get(&(*role, scope.clone())) else {
            continue;
        };
        // The same metric (renamed in place, reported as such) still holds the role.
        if new_key == old_key || new_file == old_file {
            continue;
        }
        let old_now = head
            .dictionary
            .definitions
            .iter()
            .find(|d| d.key_path.value.as_str() == old_key);
        if old_now.is_some_and(|d| followed_documented_path(d)) {
            continue;
        }
        report.breaking.push(Change {
            key_path: old_key.clone(),
            file: old_file.clone(),
            kind: "xmau_role",
            before: format!("{} of {scope}: {old_key}", role.display_name()),
            after: format!("{} of {scope}: {new_key}", role.display_name()),
        });
    }
}

/// What each kind of breaking change means, for the reports.
fn describe(kind: &str) -> &'static str {
    match kind {
        "key_path" => "key path renamed",
        "value_type" => "value type changed",
        "time_frame" => "time frame changed",
        "counting" => "counting changed",
        "xmau_role" => "xMAU role moved",
        "removed" => "active metric deleted",
        "status" => "marked removed without milestone_removed",
        _ => "changed",
    }
}

const PATH: &str = "keep the old definition with `status: removed`, `milestone_removed` and \
                    `removed_by_url`, and add a new metric with a new key path";

/// The report as text for a terminal or a CI log.
pub fn human(report: &Report) -> String {
    let mut out = format!("compared with {}\n", report.base);
    let list = |out: &mut String, title: &str, entries: &[Entry]| {
        if !entries.is_empty() {
            out.push_str(&format!("\n{title} ({}):\n", entries.len()));
            for e in entries {
                out.push_str(&format!("  {}  ({})\n", e.key_path, e.file));
            }
        }
    };
    list(&mut out, "added", &report.added);
    list(&mut out, "removed", &report.removed);
    if !report.status_changes.is_empty() {
        out.push_str(&format!(
            "\nstatus changes ({}):\n",
            report.status_changes.len()
        ));
        for c in &report.status_changes {
            out.push_str(&format!("  {}: {} -> {}\n", c.key_path, c.before, c.after));
        }
    }
    if report.breaking.is_empty() {
        out.push_str("\nno breaking changes\n");
    } else {
        out.push_str(&format!(
            "\nbreaking changes to active metrics ({}):\n",
            report.breaking.len()
        ));
        for c in &report.breaking {
            out.push_str(&format!(
                "  error: {}: {} ({})\n    before: {}\n    after:  {}\n",
                c.key_path,
                describe(c.kind),
                c.file,
                c.before,
                c.after
            ));
        }
        out.push_str(&format!("\nto change a metric's meaning, {PATH}\n"));
    }
    out
}

/// The report as JSON.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// The report as Markdown, short enough for a merge request comment.
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("### Metric dictionary changes\n\n");
    out.push_str(&format!(
        "Compared with `{}`: {} added, {} removed, {} status changes, {} breaking.\n",
        report.base,
        report.added.len(),
        report.removed.len(),
        report.status_changes.len(),
        report.breaking.len()
    ));
    if !report.breaking.is_empty() {
        out.push_str(&format!(
            "\n:x: **Breaking changes to active metrics.** To change a metric's meaning, {PATH}.\n\n\
             | Metric | Change | Before | After |\n|---|---|---|---|\n"
        ));
        for c in &report.breaking {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.key_path,
                describe(c.kind),
                cell(&c.before),
                cell(&c.after)
            ));
        }
    }
    let mut section = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            out.push_str(&format!(
                "\n<details><summary>{title} ({})</summary>\n\n{}\n</details>\n",
                rows.len(),
                rows.join("\n")
            ));
        }
    };
    section(
        "Added",
        report
            .added
            .iter()
            .map(|e| format!("- `{}` (`{}`)", e.key_path, e.file))
            .collect(),
    );
    section(
        "Removed",
        report
            .removed
            .iter()
            .map(|e| format!("- `{}` (`{}`)", e.key_path, e.file))
            .collect(),
    );
    section(
        "Status changes",
        report
            .status_changes
            .iter()
            .map(|c| format!("- `{}`: {} → {}", c.key_path, c.before, c.after))
            .collect(),
    );
    out
}

fn cell(text: &str) -> String {
    let text = text.replace('|', "\\|").replace('\n', " ");
    if text.is_empty() {
        "—".to_owned()
    } else {
        format!("`{text}`")
    }
}
