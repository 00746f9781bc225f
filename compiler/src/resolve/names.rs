//! The names backends derive from key paths, actions and taxonomy keys, computed here only,
//! so that every backend (and the docs page that links them) agrees on them. The view holds
//! them all; the dictionary keeps those of events and computes a metric's when asked.
//!
//! - Rust: a metric is a constant (`COUNTS_ISSUES_MONTHLY`), an event a recording function
//!   (`create_issue`), a group a module (`project_planning`).
//! - dbt: a metric is a lower-case SQL identifier (`counts_issues_monthly`), at most
//!   [`MAX_SQL_IDENTIFIER`] bytes: longer ones keep a readable prefix and end with a hash,
//!   so PostgreSQL never truncates two names into one.
//! - Docs: a slug, used as the page's file name and permalink (`counts.issues_monthly`).
//!
//! Two definitions whose names collide, and names that are reserved words, are check rules
//! (`derived-name-collision`, `reserved-name`): emit only runs on names that work.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// PostgreSQL truncates identifiers to 63 bytes.
pub const MAX_SQL_IDENTIFIER: usize = 63;

/// The names derived from a metric's key path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetricNames {
    /// The Rust constant that designates the metric (`COUNTS_ISSUES_MONTHLY`).
    pub rust: String,
    /// The dbt model / column name (`counts_issues_monthly`).
    pub dbt: String,
    /// The docs page's slug (`counts.issues_monthly`).
    pub slug: String,
}

/// The names derived from an event's action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventNames {
    /// The Rust recording function (`create_issue`).
    pub rust: String,
    /// The Rust struct of the event's additional properties (`CreateIssue`).
    pub rust_type: String,
    /// The docs page's slug, also the event schema's file name (`create_issue`).
    pub slug: String,
}

/// The names derived from a taxonomy key (section, stage or group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyNames {
    /// The Rust module (`project_planning`).
    pub rust: String,
    /// The docs page's slug (`project_planning`).
    pub slug: String,
}

impl MetricNames {
    pub fn new(key_path: &str) -> MetricNames {
        MetricNames {
            rust: MetricNames::rust_of(key_path),
            dbt: MetricNames::dbt_of(key_path),
            slug: slug(key_path),
        }
    }

    /// The Rust constant alone, for callers that need one name of many metrics.
    pub fn rust_of(key_path: &str) -> String {
        let mut name = identifier(key_path);
        // Identifiers are ASCII.
        name.make_ascii_uppercase();
        name
    }

    /// The dbt model / column name alone.
    pub fn dbt_of(key_path: &str) -> String {
        shortened(key_path, identifier(key_path))
    }
}

impl EventNames {
    pub fn new(action: &str) -> EventNames {
        EventNames {
            rust: identifier(action),
            rust_type: type_name(&identifier(action)),
            slug: slug(action),
        }
    }
}

impl KeyNames {
    pub fn new(key: &str) -> KeyNames {
        KeyNames {
            rust: identifier(key),
            slug: slug(key),
        }
    }
}

/// A lower-case `snake_case` identifier: every character that is not an ASCII letter or
/// digit becomes `_`, and a leading digit gets an `n` before it (`7d_users` → `n7d_users`).
pub fn identifier(text: &str) -> String {
    // Every character becomes one ASCII byte: the text's length is enough, and collecting
    // without it would leave names up to twice as large as they are (ten thousand of them
    // stay alive for the whole run).
    let mut out = ascii_map(text, 1, |c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            b'_'
        }
    });
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    out
}

/// `text` with each character mapped to one ASCII byte by `map` (which sees a character
/// outside ASCII as `0x80`), with room for `spare` more bytes.
fn ascii_map(text: &str, spare: usize, map: impl Fn(u8) -> u8) -> String {
    let mut bytes = Vec::with_capacity(text.len() + spare);
    bytes.extend(
        text.chars()
            .map(|c| u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(0x80))
            .map(map),
    );
    // Every byte is ASCII.
    String::from_utf8(bytes).unwrap_or_default()
}

/// An `UpperCamelCase` type name from a `snake_case` identifier (`create_issue` →
/// `CreateIssue`, `n7d_users` → `N7dUsers`).
pub fn type_name(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    for part in snake.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() {
        out.push('N');
    }
    out
}

/// The Rust method of an `instrumentation_class`: its `CamelCase` words in `snake_case`,
/// namespaces included (`DatabaseVersionMetric` → `database_version_metric`,
/// `Ci::HTTPRequestsMetric` → `ci_http_requests_metric`).
pub fn method_name(class: &str) -> String {
    let chars: Vec<char> = class.chars().collect();
    let mut words = String::with_capacity(class.len() + 8);
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_lower)
            {
                words.push('_');
            }
        }
        words.push(*c);
    }
    let mut out = identifier(&words);
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out
}

/// The Rust field of an event's additional property (`label`, `devfile_source`).
pub fn field_name(property: &str) -> String {
    identifier(property)
}

/// Rust keywords that cannot be used even as raw identifiers (`r#self` is not allowed).
pub const NOT_RAW: &[&str] = &["Self", "crate", "self", "super"];

/// [`identifier`], shortened to [`MAX_SQL_IDENTIFIER`] bytes with a hash of the whole text
/// when it is longer.
pub fn sql_identifier(text: &str) -> String {
    shortened(text, identifier(text))
}

/// `full`, the identifier of `text`, shortened as [`sql_identifier`] says.
fn shortened(text: &str, full: String) -> String {
    if full.len() <= MAX_SQL_IDENTIFIER {
        return full;
    }
    let hash = Sha256::digest(text.as_bytes());
    let suffix: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    let keep = MAX_SQL_IDENTIFIER - suffix.len() - 1;
    format!("{}_{suffix}", full[..keep].trim_end_matches('_'))
}

/// A file-name and URL-safe slug: lower-case ASCII letters, digits, `.`, `_` and `-`; any
/// other character becomes `-`. Lower-case, so that two slugs never differ only by case
/// (they would be one file on macOS and Windows).
pub fn slug(text: &str) -> String {
    let mut out = ascii_map(text, 0, |c| match c {
        b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' => c,
        b'A'..=b'Z' => c.to_ascii_lowercase(),
        _ => b'-',
    });
    // `.` and `..` are not file names.
    if out.trim_matches('.').is_empty() {
        out = format!("_{out}");
    }
    out
}

/// Rust's keywords, strict and reserved (2024 edition): not usable as a function or module
/// name (`r#` cannot rescue `self`, `super`, `crate`, `Self`).
pub const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The modules the generated Rust always has beside the group modules: a group cannot
/// take one of these names.
pub const RUST_MODULES: &[&str] = &["selectors", "ungrouped"];

/// The models the dbt project always has (`templates/dbt/models/`): a SQL metric's model
/// cannot take one of these names.
pub const DBT_MODELS: &[&str] = &[
    "last_ping_per_month",
    "metric_dictionary",
    "metricflow_time_spine",
    "sql_metric_windows",
    "stg_ping_metrics",
    "stg_pings",
    "xmau_monthly",
];

/// Words reserved in PostgreSQL (and so in the SQL the dbt project runs), which would need
/// quoting as a model or column name.
pub const SQL_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_follow_the_key_path() {
        let names = MetricNames::new("counts.issues_created_monthly");
        assert_eq!(names.rust, "COUNTS_ISSUES_CREATED_MONTHLY");
        assert_eq!(names.dbt, "counts_issues_created_monthly");
        assert_eq!(names.slug, "counts.issues_created_monthly");
    }

    #[test]
    fn type_and_method_names() {
        assert_eq!(type_name("create_issue"), "CreateIssue");
        assert_eq!(type_name("n7d_users"), "N7dUsers");
        assert_eq!(type_name("_"), "N");
        assert_eq!(
            method_name("DatabaseVersionMetric"),
            "database_version_metric"
        );
        assert_eq!(
            method_name("Ci::HTTPRequestsMetric"),
            "ci_http_requests_metric"
        );
        assert_eq!(
            method_name("CountCiRunnersMetric"),
            "count_ci_runners_metric"
        );
        assert_eq!(method_name("Redis2Metric"), "redis2_metric");
        assert_eq!(field_name("devfile_source"), "devfile_source");
        assert_eq!(EventNames::new("create_issue").rust_type, "CreateIssue");
    }

    #[test]
    fn identifiers_are_valid_whatever_the_text() {
        assert_eq!(identifier("7d-users"), "n7d_users");
        assert_eq!(identifier("Café"), "caf_");
        assert_eq!(identifier(""), "n");
        assert_eq!(slug("Redis/HLL Counters"), "redis-hll-counters");
        assert_eq!(slug(".."), "_..");
        // One ASCII character for each character, whatever its width in bytes.
        assert_eq!(slug("Café_ü.x-1"), "caf-_-.x-1");
    }

    #[test]
    fn long_sql_identifiers_are_shortened_with_a_hash() {
        let long = format!("usage_activity_by_stage_monthly.{}", "x".repeat(80));
        let name = sql_identifier(&long);
        assert_eq!(name.len(), MAX_SQL_IDENTIFIER);
        assert!(name.starts_with("usage_activity_by_stage_monthly_xxx"));
        let other = sql_identifier(&format!("{long}y"));
        assert_ne!(name, other, "the hash tells long names apart");
        assert_eq!(sql_identifier("a.b"), "a_b");
    }

    #[test]
    fn reserved_word_lists_are_sorted_for_binary_search() {
        assert!(RUST_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(SQL_RESERVED.windows(2).all(|w| w[0] < w[1]));
        assert!(NOT_RAW.windows(2).all(|w| w[0] < w[1]));
        assert!(DBT_MODELS.windows(2).all(|w| w[0] < w[1]));
    }
}
