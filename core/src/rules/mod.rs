//! The CRM's rules that are more than one value: calculated figures (and
//! keeping the stored ones current), lead scoring and triggers.

pub mod affinity;
pub mod analytics;
pub mod figures;
pub mod scoring;
pub mod stored_figures;
pub mod sums;
pub mod triggers;
