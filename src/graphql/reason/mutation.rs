//! Reason mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::ReasonKind;
use rapport_core::ops::reason::{self, NewReason, ReasonChanges};
use rapport_macros::connections;

use super::Reason;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// A new standardised reason (ADMIN and MANAGER).
#[derive(InputObject)]
pub struct CreateReasonInput {
    /// Which list the reason belongs to.
    pub kind: ReasonKind,
    /// The code records carry, e.g. `PRICE_TOO_HIGH`.
    pub code: String,
    /// What people read, e.g. "Price too high".
    pub label: String,
}

/// Changes to a reason; the kind and code stay, as records carry them.
#[derive(InputObject, Default)]
pub struct UpdateReasonInput {
    /// What people read. Left as it is when omitted.
    pub label: Option<String>,
    /// Inactive reasons stay on old records but are refused on new ones. Left as it is when
    /// omitted.
    pub active: Option<bool>,
}

/// The result of a reason mutation.
#[derive(SimpleObject)]
pub struct ReasonPayload {
    /// The Reason as the mutation left it.
    pub reason: Reason,
}

impl ReasonPayload {
    fn of(row: entity::reason::Model) -> Self {
        Self {
            reason: Reason(Level::single(row)),
        }
    }
}

#[derive(Default)]
pub struct ReasonMutation;

#[connections]
#[Object]
impl ReasonMutation {
    /// Adds a reason to one of the workspace's lists (ADMIN and MANAGER).
    async fn create_reason(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateReasonInput,
    ) -> ApiResult<ReasonPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let new = NewReason {
            kind: input.kind,
            code: input.code,
            label: input.label,
        };
        Ok(ReasonPayload::of(reason::create(core, actor, new).await?))
    }

    /// Relabels a reason, or retires (`active: false`) or reactivates it.
    async fn update_reason(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateReasonInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ReasonPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::Reason, "id")?;
        let changes = ReasonChanges {
            label: input.label,
            active: input.active,
        };
        let row = reason::update(core, actor, id, changes, expected_version).await?;
        Ok(ReasonPayload::of(row))
    }

    /// Soft-deletes a reason.
    lifecycle!(delete_reason: ReasonPayload, Settings, Reason, reason::delete, true);

    /// Restores a deleted reason.
    lifecycle!(restore_reason: ReasonPayload, Settings, Reason, reason::delete, false);
}
