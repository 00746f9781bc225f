//! Rules across the whole dictionary: uniqueness, references between definitions, and
//! agreement with the taxonomy.

pub mod derived_name_collision;
pub mod duplicate_event_action;
pub mod duplicate_key_path;
pub mod duplicate_taxonomy_key;
pub mod key_path_prefix;
pub mod reserved_key_path;
pub mod reserved_name;
pub mod taxonomy_mismatch;
pub mod unknown_category;
pub mod unknown_event;
pub mod unknown_group;
pub mod unsupported_event_option;
