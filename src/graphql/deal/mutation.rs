//! Deal mutations: create, edit, move between stages, close, delete, and the
//! contacts on a deal.
//!
//! A deal's `status` always follows the kind of its stage: entering a WON or
//! LOST stage closes it (with `closedAt`), entering an OPEN stage reopens it.
//! Every stage a deal enters, including its first, is recorded in
//! `deal_stage_change`.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{DealContactRole, DealStatus, ReasonKind, StageKind};
use entity::{deal, deal_contact, deal_stage_change, stage};
use rapport_core::error::CoreError;
use rust_decimal::Decimal;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use uuid::Uuid;

use super::Deal;
use crate::auth::{Actor, Area};
use crate::domain::{currency, money, text};
use crate::events::NewEvent;
use crate::graphql::company::Company;
use crate::graphql::contact::Contact;
use crate::graphql::context::writer;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::col;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::list;
use crate::graphql::member::Member;
use crate::graphql::pipeline::{Pipeline, Stage};
use crate::graphql::reason::check_listed;
use crate::graphql::write::{
    self, begin, check_reference, check_version, commit, event_for, expect_one_row, load_live, now,
};

/// The longest deal name, and the longest close reason.
const TEXT_MAX: usize = 200;

/// How a deal ends.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealOutcome {
    /// The customer bought.
    Won,
    /// The customer did not buy.
    Lost,
}

/// A contact to put on a new deal.
#[derive(InputObject)]
pub struct DealContactInput {
    /// The contact.
    pub contact_id: ID,
    /// Their part in the deal.
    pub role: DealContactRole,
}

/// A new deal.
#[derive(InputObject)]
pub struct CreateDealInput {
    /// The deal's name.
    pub name: String,
    /// Not negative, with no more decimals than the currency has.
    pub amount: Decimal,
    /// ISO 4217 code, e.g. EUR.
    pub currency: String,
    /// The pipeline it moves through.
    pub pipeline_id: ID,
    /// Its first stage, of `pipelineId`; defaults to the pipeline's first OPEN stage.
    pub stage_id: Option<ID>,
    /// The customer company.
    pub company_id: Option<ID>,
    /// The responsible member; defaults to the caller.
    pub owner_id: Option<ID>,
    /// When it is expected to close.
    pub expected_close_date: Option<NaiveDate>,
    /// The people involved, each at most once.
    pub contacts: Option<Vec<DealContactInput>>,
}

/// Changes to a deal; omitted fields stay, `null` clears. Stages change through `moveDeal` and `closeDeal`.
#[derive(InputObject, Default)]
pub struct UpdateDealInput {
    /// A new name.
    pub name: Option<String>,
    /// A new amount, in the (new) currency.
    pub amount: Option<Decimal>,
    /// A new ISO 4217 code; the amount must fit its decimals.
    pub currency: Option<String>,
    /// The customer company.
    pub company_id: MaybeUndefined<ID>,
    /// The responsible member.
    pub owner_id: MaybeUndefined<ID>,
    /// When it is expected to close.
    pub expected_close_date: MaybeUndefined<NaiveDate>,
}

/// The result of a deal mutation.
#[derive(SimpleObject)]
pub struct DealPayload {
    /// The deal after the change.
    pub deal: Deal,
}

fn status_of(kind: StageKind) -> DealStatus {
    match kind {
        StageKind::Open => DealStatus::Open,
        StageKind::Won => DealStatus::Won,
        StageKind::Lost => DealStatus::Lost,
    }
}

/// Puts the deal into `stage` at `at`: its status follows the stage's kind;
/// a closed deal gets `closed_at` and `reason`, an open one loses both.
fn enter_stage(
    model: &mut deal::ActiveModel,
    stage: &stage::Model,
    at: DateTime<Utc>,
    reason: Option<String>,
) {
    let status = status_of(stage.kind);
    let closed = status != DealStatus::Open;
    model.stage_id = Set(stage.id);
    model.stage_entered_at = Set(at);
    model.status = Set(status);
    model.closed_at = Set(closed.then_some(at));
    model.close_reason = Set(if closed { reason } else { None });
}

async fn record_stage_change(
    txn: &DatabaseTransaction,
    actor: &Actor,
    deal_id: Uuid,
    from: Option<Uuid>,
    to: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    deal_stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(actor.workspace_id),
        deal_id: Set(deal_id),
        from_stage_id: Set(from),
        to_stage_id: Set(to),
        changed_by: Set(Some(actor.member_id)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The first live stage of `kind` in a pipeline, by position.
async fn first_stage(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pipeline_id: Uuid,
    kind: StageKind,
) -> ApiResult<Option<stage::Model>> {
    Ok(stage::Entity::find()
        .filter(list::scope::<Stage>(actor.workspace_id))
        .filter(col("stage", "pipeline_id").eq(pipeline_id))
        .filter(col("stage", "kind").eq(kind))
        .order_by_asc(stage::Column::Position)
        .order_by_asc(stage::Column::Id)
        .one(txn)
        .await?)
}

/// A live stage of the deal's pipeline, refused on `field` otherwise.
async fn stage_in_pipeline(
    txn: &DatabaseTransaction,
    actor: &Actor,
    stage_id: Uuid,
    pipeline_id: Uuid,
    field: &str,
) -> ApiResult<stage::Model> {
    let stage = check_reference::<Stage>(txn, actor, Some(stage_id), field)
        .await?
        .ok_or_else(|| ApiError::bad_input(field, "no such Stage"))?;
    if stage.pipeline_id != pipeline_id {
        return Err(ApiError::bad_input(field, "belongs to another pipeline"));
    }
    Ok(stage)
}

/// Writes `changes` to the deal only if it is still at `current.version`,
/// bumping the version; returns the deal as stored.
async fn save(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &deal::Model,
    mut changes: deal::ActiveModel,
) -> ApiResult<deal::Model> {
    changes.version = Set(current.version + 1);
    changes.updated_at = Set(now());
    let rows = deal::Entity::update_many()
        .set(changes)
        .filter(col("deal", "workspace_id").eq(actor.workspace_id))
        .filter(col("deal", "id").eq(current.id))
        .filter(col("deal", "version").eq(current.version))
        .exec(txn)
        .await?
        .rows_affected;
    expect_one_row(rows)?;
    load_live::<Deal>(txn, actor, current.id).await
}

/// An event whose payload is `{ deal, ...details }`.
fn event_with(row: &deal::Model, verb: &str, details: serde_json::Value) -> ApiResult<NewEvent> {
    let mut event = event_for::<Deal>(row, verb)?;
    let mut payload = json!({ "deal": event.payload });
    if let (Some(all), serde_json::Value::Object(extra)) = (payload.as_object_mut(), details) {
        all.extend(extra);
    }
    event.payload = payload;
    Ok(event)
}

/// The current live deal, at `expected_version` when given.
async fn current_deal(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> ApiResult<deal::Model> {
    let current = load_live::<Deal>(txn, actor, id).await?;
    <entity::deal::Entity as rapport_core::store::Table>::check_write(actor, &current)?;
    check_version(expected_version, current.version)?;
    Ok(current)
}

/// `current` after a change that may be absent (keep), `null` (clear) or a value.
fn updated<T>(change: MaybeUndefined<T>, current: Option<T>) -> Option<T> {
    let mut value = current;
    change.update_to(&mut value);
    value
}

/// SALES may own deals but not give them to someone else.
fn check_assignment(actor: &Actor, owner: Option<Uuid>) -> ApiResult<()> {
    if actor.may_assign_deal(owner) {
        Ok(())
    } else {
        Err(ApiError(CoreError::Forbidden(
            "SALES may not assign deals to another member".into(),
        )))
    }
}

fn payload(row: deal::Model) -> DealPayload {
    DealPayload {
        deal: Deal(Level::single(row)),
    }
}

/// Deal mutations.
#[derive(Default)]
pub struct DealMutation;

#[Object]
impl DealMutation {
    /// Creates a deal in its first stage and records that stage in its history.
    async fn create_deal(
        &self,
        ctx: &Context<'_>,
        input: CreateDealInput,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let name =
            text::required_name(&input.name, TEXT_MAX).map_err(ApiError::invalid("input.name"))?;
        let code = currency::normalize_currency(&input.currency)
            .map_err(ApiError::invalid("input.currency"))?;
        let amount_e4 =
            money::amount_e4(input.amount, &code).map_err(ApiError::invalid("input.amount"))?;
        let pipeline_id = ids::decode(&input.pipeline_id, Kind::Pipeline, "input.pipelineId")?;
        let stage_id = ids::decode_opt(input.stage_id.as_ref(), Kind::Stage, "input.stageId")?;
        let company_id =
            ids::decode_opt(input.company_id.as_ref(), Kind::Company, "input.companyId")?;
        let owner_id = ids::decode_opt(input.owner_id.as_ref(), Kind::Member, "input.ownerId")?;
        check_assignment(actor, owner_id)?;
        let mut contacts: Vec<(Uuid, DealContactRole, String)> = Vec::new();
        for (i, c) in input.contacts.unwrap_or_default().into_iter().enumerate() {
            let field = format!("input.contacts.{i}.contactId");
            let id = ids::decode(&c.contact_id, Kind::Contact, &field)?;
            if contacts.iter().any(|(seen, _, _)| *seen == id) {
                return Err(ApiError::bad_input(field, "appears twice"));
            }
            contacts.push((id, c.role, field));
        }

        let txn = begin(ctx).await?;
        check_reference::<Pipeline>(&txn, actor, Some(pipeline_id), "input.pipelineId").await?;
        let stage = match stage_id {
            Some(id) => stage_in_pipeline(&txn, actor, id, pipeline_id, "input.stageId").await?,
            None => first_stage(&txn, actor, pipeline_id, StageKind::Open)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input("input.pipelineId", "has no OPEN stage: give input.stageId")
                })?,
        };
        check_reference::<Company>(&txn, actor, company_id, "input.companyId").await?;
        check_reference::<Member>(&txn, actor, owner_id, "input.ownerId").await?;
        for (id, _, field) in &contacts {
            check_reference::<Contact>(&txn, actor, Some(*id), field).await?;
        }

        let at = now();
        let id = Uuid::now_v7();
        let mut model = deal::ActiveModel {
            id: Set(id),
            workspace_id: Set(actor.workspace_id),
            name: Set(name),
            amount_e4: Set(amount_e4),
            currency: Set(code),
            pipeline_id: Set(pipeline_id),
            company_id: Set(company_id),
            owner_id: Set(Some(owner_id.unwrap_or(actor.member_id))),
            expected_close_date: Set(input.expected_close_date),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        enter_stage(&mut model, &stage, at, None);
        let row = model.insert(&txn).await?;
        record_stage_change(&txn, actor, id, None, stage.id, at).await?;
        for (contact_id, role, _) in contacts {
            deal_contact::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(actor.workspace_id),
                deal_id: Set(id),
                contact_id: Set(contact_id),
                role: Set(role),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&txn)
            .await?;
        }
        let event = event_for::<Deal>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Changes a deal's details. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateDealInput,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let id = ids::decode(&id, Kind::Deal, "id")?;
        let name = input
            .name
            .as_deref()
            .map(|n| text::required_name(n, TEXT_MAX).map_err(ApiError::invalid("input.name")))
            .transpose()?;
        let code = input
            .currency
            .as_deref()
            .map(|c| currency::normalize_currency(c).map_err(ApiError::invalid("input.currency")))
            .transpose()?;
        let company_id = input
            .company_id
            .map_value(|c| ids::decode(&c, Kind::Company, "input.companyId"))
            .transpose()?;
        let owner_id = input
            .owner_id
            .map_value(|o| ids::decode(&o, Kind::Member, "input.ownerId"))
            .transpose()?;

        let txn = begin(ctx).await?;
        let current = current_deal(&txn, actor, id, expected_version).await?;
        let code = code.unwrap_or_else(|| current.currency.clone());
        // A new currency re-checks the kept amount against its decimals; the
        // error then names the field the client changed.
        let (amount, field) = match input.amount {
            Some(amount) => (amount, "input.amount"),
            None => (
                money::from_e4(current.amount_e4, &current.currency),
                "input.currency",
            ),
        };
        let amount_e4 = money::amount_e4(amount, &code).map_err(ApiError::invalid(field))?;
        if let MaybeUndefined::Value(company) = company_id {
            check_reference::<Company>(&txn, actor, Some(company), "input.companyId").await?;
        }
        if let MaybeUndefined::Value(owner) = owner_id {
            check_assignment(actor, Some(owner))?;
            check_reference::<Member>(&txn, actor, Some(owner), "input.ownerId").await?;
        }
        let changes = deal::ActiveModel {
            name: Set(name.unwrap_or_else(|| current.name.clone())),
            amount_e4: Set(amount_e4),
            currency: Set(code),
            company_id: Set(updated(company_id, current.company_id)),
            owner_id: Set(updated(owner_id, current.owner_id)),
            expected_close_date: Set(updated(
                input.expected_close_date,
                current.expected_close_date,
            )),
            ..Default::default()
        };
        let row = save(&txn, actor, &current, changes).await?;
        let event = event_for::<Deal>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Moves a deal to another stage of its pipeline. Entering a WON or LOST
    /// stage closes the deal; entering an OPEN stage reopens it. Moving to the
    /// stage it is in changes nothing.
    async fn move_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        stage_id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let id = ids::decode(&id, Kind::Deal, "id")?;
        let stage_id = ids::decode(&stage_id, Kind::Stage, "stageId")?;
        let txn = begin(ctx).await?;
        let current = current_deal(&txn, actor, id, expected_version).await?;
        let stage =
            stage_in_pipeline(&txn, actor, stage_id, current.pipeline_id, "stageId").await?;
        if stage.id == current.stage_id {
            return Ok(payload(current));
        }
        let at = now();
        let mut changes = <deal::ActiveModel as Default>::default();
        enter_stage(&mut changes, &stage, at, None);
        let row = save(&txn, actor, &current, changes).await?;
        record_stage_change(&txn, actor, id, Some(current.stage_id), stage.id, at).await?;
        let event = event_with(
            &row,
            "moved",
            json!({ "fromStageId": current.stage_id, "toStageId": stage.id }),
        )?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Closes a deal as won or lost: moves it to its pipeline's first stage of
    /// that kind (refused when there is none) and records `reason`. A deal
    /// already closed that way keeps its stage and gets the new reason.
    async fn close_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        outcome: DealOutcome,
        reason: String,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let id = ids::decode(&id, Kind::Deal, "id")?;
        let reason = text::required_name(&reason, TEXT_MAX).map_err(ApiError::invalid("reason"))?;
        let (kind, kind_name) = match outcome {
            DealOutcome::Won => (StageKind::Won, "WON"),
            DealOutcome::Lost => (StageKind::Lost, "LOST"),
        };
        let txn = begin(ctx).await?;
        let list = match outcome {
            DealOutcome::Won => ReasonKind::DealWon,
            DealOutcome::Lost => ReasonKind::DealLost,
        };
        check_listed(&txn, actor, list, &reason, "reason").await?;
        let current = current_deal(&txn, actor, id, expected_version).await?;
        let at = now();
        let (changes, to_stage) = if current.status == status_of(kind) {
            let changes = deal::ActiveModel {
                close_reason: Set(Some(reason.clone())),
                ..Default::default()
            };
            (changes, current.stage_id)
        } else {
            let stage = first_stage(&txn, actor, current.pipeline_id, kind)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input(
                        "outcome",
                        format!("the deal's pipeline has no {kind_name} stage"),
                    )
                })?;
            let mut changes = <deal::ActiveModel as Default>::default();
            enter_stage(&mut changes, &stage, at, Some(reason.clone()));
            (changes, stage.id)
        };
        let row = save(&txn, actor, &current, changes).await?;
        if to_stage != current.stage_id {
            record_stage_change(&txn, actor, id, Some(current.stage_id), to_stage, at).await?;
        }
        let details = json!({ "fromStageId": current.stage_id, "toStageId": to_stage, "outcome": kind_name, "reason": reason });
        let event = event_with(&row, "closed", details)?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Soft-deletes a deal: lists skip it, `restoreDeal` brings it back.
    async fn delete_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let deal = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(DealPayload { deal })
    }

    /// Restores a deleted deal.
    async fn restore_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let deal = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(DealPayload { deal })
    }

    /// Puts a contact on a deal with a role, or changes the role of one already on it.
    async fn add_deal_contact(
        &self,
        ctx: &Context<'_>,
        deal_id: ID,
        contact_id: ID,
        role: DealContactRole,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let deal_id = ids::decode(&deal_id, Kind::Deal, "dealId")?;
        let contact_id = ids::decode(&contact_id, Kind::Contact, "contactId")?;
        let txn = begin(ctx).await?;
        let current = current_deal(&txn, actor, deal_id, expected_version).await?;
        check_reference::<Contact>(&txn, actor, Some(contact_id), "contactId").await?;
        let at = now();
        let existing = deal_contact::Entity::find()
            .filter(col("deal_contact", "workspace_id").eq(actor.workspace_id))
            .filter(col("deal_contact", "deal_id").eq(deal_id))
            .filter(col("deal_contact", "contact_id").eq(contact_id))
            .one(&txn)
            .await?;
        match existing {
            Some(link) => {
                let mut link = link.into_active_model();
                link.role = Set(role);
                link.updated_at = Set(at);
                link.update(&txn).await?;
            }
            None => {
                deal_contact::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(actor.workspace_id),
                    deal_id: Set(deal_id),
                    contact_id: Set(contact_id),
                    role: Set(role),
                    created_at: Set(at),
                    updated_at: Set(at),
                }
                .insert(&txn)
                .await?;
            }
        }
        let row = save(
            &txn,
            actor,
            &current,
            <deal::ActiveModel as Default>::default(),
        )
        .await?;
        let event = event_for::<Deal>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Takes a contact off a deal.
    async fn remove_deal_contact(
        &self,
        ctx: &Context<'_>,
        deal_id: ID,
        contact_id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let actor = writer(ctx, Area::Deals)?;
        let deal_id = ids::decode(&deal_id, Kind::Deal, "dealId")?;
        let contact_id = ids::decode(&contact_id, Kind::Contact, "contactId")?;
        let txn = begin(ctx).await?;
        let current = current_deal(&txn, actor, deal_id, expected_version).await?;
        let removed = deal_contact::Entity::delete_many()
            .filter(col("deal_contact", "workspace_id").eq(actor.workspace_id))
            .filter(col("deal_contact", "deal_id").eq(deal_id))
            .filter(col("deal_contact", "contact_id").eq(contact_id))
            .exec(&txn)
            .await?
            .rows_affected;
        if removed == 0 {
            return Err(ApiError::bad_input("contactId", "is not on this deal"));
        }
        let row = save(
            &txn,
            actor,
            &current,
            <deal::ActiveModel as Default>::default(),
        )
        .await?;
        let event = event_for::<Deal>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }
}
