//! The CRM's rules that are more than one value: calculated figures, lead
//! scoring and triggers.

pub mod figures;
pub mod scoring;
pub mod triggers;
