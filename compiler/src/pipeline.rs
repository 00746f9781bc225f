//! The one engine every command goes through: load → parse → resolve → check.
//!
//! Files are read, parsed, schema-checked and typed in parallel, one file per task; the
//! dictionary-wide stages then run once over the result. Nothing here stops at the first
//! problem: every file is processed and every diagnostic collected.

use std::path::Path;

use rayon::prelude::*;

use crate::check;
use crate::check::files::{
    file_too_large::FILE_TOO_LARGE, not_a_mapping::NOT_A_MAPPING, not_utf8::NOT_UTF8,
    unreadable_file::UNREADABLE_FILE,
};
use crate::config::{Config, Preset, TaxonomySource};
use crate::diagnostics::{self, Diagnostic, Severity, Summary};
use crate::error::Error;
use crate::model::{EventDefinition, MetricDefinition, Taxonomy, ValueType};
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
enum Item {
    Nothing,
    Taxonomy(Taxonomy),
    Metric(Box<MetricDefinition>),
    Event(Box<EventDefinition>),
}

struct Loaded {
    file: SourceFile,
    item: Item,
    diagnostics: Vec<Diagnostic>,
}

/// Checks a project: the main entry point of the library.
pub fn compile(config: &Config) -> Result<Compilation, Error> {
    let found = discover(config)?;

    // Bundled taxonomies are parsed like files, under a name that says where they are from.
    let bundled = match &config.taxonomy {
        TaxonomySource::Bundled { name, text } => Some((*name, *text)),
        TaxonomySource::File(_) => None,
    };
    let bundled_count = usize::from(bundled.is_some());
    let mut loaded: Vec<Loaded> = Vec::with_capacity(found.len() + bundled_count);
    if let Some((name, text)) = bundled {
        loaded.push(parse_text(
            FileId(0),
            FileKind::Taxonomy,
            name.to_owned(),
            text.to_owned(),
        ));
    }
    loaded.par_extend(found.par_iter().enumerate().map(|(i, f)| {
        let id = FileId(u32::try_from(i + bundled_count).unwrap_or(u32::MAX));
        load(id, f)
    }));
    let files_of = |kind| found.iter().filter(|f| f.kind == kind).count();
    let mut metrics = Vec::with_capacity(files_of(FileKind::Metric));
    let mut events = Vec::with_capacity(files_of(FileKind::Event));
    drop(found);

    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let mut taxonomy = None;
    for entry in loaded {
        let id = sources.add(entry.file);
        diagnostics.extend(entry.diagnostics);
        match entry.item {
            Item::Taxonomy(t) => taxonomy = Some((t, id)),
            Item::Metric(m) => metrics.push(*m),
            Item::Event(e) => events.push(*e),
            Item::Nothing => {}
        }
    }
    let (taxonomy, taxonomy_file) = match taxonomy {
        Some((t, id)) => (t, Some(id)),
        None => (Taxonomy::default(), None),
    };
    let mut dictionary = Dictionary::new(taxonomy, taxonomy_file, metrics, events);
    load_value_schemas(config, &mut dictionary, &mut sources);

    diagnostics.extend(check::run(&dictionary, &sources));
    let mut diagnostics = config.levels.apply(diagnostics);
    diagnostics::sort(&mut diagnostics, &sources);
    let summary = Summary {
        errors: count(&diagnostics, Severity::Error),
        warnings: count(&diagnostics, Severity::Warning),
        files: sources.len() - bundled_count,
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
fn load(id: FileId, found: &FoundFile) -> Loaded {
    let problem = match source::read_text(&found.path) {
        Ok(text) => return parse_text(id, found.kind, found.display.clone(), text),
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
        file: SourceFile::new(found.display.clone(), found.kind, text),
        item: Item::Nothing,
        diagnostics: vec![diagnostic],
    }
}

/// Parses the text of one file of a known kind: YAML, then schema, then typed model.
fn parse_text(id: FileId, kind: FileKind, path: String, text: String) -> Loaded {
    let parsed = yaml::parse(&text);
    let mut diagnostics = check::files::yaml_problems(id, &parsed.problems);
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
            diagnostics.extend(check::schema::validate(kind, id, root, &text));
            match kind {
                FileKind::Taxonomy => Item::Taxonomy(Taxonomy::from_node(id, root)),
                FileKind::Metric => match MetricDefinition::from_node(id, root) {
                    Some(mut metric) => {
                        diagnostics.extend(check::sql::check_definition(&metric, &text));
                        if let Some(sql) = &mut metric.sql {
                            sql.drop_syntax_tree();
                        }
                        Item::Metric(Box::new(metric))
                    }
                    None => Item::Nothing,
                },
                FileKind::Event => EventDefinition::from_node(id, root)
                    .map_or(Item::Nothing, |e| Item::Event(Box::new(e))),
                FileKind::ValueSchema => Item::Nothing,
            }
        }
    };
    Loaded {
        file: SourceFile::new(path, kind, text),
        item,
        diagnostics,
    }
}

/// Reads the JSON Schema files that object metrics reference (each once).
fn load_value_schemas(config: &Config, dictionary: &mut Dictionary, sources: &mut SourceMap) {
    let mut paths: Vec<String> = dictionary
        .definitions
        .iter()
        .filter(|d| d.value_type.value == ValueType::Object)
        .filter_map(|d| d.value_json_schema.as_ref().map(|p| p.value.clone()))
        .collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let schema = read_value_schema(&config.root, &path, sources);
        dictionary.value_schemas.insert(path, schema);
    }
}

fn read_value_schema(root: &Path, path: &str, sources: &mut SourceMap) -> ValueSchema {
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
    let text = match source::read_text(&root.join(relative)) {
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
