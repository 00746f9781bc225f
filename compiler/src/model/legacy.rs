//! Values of older versions of GitLab's definition format and what replaced them. The parse
//! stage reads them as their replacement (so later rules still see the definition); the
//! `legacy-value` rule tells the user.

/// The replacement of a value of an older format, with a short reason.
pub fn replacement(field: &str, value: &str) -> Option<(&'static str, &'static str)> {
    Some(match (field, value) {
        ("status", "data_available" | "implemented") => (
            "active",
            "the 2021 statuses `data_available` and `implemented` became `active`",
        ),
        ("status", "deprecated") => (
            "removed",
            "`deprecated` became `removed` (with `removed_by_url` and `milestone_removed`)",
        ),
        ("status", "not_used") => (
            "removed",
            "`not_used` became `removed` (with `removed_by_url` and `milestone_removed`)",
        ),
        ("data_source", "ruby") => (
            "system",
            "values computed in application code use `data_source: system` now",
        ),
        ("data_category", "Optional") => ("optional", "data categories are lower case"),
        ("data_category", "Operational") => ("operational", "data categories are lower case"),
        ("data_category", "Standard") => ("standard", "data categories are lower case"),
        ("data_category", "Subscription") => ("subscription", "data categories are lower case"),
        _ => return None,
    })
}
