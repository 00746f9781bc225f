//! Problems with single fields: unknown, missing, of the wrong type or value. The schema
//! check (`check::schema`) finds them with the shipped JSON Schemas and reports them with
//! these rules.

pub mod invalid_format;
pub mod invalid_value;
pub mod legacy_field;
pub mod legacy_value;
pub mod missing_field;
pub mod unknown_field;
pub mod unquoted_number;
pub mod wrong_type;
