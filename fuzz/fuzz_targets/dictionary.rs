//! A small dictionary: the input is split at NUL bytes into up to five files (the taxonomy,
//! then metrics and events in turn), checked together, so the rules across files (duplicate
//! key paths and actions, unknown events and groups, xMAU roles, derived names) and the
//! view and outputs of a clean project see arbitrary combinations.
//!
//! Seeds: `fuzz/seed` (see docs/architecture.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use metricc::source::FileKind;
use metricc_fuzz::{check, file, text};

fuzz_target!(|data: &[u8]| {
    let files = data
        .split(|&b| b == 0)
        .take(5)
        .enumerate()
        .map(|(i, bytes)| match i {
            0 => file(FileKind::Taxonomy, "definitions/stages.yml", text(bytes)),
            i if i % 2 == 1 => file(
                FileKind::Metric,
                format!("definitions/metrics/counts_all/{i}.yml"),
                text(bytes),
            ),
            i => file(
                FileKind::Event,
                format!("definitions/events/{i}.yml"),
                text(bytes),
            ),
        })
        .collect();
    check(files);
});
