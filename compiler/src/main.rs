//! The `metricc` binary.

#![forbid(unsafe_code)]

use clap::Parser;

// Parsing allocates many small values on two threads; glibc's allocator spends a large
// share of a check growing its per-thread arenas, mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    metricc::cli::run(metricc::cli::Cli::parse())
}
