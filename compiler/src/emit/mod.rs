//! The emit stage: each backend is a pure function from the [`Dictionary`] to output files.
//! Backends never touch the filesystem and never re-parse; `write` puts their files on disk.

pub mod dictionary_json;

use crate::resolve::Dictionary;
use crate::source::SourceMap;

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

/// Runs every backend, returning their files sorted by path.
pub fn all(dictionary: &Dictionary, sources: &SourceMap) -> Vec<OutputFile> {
    let mut files = vec![dictionary_json::emit(dictionary, sources)];
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}
