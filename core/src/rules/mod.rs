//! The CRM's rules that are more than one value: lead scoring and triggers.

pub mod scoring;
pub mod triggers;
