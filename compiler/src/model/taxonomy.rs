//! The product hierarchy: sections → stages → groups (→ categories).
//!
//! Definitions name only their group; stage and section follow from this file, so that a
//! reorganisation is one edit here rather than hundreds of edits in definitions.

use super::Fields;
use crate::source::{FileId, Span, Spanned};
use crate::yaml::{Node, Value};

/// The whole hierarchy, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Taxonomy {
    pub sections: Vec<Section>,
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
        Taxonomy { sections }
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
