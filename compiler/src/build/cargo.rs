//! metricc inside a Cargo build: the [`Config`] builder for `build.rs` scripts (in the
//! style of `prost-build`), and [`expand`] for the `include_metrics!` macro.
//!
//! ```no_run
//! // build.rs, in `fn main`
//! metricc::build::Config::new()
//!     .definitions("definitions")
//!     .compile()
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```
//!
//! ```ignore
//! // src/main.rs: the generated module, `metrics`
//! include!(concat!(env!("OUT_DIR"), "/metricc/rust/metrics.rs"));
//! ```
//!
//! Outputs are written to `$OUT_DIR/metricc` through the write stage; a
//! `cargo:rerun-if-changed` line names every file read (and the definition folders, so that
//! a new file reruns the script); warnings become `cargo:warning` lines and errors fail the
//! build with the full report.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Mode, Outcome, run};
use crate::config::{self, CONFIG_FILE, Preset, TaxonomySource};
use crate::diagnostics::{Diagnostic, Severity, Style};
use crate::emit::rust::{MODULE, SINGLE_FILE, module_source};
use crate::error::Error;
use crate::pipeline::{self, Compilation};
use crate::resolve::view::View;
use crate::source::{Layout, SourceMap};

/// What a `build.rs` script compiles, and where to.
#[derive(Clone, Debug)]
pub struct Config {
    definitions: PathBuf,
    out_dir: Option<PathBuf>,
    outputs: Vec<String>,
    single_file: bool,
    preset: Option<Preset>,
    cargo_metadata: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}

/// What [`Config::compile`] did.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The folder the outputs were written to (`$OUT_DIR/metricc` unless set).
    pub out_dir: PathBuf,
    /// Every file that was read.
    pub files_read: Vec<PathBuf>,
    /// Warnings in the definitions (printed as `cargo:warning` lines).
    pub warnings: Vec<String>,
}

/// Why [`Config::compile`] failed.
#[derive(Debug)]
pub enum BuildError {
    /// metricc could not run: no project, a bad `metricc.toml`, an unknown output, an
    /// output that cannot be written.
    Setup(Error),
    /// The definitions have errors; `report` is the full report, as `metricc check`
    /// prints it.
    Definitions { errors: usize, report: String },
    /// Neither `out_dir` was set nor `OUT_DIR` (Cargo sets it for build scripts).
    NoOutDir,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Setup(e) => write!(f, "metricc: {e}"),
            BuildError::Definitions { errors, report } => write!(
                f,
                "metricc: the definitions have {}:\n{report}",
                crate::diagnostics::plural(*errors, "error")
            ),
            BuildError::NoOutDir => f.write_str(
                "metricc: no output folder: OUT_DIR is not set (outside a build script, call \
                 out_dir)",
            ),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<Error> for BuildError {
    fn from(e: Error) -> BuildError {
        BuildError::Setup(e)
    }
}

impl Config {
    /// Compiles the project at `CARGO_MANIFEST_DIR` (its `metricc.toml`, or the native
    /// layout) into `$OUT_DIR/metricc`: the Rust code, as one file
    /// (`rust/metrics.rs`, for `include!`).
    pub fn new() -> Config {
        Config {
            definitions: PathBuf::new(),
            out_dir: None,
            outputs: vec!["rust".to_owned()],
            single_file: true,
            preset: None,
            cargo_metadata: true,
        }
    }

    /// Where the definitions are, relative to `CARGO_MANIFEST_DIR` (or absolute): a
    /// project root (with `metricc.toml`, or a `definitions/` folder), or a definitions
    /// folder itself (`stages.yml`, `metrics/`, `events/`).
    pub fn definitions(&mut self, path: impl AsRef<Path>) -> &mut Config {
        self.definitions = path.as_ref().to_path_buf();
        self
    }

    /// Writes the outputs into `dir` instead of `$OUT_DIR/metricc`.
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Config {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Generates this output too (`schemas`, `dictionary`, ...; `rust` is always there).
    pub fn output(&mut self, name: &str) -> &mut Config {
        if !self.outputs.iter().any(|o| o == name) {
            self.outputs.push(name.to_owned());
        }
        self
    }

    /// `true`: the Rust code as `rust/mod.rs` and a file per group (for
    /// `#[path = ...] mod metrics;`) instead of the single `rust/metrics.rs`.
    pub fn module_files(&mut self, yes: bool) -> &mut Config {
        self.single_file = !yes;
        self
    }

    /// The preset of the definitions (`native`, `gitlab`), if `metricc.toml` does not say.
    pub fn preset(&mut self, preset: Preset) -> &mut Config {
        self.preset = Some(preset);
        self
    }

    /// Whether to print `cargo:rerun-if-changed` and `cargo:warning` lines (on by default).
    pub fn cargo_metadata(&mut self, on: bool) -> &mut Config {
        self.cargo_metadata = on;
        self
    }

    /// Checks the definitions and writes the outputs.
    pub fn compile(&self) -> Result<Compiled, BuildError> {
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        let place = match &manifest {
            Some(dir) => dir.join(&self.definitions),
            None => self.definitions.clone(),
        };
        let out_dir = match (&self.out_dir, std::env::var_os("OUT_DIR")) {
            (Some(dir), _) => dir.clone(),
            (None, Some(dir)) => PathBuf::from(dir).join("metricc"),
            (None, None) => return Err(BuildError::NoOutDir),
        };
        let mut config = project(&place, self.preset)?;
        config.outputs = config::backends(&self.outputs)?;
        config.only = None;
        config.out = out_dir.clone();
        config.settings.rust.single_file = self.single_file;
        let watched = watched_paths(&config);
        if self.cargo_metadata {
            for path in &watched {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        let built = run(&config, Mode::Write)?;
        let compilation = &built.compilation;
        let files_read = files_read(&config.root, &compilation.sources);
        if self.cargo_metadata {
            for path in files_read.iter().filter(|p| !watched.contains(p)) {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        let warnings: Vec<String> = compilation
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| one_line(d, &compilation.sources))
            .collect();
        if self.cargo_metadata {
            for warning in &warnings {
                println!("cargo:warning={warning}");
            }
        }
        match built.outcome {
            Outcome::NotBuilt => Err(BuildError::Definitions {
                errors: compilation.summary.errors,
                report: report(compilation),
            }),
            Outcome::Written { .. } | Outcome::Compared { .. } => Ok(Compiled {
                out_dir,
                files_read,
                warnings,
            }),
        }
    }
}

/// The project a folder holds: a project root (with `metricc.toml`, or a `definitions/`
/// folder), or a definitions folder (`stages.yml`, `metrics/`, `events/`), whose parent is
/// then the root (so that diagnostics show `definitions/metrics/...`).
pub fn project(place: &Path, preset: Option<Preset>) -> Result<config::Config, Error> {
    let place = place.canonicalize().unwrap_or_else(|_| place.to_path_buf());
    let is_root = place.join(CONFIG_FILE).is_file() || place.join("definitions").is_dir();
    if is_root || !place.is_dir() {
        return config::Config::load(&place, preset, None);
    }
    let (root, name) = match (place.parent(), place.file_name()) {
        (Some(parent), Some(name)) => (parent.to_path_buf(), name.to_string_lossy().into_owned()),
        _ => return config::Config::load(&place, preset, None),
    };
    let mut config = config::Config::preset(&root, preset.unwrap_or(Preset::Native));
    let taxonomy = format!("{name}/stages.yml");
    config.taxonomy = TaxonomySource::File(taxonomy.clone());
    config.layout = Layout {
        taxonomy: Some(taxonomy),
        metrics: vec![format!("{name}/metrics")],
        events: vec![format!("{name}/events")],
        skip_dirs: config.layout.skip_dirs,
    };
    Ok(config)
}

/// What a build depends on before reading anything: `metricc.toml`, the taxonomy, the
/// definition folders (a new file in them changes the build), the template overrides.
fn watched_paths(config: &config::Config) -> Vec<PathBuf> {
    let root = &config.root;
    let mut paths = Vec::new();
    let config_file = root.join(CONFIG_FILE);
    if config_file.is_file() {
        paths.push(config_file);
    }
    let Layout {
        taxonomy,
        metrics,
        events,
        ..
    } = &config.layout;
    for relative in taxonomy.iter().chain(metrics).chain(events) {
        let path = root.join(relative);
        if path.exists() {
            paths.push(path);
        }
    }
    if let Some(templates) = &config.templates {
        paths.push(root.join(templates));
    }
    paths
}

/// Every file the compilation read, as a path on disk.
fn files_read(root: &Path, sources: &SourceMap) -> Vec<PathBuf> {
    sources
        .files()
        .map(|(_, f)| root.join(&f.path))
        .filter(|p| p.is_file())
        .collect()
}

/// One diagnostic on one line: `definitions/metrics/x.yml:12:3: error[MC104
/// invalid-value]: message (help: ...)`.
pub fn one_line(d: &Diagnostic, sources: &SourceMap) -> String {
    let file = sources.file(d.span.file);
    let at = file.location(d.span.start());
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut line = format!(
        "{}:{}:{}: {severity}[{} {}]: {}",
        file.path, at.line, at.column, d.rule.code, d.rule.name, d.message
    );
    if let Some(help) = &d.help {
        line.push_str(&format!(" (help: {help})"));
    }
    line
}

/// The human report of a compilation, without colours.
fn report(compilation: &Compilation) -> String {
    let rules: Vec<&crate::diagnostics::rule::Rule> = crate::check::RULES.to_vec();
    crate::diagnostics::render(
        crate::diagnostics::Format::Human,
        &rules,
        &compilation.diagnostics,
        &compilation.sources,
        &compilation.summary,
        Style::Plain,
    )
}

/// What the `include_metrics!` macro expands to, and the files it read.
#[derive(Clone, Debug)]
pub struct Expansion {
    /// The generated module (`pub mod metrics { ... }`) as Rust source, or why there is
    /// none: one line per error, with its file, line, column and rule.
    pub code: Result<String, Vec<String>>,
    /// Every file read (the macro makes the build depend on them).
    pub files_read: Vec<PathBuf>,
}

/// Compiles the definitions at `place` (see [`project`]) into the source of the module
/// `module` (`metrics` when `None`).
pub fn expand(place: &Path, module: Option<&str>) -> Expansion {
    let failure = |message: String| Expansion {
        code: Err(vec![message]),
        files_read: Vec::new(),
    };
    let config = match project(place, None) {
        Ok(config) => config,
        Err(e) => return failure(e.to_string()),
    };
    let compilation = match pipeline::compile(&config) {
        Ok(c) => c,
        Err(e) => return failure(e.to_string()),
    };
    let files_read = files_read(&config.root, &compilation.sources);
    if compilation.failed() {
        let errors = compilation
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| one_line(d, &compilation.sources))
            .collect();
        return Expansion {
            code: Err(errors),
            files_read,
        };
    }
    let view = View::new(&compilation.dictionary, &compilation.sources);
    let code = module_source(&view, module.unwrap_or(MODULE)).map_err(|e| vec![e.to_string()]);
    Expansion { code, files_read }
}

/// The file [`Config::compile`] writes the Rust code to, inside its output folder.
pub const RUST_FILE: &str = SINGLE_FILE;
