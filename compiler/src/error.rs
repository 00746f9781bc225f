//! Why metricc could not run at all (exit status 2): problems with the project's setup or
//! the output folder, as opposed to problems in the definitions (diagnostics).

use std::path::PathBuf;

use crate::emit::EmitError;
use crate::emit::templates::TemplateDirError;
use crate::write::WriteError;

/// A problem that stops metricc before or after checking: no project, a bad
/// configuration, an output that cannot be generated or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "`{}` is not a folder: run metricc in a project root, or pass the root as an argument",
        .0.display()
    )]
    NotAFolder(PathBuf),
    #[error("cannot read {}: {source}", path.display())]
    ReadConfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `metricc.toml` is not valid: the message says where and why.
    #[error("invalid {}: {message}", path.display())]
    InvalidConfig { path: PathBuf, message: String },
    #[error(
        "no taxonomy at `{taxonomy}` in `{}`: run metricc in a project root (one with `{taxonomy}`), \
         pass `--preset gitlab` for a GitLab checkout, or set `[paths] taxonomy` in metricc.toml",
        root.display()
    )]
    NoTaxonomy { root: PathBuf, taxonomy: String },
    #[error("`{}` is not a GitLab checkout: none of {} exists", root.display(), expected.join(", "))]
    NotGitlabCheckout {
        root: PathBuf,
        expected: Vec<String>,
    },
    /// An output name (`--only`, `[build] outputs`) that no backend has.
    #[error("unknown output `{name}`{}; the outputs are: {}", hint(*suggestion), crate::emit::BACKENDS.iter().map(|b| b.name).collect::<Vec<_>>().join(", "))]
    UnknownOutput {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// A rule code or name (`metricc explain`) that no rule has.
    #[error("no rule `{name}`{}; `metricc explain` lists every rule", hint(*suggestion))]
    UnknownRule {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error(transparent)]
    Templates(#[from] TemplateDirError),
    #[error("cannot generate the outputs: {0}")]
    Emit(#[from] EmitError),
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The file system watcher failed (`--watch`).
    #[error("{0}")]
    Watch(String),
    /// `metricc new` cannot write the definition asked for.
    #[error("{0}")]
    Scaffold(String),
    /// A git command failed (`metricc diff`): the message says which and why.
    #[error("{0}")]
    Git(String),
    #[error("cannot write {}: {source}", path.display())]
    WriteReport {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn hint(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}
