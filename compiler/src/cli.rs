//! The `metricc` command line: `check`, `build`, `validate-payload`, `explain`, `templates`,
//! `new`, `diff`, `migrate`, `completions` and `man`.
//!
//! Exit status: 0 when no errors were found, 1 when some were (or warnings, with
//! `--deny-warnings`; or a stale output folder, with `build --check`; or problems in a
//! ping, with `validate-payload`), 2 when metricc could not run at all (bad arguments, no
//! project, unwritable output, a ping that cannot be read or is not JSON).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::build::{self as builder, Mode, Outcome};
use crate::check::{RULES, find_rule};
use crate::config::{self, Config, Preset};
use crate::diagnostics::{self, Format, Style, plural};
use crate::emit::{BACKENDS, Templates};
use crate::error::Error;
use crate::payload;
use crate::pipeline::{self, Compilation};
use crate::suggest::closest;

#[derive(Parser, Debug)]
#[command(
    name = "metricc",
    version,
    about = "Compile product-usage metric definitions: validate the dictionary, generate its outputs",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check every definition and report all problems at once
    Check(CheckArgs),
    /// Check, then generate every output into the output folder (nothing on errors)
    Build(BuildArgs),
    /// Check a received Service Ping (JSON) against the dictionary
    ValidatePayload(ValidatePayloadArgs),
    /// Explain a rule (by code or name), or list every rule
    Explain(ExplainArgs),
    /// List the templates text outputs are rendered from, or print one (to start an override)
    Templates(TemplatesArgs),
    /// Compare the dictionary with a git revision: added, removed, status changes, and
    /// breaking changes to active metrics (exit 1 when there are breaking changes)
    Diff(DiffArgs),
    /// Create a new metric or event definition file, with the dictionary's defaults
    /// (asks for what the flags leave out when run in a terminal)
    #[command(subcommand)]
    New(NewCommand),
    /// Rewrite definitions of GitLab's older formats into the current one (a dry run with a
    /// diff unless --write); reports what is left to decide by hand (exit 1 when something is)
    Migrate(MigrateArgs),
    /// Print a shell completion script (e.g. `metricc completions bash > /etc/bash_completion.d/metricc`)
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `metricc man > metricc.1`
    Man,
}

#[derive(Args, Debug)]
struct DiffArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The git revision to compare with (a branch, a tag, a commit; e.g. `origin/main`)
    #[arg(long, value_name = "REV")]
    base: String,
    /// Report format (`markdown` fits a merge request comment)
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Write the report to FILE instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum NewCommand {
    /// A metric counting events (`data_source: internal_events`)
    Metric(NewMetricArgs),
    /// An event definition
    Event(NewEventArgs),
}

#[derive(Args, Debug)]
struct NewCommonArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The owning group (default: the events' group)
    #[arg(long)]
    group: Option<String>,
    /// A description (default: written from the events)
    #[arg(long)]
    description: Option<String>,
    /// Product categories, comma-separated (default: the events', or the group's first)
    #[arg(long, value_delimiter = ',')]
    categories: Vec<String>,
    /// Tiers, comma-separated (default: the events', or all)
    #[arg(long, value_delimiter = ',', value_parser = parse_tier)]
    tiers: Vec<crate::model::Tier>,
    /// The milestone it ships in (default: the newest of the dictionary)
    #[arg(long)]
    milestone: Option<String>,
    /// The merge request that adds it (default: `TODO`, a warning until it is set)
    #[arg(long, value_name = "URL")]
    introduced_by_url: Option<String>,
    /// Never ask, even in a terminal: what the flags leave out takes its default
    #[arg(long)]
    no_input: bool,
}

#[derive(Args, Debug)]
struct NewMetricArgs {
    #[command(flatten)]
    common: NewCommonArgs,
    /// The events counted (their actions), comma-separated: several are a union
    #[arg(long, value_delimiter = ',')]
    events: Vec<String>,
    /// Count distinct values (`user.id`, `project.id`, `namespace.id`, ...), or `none` for a total
    #[arg(long)]
    unique: Option<String>,
    /// Time frames, comma-separated (default: `28d,7d`)
    #[arg(long, value_delimiter = ',', value_parser = parse_time_frame)]
    time_frame: Vec<crate::model::TimeFrame>,
    /// The key path (default: GitLab's `counts.count_distinct_<unique>_from_<event>`)
    #[arg(long)]
    key_path: Option<String>,
    /// Its xMAU role (`gmau`, `smau`, `paid_gmau`, `umau`, `amau`, ...)
    #[arg(long)]
    role: Option<String>,
}

#[derive(Args, Debug)]
struct NewEventArgs {
    #[command(flatten)]
    common: NewCommonArgs,
    /// The event's action (its name, e.g. `create_merge_request`)
    #[arg(long)]
    action: Option<String>,
    /// Identifiers, comma-separated (default: `project,user,namespace`)
    #[arg(long, value_delimiter = ',')]
    identifiers: Vec<String>,
}

fn parse_tier(text: &str) -> Result<crate::model::Tier, String> {
    crate::model::Tier::parse(text).ok_or_else(|| "one of free, premium, ultimate".to_owned())
}

fn parse_time_frame(text: &str) -> Result<crate::model::TimeFrame, String> {
    crate::model::TimeFrame::parse(text).ok_or_else(|| "one of 7d, 28d, all, none".to_owned())
}

#[derive(Args, Debug)]
struct MigrateArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Write the rewritten files (default: show the changes as a diff and write nothing)
    #[arg(long)]
    write: bool,
    /// Report format: `human` (diff, changes, problems left) or `json`
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
struct CompletionsArgs {
    /// The shell
    shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
struct ProjectArgs {
    /// Project root (default: the current folder)
    #[arg(value_name = "ROOT")]
    root: Option<PathBuf>,
    /// Layout and defaults: `native` (definitions/) or `gitlab` (a GitLab checkout as it is)
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Configuration file (default: ROOT/metricc.toml, if present)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Treat warnings as errors: they are reported as errors and fail the run
    #[arg(long)]
    deny_warnings: bool,
    /// Colour the human report
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    report: ReportArgs,
    /// Check again on every change, re-parsing only the changed files (Ctrl-C to stop)
    #[arg(long)]
    watch: bool,
}

#[derive(Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    report: ReportArgs,
    /// Output folder (default: `generated`, or `[build] out` of metricc.toml)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write nothing; exit 1 if the output folder is not what a build would write
    #[arg(long)]
    check: bool,
    /// Build only these outputs (comma-separated), leaving the others' files as they are
    #[arg(long, value_name = "OUTPUTS", value_delimiter = ',', help = only_help())]
    only: Option<Vec<String>>,
    /// A folder of template overrides (default: `[build] templates` of metricc.toml)
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// The xMAU figures to draw the dashboards from: `xmau_monthly` exported as CSV (default:
    /// `[build.dashboards] data` of metricc.toml)
    #[arg(long, value_name = "FILE")]
    xmau_data: Option<PathBuf>,
    /// Build again on every change, re-parsing only the changed files (Ctrl-C to stop)
    #[arg(long, conflicts_with = "check")]
    watch: bool,
}

#[derive(Args, Debug)]
struct ValidatePayloadArgs {
    /// The ping to check: a JSON file
    #[arg(value_name = "PING")]
    ping: PathBuf,
    #[command(flatten)]
    project: ProjectArgs,
    /// Report format
    #[arg(long, value_enum, default_value_t = PayloadFormat::Human)]
    format: PayloadFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PayloadFormat {
    Human,
    Json,
}

fn only_help() -> String {
    let names: Vec<&str> = BACKENDS.iter().map(|b| b.name).collect();
    format!(
        "Build only these outputs (comma-separated: {}), leaving the others' files as they are",
        names.join(", ")
    )
}

#[derive(Args, Debug)]
struct TemplatesArgs {
    /// Print this template's text (e.g. `dbt/models/marts/xmau_monthly.sql.j2`)
    name: Option<String>,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// A rule code (MC101) or name (unknown-field); without it, every rule is listed
    code: Option<String>,
    /// Print the full reference of every rule, as Markdown
    #[arg(long, conflicts_with = "code")]
    markdown: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Runs the command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Build(args) => build(&args),
        Command::ValidatePayload(args) => validate_payload(&args),
        Command::Explain(args) => explain(&args),
        Command::Templates(args) => templates(&args),
        Command::Diff(args) => diff(&args),
        Command::Migrate(args) => migrate(&args),
        Command::New(command) => new(&command),
        Command::Completions(args) => completions(&args),
        Command::Man => man(),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn load(project: &ProjectArgs, report: &ReportArgs) -> Result<Config, Error> {
    let root = project.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut config = Config::load(&root, project.preset, project.config.as_deref())?;
    config.levels.deny_warnings = report.deny_warnings;
    Ok(config)
}

fn check(args: &CheckArgs) -> Result<ExitCode, Error> {
    let config = load(&args.project, &args.report)?;
    if args.watch {
        crate::workflow::watch::watch(&config, |run| {
            if report(run.compilation, &args.report).is_err() {
                return false;
            }
            eprintln!("{}", watch_line(run));
            true
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let compilation = pipeline::compile_for_report(&config)?;
    report(&compilation, &args.report)?;
    let failed = compilation.failed();
    // The process ends here: freeing every definition one by one would only cost time.
    std::mem::forget(compilation);
    Ok(exit(failed))
}

fn build(args: &BuildArgs) -> Result<ExitCode, Error> {
    let mut config = load(&args.project, &args.report)?;
    if let Some(out) = &args.out {
        config.out = out.clone();
    }
    if let Some(only) = &args.only {
        config.only = Some(config::backends(only)?);
    }
    if let Some(templates) = &args.templates {
        config.templates = Some(templates.clone());
    }
    if let Some(file) = &args.xmau_data {
        config.settings.dashboards.data = Some(file.clone());
    }
    let mode = if args.check {
        Mode::Compare
    } else {
        Mode::Write
    };
    if args.watch {
        let mut failure = None;
        crate::workflow::watch::watch(&config, |run| match built_report(&config, args, run) {
            Ok(()) => true,
            Err(error) => {
                failure = Some(error);
                false
            }
        })?;
        return match failure {
            Some(error) => Err(error),
            None => Ok(ExitCode::SUCCESS),
        };
    }
    let built = builder::run(&config, mode)?;
    let compilation = &built.compilation;
    // A clean build is quiet in the human format; machine formats always get their report.
    if compilation.failed()
        || !compilation.diagnostics.is_empty()
        || args.report.output.is_some()
        || args.report.format != Format::Human
    {
        report(compilation, &args.report)?;
    }
    let out = config.out_dir();
    match built.outcome {
        Outcome::NotBuilt => {
            eprintln!("nothing written: fix the errors reported first");
            Ok(exit(true))
        }
        Outcome::Written { report, .. } => {
            eprintln!(
                "{}: {} written, {} unchanged, {} removed",
                out.display(),
                report.written.len(),
                report.unchanged,
                report.removed.len()
            );
            Ok(exit(false))
        }
        Outcome::Compared { files, staleness } => {
            if staleness.is_fresh() {
                eprintln!(
                    "{} is up to date ({})",
                    out.display(),
                    plural(files, "file")
                );
                return Ok(exit(false));
            }
            for (what, paths) in [
                ("changed", &staleness.changed),
                ("missing", &staleness.missing),
                ("not generated any more", &staleness.extra),
            ] {
                for path in paths {
                    eprintln!("{what}: {}", out.join(path).display());
                }
            }
            eprintln!("{} is out of date: run `metricc build`", out.display());
            Ok(exit(true))
        }
    }
}

/// One `build --watch` run: the check is done; report it and write the outputs.
fn built_report(
    config: &Config,
    args: &BuildArgs,
    run: &crate::workflow::watch::Run<'_>,
) -> Result<(), Error> {
    let compilation = run.compilation;
    if !compilation.diagnostics.is_empty() {
        report(compilation, &args.report)?;
    }
    if compilation.failed() {
        eprintln!("nothing written: fix the errors reported first");
    } else {
        let files = builder::emit_outputs(config, compilation)?;
        let written = crate::write::write(
            &config.out_dir(),
            &files,
            &match &config.only {
                Some(backends) => {
                    crate::write::Scope::Only(backends.iter().map(|b| b.owns.to_owned()).collect())
                }
                None => crate::write::Scope::All,
            },
        )?;
        eprintln!(
            "{}: {} written, {} unchanged, {} removed",
            config.out_dir().display(),
            written.written.len(),
            written.unchanged,
            written.removed.len()
        );
    }
    eprintln!("{}", watch_line(run));
    Ok(())
}

/// The line a watch run ends with: how long the check took, and how much it re-parsed.
fn watch_line(run: &crate::workflow::watch::Run<'_>) -> String {
    format!(
        "[watch] checked in {:.1} ms ({} parsed); waiting for changes",
        run.elapsed.as_secs_f64() * 1000.0,
        plural(run.parsed, "file")
    )
}

fn diff(args: &DiffArgs) -> Result<ExitCode, Error> {
    use crate::workflow::{diff, git::GitTree};
    let root = args
        .project
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = Config::load(&root, args.project.preset, args.project.config.as_deref())?;
    let base_tree = GitTree::read(&config, &args.base)?;
    let base = pipeline::compile_tree(&config, &base_tree, None)?;
    let head = pipeline::compile(&config)?;
    let report = diff::compare(&args.base, &base, &head);
    let text = match args.format {
        DiffFormat::Human => diff::human(&report),
        DiffFormat::Json => diff::json(&report),
        DiffFormat::Markdown => diff::markdown(&report),
    };
    match &args.output {
        Some(path) => write_report(path, &text)?,
        None => {
            // A closed pipe is not an error worth reporting.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(exit(report.is_breaking()))
}

fn migrate(args: &MigrateArgs) -> Result<ExitCode, Error> {
    use crate::workflow::migrate;
    let root = args
        .project
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = Config::load(&root, args.project.preset, args.project.config.as_deref())?;
    let before = pipeline::compile(&config)?;
    let migration = migrate::plan(&config, &before)?;
    if args.write {
        for (path, (_, rewrite)) in &migration.files {
            let target = config.root.join(path);
            let temporary = target.with_extension("yml.metricc-migrate");
            std::fs::write(&temporary, &rewrite.text)
                .and_then(|()| std::fs::rename(&temporary, &target))
                .map_err(|source| Error::WriteReport {
                    path: target.clone(),
                    source,
                })?;
        }
    }
    let left = migration.left();
    let errors = left
        .iter()
        .filter(|d| d.severity == diagnostics::Severity::Error)
        .count();
    let text = match args.format {
        DiffFormat::Json => {
            let left: Vec<diagnostics::Diagnostic> = left.iter().map(|d| (*d).clone()).collect();
            let rendered = diagnostics::render(
                Format::Json,
                RULES,
                &left,
                &migration.after.sources,
                &migration.after.summary,
                Style::Plain,
            );
            let left: serde_json::Value = serde_json::from_str(&rendered).unwrap_or_default();
            let files: Vec<serde_json::Value> = migration
                .files
                .iter()
                .map(|(path, (_, r))| serde_json::json!({"path": path, "changes": r.changes}))
                .collect();
            let report = serde_json::json!({
                "written": args.write,
                "files": files,
                "left": left["diagnostics"],
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        }
        DiffFormat::Human | DiffFormat::Markdown => {
            let mut out = String::new();
            for (path, (old, rewrite)) in &migration.files {
                if !args.write {
                    out.push_str(&migrate::unified_diff(path, old, &rewrite.text));
                }
                out.push_str(&format!("# {path}\n"));
                for change in &rewrite.changes {
                    out.push_str(&format!("#   {change}\n"));
                }
                out.push('\n');
            }
            if !left.is_empty() {
                let left: Vec<diagnostics::Diagnostic> =
                    left.iter().map(|d| (*d).clone()).collect();
                out.push_str("left to decide by hand (what `metricc check` will report):\n\n");
                out.push_str(&diagnostics::render(
                    Format::Human,
                    RULES,
                    &left,
                    &migration.after.sources,
                    &migration.after.summary,
                    Style::Plain,
                ));
            }
            out.push_str(&format!(
                "{} {}; {} left to decide\n",
                plural(migration.files.len(), "file"),
                if args.write {
                    "rewritten"
                } else {
                    "to rewrite (dry run: pass --write to apply)"
                },
                plural(errors, "error"),
            ));
            out
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(exit(errors > 0))
}

fn new(command: &NewCommand) -> Result<ExitCode, Error> {
    use crate::model::{TimeFrame, Unique};
    use crate::workflow::prompt::Prompter;
    use crate::workflow::scaffold::{self, NewEvent, NewMetric};
    let common = match command {
        NewCommand::Metric(args) => &args.common,
        NewCommand::Event(args) => &args.common,
    };
    let root = common
        .project
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = Config::load(
        &root,
        common.project.preset,
        common.project.config.as_deref(),
    )?;
    let compilation = pipeline::compile(&config)?;
    let dictionary = &compilation.dictionary;
    let interactive = !common.no_input && std::io::stdin().is_terminal();
    let mut prompt = Prompter::new(std::io::stdin().lock());
    fn asked<T>(answer: std::io::Result<T>) -> Result<T, Error> {
        answer.map_err(|e| Error::Scaffold(format!("no answer: {e}")))
    }
    let milestone = scaffold::newest_milestone(dictionary);
    let file = match command {
        NewCommand::Metric(args) => {
            let mut spec = NewMetric {
                events: args.events.clone(),
                unique: None,
                time_frames: args.time_frame.clone(),
                key_path: args.key_path.clone(),
                description: common.description.clone(),
                group: common.group.clone(),
                categories: common.categories.clone(),
                role: args.role.clone(),
                tiers: common.tiers.clone(),
                milestone: common.milestone.clone(),
                introduced_by_url: common.introduced_by_url.clone(),
            };
            let mut unique = args.unique.clone();
            if interactive {
                if spec.events.is_empty() {
                    // The newest events first: the ones a new metric most likely counts.
                    let mut events: Vec<_> = dictionary.events.iter().collect();
                    events.sort_by_key(|e| std::cmp::Reverse(e.milestone.as_ref().map(|m| m.value)));
                    let choices: Vec<String> =
                        events.iter().take(12).map(|e| e.action.value.clone()).collect();
                    let default = choices.first().cloned().unwrap_or_default();
                    spec.events = asked(prompt.choose(
                        "Events to count (numbers or names, comma-separated)",
                        &choices,
                        &default,
                    ))?;
                }
                if unique.is_none() {
                    let choices = ["user.id", "project.id", "namespace.id", "none"].map(String::from);
                    unique = asked(prompt.choose("Count distinct", &choices, "user.id"))?
                        .into_iter()
                        .next();
                }
                if spec.group.is_none() {
                    let default = spec
                        .events
                        .iter()
                        .find_map(|a| dictionary.event(a)?.product_group.as_ref())
                        .map(|g| g.value.clone())
                        .unwrap_or_default();
                    spec.group = Some(asked(prompt.ask("Group", &default))?);
                }
                if spec.role.is_none() {
                    let choices =
                        ["none", "gmau", "paid_gmau", "smau", "umau", "amau"].map(String::from);
                    spec.role = asked(prompt.choose("xMAU role", &choices, "none"))?
                        .into_iter()
                        .next()
                        .filter(|r| r != "none");
                }
                if spec.time_frames.is_empty() {
                    // xMAU metrics count over 28 days.
                    let default = if spec.role.is_some() { "28d" } else { "28d, 7d" };
                    let answer = asked(prompt.ask("Time frames", default))?;
                    spec.time_frames = answer
                        .split(',')
                        .filter_map(|t| TimeFrame::parse(t.trim()))
                        .collect();
                }
                if spec.milestone.is_none() {
                    spec.milestone = Some(asked(prompt.ask("Milestone", &milestone))?);
                }
            }
            spec.unique = match unique.as_deref() {
                None => Some(Unique::UserId),
                Some("none") => None,
                Some(text) => Some(Unique::parse(text).ok_or_else(|| {
                    Error::Scaffold(format!("`{text}` is not a unique count: user.id, project.id, namespace.id, label, property, value or none"))
                })?),
            };
            scaffold::metric(&config, dictionary, &spec)
        }
        NewCommand::Event(args) => {
            let mut spec = NewEvent {
                action: args.action.clone().unwrap_or_default(),
                description: common.description.clone(),
                group: common.group.clone(),
                categories: common.categories.clone(),
                identifiers: args.identifiers.clone(),
                tiers: common.tiers.clone(),
                milestone: common.milestone.clone(),
                introduced_by_url: common.introduced_by_url.clone(),
            };
            if interactive {
                if spec.action.is_empty() {
                    spec.action = asked(prompt.ask("Action (e.g. create_merge_request)", ""))?;
                }
                if spec.description.is_none() {
                    let default = format!("A user did {}", spec.action.replace('_', " "));
                    spec.description = Some(asked(prompt.ask("Description", &default))?);
                }
                if spec.group.is_none() {
                    let choices = scaffold::groups(dictionary);
                    spec.group = asked(prompt.choose("Group (number or key)", &choices, ""))?
                        .into_iter()
                        .next();
                }
                if spec.milestone.is_none() {
                    spec.milestone = Some(asked(prompt.ask("Milestone", &milestone))?);
                }
            }
            scaffold::event(&config, dictionary, &spec)
        }
    }
    .map_err(|e| Error::Scaffold(e.to_string()))?;
    let target = scaffold::target(&config, &file);
    if target.exists() {
        return Err(Error::Scaffold(format!("{} exists already", file.path)));
    }
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::WriteReport {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&target, &file.text).map_err(|source| Error::WriteReport {
        path: target.clone(),
        source,
    })?;
    println!("{}", file.path);
    // Show at once what `check` says about the new file.
    let after = pipeline::compile(&config)?;
    let own: Vec<diagnostics::Diagnostic> = after
        .diagnostics
        .iter()
        .filter(|d| after.sources.file(d.span.file).path == file.path)
        .cloned()
        .collect();
    if !own.is_empty() {
        eprint!(
            "{}",
            diagnostics::render(
                Format::Human,
                RULES,
                &own,
                &after.sources,
                &after.summary,
                Style::Plain
            )
        );
    }
    Ok(exit(
        own.iter()
            .any(|d| d.severity == diagnostics::Severity::Error),
    ))
}

fn completions(args: &CompletionsArgs) -> Result<ExitCode, Error> {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(args.shell, &mut command, "metricc", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

fn man() -> Result<ExitCode, Error> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(command).render(&mut page);
    let _ = std::io::stdout().lock().write_all(&page);
    Ok(ExitCode::SUCCESS)
}

fn validate_payload(args: &ValidatePayloadArgs) -> Result<ExitCode, Error> {
    let root = args
        .project
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let checked = Config::load(&root, args.project.preset, args.project.config.as_deref())
        .map_err(payload::PingError::from)
        .and_then(|config| payload::validate_file(&config, &args.ping));
    let report = match checked {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    let name = args.ping.display().to_string();
    let text = match args.format {
        PayloadFormat::Human => payload::render_human(&report, &name),
        PayloadFormat::Json => payload::render_json(&report, &name),
    };
    // A closed pipe is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(exit(!report.is_valid()))
}

fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints (or writes) the diagnostics in the chosen format.
fn report(compilation: &Compilation, args: &ReportArgs) -> Result<(), Error> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let style = match args.color {
        Color::Always => Style::Colored,
        Color::Auto if to_terminal && std::env::var_os("NO_COLOR").is_none() => Style::Colored,
        _ => Style::Plain,
    };
    let text = diagnostics::render(
        args.format,
        RULES,
        &compilation.diagnostics,
        &compilation.sources,
        &compilation.summary,
        style,
    );
    match &args.output {
        Some(path) => {
            write_report(path, &text)?;
            eprintln!("{}", diagnostics::summary_line(&compilation.summary));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`metricc check | head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    Ok(())
}

fn write_report(path: &Path, text: &str) -> Result<(), Error> {
    let failed = |source| Error::WriteReport {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}

fn explain(args: &ExplainArgs) -> Result<ExitCode, Error> {
    let text = if args.markdown {
        rules_reference()
    } else if let Some(code) = &args.code {
        let Some(rule) = find_rule(code) else {
            return Err(Error::UnknownRule {
                name: code.clone(),
                suggestion: closest(code, RULES.iter().flat_map(|r| [r.code, r.name])),
            });
        };
        format!(
            "# {} {} ({} by default)\n\n{}",
            rule.code,
            rule.name,
            rule.default,
            rule.explanation()
        )
    } else {
        RULES
            .iter()
            .map(|r| {
                format!(
                    "{:<6} {:<32} {:<8} {}\n",
                    r.code,
                    r.name,
                    r.default.to_string(),
                    r.summary()
                )
            })
            .collect()
    };
    // A closed pipe (`metricc explain | head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn templates(args: &TemplatesArgs) -> Result<ExitCode, Error> {
    let text = match &args.name {
        Some(name) => match Templates::embedded(name) {
            Some(text) => text.to_owned(),
            None => {
                return Err(Error::Templates(
                    crate::emit::templates::TemplateDirError::Unknown {
                        path: name.clone(),
                        suggestion: closest(name, Templates::names()),
                    },
                ));
            }
        },
        None => Templates::names().map(|n| format!("{n}\n")).collect(),
    };
    // A closed pipe is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The rules reference page (`docs/rules.md`), generated from the rules' own explanations.
pub fn rules_reference() -> String {
    let mut out = String::from(
        "# Rules\n\n<!-- Generated by `metricc explain --markdown`; do not edit by hand. -->\n\n\
         Every problem metricc reports has a stable code and a name. Set a rule's level in\n\
         `metricc.toml` (`[rules] MC601 = \"allow\"`, `\"warn\"` or `\"deny\"`), and print one\n\
         explanation with `metricc explain CODE`.\n\n\
         | Code | Name | Default | What it does |\n|---|---|---|---|\n",
    );
    for rule in RULES {
        out.push_str(&format!(
            "| [{code}](#{anchor}) | `{name}` | {level} | {summary} |\n",
            code = rule.code,
            anchor = rule.code.to_lowercase(),
            name = rule.name,
            level = rule.default,
            summary = rule.summary()
        ));
    }
    for rule in RULES {
        out.push_str(&format!(
            "\n## {} {}\n\nDefault level: {}.\n\n",
            rule.code, rule.name, rule.default
        ));
        for line in rule.explanation().lines() {
            // Sections of an explanation become sub-headings of the rule's heading.
            match line.strip_prefix("## ") {
                Some(heading) => out.push_str(&format!("### {heading}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    }
    out
}
