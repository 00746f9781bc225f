//! End-to-end tests of metricc live in `tests/`; this crate has no code of its own.
