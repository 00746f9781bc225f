//! The `metricc` binary.

#![forbid(unsafe_code)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    metricc::cli::run(metricc::cli::Cli::parse())
}
