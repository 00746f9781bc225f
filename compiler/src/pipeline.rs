//! The one engine every command goes through: load → parse → resolve → check.
//!
//! Files are read, parsed, schema-checked and typed in parallel, one file per task; the
//! dictionary-wide stages then run once over the result. Nothing here stops at the first
//! problem: every file is processed and every diagnostic collected.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::check;
use crate::check::files::unusable_list;
use crate::check::files::{
    file_too_large::FILE_TOO_LARGE, not_a_mapping::NOT_A_MAPPING, not_utf8::NOT_UTF8,
    unreadable_file::UNREADABLE_FILE,
};
use crate::check::sql::SqlSettings;
use crate::config::{Config, Preset, TaxonomySource};
use crate::diagnostics::{self, Diagnostic, Severity, Summary};
use crate::error::Error;
use crate::model::taxonomy::list_names;
use crate::model::{Dialect, EventDefinition, MetricDefinition, Taxonomy, ValueType};
use crate::resolve::{Dictionary, ValueSchema};
use crate::source::{
    self, FileId, FileKind, FoundFile, MAX_FILE_BYTES, ReadProblem, SourceFile, SourceMap, Span,
};
use crate::yaml;

/// The result of checking a project: every file read, the resolved dictionary, and every
/// problem found (sorted, with configured levels applied).
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    pub dictionary: Dictionary,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
}

impl Compilation {
    /// Whether the project has errors (with `deny_warnings` configured, warnings are errors).
    pub fn failed(&self) -> bool {
        self.summary.errors > 0
    }
}

/// What one definition file turned into.
#[derive(Clone)]
enum Item {
    Nothing,
    // Boxed, as the others: a run holds an item per file while it parses.
    Taxonomy(Box<Taxonomy>),
    Metric(Arc<MetricDefinition>),
    Event(Box<EventDefinition>),
}

/// One file read and parsed: what the per-file stage produces, and what a [`Cache`]
/// keeps between runs.
#[derive(Clone)]
struct Loaded {
    file: Arc<SourceFile>,
    item: Item,
    diagnostics: Vec<Diagnostic>,
}

/// Where a compilation reads the project's files: the disk ([`Disk`]), or a snapshot of
/// them (a git revision, texts about to be rewritten).
pub trait Tree: Sync {
    /// The project's definition files, sorted by kind and path.
    fn discover(&self, config: &Config) -> Result<Vec<FoundFile>, Error>;
    /// The text of a discovered file.
    fn read(&self, found: &FoundFile) -> Result<String, ReadProblem>;
    /// The text of another file of the project (a value schema, a list), by its path
    /// relative to the root; `None` when there is no such file.
    fn read_other(&self, relative: &str) -> Option<Result<String, ReadProblem>>;
    /// What identifies a file's current content cheaply (modification time and size), for
    /// a [`Cache`]; `None` when the tree cannot tell.
    fn stamp(&self, _found: &FoundFile) -> Option<Stamp> {
        None
    }
}

/// The project's files on disk.
pub struct Disk;

impl Tree for Disk {
    fn discover(&self, config: &Config) -> Result<Vec<FoundFile>, Error> {
        discover(config)
    }

    fn read(&self, found: &FoundFile) -> Result<String, ReadProblem> {
        source::read_text(&found.path)
    }

    fn read_other(&self, _relative: &str) -> Option<Result<String, ReadProblem>> {
        None // read through `Config::root` below, which knows the disk
    }

    fn stamp(&self, found: &FoundFile) -> Option<Stamp> {
        let meta = std::fs::metadata(&found.path).ok()?;
        Some(Stamp {
            modified: meta.modified().ok()?,
            len: meta.len(),
        })
    }
}

/// A file's modification time and size: when both are unchanged, so is its parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    modified: SystemTime,
    len: u64,
}

/// The per-file results of earlier runs (`check --watch`), so that a run re-parses only the
/// files that changed. A file's result is reused when its place in the sorted file list is
/// unchanged (spans carry it), it is not marked [`Cache::changed`], and the tree gives it
/// the same [`Stamp`] as before (a tree that gives none relies on `changed` alone). Adding
/// or removing a file re-parses the files sorted after it.
#[derive(Default)]
pub struct Cache {
    files: HashMap<String, (Option<Stamp>, FileId, Loaded)>,
    /// Files known to have changed since the last run (paths relative to the root).
    pub changed: HashSet<String>,
    /// How many files the last run parsed (the rest came from the cache).
    pub parsed: usize,
}

/// Checks a project: the main entry point of the library.
pub fn compile(config: &Config) -> Result<Compilation, Error> {
    compile_tree(config, &Disk, None)
}

/// Checks a project for a report of its problems (`metricc check`): as [`compile`], but the
/// text of a file is let go once it is parsed, and read again at the end only when a
/// problem is reported in the file. The [`SourceMap`] of the result then has the texts of
/// those files only: positions in other files are unknown (a backend needs [`compile`]).
/// A file that changed on disk meanwhile makes the run start over, keeping every text.
pub fn compile_for_report(config: &Config) -> Result<Compilation, Error> {
    compile_with(config, &Disk, None, Texts::WithProblems)
}

/// Checks a project, reusing the per-file results of earlier runs kept in `cache`.
pub fn compile_cached(config: &Config, cache: &mut Cache) -> Result<Compilation, Error> {
    compile_tree(config, &Disk, Some(cache))
}

/// One definition file given as text, for [`compile_texts`].
#[derive(Clone, Debug)]
pub struct DefinitionText {
    /// The path diagnostics name, relative to the project root.
    pub path: String,
    pub kind: FileKind,
    pub text: String,
}

/// Checks definitions given as texts rather than read from the project's folders: the same
/// per-file work, resolve and checks as [`compile`], for callers that hold the files in
/// memory (the fuzz targets in `fuzz/`). `config` gives the levels, a bundled taxonomy if
/// its preset has one, and the root that `value_json_schema` paths are read from.
pub fn compile_texts(config: &Config, texts: Vec<DefinitionText>) -> Result<Compilation, Error> {
    compile_tree(config, &InMemory(texts), None)
}

/// Definition files held in memory: the tree of [`compile_texts`].
struct InMemory(Vec<DefinitionText>);

impl Tree for InMemory {
    fn discover(&self, _config: &Config) -> Result<Vec<FoundFile>, Error> {
        let mut found: Vec<FoundFile> = self
            .0
            .iter()
            .map(|t| FoundFile {
                kind: t.kind,
                path: t.path.clone().into(),
                display: t.path.clone(),
            })
            .collect();
        found.sort_by(|a, b| (a.kind, &a.display).cmp(&(b.kind, &b.display)));
        Ok(found)
    }

    fn read(&self, found: &FoundFile) -> Result<String, ReadProblem> {
        Ok(self
            .0
            .iter()
            .find(|t| t.path == found.display && t.kind == found.kind)
            .map(|t| t.text.clone())
            .unwrap_or_default())
    }

    fn read_other(&self, _relative: &str) -> Option<Result<String, ReadProblem>> {
        None // value schemas are read below `Config::root`, as for the disk
    }
}

/// Which file texts a compilation keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Texts {
    /// Every file's: backends and positions in any file need them.
    All,
    /// Only those of files with problems: a report needs no other.
    WithProblems,
}

/// What the per-file stage needs to know of the run.
#[derive(Clone, Copy)]
struct PerFile<'a> {
    dialect: Dialect,
    sql: &'a SqlSettings,
    texts: Texts,
}

/// Checks the project as `tree` holds it.
pub fn compile_tree(
    config: &Config,
    tree: &dyn Tree,
    cache: Option<&mut Cache>,
) -> Result<Compilation, Error> {
    compile_with(config, tree, cache, Texts::All)
}

fn compile_with(
    config: &Config,
    tree: &dyn Tree,
    cache: Option<&mut Cache>,
    texts: Texts,
) -> Result<Compilation, Error> {
    let found = tree.discover(config)?;
    let dialect = match config.preset {
        Preset::Native => Dialect::Native,
        Preset::Gitlab => Dialect::Gitlab,
    };

    // Bundled taxonomies are parsed like files, under a name that says where they are from.
    let bundled = match &config.taxonomy {
        TaxonomySource::Bundled { name, text } => Some((*name, *text)),
        TaxonomySource::File(_) => None,
    };
    let per_file = PerFile {
        dialect,
        sql: &config.sql,
        texts,
    };
    let bundled_count = usize::from(bundled.is_some());
    let mut loaded: Vec<Loaded> = Vec::with_capacity(found.len() + bundled_count);
    if let Some((name, text)) = bundled {
        loaded.push(parse_text(
            FileId(0),
            FileKind::Taxonomy,
            name.to_owned(),
            text.to_owned(),
            // Kept: there is no file to read it again from.
            PerFile {
                texts: Texts::All,
                ..per_file
            },
        ));
    }
    let id_of = |i: usize| FileId(u32::try_from(i + bundled_count).unwrap_or(u32::MAX));
    let files_of = |kind| found.iter().filter(|f| f.kind == kind).count();
    let mut metrics = Vec::with_capacity(files_of(FileKind::Metric));
    let mut events = Vec::with_capacity(files_of(FileKind::Event));
    match cache {
        // Each file's path is let go once the file is loaded: the run is at its largest at
        // the end of this stage.
        None => loaded.par_extend(
            found
                .into_par_iter()
                .enumerate()
                .map(|(i, f)| load(tree, id_of(i), f, per_file)),
        ),
        Some(cache) => {
            let stamps: Vec<Option<Stamp>> = found.par_iter().map(|f| tree.stamp(f)).collect();
            let reusable = |i: usize, f: &FoundFile| {
                !cache.changed.contains(&f.display)
                    && cache
                        .files
                        .get(&f.display)
                        .is_some_and(|(stamp, id, _)| *id == id_of(i) && *stamp == stamps[i])
            };
            let fresh: Vec<(usize, Loaded)> = found
                .par_iter()
                .enumerate()
                .filter(|(i, f)| !reusable(*i, f))
                .map(|(i, f)| (i, load(tree, id_of(i), f.clone(), per_file)))
                .collect();
            cache.parsed = fresh.len();
            // The cache is updated in place: a reused entry is shared (its file and
            // definition are behind `Arc`s), a fresh one replaces the old.
            let mut fresh = fresh.into_iter().peekable();
            for (i, f) in found.iter().enumerate() {
                let entry = match fresh.next_if(|(j, _)| *j == i) {
                    Some((_, parsed)) => parsed,
                    None => match cache.files.get(&f.display) {
                        Some((_, _, entry)) => {
                            loaded.push(entry.clone());
                            continue;
                        }
                        None => load(tree, id_of(i), f.clone(), per_file),
                    },
                };
                cache
                    .files
                    .insert(f.display.clone(), (stamps[i], id_of(i), entry.clone()));
                loaded.push(entry);
            }
            if cache.files.len() > found.len() {
                let current: HashSet<&str> = found.iter().map(|f| f.display.as_str()).collect();
                cache
                    .files
                    .retain(|path, _| current.contains(path.as_str()));
            }
            cache.changed.clear();
        }
    }

    // Room for the lists a GitLab tree may add; value schemas reserve their own.
    let mut sources = SourceMap::with_capacity(loaded.len() + 2);
    let mut diagnostics = Vec::new();
    let mut taxonomy = None;
    for entry in loaded {
        let id = sources.add_shared(entry.file);
        diagnostics.extend(entry.diagnostics);
        match entry.item {
            Item::Taxonomy(t) => taxonomy = Some((*t, id)),
            Item::Metric(m) => metrics.push(m),
            Item::Event(e) => events.push(*e),
            Item::Nothing => {}
        }
    }
    let (mut taxonomy, taxonomy_file) = match taxonomy {
        Some((t, id)) => (t, Some(id)),
        None => (Taxonomy::default(), None),
    };
    if bundled.is_some() {
        taxonomy.categories_authoritative = false;
    }
    if let Some(lists) = &config.tree_lists {
        for (path, what) in [(&lists.groups, "groups"), (&lists.categories, "categories")] {
            let Some(names) = read_list(config, tree, path, what, &mut sources, &mut diagnostics)
            else {
                continue;
            };
            if what == "groups" {
                taxonomy.restrict_groups(names);
            } else {
                taxonomy.replace_categories(names);
            }
        }
    }
    let mut dictionary = Dictionary::new(taxonomy, taxonomy_file, metrics, events);
    dictionary.dialect = dialect;
    load_value_schemas(config, tree, &mut dictionary, &mut sources);

    diagnostics.extend(check::run(&dictionary, &sources));
    let mut diagnostics = config.levels.apply(diagnostics);
    if texts == Texts::WithProblems && !restore_texts(config, tree, &mut sources, &diagnostics) {
        // A file changed while it was checked: its positions would be wrong.
        return compile_with(config, tree, None, Texts::All);
    }
    diagnostics::sort(&mut diagnostics, &sources);
    let lists = sources
        .files()
        .filter(|(_, f)| f.kind == FileKind::List)
        .count();
    let summary = Summary {
        errors: count(&diagnostics, Severity::Error),
        warnings: count(&diagnostics, Severity::Warning),
        files: sources.len() - bundled_count - lists,
        metrics: dictionary.metrics.len(),
        events: dictionary.events.len(),
    };
    Ok(Compilation {
        sources,
        dictionary,
        diagnostics,
        summary,
    })
}

/// Reads one of the tree's own lists (GitLab's groups or categories), when the tree has it.
fn read_list(
    config: &Config,
    tree: &dyn Tree,
    path: &str,
    what: &str,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<crate::source::Spanned<String>>> {
    let text = match tree.read_other(path) {
        Some(read) => read.ok()?,
        None => {
            let on_disk = config.root.join(path);
            if !on_disk.is_file() {
                return None;
            }
            source::read_text(&on_disk).ok()?
        }
    };
    let parsed = yaml::parse(&text);
    let file = sources.add(SourceFile::new(path.to_owned(), FileKind::List, text));
    match parsed.root.as_ref().and_then(|root| list_names(file, root)) {
        Some(names) if parsed.problems.is_empty() => Some(names),
        _ => {
            let span = parsed
                .root
                .as_ref()
                .map_or(Span::file_start(file), |r| Span::new(file, r.span.clone()));
            diagnostics.push(unusable_list::diagnostic(span, what));
            None
        }
    }
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

/// Lists the project's files, refusing to run where there is evidently no project.
fn discover(config: &Config) -> Result<Vec<FoundFile>, Error> {
    let root = &config.root;
    match (&config.taxonomy, config.preset) {
        (TaxonomySource::File(path), _) if !root.join(path).is_file() => {
            return Err(Error::NoTaxonomy {
                root: root.clone(),
                taxonomy: path.clone(),
            });
        }
        (_, Preset::Gitlab) if !config.layout.metrics.iter().any(|d| root.join(d).is_dir()) => {
            return Err(Error::NotGitlabCheckout {
                root: root.clone(),
                expected: config.layout.metrics.clone(),
            });
        }
        _ => {}
    }
    Ok(source::discover(root, &config.layout))
}

/// Reads and parses one discovered file.
fn load(tree: &dyn Tree, id: FileId, found: FoundFile, per_file: PerFile<'_>) -> Loaded {
    let problem = match tree.read(&found) {
        Ok(text) => return parse_text(id, found.kind, found.display, text, per_file),
        Err(problem) => problem,
    };
    let (text, diagnostic) = match problem {
        ReadProblem::Unreadable(error) => {
            let message = match std::fs::read_link(&found.path) {
                Ok(target) if !found.path.exists() => format!(
                    "the file is a symbolic link to `{}`, which does not exist",
                    target.display()
                ),
                _ => format!("cannot read the file: {error}"),
            };
            (
                String::new(),
                Diagnostic::new(&UNREADABLE_FILE, Span::file_start(id), message)
                    .help("fix the file's permissions or link, or remove it"),
            )
        }
        ReadProblem::TooLarge(size) => (
            String::new(),
            Diagnostic::new(
                &FILE_TOO_LARGE,
                Span::file_start(id),
                format!("the file is {size} bytes; definitions are limited to {MAX_FILE_BYTES}"),
            )
            .help("move this file out of the definitions folders"),
        ),
        ReadProblem::NotUtf8 { lossy, offset } => {
            // The lossy text keeps the valid prefix byte for byte, so `offset` is where the
            // first replacement character starts.
            let at = offset.min(lossy.len());
            (
                lossy,
                Diagnostic::new(
                    &NOT_UTF8,
                    Span::new(id, at..at),
                    "the file is not valid UTF-8",
                )
                .label("first invalid byte")
                .help("save the file as UTF-8"),
            )
        }
    };
    Loaded {
        file: Arc::new(SourceFile::new(found.display, found.kind, text)),
        item: Item::Nothing,
        diagnostics: vec![diagnostic],
    }
}

/// Parses the text of one file of a known kind: YAML, then schema, then typed model.
fn parse_text(
    id: FileId,
    kind: FileKind,
    path: String,
    text: String,
    per_file: PerFile<'_>,
) -> Loaded {
    let PerFile { dialect, sql, .. } = per_file;
    let parsed = yaml::parse(&text);
    let mut diagnostics = check::files::yaml_problems(id, &parsed.problems, &text);
    let item = match &parsed.root {
        None => Item::Nothing,
        Some(root) if root.as_map().is_none() => {
            diagnostics.push(
                Diagnostic::new(
                    &NOT_A_MAPPING,
                    Span::new(id, root.span.clone()),
                    format!(
                        "a definition file must be a mapping of fields, not {}",
                        root.type_name()
                    ),
                )
                .label(format!("{} here", root.type_name()))
                .help("write the fields at the top level, e.g. `key_path: counts.issues`"),
            );
            Item::Nothing
        }
        Some(root) => {
            diagnostics.extend(check::schema::validate(kind, id, root, &text, dialect));
            match kind {
                FileKind::Taxonomy => Item::Taxonomy(Box::new(Taxonomy::from_node(id, root))),
                FileKind::Metric => match MetricDefinition::from_node(id, root) {
                    Some(mut metric) => {
                        diagnostics.extend(check::sql::check_definition(&metric, &text, sql));
                        if let Some(sql) = &mut metric.sql {
                            sql.drop_syntax_tree();
                        }
                        Item::Metric(Arc::new(metric))
                    }
                    None => Item::Nothing,
                },
                FileKind::Event => EventDefinition::from_node(id, root)
                    .map_or(Item::Nothing, |e| Item::Event(Box::new(e))),
                FileKind::ValueSchema | FileKind::List => Item::Nothing,
            }
        }
    };
    drop(parsed);
    let file = if per_file.texts == Texts::WithProblems && diagnostics.is_empty() {
        SourceFile::released(path, kind, &text)
    } else {
        SourceFile::new(path, kind, text)
    };
    Loaded {
        file: Arc::new(file),
        item,
        diagnostics,
    }
}

/// Reads again the texts that [`Texts::WithProblems`] let go, of the files that
/// `diagnostics` point into; `false` when one of them is not what was parsed any more.
fn restore_texts(
    config: &Config,
    tree: &dyn Tree,
    sources: &mut SourceMap,
    diagnostics: &[Diagnostic],
) -> bool {
    let mut wanted: Vec<FileId> = diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(d.span.file)
                .chain(d.related.iter().map(|r| r.span.file))
                .chain(d.fix.iter().map(|f| f.span.file))
        })
        .filter(|&id| sources.file(id).is_released())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted.into_iter().all(|id| {
        let file = sources.file(id);
        let found = FoundFile {
            kind: file.kind,
            path: config.root.join(&file.path),
            display: file.path.clone(),
        };
        tree.read(&found)
            .is_ok_and(|text| sources.restore(id, text))
    })
}

/// Reads the JSON Schema files that object metrics reference (each once).
fn load_value_schemas(
    config: &Config,
    tree: &dyn Tree,
    dictionary: &mut Dictionary,
    sources: &mut SourceMap,
) {
    let mut paths: Vec<String> = dictionary
        .definitions
        .iter()
        .filter(|d| d.value_type.value == ValueType::Object)
        .filter_map(|d| d.value_json_schema().map(|p| p.value.clone()))
        .collect();
    paths.sort();
    paths.dedup();
    sources.reserve(paths.len());
    for path in paths {
        let schema = read_value_schema(&config.root, tree, &path, sources);
        dictionary.value_schemas.insert(path, schema);
    }
}

fn read_value_schema(
    root: &Path,
    tree: &dyn Tree,
    path: &str,
    sources: &mut SourceMap,
) -> ValueSchema {
    let relative = Path::new(path);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| c == std::path::Component::ParentDir)
    {
        return ValueSchema::Missing {
            reason: "the path must stay inside the project (relative, without `..`)".to_owned(),
        };
    }
    let read = tree
        .read_other(path)
        .unwrap_or_else(|| source::read_text(&root.join(relative)));
    let text = match read {
        Ok(text) => text,
        Err(ReadProblem::Unreadable(e)) => {
            return ValueSchema::Missing {
                reason: e.to_string(),
            };
        }
        Err(ReadProblem::TooLarge(size)) => {
            return ValueSchema::Missing {
                reason: format!("the file is {size} bytes, over the {MAX_FILE_BYTES} limit"),
            };
        }
        Err(ReadProblem::NotUtf8 { .. }) => {
            return ValueSchema::Missing {
                reason: "the file is not UTF-8".to_owned(),
            };
        }
    };
    let parsed = serde_json::from_str::<serde_json::Value>(&text);
    let file = SourceFile::new(path.to_owned(), FileKind::ValueSchema, text);
    match parsed {
        Ok(schema) => {
            let tree = yaml::parse(&file.text).root;
            let file = sources.add(file);
            ValueSchema::Loaded { file, schema, tree }
        }
        Err(error) => {
            let line_start = if error.line() == 0 {
                0
            } else {
                file.line_range(error.line().min(file.line_count())).start
            };
            let offset = (line_start + error.column().saturating_sub(1)).min(file.text.len());
            let message = error.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m)
                .to_owned();
            let file = sources.add(file);
            ValueSchema::NotJson {
                file,
                offset,
                message,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    const STAGES: &str = "sections:\n  dev:\n    name: Dev\n    stages:\n      create:\n        name: Create\n        groups:\n          code_review:\n            name: Code Review\n            categories: [code_review_workflow]\n";
    /// A metric without a problem of its own, owned by a group the taxonomy does not have.
    const METRIC: &str = "key_path: counts.issues\ndescription: Issues\nproduct_group: no_such_group\n\
        product_categories: [code_review_workflow]\nvalue_type: number\nstatus: active\n\
        time_frame: all\ndata_source: database\ndata_category: optional\ntiers: [free]\n\
        milestone: '17.0'\nintroduced_by_url: https://example.com/forge/-/merge_requests/4\n\
        sql: SELECT COUNT(*) FROM issues\n";
    /// The stage's SMAU metric, without a problem.
    const SMAU: &str = "key_path: counts.reviewers\ndescription: Reviewers\nproduct_group: code_review\n\
        product_categories: [code_review_workflow]\nvalue_type: number\nstatus: active\n\
        time_frame: 28d\ndata_source: database\ndata_category: optional\n\
        performance_indicator_type: [smau, gmau]\ntiers: [free]\n\
        milestone: '17.0'\nintroduced_by_url: https://example.com/forge/-/merge_requests/5\n\
        sql: SELECT COUNT(DISTINCT user_id) FROM reviews\n";

    /// A project of three files whose first metric gains a first line after it is first read, as a
    /// file saved while metricc checks it.
    struct Saved {
        reads: AtomicUsize,
        /// Whether the project has its own taxonomy file.
        taxonomy: bool,
    }

    impl Tree for Saved {
        fn discover(&self, _config: &Config) -> Result<Vec<FoundFile>, Error> {
            let found = |kind, display: &str| FoundFile {
                kind,
                path: display.into(),
                display: display.to_owned(),
            };
            let mut files = vec![
                found(FileKind::Taxonomy, "definitions/stages.yml"),
                found(FileKind::Metric, "definitions/metrics/issues.yml"),
                found(FileKind::Metric, "definitions/metrics/reviewers.yml"),
            ];
            files.retain(|f| self.taxonomy || f.kind != FileKind::Taxonomy);
            Ok(files)
        }

        fn read(&self, found: &FoundFile) -> Result<String, ReadProblem> {
            match found.display.as_str() {
                "definitions/stages.yml" => return Ok(STAGES.to_owned()),
                "definitions/metrics/reviewers.yml" => return Ok(SMAU.to_owned()),
                _ => {}
            }
            Ok(match self.reads.fetch_add(1, Ordering::SeqCst) {
                0 => METRIC.to_owned(),
                _ => format!("# saved again\n{METRIC}"),
            })
        }

        fn read_other(&self, _relative: &str) -> Option<Result<String, ReadProblem>> {
            None
        }
    }

    #[test]
    fn a_file_saved_during_a_report_run_is_checked_again_whole() {
        let config = Config::preset(Path::new("/nonexistent"), Preset::Native);
        let tree = Saved {
            reads: AtomicUsize::new(0),
            taxonomy: true,
        };
        let compilation = compile_with(&config, &tree, None, Texts::WithProblems).unwrap();
        // Read once, read again for the report (a different text), then once more by the
        // run that starts over.
        assert_eq!(tree.reads.load(Ordering::SeqCst), 3);
        let unknown_group = compilation
            .diagnostics
            .iter()
            .find(|d| d.rule.code == "MC403")
            .unwrap();
        let file = compilation.sources.file(unknown_group.span.file);
        assert!(!file.is_released());
        assert!(file.text.starts_with("# saved again\n"));
        assert_eq!(file.location(unknown_group.span.start()).line, 4);
    }

    #[test]
    fn a_report_run_reads_again_only_files_with_problems() {
        let config = Config::preset(Path::new("/nonexistent"), Preset::Native);
        let tree = Saved {
            reads: AtomicUsize::new(1), // always the second text: nothing changes
            taxonomy: true,
        };
        let compilation = compile_with(&config, &tree, None, Texts::WithProblems).unwrap();
        assert_eq!(tree.reads.load(Ordering::SeqCst), 3);
        let files: Vec<(&str, bool)> = compilation
            .sources
            .files()
            .map(|(_, f)| (f.path.as_str(), f.is_released()))
            .collect();
        assert_eq!(
            files[..2],
            [
                ("definitions/stages.yml", true),
                ("definitions/metrics/issues.yml", false),
            ]
        );
    }

    #[test]
    fn a_bundled_taxonomy_is_kept_and_never_read_again() {
        let mut config = Config::preset(Path::new("/nonexistent"), Preset::Gitlab);
        // A rule that points into the taxonomy (off by default under this preset).
        config.levels.set("MC503", Some(Severity::Warning));
        let tree = Saved {
            reads: AtomicUsize::new(1), // always the second text: nothing changes
            taxonomy: false,
        };
        let compilation = compile_with(&config, &tree, None, Texts::WithProblems).unwrap();
        let bundled = compilation.sources.file(FileId(0));
        assert!(bundled.path.starts_with(source::BUNDLED_PREFIX));
        assert!(!bundled.is_released());
        assert!(
            compilation
                .diagnostics
                .iter()
                .any(|d| d.span.file == FileId(0)
                    || d.related.iter().any(|r| r.span.file == FileId(0))),
            "a problem points into the bundled taxonomy"
        );
        // One read of the metric, one more for its report: no second run.
        assert_eq!(tree.reads.load(Ordering::SeqCst), 3);
    }
}
