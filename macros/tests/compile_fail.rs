//! What must not compile: the generated API turns mistakes in instrumentation into compile
//! errors (a property the event does not have, a missing identifier, an instrumentation
//! class the application does not implement), and `include_metrics!` turns an invalid
//! definition into a compile error that names its file, line and rule.
//!
//! The cases under `tests/ui/` expand the small projects beside them (`forge/`, valid;
//! `broken/`, with a typo in a `value_type`). trybuild compiles them in its own project,
//! `target/tests/trybuild/metricc-macros`, which is `CARGO_MANIFEST_DIR` for them: their
//! paths climb back to this folder from there.

#[test]
fn mistakes_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
