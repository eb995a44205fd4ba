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

#[derive(InputObject)]
pub struct CreateReasonInput {
    pub kind: ReasonKind,
    pub code: String,
    pub label: String,
}

/// Changes to a reason; the kind and code stay, as records carry them.
#[derive(InputObject, Default)]
pub struct UpdateReasonInput {
    pub label: Option<String>,
    pub active: Option<bool>,
}

#[derive(SimpleObject)]
pub struct ReasonPayload {
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
        input: CreateReasonInput,
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
        id: ID,
        input: UpdateReasonInput,
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
