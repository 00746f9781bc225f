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
//!
//! The same application on several nodes, counting in one Redis, with its database in
//! PostgreSQL (where database metrics run as SQL):
//!
//! ```text
//! cargo run --release -p metricc-example -- --nodes 2 --redis redis://127.0.0.1:6379/ \
//!     --postgres "host=127.0.0.1 user=forge dbname=forge" --out ping.json
//! ```

#![forbid(unsafe_code)]

// The generated module `metrics`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/metricc/rust/metrics.rs"));

mod application;
mod postgres;
mod simulation;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use metricc_runtime::{
    EmbeddedStore, ManualClock, PingOptions, Recorder, RecorderOptions, RedisOptions, RedisStore,
    SqlExecutor, Timestamp,
};

const USAGE: &str = "\
usage: metricc-example [--out FILE] [--users N] [--weeks N] [--seed N] [--opt-out]
                       [--store FILE | --redis URL [--namespace NAME] [--nodes N]]
                       [--postgres CONNINFO]

  --out FILE          write the Service Ping there (default: print it)
  --users N           simulated users (default 2000)
  --weeks N           simulated weeks, from Monday 2025-01-06 (default 6)
  --seed N            seed of the simulation (default 42)
  --opt-out           the instance opted out of optional data
  --store FILE        the embedded store; counts accumulate across runs (default: a fresh file)
  --redis URL         count in Redis instead (redis://host:port/), shared by every node
  --namespace NAME    the application's keys in Redis (default forge-example); counts
                      accumulate across runs in one namespace
  --nodes N           application nodes, each with its own recorder, that share the users
                      (default 1; more need --redis)
  --postgres CONNINFO the application's database in PostgreSQL (libpq's key=value form or a
                      postgresql:// URL): the example's tables are created there, replacing
                      earlier ones, and database metrics run as SQL on it (default: an
                      in-memory stand-in)";

/// The command line.
struct Args {
    out: Option<PathBuf>,
    users: u32,
    weeks: u32,
    seed: u64,
    store: Option<PathBuf>,
    redis: Option<String>,
    namespace: String,
    nodes: usize,
    postgres: Option<String>,
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
            redis: None,
            namespace: "forge-example".to_owned(),
            nodes: 1,
            postgres: None,
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
                "--redis" => parsed.redis = Some(value("--redis")?),
                "--namespace" => parsed.namespace = value("--namespace")?,
                "--postgres" => parsed.postgres = Some(value("--postgres")?),
                "--nodes" => {
                    let n = number("--nodes", value("--nodes")?)?;
                    if !(1..=64).contains(&n) {
                        return Err("--nodes takes 1 to 64".to_owned());
                    }
                    parsed.nodes = n as usize;
                }
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
        if parsed.redis.is_some() && parsed.store.is_some() {
            return Err("--store and --redis are two stores: give one".to_owned());
        }
        if parsed.nodes > 1 && parsed.redis.is_none() {
            return Err("--nodes needs --redis: nodes share their counts there".to_owned());
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
    let options = RecorderOptions {
        clock: Arc::new(clock.clone()),
        ..RecorderOptions::default()
    };
    let mut temporary = None;
    let nodes: Vec<Recorder> = match &args.redis {
        Some(url) => (0..args.nodes)
            .map(|_| {
                let store = RedisStore::open(url, RedisOptions::new(args.namespace.as_str()))
                    .map_err(|e| e.to_string())?;
                Ok(Recorder::new(Arc::new(store), options.clone()))
            })
            .collect::<Result<_, String>>()?,
        None => {
            let path = match &args.store {
                Some(path) => path.clone(),
                None => {
                    let path = std::env::temp_dir()
                        .join(format!("metricc-example-{}.redb", std::process::id()));
                    temporary = Some(path.clone());
                    path
                }
            };
            let store = EmbeddedStore::open(&path).map_err(|e| e.to_string())?;
            vec![Recorder::new(Arc::new(store), options)]
        }
    };

    let started = Instant::now();
    let mut world = simulation::World::new(args.seed, args.users);
    for day in 0..i64::from(args.weeks) * 7 {
        world.day(&nodes, &clock, start.0 + day * 86_400);
    }
    for node in &nodes {
        node.flush().map_err(|e| e.to_string())?;
    }
    let simulated = started.elapsed();
    let sql: Arc<dyn SqlExecutor> = match &args.postgres {
        Some(conninfo) => Arc::new(postgres::load(&world.database(), conninfo)?),
        None => world.database(),
    };

    // The ping is made on the Tuesday after the last simulated week, by the first node:
    // with Redis, it reads what every node counted.
    clock.set(Timestamp(
        start.0 + i64::from(args.weeks) * 7 * 86_400 + 86_400 + 6 * 3_600,
    ));
    let per_node: Vec<u64> = nodes.iter().map(|node| node.stats().recorded).collect();
    let recorded = per_node.iter().sum::<u64>();
    let dropped = nodes.iter().map(|node| node.stats().dropped).sum::<u64>();
    let application = Arc::new(application::Application::new(&world, dropped));
    let options = PingOptions {
        include_optional: !args.opt_out,
        sql: Some(sql),
        ..PingOptions::new("forge-example-instance", env!("CARGO_PKG_VERSION"))
    };
    let ping = metrics::service_ping(&nodes[0], application, &options);
    let nodes_count = nodes.len();
    drop(nodes);
    if let Some(path) = temporary {
        let _ = std::fs::remove_file(path);
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
        recorded,
        simulated,
        dropped,
        ping.values.len(),
        ping.duration,
        ping.failed.len()
    );
    if nodes_count > 1 {
        let per_node: Vec<String> = per_node.iter().map(u64::to_string).collect();
        eprintln!("  events recorded per node: {}", per_node.join(", "));
    }
    for failure in &ping.failed {
        eprintln!("  failed: {}: {}", failure.key_path, failure.error);
    }
    Ok(())
}
