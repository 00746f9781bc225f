//! The product hierarchy: sections → stages → groups (→ categories), the groups that no
//! longer exist (`retired_groups`, with their successors) and categories known without a
//! group (`categories`).
//!
//! Definitions name only their group; stage and section follow from this file, so that a
//! reorganisation is one edit here rather than hundreds of edits in definitions.
//!
//! An authoritative list of groups or categories (GitLab's own `product_groups.json` and
//! `feature_categories.yml` in a checked GitLab tree) overrides the file's:
//! [`Taxonomy::restrict_groups`], [`Taxonomy::replace_categories`].

use std::collections::HashSet;

use super::Fields;
use crate::source::{FileId, Span, Spanned};
use crate::yaml::{Node, Value};

/// The whole hierarchy, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Taxonomy {
    pub sections: Vec<Section>,
    /// Groups that no longer exist, in file order.
    pub retired: Vec<RetiredGroup>,
    /// Categories known without a group (`categories:` at the top level, or an
    /// authoritative category list).
    pub categories: Vec<Spanned<String>>,
    /// Groups an authoritative list names that have no place in the hierarchy: accepted,
    /// without a stage.
    pub unplaced: Vec<Spanned<String>>,
    /// Whether the categories are the truth (the project's own taxonomy, or an
    /// authoritative list) rather than a bundled copy that may be behind.
    pub categories_authoritative: bool,
}

/// A group that no longer exists, and the group that took over its work where one is
/// known.
#[derive(Clone, Debug, PartialEq)]
pub struct RetiredGroup {
    pub key: Spanned<String>,
    pub replaced_by: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub key: Spanned<String>,
    pub name: String,
    pub stages: Vec<Stage>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub key: Spanned<String>,
    pub name: String,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub key: Spanned<String>,
    pub name: String,
    pub categories: Vec<Spanned<String>>,
}

impl Taxonomy {
    /// Reads a taxonomy file. Entries of the wrong shape are skipped (the schema check
    /// reports them).
    pub fn from_node(file: FileId, node: &Node) -> Taxonomy {
        let key = |k: &str, span: &std::ops::Range<usize>| {
            Spanned::new(k.to_owned(), Span::new(file, span.clone()))
        };
        let name_of = |n: &Node, fallback: &str| {
            n.get("name")
                .and_then(Node::as_str)
                .unwrap_or(fallback)
                .to_owned()
        };
        let entries = |n: Option<&Node>| n.and_then(Node::as_map).unwrap_or_default().to_vec();
        let sections = entries(node.get("sections"))
            .iter()
            .map(|s| Section {
                key: key(&s.key, &s.key_span),
                name: name_of(&s.value, &s.key),
                stages: entries(s.value.get("stages"))
                    .iter()
                    .map(|st| Stage {
                        key: key(&st.key, &st.key_span),
                        name: name_of(&st.value, &st.key),
                        groups: entries(st.value.get("groups"))
                            .iter()
                            .map(|g| Group {
                                key: key(&g.key, &g.key_span),
                                name: match &g.value.value {
                                    Value::Str(name) => name.clone(),
                                    _ => name_of(&g.value, &g.key),
                                },
                                categories: Fields::new(file, &g.value).strings("categories"),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let retired = entries(node.get("retired_groups"))
            .iter()
            .map(|r| RetiredGroup {
                key: key(&r.key, &r.key_span),
                replaced_by: Fields::new(file, &r.value).string("replaced_by"),
            })
            .collect();
        Taxonomy {
            sections,
            retired,
            categories: Fields::new(file, node).strings("categories"),
            unplaced: Vec::new(),
            categories_authoritative: true,
        }
    }

    /// Whether `key` is a group that exists (placed in the hierarchy or not).
    pub fn has_group(&self, key: &str) -> bool {
        self.groups().any(|(_, _, g)| g.key.value == key)
            || self.unplaced.iter().any(|g| g.value == key)
    }

    /// The retired group `key`, if it is one.
    pub fn retired(&self, key: &str) -> Option<&RetiredGroup> {
        self.retired.iter().find(|r| r.key.value == key)
    }

    /// The live group that took over from a retired one, following successions that were
    /// retired in turn.
    pub fn successor(&self, key: &str) -> Option<&str> {
        let mut current = key;
        // A chain longer than the number of retired groups has a cycle.
        for _ in 0..=self.retired.len() {
            let next = self.retired(current)?.replaced_by.as_ref()?.value.as_str();
            if self.has_group(next) {
                return Some(next);
            }
            current = next;
        }
        None
    }

    /// Makes an authoritative group list the truth: groups of the hierarchy it does not
    /// name are retired (their known successor kept), and groups it names that the
    /// hierarchy lacks are accepted without a place (un-retired if this taxonomy retired
    /// them).
    pub fn restrict_groups(&mut self, listed: Vec<Spanned<String>>) {
        let names: HashSet<&str> = listed.iter().map(|g| g.value.as_str()).collect();
        let mut dropped = Vec::new();
        for section in &mut self.sections {
            for stage in &mut section.stages {
                stage.groups.retain(|g| {
                    let keep = names.contains(g.key.value.as_str());
                    if !keep {
                        dropped.push(g.key.clone());
                    }
                    keep
                });
            }
        }
        for key in dropped {
            if self.retired(&key.value).is_none() {
                self.retired.push(RetiredGroup {
                    key,
                    replaced_by: None,
                });
            }
        }
        self.retired
            .retain(|r| !names.contains(r.key.value.as_str()));
        let placed: HashSet<String> = self.groups().map(|(_, _, g)| g.key.value.clone()).collect();
        self.unplaced = listed
            .into_iter()
            .filter(|g| !placed.contains(&g.value))
            .collect();
    }

    /// Makes an authoritative category list the truth: the categories groups list are kept
    /// only where the list names them, and the list's categories are all known.
    pub fn replace_categories(&mut self, listed: Vec<Spanned<String>>) {
        let names: HashSet<&str> = listed.iter().map(|c| c.value.as_str()).collect();
        for section in &mut self.sections {
            for stage in &mut section.stages {
                for group in &mut stage.groups {
                    group
                        .categories
                        .retain(|c| names.contains(c.value.as_str()));
                }
            }
        }
        self.categories = listed;
        self.categories_authoritative = true;
    }

    /// Every group with its stage and section.
    pub fn groups(&self) -> impl Iterator<Item = (&Section, &Stage, &Group)> {
        self.sections.iter().flat_map(|section| {
            section.stages.iter().flat_map(move |stage| {
                stage
                    .groups
                    .iter()
                    .map(move |group| (section, stage, group))
            })
        })
    }

    pub fn stages(&self) -> impl Iterator<Item = (&Section, &Stage)> {
        self.sections
            .iter()
            .flat_map(|section| section.stages.iter().map(move |stage| (section, stage)))
    }
}

/// The names of a list file: a YAML (or JSON) sequence of strings, or a mapping whose
/// `enum` is one (GitLab's `product_groups.json`). `None` when the file has neither shape.
pub fn list_names(file: FileId, node: &Node) -> Option<Vec<Spanned<String>>> {
    let items = match &node.value {
        Value::Seq(items) => items,
        Value::Map(_) => node.get("enum")?.as_seq()?,
        _ => return None,
    };
    items
        .iter()
        .map(|n| {
            n.as_str()
                .map(|s| Spanned::new(s.to_owned(), Span::new(file, n.span.clone())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy(text: &str) -> Taxonomy {
        Taxonomy::from_node(FileId(0), &crate::yaml::parse(text).root.unwrap())
    }

    fn names(text: &str) -> Vec<Spanned<String>> {
        list_names(FileId(1), &crate::yaml::parse(text).root.unwrap()).unwrap()
    }

    const TEXT: &str = "sections:\n  dev:\n    name: Dev\n    stages:\n      create:\n        name: Create\n        groups:\n          runner_core: {name: Runner Core, categories: [runner]}\n          ide: {name: IDE, categories: [web_ide, old]}\nretired_groups:\n  runner: {replaced_by: runner_core}\n  runner_saas: {replaced_by: runner}\n  memory: {}\ncategories: [loose]\n";

    #[test]
    fn retired_groups_lead_to_their_live_successor() {
        let t = taxonomy(TEXT);
        assert_eq!(t.successor("runner"), Some("runner_core"));
        assert_eq!(t.successor("runner_saas"), Some("runner_core"));
        assert_eq!(t.successor("memory"), None);
        assert_eq!(t.successor("runner_core"), None);
        assert!(t.has_group("ide") && !t.has_group("runner"));
        assert_eq!(t.categories[0].value, "loose");
    }

    #[test]
    fn an_authoritative_group_list_retires_and_adds_groups() {
        let mut t = taxonomy(TEXT);
        t.restrict_groups(names("enum: [runner_core, runner, brand_new]"));
        assert!(!t.has_group("ide"), "not listed: retired");
        assert!(t.retired("ide").is_some());
        assert!(t.has_group("runner") && t.retired("runner").is_none());
        assert!(t.has_group("brand_new") && t.has_group("runner_core"));
        assert_eq!(t.unplaced.len(), 2);
    }

    #[test]
    fn an_authoritative_category_list_replaces_the_categories() {
        let mut t = taxonomy(TEXT);
        t.replace_categories(names("- web_ide\n- runner\n- fresh\n"));
        let placed: Vec<&str> = t
            .groups()
            .flat_map(|(_, _, g)| g.categories.iter().map(|c| c.value.as_str()))
            .collect();
        assert_eq!(placed, ["runner", "web_ide"]);
        assert_eq!(t.categories.len(), 3);
        assert!(t.categories_authoritative);
        assert!(list_names(FileId(0), &crate::yaml::parse("a: 1").root.unwrap()).is_none());
    }
}
