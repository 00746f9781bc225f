//! Rules for the AMAU/GMAU/SMAU/UMAU roles (`performance_indicator_type`).

pub mod duplicate_xmau;
pub mod stage_without_smau;
pub mod xmau_shape;
