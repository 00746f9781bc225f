//! `metricc build` as a library call: check the definitions, then emit the selected outputs
//! from one view and write them (or compare them with what is on disk). [`cargo`] holds
//! the same for Cargo builds: the [`Config`] builder of `build.rs` scripts and the
//! expansion of `include_metrics!`.
//!
//! ```no_run
//! let config = metricc::Config::load(std::path::Path::new("."), None, None)?;
//! let built = metricc::build(&config)?;
//! assert!(!built.compilation.failed());
//! # Ok::<(), metricc::Error>(())
//! ```

pub mod cargo;

use std::path::Path;
use std::sync::Arc;

pub use cargo::{BuildError, Compiled, Config};

use crate::config::Config as ProjectConfig;
use crate::emit::docs::dashboards::data::{self, XmauData};
use crate::emit::{self, OutputFile, Templates};
use crate::error::Error;
use crate::pipeline::{self, Compilation};
use crate::resolve::view::View;
use crate::write::{self, Scope, Staleness, WriteReport};

/// What a build did.
#[derive(Debug)]
pub struct Built {
    /// The check that came first, with its diagnostics.
    pub compilation: Compilation,
    pub outcome: Outcome,
}

/// Whether the outputs were written, compared, or not generated at all.
#[derive(Debug)]
pub enum Outcome {
    /// The definitions have errors: nothing was generated or written.
    NotBuilt,
    /// The outputs were written (`metricc build`).
    Written { files: usize, report: WriteReport },
    /// The outputs were compared with the folder (`metricc build --check`).
    Compared { files: usize, staleness: Staleness },
}

/// Whether a build writes its outputs or only compares them with the output folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Compare,
}

/// Checks the project and writes its outputs into the output folder (nothing when the
/// definitions have errors).
pub fn build(config: &ProjectConfig) -> Result<Built, Error> {
    run(config, Mode::Write)
}

/// Checks the project, then writes or compares its outputs.
pub fn run(config: &ProjectConfig, mode: Mode) -> Result<Built, Error> {
    finish(config, mode, pipeline::compile(config)?)
}

/// Writes or compares the outputs of a project already checked (`build --watch` checks
/// with a cache first).
pub fn finish(
    config: &ProjectConfig,
    mode: Mode,
    compilation: Compilation,
) -> Result<Built, Error> {
    if compilation.failed() {
        return Ok(Built {
            compilation,
            outcome: Outcome::NotBuilt,
        });
    }
    let files = emit_outputs(config, &compilation)?;
    let out = config.out_dir();
    let scope = match &config.only {
        Some(backends) => Scope::Only(backends.iter().map(|b| b.owns.to_owned()).collect()),
        None => Scope::All,
    };
    let outcome = match mode {
        Mode::Write => Outcome::Written {
            files: files.len(),
            report: write::write(&out, &files, &scope)?,
        },
        Mode::Compare => Outcome::Compared {
            files: files.len(),
            staleness: write::staleness(&out, &files, &scope)?,
        },
    };
    Ok(Built {
        compilation,
        outcome,
    })
}

/// The files the selected backends generate for a checked project (its templates'
/// overrides read first: backends do no I/O).
pub fn emit_outputs(
    config: &ProjectConfig,
    compilation: &Compilation,
) -> Result<Vec<OutputFile>, Error> {
    let view = View::new(&compilation.dictionary, &compilation.sources);
    let mut settings = config.settings.clone();
    settings.outputs = config.outputs.iter().map(|b| b.name).collect();
    if let Some(dir) = &config.templates {
        settings.templates = Templates::from_dir(&config.root.join(dir))?;
    }
    let backends = config.selected_backends();
    if let Some(file) = &config.settings.dashboards.data {
        // The dashboards are pages of the docs site: their figures are read only for it.
        if backends.iter().any(|b| b.name == "docs") && config.settings.docs.html {
            settings.xmau_data = Some(Arc::new(xmau_data(&config.root.join(file), &view)?));
        }
    }
    Ok(emit::run(&view, &settings, backends)?)
}

/// Reads the CSV export of `xmau_monthly` and checks it against the definitions.
fn xmau_data(path: &Path, view: &View) -> Result<XmauData, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::ReadXmauData {
        path: path.to_path_buf(),
        source,
    })?;
    data::parse(&bytes, view).map_err(|problems| Error::XmauData {
        path: path.to_path_buf(),
        problems,
    })
}
