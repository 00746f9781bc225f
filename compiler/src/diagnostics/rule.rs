//! What every check declares: a stable code, a kebab-case name, a default level and an
//! explanation. The explanation is the rule's own doc comment, captured by [`rule!`], so
//! `metricc explain CODE`, the rules page in `docs/` and the code can never disagree.

use std::fmt;

/// How seriously a problem is taken: the default of a rule, or what configuration makes of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One check: its identity and its explanation.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `MC101`. Never reused for another check.
    pub code: &'static str,
    /// Kebab-case name, e.g. `unknown-field`; usable wherever a code is.
    pub name: &'static str,
    /// The severity when configuration says nothing.
    pub default: Severity,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## Fix`.
    pub doc: &'static str,
}

impl Rule {
    /// The explanation as written, without the one-space indent doc comments carry.
    pub fn explanation(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The first sentence under `## What it does`: a one-line summary for rule lists.
    pub fn summary(&self) -> String {
        self.explanation()
            .lines()
            .skip_while(|l| !l.starts_with("## What it does"))
            .skip(1)
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.code == other.code
    }
}

/// Declares a rule; its doc comment becomes its explanation.
///
/// ```text
/// rule! {
///     /// ## What it does
///     /// ...
///     pub UNKNOWN_FIELD = ("MC101", "unknown-field", Error);
/// }
/// ```
macro_rules! rule {
    ($(#[doc = $doc:literal])* $vis:vis $ident:ident = ($code:literal, $name:literal, $level:ident);) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::diagnostics::rule::Rule = $crate::diagnostics::rule::Rule {
            code: $code,
            name: $name,
            default: $crate::diagnostics::rule::Severity::$level,
            doc: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use rule;
