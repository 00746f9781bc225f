//! Fields of older definition formats and how to migrate them.

use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a field that older versions of GitLab's definition format had and the current
    /// one dropped (`tier`, `distribution`, `product_category`, `skip_validation`, the 2021
    /// event fields `label_description`/`property_description`/`value_description`, ...),
    /// and says what replaced it. Under `--preset gitlab`, `product_stage` and
    /// `product_section` are legacy fields too (GitLab's current schema rejects them); in
    /// metricc's native format they stay allowed, checked against the taxonomy.
    ///
    /// ## Why is this bad?
    /// The format changed several times (2021: `product_section`/`product_stage` required;
    /// 2024-2025: `tier` and `distribution` dropped for `tiers`, `product_categories`
    /// added). A leftover field is ignored by current tooling and misleads readers about what
    /// the definition says.
    ///
    /// ## Example
    /// ```yaml
    /// tier:
    /// - free
    /// distribution:
    /// - ce
    /// ```
    ///
    /// ## Fix
    /// Follow the help: here, rename `tier` to `tiers` and delete `distribution`:
    /// ```yaml
    /// tiers:
    /// - free
    /// ```
    pub LEGACY_FIELD = ("MC107", "legacy-field", Error);
}

/// The legacy field a current field replaced (`tiers` replaced `tier`): when the legacy
/// one is present, the missing current one is part of the same problem.
pub fn predecessor(field: &str) -> Option<&'static str> {
    match field {
        "tiers" => Some("tier"),
        "product_categories" => Some("product_category"),
        _ => None,
    }
}

/// The help for `product_stage`/`product_section` in a GitLab tree, whose current schema
/// dropped them (metricc's native format keeps them, checked against the taxonomy).
pub fn stage_field_help(field: &str) -> String {
    format!(
        "GitLab dropped `{field}` in 2023: the {} follows from `product_group`; delete it",
        if field == "product_stage" {
            "stage"
        } else {
            "section"
        }
    )
}

/// How to migrate a field of an older format, or `None` when the field never existed.
/// `has` tells whether the definition also sets a given field.
pub fn migration(field: &str, is_event: bool, has: impl Fn(&str) -> bool) -> Option<String> {
    Some(match field {
        "tier" if has("tiers") => {
            "`tier` was replaced by `tiers`, which this definition already sets: delete `tier`"
                .to_owned()
        }
        "tier" => "`tier` was replaced by `tiers` in 2024: rename the field to `tiers`".to_owned(),
        "distribution" | "distributions" => format!(
            "`{field}` (ce/ee) was dropped in 2024, when CE and EE builds began to ship the same \
             definitions: delete it"
        ),
        "product_category" if has("product_categories") => {
            "`product_category` was replaced by the list `product_categories`, which this \
             definition already sets: delete `product_category`"
                .to_owned()
        }
        "product_category" => "`product_category` was replaced by the list \
             `product_categories`: write `product_categories: [<category>]`"
            .to_owned(),
        "skip_validation" => {
            "`skip_validation` was removed in 2021: every definition is validated now; delete it"
                .to_owned()
        }
        "stage" | "group" if !is_event => format!(
            "`{field}` is from the 2020 format: write `product_group: <group key>`; the stage \
             and section follow from the taxonomy"
        ),
        "data_category" if is_event => "events have no data category: delete it".to_owned(),
        "label_description" | "property_description" | "value_description" if is_event => {
            let property = field.trim_end_matches("_description");
            format!(
                "`{field}` is from the 2021 event format: describe the property under \
                 `additional_properties`, e.g. `additional_properties: {{{property}: \
                 {{description: ...}}}}`"
            )
        }
        _ => return None,
    })
}
