//! metricc: a compiler for product-usage metric definitions (GitLab Service Ping style).
//!
//! The pipeline, one module per stage (see `docs/architecture.md`):
//! [`source`] (load) → [`yaml`] → [`model`] (parse) → [`resolve`] → [`check`] →
//! [`emit`] → [`write`], driven by [`pipeline::compile`] and, for outputs, [`build()`];
//! [`payload`] checks received Service Pings against the dictionary.
//! [`diagnostics`] holds the problem type and its renderers; [`config`] says where things
//! are; [`cli`] (feature `cli`) is the `metricc` command.
//!
//! Without default features the library pulls no command-line dependencies, for
//! `build.rs` scripts and the `include_metrics!` macro.

#![forbid(unsafe_code)]

pub mod build;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod emit;
pub mod error;
pub mod model;
pub mod payload;
pub mod pipeline;
pub mod resolve;
pub mod source;
pub mod suggest;
pub mod workflow;
pub mod write;
pub mod yaml;

pub use build::build;
pub use config::{Config, Preset};
pub use error::Error;
pub use pipeline::{Compilation, compile};
