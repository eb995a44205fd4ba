//! The live leaderboard (`leaderboardUpdates`): the `leaderboard` query's
//! entries, pushed again whenever a deal is won (or a won deal changes,
//! closes otherwise or is deleted), a goal changes or a member's name or
//! commission rate does, so that reps compare their results with their
//! peers as they happen.

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use rapport_core::Kind;
use rapport_core::error::CoreError;

use super::events;
use super::recomputed::recomputed;
use crate::graphql::analytics::leaderboard::{LeaderboardEntry, in_sight, leaderboard};
use crate::graphql::analytics::{PeriodInput, scope};
use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiError;

#[derive(Default)]
pub struct LeaderboardSubscription;

#[Subscription]
impl LeaderboardSubscription {
    /// The leaderboard of a period, as the `leaderboard` query answers it:
    /// sent at once, then again whenever it changes because a deal was won
    /// (or a won deal changed), a goal changed or a member did, at most once
    /// per 250 ms. Refused (`FORBIDDEN`) to roles that see no deal amounts.
    async fn leaderboard_updates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The period the figures cover.")] period: PeriodInput,
        #[graphql(desc = "Only this pipeline's deals (global id).")] pipeline_id: Option<ID>,
    ) -> Result<impl Stream<Item = Vec<LeaderboardEntry>> + use<>, ApiError> {
        let actor = actor(ctx)?;
        if !actor.sees_amounts() {
            return Err(ApiError(CoreError::Forbidden(
                "this role sees no deal amounts".into(),
            )));
        }
        let scope = scope(ctx, period, pipeline_id, None).await?;
        let db = state(ctx)?.db.clone();
        let deal_topic = scope.pipeline_id.map(|id| format!("pipeline:{id}"));
        let relevant = move |e: &entity::event::Model| {
            if e.record_type == Kind::Deal.name() {
                deal_topic.as_ref().is_none_or(|topic| e.topic == *topic)
            } else {
                e.record_type == Kind::Goal.name() || e.record_type == Kind::Member.name()
            }
        };
        let changes = events(ctx, scope.workspace_id, None).await?;
        let reader = actor.clone();
        let first = in_sight(&reader, leaderboard(&db, &scope).await?);
        let recompute = move || {
            let db = db.clone();
            let reader = reader.clone();
            let scope = scope.clone();
            async move {
                let entries = leaderboard(&db, &scope).await?;
                Ok::<_, CoreError>(in_sight(&reader, entries))
            }
        };
        Ok(recomputed(
            first,
            changes,
            relevant,
            recompute,
            |entries: &Vec<LeaderboardEntry>| fingerprint(entries),
            "leaderboardUpdates",
        ))
    }
}

/// What the entries show, to push only a leaderboard that changed (a deal
/// moved between open stages changes nothing here).
fn fingerprint(entries: &[LeaderboardEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|entry| {
            let goals: Vec<_> = entry
                .goals
                .iter()
                .map(|progress| (progress.goal.0.model(), progress.won))
                .collect();
            format!(
                "{:?}",
                (
                    entry.member.0.model(),
                    entry.won_count,
                    &entry.won_amount,
                    &entry.commission,
                    goals
                )
            )
        })
        .collect()
}
