//! metricc-example: an application instrumented with the code metricc generates from the
//! bundled `definitions/`.
//!
//! It simulates the users of a software forge over several weeks (a fixed start date and a
//! seeded random generator: the same flags give the same ping), records what they do with
//! the generated recording functions into the embedded store, implements the generated
//! `Instrumentation` trait for the values only the application knows, and prints (or
//! writes) its Service Ping.
//!
//! ```text
//! cargo run --release -p metricc-example -- --out ping.json
//! ```

#![forbid(unsafe_code)]

// The generated module `metrics`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/metricc/rust/metrics.rs"));

mod application;
mod simulation;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use metricc_runtime::{
    EmbeddedStore, ManualClock, PingOptions, Recorder, RecorderOptions, Timestamp,
};

const USAGE: &str = "\
usage: metricc-example [--out FILE] [--users N] [--weeks N] [--seed N] [--store FILE] [--opt-out]

  --out FILE    write the Service Ping there (default: print it)
  --users N     simulated users (default 2000)
  --weeks N     simulated weeks, from Monday 2025-01-06 (default 6)
  --seed N      seed of the simulation (default 42)
  --store FILE  the embedded store; counts accumulate across runs (default: a fresh file)
  --opt-out     the instance opted out of optional data";

/// The command line.
struct Args {
    out: Option<PathBuf>,
    users: u32,
    weeks: u32,
    seed: u64,
    store: Option<PathBuf>,
    opt_out: bool,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            out: None,
            users: 2000,
            weeks: 6,
            seed: 42,
            store: None,
            opt_out: false,
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            let number = |name: &str, text: String| {
                text.parse::<u64>()
                    .map_err(|_| format!("{name} takes a whole number, not `{text}`"))
            };
            match arg.as_str() {
                "--out" => parsed.out = Some(PathBuf::from(value("--out")?)),
                "--store" => parsed.store = Some(PathBuf::from(value("--store")?)),
                "--users" => {
                    let n = number("--users", value("--users")?)?;
                    parsed.users = u32::try_from(n).map_err(|_| "--users is too large")?;
                }
                "--weeks" => {
                    let n = number("--weeks", value("--weeks")?)?;
                    parsed.weeks = u32::try_from(n.min(520)).unwrap_or(520);
                }
                "--seed" => parsed.seed = number("--seed", value("--seed")?)?,
                "--opt-out" => parsed.opt_out = true,
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(parsed)
    }
}

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("metricc-example: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("metricc-example: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    // Monday 2025-01-06, 00:00 UTC: the simulation's first day.
    let start = Timestamp::from_utc(2025, 1, 6, 0, 0, 0);
    let clock = ManualClock::new(start);
    let (store_path, temporary) = match &args.store {
        Some(path) => (path.clone(), false),
        None => (
            std::env::temp_dir().join(format!("metricc-example-{}.redb", std::process::id())),
            true,
        ),
    };
    let store = EmbeddedStore::open(&store_path).map_err(|e| e.to_string())?;
    let recorder = Recorder::new(
        Arc::new(store),
        RecorderOptions {
            clock: Arc::new(clock.clone()),
            ..RecorderOptions::default()
        },
    );

    let started = Instant::now();
    let mut world = simulation::World::new(args.seed, args.users);
    for day in 0..i64::from(args.weeks) * 7 {
        world.day(&recorder, &clock, start.0 + day * 86_400);
    }
    recorder.flush().map_err(|e| e.to_string())?;
    let simulated = started.elapsed();

    // The ping is made on the Tuesday after the last simulated week.
    clock.set(Timestamp(
        start.0 + i64::from(args.weeks) * 7 * 86_400 + 86_400 + 6 * 3_600,
    ));
    let application = Arc::new(application::Application::new(&world, &recorder));
    let options = PingOptions {
        include_optional: !args.opt_out,
        sql: Some(world.database()),
        ..PingOptions::new("forge-example-instance", env!("CARGO_PKG_VERSION"))
    };
    let ping = metrics::service_ping(&recorder, application, &options);
    let stats = recorder.stats();
    drop(recorder);
    if temporary {
        let _ = std::fs::remove_file(&store_path);
    }

    let text = ping.to_json_string();
    match &args.out {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{text}"),
    }
    eprintln!(
        "{} users over {} weeks: {} events recorded in {:.2?} ({} dropped); ping of {} metrics \
         assembled in {:.2?}, {} failed",
        args.users,
        args.weeks,
        stats.recorded,
        simulated,
        stats.dropped,
        ping.values.len(),
        ping.duration,
        ping.failed.len()
    );
    for failure in &ping.failed {
        eprintln!("  failed: {}: {}", failure.key_path, failure.error);
    }
    Ok(())
}
