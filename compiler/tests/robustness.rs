//! Bad input never crashes metricc. Hostile files (alias bombs, deep nesting, binary
//! bytes, ...) and thousands of random corruptions of real definitions go through the
//! whole pipeline; every run must end with located diagnostics, never a panic. How many
//! diagnostics of each code the corruptions produce is a snapshot: a rule that stops
//! firing, or starts firing on everything, shows up there.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use metricc::config::Config;

/// A small deterministic random generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    ":",
    ": ",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "#",
    "&a ",
    "*a",
    "!",
    "!!str ",
    "|",
    ">",
    "'",
    "\"",
    "%",
    "@",
    "`",
    "\t",
    "\n",
    "\r\n",
    " ",
    ",",
    "?",
    "---\n",
    "...\n",
    "é",
    "€",
    "😀",
    "\u{0}",
    "\u{feff}",
    "<<: ",
    "~",
    "null",
    "true",
    "8.10",
    "1e309",
    "-0",
    "0x1F",
    ".nan",
    "\\",
    "key_path: ",
    "events:\n- name: ",
    "sql: |\n  SELECT ",
    ":window_start",
    "time_frame: [7d, all]",
];

fn mutate(text: &str, rng: &mut Rng) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 => bytes.truncate(at),
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                bytes.splice(at..at, piece.bytes());
            }
            2 => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                let line_start = bytes[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                let line_end = bytes[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |i| at + i + 1);
                let line = bytes[line_start..line_end].to_vec();
                bytes.splice(line_start..line_start, line);
            }
            4 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = rng.next() as u8;
                }
            }
            _ => {
                let indent = b"  ";
                let line_start = bytes[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                bytes.splice(line_start..line_start, indent.iter().copied());
            }
        }
    }
    bytes
}

/// Checks the project in `root`; panics (with the file that caused it) on a crash or on a
/// diagnostic that points outside its file. Returns the code of every diagnostic.
fn check_survives(root: &Path, culprit: &str) -> Vec<&'static str> {
    let config = Config::load(root, None, None).unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| metricc::compile(&config)));
    let compilation = match result {
        Ok(Ok(compilation)) => compilation,
        Ok(Err(setup)) => panic!("setup error on {culprit}: {setup}"),
        Err(_) => panic!(
            "metricc panicked on this input ({culprit}):\n{}",
            fs::read_to_string(root.join(culprit)).unwrap_or_default()
        ),
    };
    for d in &compilation.diagnostics {
        let file = compilation.sources.file(d.span.file);
        assert!(
            d.span.start() <= d.span.end() && d.span.end() <= file.text.len(),
            "{d:?} out of {}",
            file.path
        );
        assert!(
            file.text.is_char_boundary(d.span.start()) && file.text.is_char_boundary(d.span.end()),
            "{d:?}"
        );
        assert!(
            d.help.is_some(),
            "every diagnostic says how to fix it: {} {}",
            d.rule.code,
            d.message
        );
    }
    // Rendering every format must not panic either.
    for format in [
        metricc::diagnostics::Format::Human,
        metricc::diagnostics::Format::Json,
        metricc::diagnostics::Format::Sarif,
        metricc::diagnostics::Format::Gitlab,
        metricc::diagnostics::Format::Junit,
    ] {
        let _ = metricc::diagnostics::render(
            format,
            metricc::check::RULES,
            &compilation.diagnostics,
            &compilation.sources,
            &compilation.summary,
            metricc::diagnostics::Style::Plain,
        );
    }
    compilation
        .diagnostics
        .iter()
        .map(|d| d.rule.code)
        .collect()
}

#[test]
fn random_corruptions_of_real_definitions_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&support::base(), dir.path());
    let mut files: Vec<String> = walkdir::WalkDir::new(dir.path())
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let originals: Vec<String> = files
        .iter()
        .map(|f| fs::read_to_string(dir.path().join(f)).unwrap())
        .collect();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut reported: BTreeMap<&str, usize> = BTreeMap::new();
    for round in 0..1500 {
        let i = round % files.len();
        let path = dir.path().join(&files[i]);
        fs::write(&path, mutate(&originals[i], &mut rng)).unwrap();
        for code in check_survives(dir.path(), &files[i]) {
            *reported.entry(code).or_default() += 1;
        }
        fs::write(&path, &originals[i]).unwrap();
    }
    let total: usize = reported.values().sum();
    assert!(
        total > 1000,
        "corruptions are reported ({total} diagnostics)"
    );
    let counts: String = reported
        .iter()
        .map(|(code, n)| format!("{code} {n}\n"))
        .collect();
    insta::assert_snapshot!("diagnostics_per_code", counts);
}

#[test]
fn hostile_files_get_diagnostics_not_crashes() {
    let mut alias_bomb = String::from("key_path: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        alias_bomb.push_str(&format!(
            "k{i}: &{} [{}]\n",
            (b'a' + i) as char,
            vec![format!("*{}", (b'a' + i - 1) as char); 10].join(", ")
        ));
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("alias bomb", alias_bomb.into_bytes(), "MC009"),
        (
            "deep flow nesting",
            format!("key_path: {}{}\n", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(),
            "MC009",
        ),
        (
            "deep block nesting",
            (0..200)
                .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
                .collect::<String>()
                .into_bytes(),
            "MC009",
        ),
        ("binary", (0u8..=255).cycle().take(4096).collect(), "MC006"),
        ("NUL byte", b"key_path: a\x00b\n".to_vec(), "MC001"),
        (
            "custom tag",
            b"--- !ruby/object:Metric\nkey_path: x\n".to_vec(),
            "MC001",
        ),
        ("complex key", b"? [a, b]\n: c\n".to_vec(), "MC001"),
        ("unknown alias", b"key_path: *nowhere\n".to_vec(), "MC001"),
        (
            "top-level list",
            b"- key_path: counts.x\n".to_vec(),
            "MC003",
        ),
        ("top-level scalar", b"just text\n".to_vec(), "MC003"),
        ("only comments", b"---\n# nothing here\n".to_vec(), "MC005"),
        ("empty", Vec::new(), "MC005"),
        (
            "two documents",
            b"key_path: a\n---\nkey_path: b\n".to_vec(),
            "MC004",
        ),
        (
            "tabs",
            b"key_path:\tcounts.x\n\tdescription: x\n".to_vec(),
            "MC001",
        ),
        (
            "huge number",
            b"key_path: counts.x\nmilestone: 1e999\n".to_vec(),
            "MC106",
        ),
        (
            "BOM",
            "\u{feff}key_path: counts.bom\n".as_bytes().to_vec(),
            "MC102",
        ),
    ];
    for (name, bytes, code) in cases {
        let dir = tempfile::tempdir().unwrap();
        support::copy_tree(&support::base(), dir.path());
        let file = "definitions/metrics/counts_all/hostile.yml";
        fs::write(dir.path().join(file), &bytes).unwrap();
        let config = Config::load(dir.path(), None, None).unwrap();
        let compilation = catch_unwind(AssertUnwindSafe(|| metricc::compile(&config)))
            .unwrap_or_else(|_| panic!("{name}: panicked"))
            .unwrap();
        let codes: Vec<&str> = compilation
            .diagnostics
            .iter()
            .filter(|d| compilation.sources.file(d.span.file).path == file)
            .map(|d| d.rule.code)
            .collect();
        assert!(
            codes.iter().any(|c| c.starts_with(code)),
            "{name}: expected {code}, got {codes:?}"
        );
        check_survives(dir.path(), file);
    }
}

/// The fuzz targets (`fuzz/`) check texts held in memory: that must be the same check as
/// reading the files.
#[test]
fn checking_texts_in_memory_is_checking_the_files() {
    use metricc::pipeline::{DefinitionText, compile_texts};
    use metricc::source::FileKind;

    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&support::base(), dir.path());
    let broken = "definitions/metrics/counts_all/broken.yml";
    fs::write(
        dir.path().join(broken),
        "key_path: counts.issues_monthly\nkey_path: x\nstatus: activ\nsql: DELETE FROM issues\n",
    )
    .unwrap();
    let config = Config::load(dir.path(), None, None).unwrap();
    let from_files = metricc::compile(&config).unwrap();
    let texts = from_files
        .sources
        .files()
        .map(|(_, f)| DefinitionText {
            path: f.path.clone(),
            kind: f.kind,
            text: f.text.clone(),
        })
        .collect();
    let from_texts = compile_texts(&config, texts).unwrap();
    let render = |c: &metricc::Compilation| {
        metricc::diagnostics::render(
            metricc::diagnostics::Format::Json,
            metricc::check::RULES,
            &c.diagnostics,
            &c.sources,
            &c.summary,
            metricc::diagnostics::Style::Plain,
        )
    };
    assert!(from_files.summary.errors >= 3, "{}", render(&from_files));
    assert_eq!(from_texts.summary, from_files.summary);
    assert_eq!(render(&from_texts), render(&from_files));
    assert_eq!(from_texts.dictionary.metrics, from_files.dictionary.metrics);
    let metrics = |c: &metricc::Compilation| {
        c.sources
            .files()
            .filter(|(_, f)| f.kind == FileKind::Metric)
            .count()
    };
    assert_eq!(metrics(&from_texts), 4);
}

/// `metricc check` lets the text of a file go once it is parsed and reads it again only
/// if a problem is found in it: its reports must be those of a compilation that kept
/// every text, including problems found across files, in files that had none of their own.
#[test]
fn a_report_keeps_only_the_texts_it_shows_and_reports_the_same() {
    use metricc::diagnostics::{Format, Style, render};
    use metricc::pipeline::compile_for_report;

    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&support::base(), dir.path());
    let metrics = dir.path().join("definitions/metrics/counts_all");
    // A second definition of a key path: each file is fine on its own, the duplicate is
    // found across them (and points at the other file too).
    let views = "20240101000002_merge_request_views.yml";
    let copy = fs::read_to_string(metrics.join(views)).unwrap();
    fs::write(metrics.join("20240101000009_views_again.yml"), copy).unwrap();
    // A problem of its own, on line 3 (`description` is not a string).
    fs::write(
        metrics.join("20240101000010_broken.yml"),
        "key_path: counts.broken\n# a comment\ndescription: [1]\n",
    )
    .unwrap();
    let config = Config::load(dir.path(), None, None).unwrap();
    let full = metricc::compile(&config).unwrap();
    let report = compile_for_report(&config).unwrap();
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Gitlab,
        Format::Junit,
    ] {
        let rendered = |c: &metricc::Compilation| {
            render(
                format,
                metricc::check::RULES,
                &c.diagnostics,
                &c.sources,
                &c.summary,
                Style::Plain,
            )
        };
        assert_eq!(rendered(&report), rendered(&full), "{format:?}");
    }
    let human = render(
        Format::Human,
        metricc::check::RULES,
        &report.diagnostics,
        &report.sources,
        &report.summary,
        Style::Plain,
    );
    assert!(
        human.contains("20240101000009_views_again.yml:2:11"),
        "{human}"
    );
    assert!(human.contains("3 | description: [1]"), "{human}");

    let with_problems: Vec<&str> = report
        .diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.span.file).chain(d.related.iter().map(|r| r.span.file)))
        .map(|id| report.sources.file(id).path.as_str())
        .collect();
    assert!(with_problems.iter().any(|p| p.ends_with(views)), "{human}");
    for (_, file) in report.sources.files() {
        let shown = with_problems.contains(&file.path.as_str());
        assert_eq!(file.is_released(), !shown, "{}", file.path);
        assert_eq!(file.text.is_empty(), !shown, "{}", file.path);
    }
}

/// Key paths that differ only in case all get one Rust constant: each is reported once,
/// against the first of them, never once per pair (a thousand of them would make a million
/// reports and exhaust memory).
#[test]
fn many_colliding_names_make_one_report_each() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&support::base(), dir.path());
    let folder = dir.path().join("definitions/metrics/counts_all");
    let template = fs::read_to_string(folder.join("20240101000002_merge_request_views.yml"))
        .unwrap()
        .replace("time_frame: [7d, 28d, all]", "time_frame: all");
    let count = 300;
    for i in 0..count {
        // `counts.abcdefghi` with the letters of `i`'s bits in capitals.
        let key: String = "abcdefghi"
            .chars()
            .enumerate()
            .map(|(bit, c)| {
                if i >> bit & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        let text = template.replace(
            "key_path: counts.merge_request_views",
            &format!("key_path: counts.{key}"),
        );
        fs::write(folder.join(format!("2030010100{i:04}_{key}.yml")), text).unwrap();
    }
    let config = Config::load(dir.path(), None, None).unwrap();
    let compilation = metricc::compile(&config).unwrap();
    let collisions: Vec<_> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "MC410")
        .collect();
    assert_eq!(collisions.len(), count);
    // The first in dictionary order (key paths sorted: capitals first).
    let first = "`counts.ABCDEFGHi`";
    let of_first: Vec<_> = collisions
        .iter()
        .filter(|d| d.message.starts_with(&format!("{first} and ")))
        .collect();
    assert_eq!(of_first.len(), 1, "the first is reported against one other");
    let against_first = format!(" and {first} get the same generated names: ");
    assert!(
        collisions
            .iter()
            .filter(|d| !d.message.starts_with(first))
            .all(|d| d.message.contains(&against_first)),
        "{:#?}",
        collisions.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}
