//! An event definition as written in its file.

use super::metric::head;
use super::{EventStatus, Fields, Identifier, Milestone, Tier, read_items};
use crate::source::{FileId, Span, Spanned};
use crate::yaml::Node;

/// An event definition file, typed. Optional fields are `None` when absent or malformed.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDefinition {
    pub file: FileId,
    /// The event's name, which metrics refer to in `events: [{name: ...}]`.
    pub action: Spanned<String>,
    pub description: Option<Spanned<String>>,
    pub category: Option<Spanned<String>>,
    pub internal_events: Option<Spanned<bool>>,
    pub identifiers: Vec<Spanned<Identifier>>,
    /// Keys of `additional_properties` (`label`, `property`, `value` and custom ones).
    pub additional_properties: Vec<Spanned<String>>,
    /// The `description` of each additional property that has one, by property name.
    pub property_descriptions: Vec<(String, String)>,
    pub product_group: Option<Spanned<String>>,
    pub product_stage: Option<Spanned<String>>,
    pub product_section: Option<Spanned<String>>,
    pub product_categories: Vec<Spanned<String>>,
    pub milestone: Option<Spanned<Milestone>>,
    pub introduced_by_url: Option<Spanned<String>>,
    pub tiers: Vec<Spanned<Tier>>,
    pub status: Option<Spanned<EventStatus>>,
    pub classification: Option<Spanned<String>>,
    /// Span of the first key of the file.
    pub head: Span,
}

impl EventDefinition {
    /// Reads a definition; `None` when it has no usable `action`.
    pub fn from_node(file: FileId, node: &Node) -> Option<EventDefinition> {
        let f = Fields::new(file, node);
        Some(EventDefinition {
            file,
            action: f.string("action")?,
            description: f.string("description"),
            category: f.string("category"),
            internal_events: f.boolean("internal_events"),
            identifiers: f.enumerated_list("identifiers", Identifier::parse),
            additional_properties: f.keys("additional_properties"),
            property_descriptions: property_descriptions(node),
            product_group: f.string("product_group"),
            product_stage: f.string("product_stage"),
            product_section: f.string("product_section"),
            product_categories: f.strings("product_categories"),
            milestone: f.milestone("milestone"),
            introduced_by_url: f.string("introduced_by_url"),
            tiers: f.enumerated_list("tiers", Tier::parse),
            status: f.enumerated("status", EventStatus::parse),
            classification: f.string("classification"),
            head: head(file, node),
        })
    }

    pub fn has_identifier(&self, identifier: Identifier) -> bool {
        self.identifiers.iter().any(|i| i.value == identifier)
    }

    pub fn has_property(&self, name: &str) -> bool {
        self.additional_properties.iter().any(|p| p.value == name)
    }
}

/// `additional_properties: {label: {description: ...}}` → `[("label", "...")]`.
fn property_descriptions(node: &Node) -> Vec<(String, String)> {
    let properties = node
        .get("additional_properties")
        .and_then(Node::as_map)
        .unwrap_or_default();
    read_items(properties.iter(), |e| {
        let description = e.value.get("description")?.as_str()?;
        Some((e.key.clone(), description.to_owned()))
    })
}
