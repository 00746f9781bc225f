//! Rules within one definition: GitLab's conditional requirements and value checks.

pub mod broken_repair_issue;
pub mod custom_event_property;
pub mod internal_events_source;
pub mod invalid_url;
pub mod milestone_order;
pub mod missing_product_categories;
pub mod object_value_schema;
pub mod placeholder_url;
pub mod redis_instrumentation;
pub mod removed_metadata;
pub mod unique_time_frame;
