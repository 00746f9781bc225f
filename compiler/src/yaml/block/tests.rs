//! The fast reader against saphyr's: wherever it answers, the same tree, spans and problems.

use std::path::Path;

use super::super::{MAX_NODES, Problem, read_events};
use super::{MAX_BLOCK_DEPTH, read};

/// Whether the fast reader answers for `text`; when it does, its answer must be saphyr's.
fn agrees(text: &str) -> bool {
    let Some(fast) = read(text) else {
        return false;
    };
    let events = read_events(text);
    // Debug output compares NaN equal to itself, which `PartialEq` does not.
    let (fast, events) = (format!("{fast:?}"), format!("{events:?}"));
    if fast != events {
        let at = fast
            .bytes()
            .zip(events.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(fast.len().min(events.len()));
        let from = at.saturating_sub(200);
        panic!(
            "the readers disagree on {text:?}\nfast:   ...{}\nsaphyr: ...{}",
            &fast[from..(at + 100).min(fast.len())],
            &events[from..(at + 100).min(events.len())],
        );
    }
    true
}

/// The definition files of the repository: `definitions/` and the tests' base project.
fn definition_files() -> Vec<(String, String)> {
    let compiler = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        compiler.join("../definitions"),
        compiler.join("tests/fixtures/base"),
    ] {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.expect("a readable directory");
            if entry.path().extension().is_some_and(|e| e == "yml") {
                let text = std::fs::read_to_string(entry.path()).expect("a readable file");
                files.push((entry.path().display().to_string(), text));
            }
        }
    }
    assert!(files.len() > 300, "definitions/ not found: {}", files.len());
    files
}

#[test]
fn every_definition_file_is_read_fast_and_as_saphyr_reads_it() {
    for (path, text) in definition_files() {
        assert!(agrees(&text), "the fast reader declines {path}");
    }
}

/// Each construct the reader answers for, with the spans and values saphyr gives it.
#[test]
fn each_construct_of_the_subset_reads_as_saphyr_reads_it() {
    let cases = [
        "a: 1\n",
        "---\na: 1\n",
        "--- # a comment\n# another\n\na: x\n",
        "# first\n---\na: x\n",
        "a: 1",
        "a: plain text with spaces   \nb: x # a comment\nc: a#b\n",
        "a: 8.10\nb: '8.10'\nc: 12\nd: true\ne: ~\nf: 0x1F\ng: 1e3\nh: yes\ni: .inf\nj: .nan\nk: -3\nl: null\n",
        "a: 'it''s'\nb: ''\nc: \"x y\"\nd: \"\"\ne: 'a # b' # c\n",
        "a: http://example.com/x:y\nb: <13.9\nc: -x\n",
        "a: [x, 'y', \"z\", 1, -2]\nb: []\nc: [ x ,  y ]  # c\nd: [a b, c]\n",
        "a:\n  b: 1\n  c:\n    d: 2\ne: 3\n",
        "a:\n- x\n- y\nb: 1\n",
        "a:\n  - x\n  - y\nb: 1\n",
        "- a\n- b\n",
        "- a: 1\n  b: 2\n- c: 3\n",
        "a:\n- name: x\n  unique: user.id\n- name: y\nb: z\n",
        "a:\n  - b:\n    - c\n    d: 1\n",
        "a: |\n  SELECT 1\n  FROM t\nb: 1\n",
        "a: |-\n  x\n\n  y\n\n\nb: 1\n",
        "a: |+\n  x\n\n\nb: 1\n",
        "a: |\n  x  \n   y\n# comment\nb: 1\n",
        "a: |\n    x\n  # a comment\nb: 1\n",
        "a: | # header comment\n  x\n",
        "a: |\n  x\n",
        "a: |\n  x\n\n",
        "a: |\n  x\n  \n  y\n",
        "a:\n  b: |\n    x\n  c: 1\n",
        "- a: |\n    x\n  b: 2\n",
        "a: 'x'   \nb: 1\n",
        "a: 'x' # c\nb: 1\n",
        "a: \"x\"  # c  \nb: 1\n",
        "a: ['x' , \"y\" ]  # c\n",
        "a: [x , y ]  # c\n",
        "a: x   # c\n",
        "- 'a'  # c\n- b\n",
        "a:\n  - x\n  - 'y' # c\n",
        "a: x\n\n\n",
        "a: 'x'\n\n# c\n",
        "a:\n - x\nb: 1\n",
        "a:\nb: 1\n",
        "a:   \nb: 1\n",
        "a: # c\nb: 1\n",
        "a:\n\n# c\nb: 1\n",
        "x:\n  a:\nb: 1\n",
        "a:\n",
        "a:",
        "a: x\n  y  \n   z\nb: 1\n",
        "a: x\n  y # c\nb: 1\n",
        "- a:\n  b: 1\n",
        "a:\n- x\n- y:\n",
        "a: x\n  1\n",
        "a: 1\n  2\n",
        "- a: x\n    y\n  b: z\n",
        "a: x\n  \"y\", z\n  - w\n  [v] {u} 'q'\n  &p *o !n |m >l\nb: 1\n",
        "a: x\u{85}y\u{2028}z\u{2029}\u{fffe}\u{9f}\nb: ['\u{2028}']\n",
        "a: 'x' # c",
        "a: |\n  x  \nb: 1\n",
        "- -x\n- -1\n",
        "_a: 1\n",
        "a: -x\n  y\n",
        "a: 1\nb: 2\na: 3\n",
        "a: 1\na: 2\na: 3\n",
        "a: Café — ünïcode\nb: [é, ü]\nc: 'ß'\n",
        "a:    x\nb:\n\n  c: 1\n",
        "a: # comment\n  b: 1\n",
        "a.b/c-d_e: 1\n2021: x\ntrue: y\n",
    ];
    for text in cases {
        assert!(agrees(text), "the fast reader declines {text:?}");
    }
}

/// What the reader leaves to saphyr: each of these must be declined.
#[test]
fn what_the_subset_leaves_out_is_declined() {
    for text in [
        "",
        "# only a comment\n",
        "---\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: {b: 1}\n",
        "? a\n: 1\n",
        "a: >\n  folded\n",
        "a: |2\n   x\n",
        "a:\tx\n",
        "a: x\ty\tz\n",
        "a: x\r\nb: y\r\n",
        "\u{feff}a: 1\n",
        "a: \"\\n\"\n",
        "a: multi\n\n  line\n",
        "<<: {a: 1}\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: [x, [y]]\n",
        "a: [x,]\n",
        "a: 1\n...\n",
        "  a: 1\n",
        "plain\n",
        "- - a\n",
        "-\n  a: 1\n",
        "a: |\n\n  x\n",
        "a: |\n  x",
        "a: -\n",
        "a: x:\n",
        "a: 'x\n  y'\n",
        "a: [x,\n  y]\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n  b: 2\n",
        "- a\nb: 1\n",
        "a: 1\n- b\n",
        "a: 1\n---\nb: 2\n",
        "a: |\nb: 1\n",
        "a: |\n  x\n y: 1\n",
        // saphyr reads spaces after a block scalar's last line break as one more line.
        "a: |\n  x\n  ",
        "a: 'x'#c\n",
        "a: [x]#c\n",
        "a: 'x' y\n",
        "a: b: c\n",
        "a: x\u{feff}y\n",
        "a: x\u{7f}\n",
    ] {
        assert!(read(text).is_none(), "the fast reader answers for {text:?}");
    }
}

/// Variants of real files, each a small edit at many places: where the reader answers,
/// it agrees with saphyr (a deterministic, in-test sample of what the fuzz target does).
#[test]
fn variants_of_definition_files_read_as_saphyr_reads_them() {
    const EDITS: &[&str] = &[
        "", " ", "  ", "\n", "\n  ", ":", ": ", "- ", "-", "#", " #", "'", "\"", "|", "|-", "[",
        "]", ",", "x: y\n", "\n- z", "é", "~", "0", ".",
    ];
    let files = definition_files();
    let mut answered = 0;
    let mut tried = 0;
    for (n, (_, text)) in files.iter().enumerate().step_by(7) {
        let bytes = text.as_bytes();
        let mut at = n % 5;
        while at < bytes.len() {
            if text.is_char_boundary(at) {
                let edit = EDITS[(at + n) % EDITS.len()];
                // Replace one character with the edit, and insert it before the character.
                let next = (at + 1..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                for variant in [
                    format!("{}{edit}{}", &text[..at], &text[next..]),
                    format!("{}{edit}{}", &text[..at], &text[at..]),
                ] {
                    tried += 1;
                    answered += usize::from(agrees(&variant));
                }
            }
            at += 5;
        }
    }
    assert!(
        tried > 5_000 && answered > tried / 4,
        "{answered} of {tried}"
    );
}

/// Past [`MAX_NODES`] values the reader declines, so that saphyr's reading reports it.
#[test]
fn too_many_values_are_left_to_saphyr() {
    let items = vec!["x"; MAX_NODES].join(", ");
    let text = format!("a: [{items}]\n");
    assert!(read(&text).is_none());
    assert!(matches!(
        super::super::parse(&text).problems[..],
        [Problem::TooManyValues { .. }]
    ));
    let fewer = format!("a: [{}]\n", vec!["x"; MAX_NODES - 3].join(", "));
    assert!(agrees(&fewer));
}

/// Nesting up to [`MAX_BLOCK_DEPTH`] is read; deeper files are left to saphyr.
#[test]
fn nesting_deeper_than_the_readers_limit_is_left_to_saphyr() {
    // `levels` mappings, one in the other, the last holding `value`.
    let nested = |levels: usize, value: &str| {
        let mut text: String = (0..levels - 1)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        text.push_str(&format!("{}last: {value}\n", " ".repeat(levels - 1)));
        text
    };
    assert!(agrees(&nested(MAX_BLOCK_DEPTH, "1")));
    assert!(read(&nested(MAX_BLOCK_DEPTH + 1, "1")).is_none());
    // A flow sequence is a level too.
    assert!(agrees(&nested(MAX_BLOCK_DEPTH - 1, "[1]")));
    assert!(read(&nested(MAX_BLOCK_DEPTH, "[1]")).is_none());
}
