//! House conventions: where files live and what every definition says.

pub mod empty_description;
pub mod folder_time_frame;
