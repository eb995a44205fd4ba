//! Lead scoring: rules (ADMIN and MANAGER), tracked engagement, and the
//! stored score with its history. See [`compute`] for the formula.

pub mod compute;
mod engagement;
mod rule;

pub use compute::{Which, recompute};
pub use engagement::{EngagementMutation, LeadScoreChange, score_history};
pub use rule::{LeadScoringRule, LeadScoringRuleOrderField, RuleMutation, RuleQuery};
