//! Problems with a file as a whole: it cannot be read, is not YAML, or is not one mapping.
//! The load stage (`source`, `yaml`) reports these; this folder holds their explanations.

pub mod duplicate_key;
pub mod empty_file;
pub mod file_too_large;
pub mod multiple_documents;
pub mod not_a_mapping;
pub mod not_utf8;
pub mod resource_limit;
pub mod unreadable_file;
pub mod yaml_syntax;
