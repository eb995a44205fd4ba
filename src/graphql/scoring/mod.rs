//! Lead scoring: rules (ADMIN and MANAGER), tracked engagement, and the
//! stored score with its history. See [`compute`] for the formula.

mod engagement;
mod rule;

pub use engagement::{EngagementMutation, LeadScoreChange, score_history};
pub use rapport_core::rules::scoring::{Which, recompute};
pub use rule::{LeadScoringRule, LeadScoringRuleOrderField, RuleMutation, RuleQuery};
