//! `metricc migrate`: rewrites definitions of GitLab's older formats into the current one
//! (`tier` → `tiers`, `group::x` → `x`, old statuses, `product_category` →
//! `product_categories`, unquoted milestones, dropped groups to their successors, ...).
//!
//! The rewrite is a list of text edits at the exact byte ranges the spanned YAML tree
//! gives, not a re-serialisation: comments, key order, quoting and blank lines stay as
//! written. What cannot be decided from the file (a missing milestone, a group with no
//! known successor) is left for a person; `metricc migrate` re-checks the rewritten files
//! and reports it.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::config::Config;
use crate::error::Error;
use crate::pipeline::{self, Compilation, Disk, Tree};
use crate::source::{FoundFile, ReadProblem};

use crate::model::legacy;
use crate::model::{Dialect, Taxonomy};
use crate::source::FileKind;
use crate::yaml::{self, Entry, Node, Value};

/// One replacement of a byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edit {
    range: Range<usize>,
    text: String,
}

/// A file's rewrite: its new text and what was changed, in words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    pub changes: Vec<String>,
}

struct Editor<'a> {
    text: &'a str,
    edits: Vec<Edit>,
    changes: Vec<String>,
}

impl Editor<'_> {
    fn replace(&mut self, range: Range<usize>, text: impl Into<String>) {
        self.edits.push(Edit {
            range,
            text: text.into(),
        });
    }

    fn note(&mut self, change: impl Into<String>) {
        self.changes.push(change.into());
    }

    /// The start of the line holding `at`.
    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Just past the line break of the line holding `at` (or the end of the text).
    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i + 1)
    }

    /// Removes a top-level entry: its lines, from its key to the end of its value.
    fn delete(&mut self, entry: &Entry) {
        let start = self.line_start(entry.key_span.start);
        let end = self.line_end(entry.value.span.end.max(entry.key_span.end));
        self.replace(start..end, "");
    }

    /// Replaces a whole top-level entry (key and value) with `text` (no line break).
    fn rewrite(&mut self, entry: &Entry, text: String) {
        let end = entry.value.span.end.max(entry.key_span.end);
        self.replace(entry.key_span.start..end, text);
    }

    /// Adds a top-level entry after `after`'s last line.
    fn insert_after(&mut self, after: &Entry, text: &str) {
        let at = self.line_end(after.value.span.end.max(after.key_span.end));
        let prefix = if at > 0 && !self.text[..at].ends_with('\n') {
            "\n"
        } else {
            ""
        };
        self.replace(at..at, format!("{prefix}{text}\n"));
    }

    /// Rewrites a list the way it was written: `[a, b]` in flow style, `- a` lines
    /// otherwise (a block list's span starts at its first item, after the `- `).
    fn replace_list(&mut self, node: &Node, items: &[String]) {
        let flow = self.text.as_bytes().get(node.span.start) == Some(&b'[');
        let line = self.line_start(node.span.start);
        let dash = self.text[line..node.span.start]
            .rfind('-')
            .map(|i| line + i);
        match dash {
            Some(dash) if !flow && !items.is_empty() => {
                let indent: String = self.text[line..dash].chars().map(|_| ' ').collect();
                let list = items
                    .iter()
                    .map(|i| format!("- {i}"))
                    .collect::<Vec<_>>()
                    .join(&format!("\n{indent}"));
                if self.text[dash..node.span.end] != list {
                    self.replace(dash..node.span.end, list);
                }
            }
            _ => {
                let list = format!("[{}]", items.join(", "));
                if self.text[node.span.clone()] != list {
                    self.replace(node.span.clone(), list);
                }
            }
        }
    }

    fn finish(mut self) -> Rewrite {
        self.edits
            .sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
        let mut text = self.text.to_owned();
        let mut floor = usize::MAX;
        for edit in self.edits {
            // Overlapping edits cannot both apply; the later-starting one wins.
            if edit.range.end > floor {
                continue;
            }
            text.replace_range(edit.range.clone(), &edit.text);
            floor = edit.range.start;
        }
        Rewrite {
            text,
            changes: self.changes,
        }
    }
}

/// The project on disk with some files' texts replaced: the rewritten files, checked
/// before anything is written.
pub struct Overlay<'a> {
    pub texts: &'a BTreeMap<String, String>,
}

impl Tree for Overlay<'_> {
    fn discover(&self, config: &Config) -> Result<Vec<FoundFile>, Error> {
        Disk.discover(config)
    }

    fn read(&self, found: &FoundFile) -> Result<String, ReadProblem> {
        match self.texts.get(&found.display) {
            Some(text) => Ok(text.clone()),
            None => Disk.read(found),
        }
    }

    fn read_other(&self, _relative: &str) -> Option<Result<String, ReadProblem>> {
        None
    }
}

/// The migration of a project: every definition file that changes, with its new text and
/// what changed, and the check of the project as it would be afterwards.
pub struct Migration {
    /// Path (relative to the root) → (old text, rewrite).
    pub files: BTreeMap<String, (String, Rewrite)>,
    /// The project checked with the rewritten files.
    pub after: Compilation,
}

impl Migration {
    /// The problems left in the rewritten files: what migrate could not decide.
    pub fn left(&self) -> Vec<&crate::diagnostics::Diagnostic> {
        self.after
            .diagnostics
            .iter()
            .filter(|d| {
                self.files
                    .contains_key(&self.after.sources.file(d.span.file).path)
            })
            .collect()
    }
}

/// Plans the migration of the project `before` (already checked): rewrites every
/// definition file of an older format, then checks the project as it would be.
pub fn plan(config: &Config, before: &Compilation) -> Result<Migration, Error> {
    let dialect = before.dictionary.dialect;
    let taxonomy = &before.dictionary.taxonomy;
    let mut files = BTreeMap::new();
    for (_, file) in before.sources.files() {
        if !matches!(file.kind, FileKind::Metric | FileKind::Event) {
            continue;
        }
        let rewrite = rewrite(file.kind, &file.text, taxonomy, dialect);
        if rewrite.text != file.text {
            files.insert(file.path.clone(), (file.text.clone(), rewrite));
        }
    }
    let texts: BTreeMap<String, String> = files
        .iter()
        .map(|(path, (_, r))| (path.clone(), r.text.clone()))
        .collect();
    let after = pipeline::compile_tree(config, &Overlay { texts: &texts }, None)?;
    Ok(Migration { files, after })
}

/// The current key of a 2021 `group::` label: `group::code review` → `code_review`.
pub fn label_key(label: &str) -> Option<String> {
    let name = label.strip_prefix("group::")?;
    Some(name.trim().replace([' ', '-'], "_").to_lowercase())
}

/// The tiers that replaced the 2021 ones (Starter and Bronze were retired into Premium,
/// Silver and Gold renamed Premium and Ultimate).
fn current_tier(tier: &str) -> &str {
    match tier {
        "starter" | "bronze" | "silver" => "premium",
        "gold" => "ultimate",
        other => other,
    }
}

/// Rewrites one definition file of an older format into the current one. Files that need
/// nothing come back unchanged, with no changes listed.
pub fn rewrite(kind: FileKind, text: &str, taxonomy: &Taxonomy, dialect: Dialect) -> Rewrite {
    let mut editor = Editor {
        text,
        edits: Vec::new(),
        changes: Vec::new(),
    };
    let parsed = yaml::parse(text);
    let Some(root) = parsed.root.filter(|_| parsed.problems.is_empty()) else {
        return editor.finish(); // not readable YAML: `check` says why
    };
    let Some(entries) = root.as_map() else {
        return editor.finish();
    };
    if !matches!(kind, FileKind::Metric | FileKind::Event) {
        return editor.finish();
    }
    let has = |key: &str| root.entry(key).is_some();
    let raw = |node: &Node| text.get(node.span.clone()).unwrap_or_default().to_owned();
    for entry in entries {
        let key = entry.key.as_str();
        let value = &entry.value;
        match key {
            "tier" if has("tiers") => {
                editor.delete(entry);
                editor.note("deleted `tier` (`tiers` is set)");
            }
            "tier" => {
                let mut tiers: Vec<String> = Vec::new();
                for item in value.as_seq().unwrap_or_default() {
                    if let Some(t) = item.as_str() {
                        let t = current_tier(t).to_owned();
                        if !tiers.contains(&t) {
                            tiers.push(t);
                        }
                    }
                }
                editor.replace(entry.key_span.clone(), "tiers");
                if value.as_seq().is_some() {
                    editor.replace_list(value, &tiers);
                }
                editor.note(format!("`tier` → `tiers: [{}]`", tiers.join(", ")));
            }
            "distribution" | "distributions" | "skip_validation" => {
                editor.delete(entry);
                editor.note(format!("deleted `{key}`"));
            }
            "stage" if kind == FileKind::Metric => {
                editor.delete(entry);
                editor.note("deleted `stage` (the stage follows from the group)");
            }
            "product_stage" | "product_section" if dialect == Dialect::Gitlab => {
                editor.delete(entry);
                editor.note(format!("deleted `{key}` (it follows from the group)"));
            }
            "product_category" if has("product_categories") => {
                editor.delete(entry);
                editor.note("deleted `product_category` (`product_categories` is set)");
            }
            "product_category" => match value.as_str().filter(|c| !c.trim().is_empty()) {
                Some(category) => {
                    editor.rewrite(entry, format!("product_categories:\n- {category}"));
                    editor.note(format!(
                        "`product_category` → `product_categories: [{category}]`"
                    ));
                }
                None => {
                    editor.delete(entry);
                    editor.note("deleted the empty `product_category`");
                }
            },
            "group" if kind == FileKind::Metric && !has("product_group") => {
                let group = value.as_str().map(|g| group_key(g, taxonomy));
                match group {
                    Some((group, why)) => {
                        editor.rewrite(entry, format!("product_group: {group}"));
                        editor.note(format!("`group` → `product_group: {group}`{why}"));
                    }
                    None => {
                        editor.replace(entry.key_span.clone(), "product_group");
                        editor.note("`group` → `product_group`");
                    }
                }
            }
            "product_group" => {
                if let Some(written) = value.as_str() {
                    let (group, why) = group_key(written, taxonomy);
                    if group != written {
                        editor.replace(value.span.clone(), group.clone());
                        editor.note(format!("`product_group: {written}` → `{group}`{why}"));
                    }
                }
            }
            "status" | "data_source" | "data_category" => {
                if let Some(written) = value.as_str()
                    && let Some((replacement, _)) = legacy::replacement(key, written)
                {
                    editor.replace(value.span.clone(), replacement);
                    editor.note(format!("`{key}: {written}` → `{replacement}`"));
                }
            }
            "milestone" | "milestone_removed"
                if matches!(value.value, Value::Int(_) | Value::Float(_)) =>
            {
                let written = raw(value);
                editor.replace(value.span.clone(), format!("\"{written}\""));
                editor.note(format!("quoted `{key}: \"{written}\"`"));
            }
            "label_description" | "property_description" | "value_description"
                if kind == FileKind::Event && !has("additional_properties") =>
            {
                let property = key.trim_end_matches("_description");
                let description = raw(value);
                editor.rewrite(
                    entry,
                    format!(
                        "additional_properties:\n  {property}:\n    description: {description}"
                    ),
                );
                editor.note(format!(
                    "`{key}` → `additional_properties.{property}.description`"
                ));
            }
            _ => {}
        }
    }
    // 2021 Redis HLL metrics named their events in `options` and left the class implied.
    if kind == FileKind::Metric
        && root.get("data_source").and_then(Node::as_str) == Some("redis_hll")
        && !has("instrumentation_class")
        && root.pointer("/options/events").is_some()
        && let Some(source) = root.entry("data_source")
    {
        editor.insert_after(source, "instrumentation_class: RedisHLLMetric");
        editor.note("added `instrumentation_class: RedisHLLMetric` (its events are in `options`)");
    }
    editor.finish()
}

/// The current key for a group as written: a 2021 label becomes a key, a dropped group its
/// successor where one is known. The second value says why, for the change list.
fn group_key(written: &str, taxonomy: &Taxonomy) -> (String, String) {
    let key = label_key(written).unwrap_or_else(|| written.to_owned());
    if taxonomy.has_group(&key) {
        return (key, String::new());
    }
    match taxonomy.successor(&key) {
        Some(successor) => (
            successor.to_owned(),
            format!(" (`{key}` was replaced by `{successor}`)"),
        ),
        None => (key, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        let text = "sections:\n  dev:\n    name: Dev\n    stages:\n      create:\n        name: Create\n        groups:\n          code_review: Code Review\n          runner_core: Runner Core\nretired_groups:\n  runner: {replaced_by: runner_core}\n";
        Taxonomy::from_node(crate::source::FileId(0), &yaml::parse(text).root.unwrap())
    }

    fn migrate(text: &str) -> String {
        rewrite(FileKind::Metric, text, &taxonomy(), Dialect::Gitlab).text
    }

    #[test]
    fn legacy_fields_become_current_ones_in_place() {
        let before = "---\n# owned by code review\nkey_path: counts.x\nproduct_section: dev\nproduct_stage: create\nproduct_group: group::code review\nproduct_category: code_review\nstatus: data_available  # still sent\ndata_category: Optional\ndistribution:\n- ce\n- ee\ntier:\n- free\n- starter\n- premium\nmilestone: 13.10\n";
        let after = "---\n# owned by code review\nkey_path: counts.x\nproduct_group: code_review\nproduct_categories:\n- code_review\nstatus: active  # still sent\ndata_category: optional\ntiers:\n- free\n- premium\nmilestone: \"13.10\"\n";
        assert_eq!(migrate(before), after);
    }

    #[test]
    fn flow_lists_stay_flow_lists_and_dropped_groups_move_on() {
        let before = "key_path: uuid\ngroup: group::runner\nstage: verify\ntier: ['free', 'starter', 'gold']\nmilestone: 9.1\ndata_source: ruby\n";
        let after = "key_path: uuid\nproduct_group: runner_core\ntiers: [free, premium, ultimate]\nmilestone: \"9.1\"\ndata_source: system\n";
        assert_eq!(migrate(before), after);
    }

    #[test]
    fn current_files_are_left_alone() {
        let text =
            "key_path: counts.x\nproduct_group: code_review\ntiers: [free]\nmilestone: \"17.1\"\n";
        let r = rewrite(FileKind::Metric, text, &taxonomy(), Dialect::Gitlab);
        assert_eq!(r.text, text);
        assert!(r.changes.is_empty());
        // In metricc's native format, stage and section are not legacy.
        let text = "key_path: counts.x\nproduct_stage: create\n";
        assert_eq!(
            rewrite(FileKind::Metric, text, &taxonomy(), Dialect::Native).text,
            text
        );
    }

    #[test]
    fn redis_hll_metrics_get_their_class() {
        let before = "key_path: x\ndata_source: redis_hll\noptions:\n  events:\n  - a\n";
        assert_eq!(
            migrate(before),
            "key_path: x\ndata_source: redis_hll\ninstrumentation_class: RedisHLLMetric\noptions:\n  events:\n  - a\n"
        );
    }

    #[test]
    fn event_descriptions_move_under_additional_properties() {
        let before = "action: a\nproperty_description: The protocol\ndistributions: [ce]\n";
        let r = rewrite(FileKind::Event, before, &taxonomy(), Dialect::Gitlab);
        assert_eq!(
            r.text,
            "action: a\nadditional_properties:\n  property:\n    description: The protocol\n"
        );
    }
}

/// A unified diff of two texts (three lines of context), for the dry run.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // Longest common subsequence table; definition files are small.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The edit script: (' ', line), ('-', line), ('+', line).
    let mut ops: Vec<(char, &str, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i], i, j));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i], i, j));
            i += 1;
        } else {
            ops.push(('+', b[j], i, j));
            j += 1;
        }
    }
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = (changed[k] + 4).min(ops.len());
        while k + 1 < changed.len() && changed[k + 1] <= end + 3 {
            k += 1;
            end = (changed[k] + 4).min(ops.len());
        }
        let hunk = &ops[start..end];
        let old_len = hunk.iter().filter(|o| o.0 != '+').count();
        let new_len = hunk.iter().filter(|o| o.0 != '-').count();
        let (old_start, new_start) = (hunk[0].2 + 1, hunk[0].3 + 1);
        out.push_str(&format!(
            "@@ -{old_start},{old_len} +{new_start},{new_len} @@\n"
        ));
        for (op, line, _, _) in hunk {
            out.push_str(&format!("{op}{line}\n"));
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod diff_tests {
    use super::unified_diff;

    #[test]
    fn the_diff_shows_changed_lines_with_context() {
        let diff = unified_diff("a.yml", "a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(
            diff,
            "--- a/a.yml\n+++ b/a.yml\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n"
        );
    }
}
