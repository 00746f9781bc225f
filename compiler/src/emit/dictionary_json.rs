//! `dictionary.json`: the resolved dictionary for any other tool. It is the [`View`]
//! serialized: every metric after `time_frame` expansion with its stage, section and
//! derived names, every event with the metrics that count it, and the taxonomy. Sorted,
//! without timestamps: byte-identical from run to run.

use serde::Deserialize;

use super::{EmitError, OutputFile, Settings as AllSettings};
use crate::resolve::view::View;

/// `[build.dictionary]`: nothing to set today.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

pub fn emit(view: &View, _settings: &AllSettings) -> Result<Vec<OutputFile>, EmitError> {
    // Sized up front: growing a buffer of this size by doubling would briefly need twice
    // the memory, and this is the largest allocation of a build.
    let estimate = 1400 * view.metrics.len() + 900 * view.events.len() + 4096;
    let mut json = Vec::with_capacity(estimate);
    serde_json::to_writer_pretty(&mut json, view).map_err(|e| EmitError::Backend {
        backend: "dictionary",
        message: e.to_string(),
    })?;
    json.push(b'\n');
    Ok(vec![OutputFile::new("dictionary.json", json)])
}
