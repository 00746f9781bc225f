//! The emit stage: each backend is a pure function from the [`View`] and its [`Settings`] to
//! output files, listed in [`BACKENDS`]. Backends never touch the filesystem and never
//! re-parse; `write` puts their files on disk.
//!
//! Adding a backend: a file here with its `emit` function (and its settings struct, read
//! from `[build.<name>]` of `metricc.toml`), one entry in [`BACKENDS`], one field in
//! [`Settings`], and a snapshot of its output in `tests/tests/outputs.rs`.

pub mod dbt;
pub mod dictionary_json;
pub mod docs;
pub mod rust;
pub mod schemas;
pub mod templates;

use rayon::prelude::*;
use serde::Deserialize;

use crate::resolve::view::View;
pub use templates::Templates;

/// One generated file: its path inside the output folder (`/`-separated) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// Why a backend could not produce its files.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// A template does not compile or does not render (a typo, an undefined variable).
    #[error("{location}: {message}")]
    Template {
        /// `templates/dbt/….sql.j2:12`, or the overriding file's path.
        location: String,
        message: String,
    },
    /// A backend wrote a path outside the paths it owns.
    #[error("the {backend} backend wrote `{path}`, outside the `{owns}` it owns")]
    Trespass {
        backend: &'static str,
        path: String,
        owns: &'static str,
    },
    /// Anything else a backend cannot do with this view and these settings.
    #[error("{backend}: {message}")]
    Backend {
        backend: &'static str,
        message: String,
    },
}

/// A backend: its name, what it owns in the output folder, and its function.
pub struct Backend {
    /// The name `--only` and `[build] outputs` use.
    pub name: &'static str,
    /// What it generates, in a few words (`metricc build --help`, docs).
    pub summary: &'static str,
    /// The output path it owns: a file name, or a folder ending in `/`. A partial build
    /// (`--only`) replaces exactly the paths of the backends it runs.
    pub owns: &'static str,
    pub emit: fn(&View, &Settings) -> Result<Vec<OutputFile>, EmitError>,
}

impl Backend {
    /// Whether an output path belongs to this backend.
    pub fn owns_path(&self, path: &str) -> bool {
        is_under(path, self.owns)
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend").field("name", &self.name).finish()
    }
}

/// Every backend, in the order `metricc build --help` lists them.
pub static BACKENDS: &[Backend] = &[
    Backend {
        name: "dictionary",
        summary: "dictionary.json: the resolved dictionary for any other tool",
        owns: "dictionary.json",
        emit: dictionary_json::emit,
    },
    Backend {
        name: "dbt",
        summary: "dbt/: a dbt project from raw Service Pings to xMAU per stage and month",
        owns: "dbt/",
        emit: dbt::emit,
    },
    Backend {
        name: "docs",
        summary: "docs/: the metric dictionary as Markdown pages and a searchable HTML site",
        owns: "docs/",
        emit: docs::emit,
    },
    Backend {
        name: "rust",
        summary: "rust/: typed event recording and Service Ping assembly on metricc-runtime",
        owns: "rust/",
        emit: rust::emit,
    },
    Backend {
        name: "schemas",
        summary: "schemas/: JSON Schemas of the Service Ping payload, each event and the definition files",
        owns: "schemas/",
        emit: schemas::emit,
    },
];

/// Whether output path `path` is `prefix` (a file name) or lies under it (a folder ending
/// in `/`).
pub fn is_under(path: &str, prefix: &str) -> bool {
    match prefix.strip_suffix('/') {
        Some(folder) => path
            .strip_prefix(folder)
            .is_some_and(|r| r.starts_with('/')),
        None => path == prefix,
    }
}

/// Sections of `[build]` that configure a backend without being one.
pub const SETTINGS_SECTIONS: &[&str] = &["dashboards"];

/// The backend with this name.
pub fn backend(name: &str) -> Option<&'static Backend> {
    BACKENDS.iter().find(|b| b.name == name)
}

/// Every backend's settings: `[build.<backend>]` sections of `metricc.toml`, and the
/// templates text outputs are rendered from.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub dictionary: dictionary_json::Settings,
    pub dbt: dbt::Settings,
    pub docs: docs::Settings,
    pub rust: rust::Settings,
    pub schemas: schemas::Settings,
    /// `[build.dashboards]`: the xMAU dashboards of the docs site (not a backend of its own:
    /// the docs backend draws them, from `xmau_data`).
    pub dashboards: docs::dashboards::Settings,
    /// The figures the dashboards show (`[build.dashboards] data`, `--xmau-data`), read and
    /// checked before emit.
    #[serde(skip)]
    pub xmau_data: Option<std::sync::Arc<docs::dashboards::data::XmauData>>,
    /// The names of the backends the project generates (`[build] outputs`), so that one
    /// output can point into another (a docs page names a metric's generated Rust item).
    #[serde(skip)]
    pub outputs: Vec<&'static str>,
    /// The templates, with the user's overrides (`--templates DIR`), loaded before emit.
    #[serde(skip)]
    pub templates: Templates,
}

/// Runs `backends` (in parallel), returning their files sorted by path. Fails with the
/// first backend error, in backend order.
pub fn run(
    view: &View,
    settings: &Settings,
    backends: &[&'static Backend],
) -> Result<Vec<OutputFile>, EmitError> {
    let outputs: Vec<Result<Vec<OutputFile>, EmitError>> = backends
        .par_iter()
        .map(|backend| {
            let files = (backend.emit)(view, settings)?;
            if let Some(stray) = files.iter().find(|f| !backend.owns_path(&f.path)) {
                return Err(EmitError::Trespass {
                    backend: backend.name,
                    path: stray.path.clone(),
                    owns: backend.owns,
                });
            }
            Ok(files)
        })
        .collect();
    let mut files = Vec::new();
    for output in outputs {
        files.extend(output?);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_own_their_paths_only() {
        let folder = Backend {
            name: "docs",
            summary: "",
            owns: "docs/",
            emit: |_, _| Ok(Vec::new()),
        };
        assert!(folder.owns_path("docs/index.html"));
        assert!(!folder.owns_path("docs"));
        assert!(!folder.owns_path("docsx/a"));
        let file = backend("dictionary").unwrap();
        assert!(file.owns_path("dictionary.json"));
        assert!(!file.owns_path("dictionary.json.bak"));
    }

    #[test]
    fn backend_names_are_unique_and_own_disjoint_paths() {
        for (i, a) in BACKENDS.iter().enumerate() {
            for b in &BACKENDS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert!(!a.owns.starts_with(b.owns) && !b.owns.starts_with(a.owns));
            }
        }
    }

    #[test]
    fn a_backend_writing_outside_its_paths_is_an_error() {
        static STRAY: Backend = Backend {
            name: "stray",
            summary: "",
            owns: "stray/",
            emit: |_, _| Ok(vec![OutputFile::new("elsewhere.txt", "x")]),
        };
        let view = View::empty();
        let err = run(&view, &Settings::default(), &[&STRAY]).unwrap_err();
        assert!(matches!(err, EmitError::Trespass { .. }), "{err}");
    }
}
