//! The `metricc` command line: `check`, `build`, `explain` and `templates`.
//!
//! Exit status: 0 when no errors were found, 1 when some were (or warnings, with
//! `--deny-warnings`; or a stale output folder, with `build --check`), 2 when metricc could
//! not run at all (bad arguments, no project, unwritable output).

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
    /// Explain a rule (by code or name), or list every rule
    Explain(ExplainArgs),
    /// List the templates text outputs are rendered from, or print one (to start an override)
    Templates(TemplatesArgs),
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
        Command::Explain(args) => explain(&args),
        Command::Templates(args) => templates(&args),
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
    let compilation = pipeline::compile(&config)?;
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
    let mode = if args.check {
        Mode::Compare
    } else {
        Mode::Write
    };
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
