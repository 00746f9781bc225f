//! metricc: a compiler for product-usage metric definitions (GitLab Service Ping style).
//!
//! The pipeline, one module per stage (see `docs/architecture.md`):
//! [`source`] (load) → [`yaml`] → [`model`] (parse) → [`resolve`] → [`check`] →
//! [`emit`] → [`write`], driven by [`pipeline::compile`]. [`diagnostics`] renders problems;
//! [`config`] says where things are; [`cli`] is the `metricc` command.

#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod emit;
pub mod model;
pub mod pipeline;
pub mod resolve;
pub mod source;
pub mod suggest;
pub mod write;
pub mod yaml;

pub use config::{Config, Preset, SetupError};
pub use pipeline::{Compilation, compile};
