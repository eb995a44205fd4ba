//! The workspace's lists of standardised reasons: why deals are won and
//! lost, why customers leave, why a survey scored as it did. Once a list has
//! entries, records of that kind accept only its active codes, so reports
//! can count reasons instead of reading free text.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::ReasonKind;
use entity::reason;
use rapport_macros::connections;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use super::context::writer;
use super::error::{ApiError, ApiResult};
use super::filter::{
    EnumFilter, IdFilter, RecordFilter, StringFilter, col, record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{self, Record};
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, SortKey};
use super::write::{self, begin, check_version, commit, event_for, load_live, now};
use crate::auth::{Actor, Area};
use crate::domain::text;

/// Longest reason code.
pub const CODE_MAX: usize = 100;

/// One standardised reason.
pub struct Reason(pub Row<reason::Model>);

impl Record for Reason {
    type Entity = reason::Entity;
    type Model = reason::Model;
    fn wrap(row: Row<reason::Model>) -> Self {
        Self(row)
    }
}

/// Fields reasons can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonOrderField {
    Kind,
    Code,
    Label,
}

impl ReasonOrderField {
    fn key(self) -> SortKey {
        let column = match self {
            Self::Kind => "kind",
            Self::Code => "code",
            Self::Label => "label",
        };
        SortKey {
            table: "reason",
            column,
            ty: KeyType::Text,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by kind, then code).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "reason",
            Self::key,
            &[Self::Kind.key(), Self::Code.key()],
        )
    }
}

/// Which reasons to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReasonFilter {
    pub and: Option<Vec<ReasonFilter>>,
    pub or: Option<Vec<ReasonFilter>>,
    pub not: Option<Box<ReasonFilter>>,
    pub id: Option<IdFilter>,
    pub kind: Option<EnumFilter<ReasonKind>>,
    pub code: Option<StringFilter>,
    pub active: Option<bool>,
}

impl RecordFilter for ReasonFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("reason", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Reason, "filter.id")?);
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c("kind")));
        }
        if let Some(f) = &self.code {
            all = all.add(f.condition(c("code"), backend));
        }
        if let Some(active) = self.active {
            all = all.add(sea_orm::sea_query::ExprTrait::eq(c("active"), active));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// An entry of a list of standardised reasons.
#[Object]
impl Reason {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Reason, self.0.model().id)
    }
    async fn kind(&self) -> ReasonKind {
        self.0.model().kind
    }
    /// The code records carry, e.g. `PRICE_TOO_HIGH`.
    async fn code(&self) -> &str {
        &self.0.model().code
    }
    async fn label(&self) -> &str {
        &self.0.model().label
    }
    /// Inactive reasons stay on old records but are refused on new ones.
    async fn active(&self) -> bool {
        self.0.model().active
    }
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
}

/// A reason code's shape: upper-case letters, digits and underscores.
pub fn code_shape(raw: &str, field: &str) -> ApiResult<String> {
    let code = raw.trim();
    let valid = !code.is_empty()
        && code.len() <= CODE_MAX
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(code.to_owned())
    } else {
        Err(ApiError::bad_input(
            field,
            "a reason code is like PRICE_TOO_HIGH (A–Z, 0–9, _)",
        ))
    }
}

/// Checks `code` for a record: its shape, and, when the workspace keeps a
/// list of `kind`, that it is one of the list's active codes.
pub async fn check_code<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    kind: ReasonKind,
    raw: &str,
    field: &str,
) -> ApiResult<String> {
    let code = code_shape(raw, field)?;
    check_listed(db, actor, kind, &code, field).await?;
    Ok(code)
}

/// When the workspace keeps a list of `kind`, refuses a `code` that is not
/// one of its active entries.
pub async fn check_listed<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    kind: ReasonKind,
    code: &str,
    field: &str,
) -> ApiResult<()> {
    let list = || {
        reason::Entity::find()
            .filter(list::scope::<Reason>(actor.workspace_id))
            .filter(sea_orm::ColumnTrait::eq(&reason::Column::Kind, kind))
    };
    if list().count(db).await? == 0 {
        return Ok(());
    }
    let found = list()
        .filter(sea_orm::ColumnTrait::eq(&reason::Column::Code, code))
        .filter(sea_orm::ColumnTrait::eq(&reason::Column::Active, true))
        .count(db)
        .await?;
    if found == 0 {
        return Err(ApiError::bad_input(
            field,
            format!("{code} is not an active reason of the workspace's {kind:?} list"),
        ));
    }
    Ok(())
}

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

fn payload(row: reason::Model) -> ReasonPayload {
    ReasonPayload {
        reason: Reason(Level::single(row)),
    }
}

#[derive(Default)]
pub struct ReasonMutation;

#[Object]
impl ReasonMutation {
    /// Adds a reason to one of the workspace's lists (ADMIN and MANAGER).
    async fn create_reason(
        &self,
        ctx: &Context<'_>,
        input: CreateReasonInput,
    ) -> ApiResult<ReasonPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let code = code_shape(&input.code, "input.code")?;
        let label =
            text::required_name(&input.label, 200).map_err(ApiError::invalid("input.label"))?;
        let txn = begin(ctx).await?;
        let taken = reason::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(
                &reason::Column::WorkspaceId,
                actor.workspace_id,
            ))
            .filter(sea_orm::ColumnTrait::eq(&reason::Column::Kind, input.kind))
            .filter(sea_orm::ColumnTrait::eq(
                &reason::Column::Code,
                code.as_str(),
            ))
            .count(&txn)
            .await?;
        if taken > 0 {
            return Err(ApiError::bad_input(
                "input.code",
                "the list already has this code (restore or reactivate it)",
            ));
        }
        let at = now();
        let row = reason::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            kind: Set(input.kind),
            code: Set(code),
            label: Set(label),
            active: Set(true),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<Reason>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Relabels a reason, or retires (`active: false`) or reactivates it.
    async fn update_reason(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateReasonInput,
        expected_version: Option<i32>,
    ) -> ApiResult<ReasonPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::Reason, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Reason>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let label = match &input.label {
            Some(label) => {
                text::required_name(label, 200).map_err(ApiError::invalid("input.label"))?
            }
            None => current.label.clone(),
        };
        let change = reason::ActiveModel {
            label: Set(label),
            active: Set(input.active.unwrap_or(current.active)),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        let row =
            write::save_if_unchanged::<Reason>(&txn, actor, id, current.version, change).await?;
        let event = event_for::<Reason>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Soft-deletes a reason.
    async fn delete_reason(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ReasonPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let reason = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(ReasonPayload { reason })
    }

    /// Restores a deleted reason.
    async fn restore_reason(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ReasonPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let reason = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(ReasonPayload { reason })
    }
}

#[derive(Default)]
pub struct ReasonQuery;

#[connections]
#[Object]
impl ReasonQuery {
    /// The workspace's standardised reasons (by kind and code unless `orderBy` says otherwise).
    listing!(reasons: Reason, ReasonFilter, ReasonOrderField);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_one_shape() {
        assert_eq!(code_shape(" PRICE_2 ", "f").unwrap(), "PRICE_2");
        assert!(code_shape("price", "f").is_err());
        assert!(code_shape("", "f").is_err());
        assert!(code_shape("_X", "f").is_err());
    }
}
