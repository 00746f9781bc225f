use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::resolve::names::{KeyNames, MetricNames, field_name, method_name, slug};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports two definitions that are different but get the same name in a generated
    /// output: the Rust constant of a metric (`COUNTS_ISSUES`), its dbt model and column
    /// name (`counts_issues`), the docs page of a metric or an event, the Rust function and
    /// properties struct of an event (`create_issue`, `CreateIssue`), the Rust field of an
    /// event's additional property, the Rust module of a group, the Rust method of an
    /// `instrumentation_class`. Names are derived from key paths, actions, property names,
    /// class names and taxonomy keys: characters other than letters and digits become `_`
    /// (or `-` in docs slugs), letters are lower-cased (CamelCase words of a class are
    /// joined with `_`), and dbt names are cut to 63 bytes.
    ///
    /// ## Why is this bad?
    /// Two items with one name do not compile (Rust), overwrite each other (dbt models, docs
    /// pages on case-insensitive file systems), or silently merge two metrics into one
    /// column.
    ///
    /// ## Example
    /// `counts.merge-requests` and `counts.merge_requests` are two key paths, but both are
    /// `COUNTS_MERGE_REQUESTS` in Rust and `counts_merge_requests` in dbt.
    ///
    /// ## Fix
    /// Rename one of them so that they differ in letters or digits, not only in punctuation
    /// or case; key paths conventionally use lower-case letters, digits, `_` and `.`.
    pub DERIVED_NAME_COLLISION = ("MC410", "derived-name-collision", Error);
}

/// One named thing: where it is written, what it is called, and what it stands for.
#[derive(Clone, Copy)]
struct Named<'a> {
    span: Span,
    /// The key path, action or key the name comes from.
    source: &'a str,
}

/// (output, derived name) → the different things that get it (only names that two things
/// share).
type Shared<'a> = BTreeMap<(&'static str, String), Vec<Named<'a>>>;

/// Adds the names of one output that different things share. `things` lists each thing
/// with the name it gets, in dictionary order, and is walked twice: first only the hashes
/// of the names are kept, then the names and places of the things whose hashes meet. A
/// large dictionary so costs no copy of its names (a metric's names are computed when
/// asked for).
fn add_shared<'a, N, I>(shared: &mut Shared<'a>, output: &'static str, things: impl Fn() -> I)
where
    N: AsRef<str>,
    I: Iterator<Item = (N, Named<'a>)>,
{
    let mut hashes: Vec<(u64, u32)> = things()
        .enumerate()
        .map(|(i, (name, _))| (hash(name.as_ref()), index(i)))
        .collect();
    hashes.sort_unstable();
    let mut candidates: Vec<u32> = hashes
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|same_hash| same_hash.len() > 1)
        .flatten()
        .map(|&(_, i)| i)
        .collect();
    drop(hashes);
    if candidates.is_empty() {
        return;
    }
    candidates.sort_unstable();
    let mut things: Vec<(String, Named<'a>)> = things()
        .enumerate()
        .filter(|(i, _)| candidates.binary_search(&index(*i)).is_ok())
        .map(|(_, (name, named))| (name.as_ref().to_owned(), named))
        .collect();
    // Stable: things with one name stay in dictionary order.
    things.sort_by(|a, b| a.0.cmp(&b.0));
    for same_name in things.chunk_by(|a, b| a.0 == b.0) {
        let first = same_name[0].1.source;
        if same_name.iter().all(|(_, n)| n.source == first) {
            continue;
        }
        // The same key path or action twice is another rule's business.
        let mut seen = HashSet::new();
        let list: Vec<Named<'_>> = same_name
            .iter()
            .filter(|(_, named)| seen.insert(named.source))
            .map(|(_, named)| *named)
            .collect();
        shared.insert((output, same_name[0].0.clone()), list);
    }
}

fn hash(name: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
}

/// A thing's place in its list (a dictionary has far fewer than 2³² things).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    let metrics = || {
        dictionary.metrics.iter().map(|m| {
            let span = dictionary.definition(m).key_path.span;
            let named = Named {
                span,
                source: m.key_path.as_str(),
            };
            (m, named)
        })
    };
    let events = || {
        dictionary
            .events
            .iter()
            .zip(&dictionary.event_names)
            .map(|(e, names)| {
                let named = Named {
                    span: e.action.span,
                    source: e.action.value.as_str(),
                };
                (names, named)
            })
    };
    let group_names: Vec<(KeyNames, Named<'_>)> = dictionary
        .taxonomy
        .groups()
        .map(|(_, _, g)| {
            let named = Named {
                span: g.key.span,
                source: g.key.value.as_str(),
            };
            (KeyNames::new(&g.key.value), named)
        })
        .collect();
    let groups = || group_names.iter().map(|(names, named)| (names, *named));
    // The Rust field of each additional property, within its event's struct.
    let field_names: Vec<(String, Named<'_>)> = dictionary
        .events
        .iter()
        .flat_map(|e| {
            e.additional_properties.iter().map(|property| {
                let named = Named {
                    span: property.span,
                    source: property.value.as_str(),
                };
                let name = format!("{}.{}", e.action.value, field_name(&property.value));
                (name, named)
            })
        })
        .collect();
    // The Rust method of each instrumentation class, once per class.
    let mut classes: BTreeMap<&str, Span> = BTreeMap::new();
    for metric in &dictionary.metrics {
        if let Some(class) = dictionary.definition(metric).instrumentation_class() {
            classes.entry(class.value.as_str()).or_insert(class.span);
        }
    }
    let method_names: Vec<(String, Named<'_>)> = classes
        .into_iter()
        .map(|(class, span)| {
            let named = Named {
                span,
                source: class,
            };
            (method_name(class), named)
        })
        .collect();
    let mut named_as: Shared<'_> = BTreeMap::new();
    let shared = &mut named_as;
    add_shared(shared, "Rust constant", || {
        metrics().map(|(m, n)| (MetricNames::rust_of(&m.key_path), n))
    });
    add_shared(shared, "dbt name", || {
        metrics().map(|(m, n)| (MetricNames::dbt_of(&m.key_path), n))
    });
    add_shared(shared, "docs page", || {
        metrics().map(|(m, n)| (slug(&m.key_path), n))
    });
    add_shared(shared, "Rust function", || {
        events().map(|(e, n)| (e.rust.as_str(), n))
    });
    add_shared(shared, "event docs page and schema", || {
        events().map(|(e, n)| (e.slug.as_str(), n))
    });
    add_shared(shared, "Rust type", || {
        events().map(|(e, n)| (e.rust_type.as_str(), n))
    });
    add_shared(shared, "Rust field", || {
        field_names.iter().map(|(name, n)| (name.as_str(), *n))
    });
    add_shared(shared, "Rust method", || {
        method_names.iter().map(|(name, n)| (name.as_str(), *n))
    });
    add_shared(shared, "Rust module", || {
        groups().map(|(g, n)| (g.rust.as_str(), n))
    });
    add_shared(shared, "group docs page", || {
        groups().map(|(g, n)| (g.slug.as_str(), n))
    });
    // One report on each clashing definition, against the first other definition with
    // the name (two definitions are reported on each other), listing every name they
    // share. Not one per pair: a thousand key paths that differ only in punctuation would
    // make a million reports.
    let mut clashes: BTreeMap<(&str, &str), (Span, Span, Vec<String>)> = BTreeMap::new();
    for ((output, name), things) in &named_as {
        for (i, thing) in things.iter().enumerate() {
            let other = if i == 0 { &things[1] } else { &things[0] };
            clashes
                .entry((thing.source, other.source))
                .or_insert_with(|| (thing.span, other.span, Vec::new()))
                .2
                .push(format!("{output} `{name}`"));
        }
    }
    for ((this, other), (span, other_span, shared)) in clashes {
        let what = if shared.len() == 1 { "name" } else { "names" };
        cx.report(
            Diagnostic::new(
                &DERIVED_NAME_COLLISION,
                span,
                format!(
                    "`{this}` and `{other}` get the same generated {what}: {}",
                    shared.join(", ")
                ),
            )
            .label(format!("`{this}`"))
            .related(other_span, format!("`{other}` is defined here"))
            .help(
                "rename one so that the two differ in letters or digits, not only in \
                 punctuation or case",
            ),
        );
    }
}
