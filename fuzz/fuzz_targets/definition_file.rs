//! One definition file through the whole per-file pipeline (YAML, schema check, typed
//! parse, SQL rules), then resolve and every check with the base project around it, every
//! report format, and the outputs when it is clean.
//!
//! The first byte says what the file is (a metric, an event or the taxonomy); the rest is
//! its text. Seeds: `fuzz/seed` (see docs/architecture.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use metricc::source::FileKind;
use metricc_fuzz::{EVENTS, METRICS, TAXONOMY, check, file, text};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let input = text(bytes);
    let mut files = Vec::new();
    match kind % 3 {
        0 => {
            files.push(file(FileKind::Taxonomy, "definitions/stages.yml", TAXONOMY));
            files.push(file(FileKind::Event, "definitions/events/a.yml", EVENTS[0]));
            files.push(file(FileKind::Event, "definitions/events/b.yml", EVENTS[1]));
            files.push(file(
                FileKind::Metric,
                "definitions/metrics/counts_28d/fuzz.yml",
                input,
            ));
        }
        1 => {
            files.push(file(FileKind::Taxonomy, "definitions/stages.yml", TAXONOMY));
            files.push(file(FileKind::Event, "definitions/events/fuzz.yml", input));
            files.push(file(
                FileKind::Metric,
                "definitions/metrics/counts_28d/a.yml",
                METRICS[0],
            ));
            files.push(file(
                FileKind::Metric,
                "definitions/metrics/counts_all/c.yml",
                METRICS[2],
            ));
        }
        _ => {
            files.push(file(FileKind::Taxonomy, "definitions/stages.yml", input));
            files.push(file(FileKind::Event, "definitions/events/a.yml", EVENTS[0]));
            files.push(file(
                FileKind::Metric,
                "definitions/metrics/counts_28d/a.yml",
                METRICS[0],
            ));
        }
    }
    check(files);
});
