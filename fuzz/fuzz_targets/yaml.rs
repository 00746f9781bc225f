//! The fast YAML reader against saphyr's parser: wherever the fast reader answers for a
//! text, its tree, spans and problems must be the ones saphyr's reading gives.
//!
//! Input: the text (invalid UTF-8 replaced). Seeds: `fuzz/seed` (see docs/architecture.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use metricc::yaml::{read_block, read_events};
use metricc_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    if let Some(block) = read_block(&text) {
        // Debug output compares NaN equal to itself, which `PartialEq` does not.
        assert_eq!(
            format!("{block:?}"),
            format!("{:?}", read_events(&text)),
            "the readers disagree"
        );
    }
});
