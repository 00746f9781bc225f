//! Generates the Rust code of the project's definitions (`../definitions`) into `OUT_DIR`;
//! `src/main.rs` includes it. Cargo reruns this when a definition changes.

fn main() {
    if let Err(e) = metricc::build::Config::new()
        .definitions("../definitions")
        .compile()
    {
        // The report names every problem with its file and line.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
