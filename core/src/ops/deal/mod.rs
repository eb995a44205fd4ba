//! Deals: amounts moving through a pipeline's stages, with their contacts
//! and stage history.
//!
//! A deal's `status` always follows the kind of its stage: entering a WON or
//! LOST stage closes it (with `closed_at`), entering an OPEN stage reopens
//! it; moving between two stages of the same closed kind keeps the close
//! (its date and reason: the first win stands). Every stage a deal enters,
//! including its first, is recorded in `deal_stage_change`. SALES may change only its own deals and unowned ones
//! (`Table::check_write`), and may not give a deal to someone else. Deal
//! events go to the topic `pipeline:<pipeline id>`, which pipeline boards
//! subscribe to.
//!
//! Creating and editing are here; moving and closing in [`stage`], the
//! contacts on a deal in [`contacts`].

pub mod contacts;
pub mod stage;

use crate::store::Fresh;
use chrono::NaiveDate;
use entity::enums::{CustomFieldRecordType, DealContactRole, StageKind};
use entity::{company, contact, deal, deal_contact, member, pipeline};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, NotSet, Set};
use serde_json::json;
use uuid::Uuid;

pub use self::stage::Outcome;
use super::Patch;
use super::attribution;
use super::custom_field::{self, values::Given};
use super::external_id::{self, ExternalId};
use super::lifecycle::delete_or_restore;
use crate::Kind;
use crate::access::{Actor, Area};
use crate::domain::{currency, money, text};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::stored_figures::{self, Inputs, Owners, Weights};
use crate::store::{
    Author, Core, Table, check_reference, check_version, event_for, event_for_new, load_live, now,
    save_if_unchanged,
};

/// The longest deal name, and the longest close reason.
const TEXT_MAX: usize = 200;
/// The record type of deals' custom fields.
const CUSTOM: CustomFieldRecordType = CustomFieldRecordType::Deal;

/// A contact to put on a new deal, with their part in it.
#[derive(Debug, Clone, Copy)]
pub struct DealContact {
    pub contact_id: Uuid,
    pub role: DealContactRole,
}

/// A new deal.
#[derive(Debug, Clone)]
pub struct NewDeal {
    pub name: String,
    /// Not negative, with no more decimals than the currency has.
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    pub pipeline_id: Uuid,
    /// Its first stage, of `pipeline_id`; defaults to the pipeline's first OPEN stage.
    pub stage_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    /// The responsible member; defaults to the actor.
    pub owner_id: Option<Uuid>,
    pub expected_close_date: Option<NaiveDate>,
    /// The people involved, each at most once.
    pub contacts: Vec<DealContact>,
    /// Its ids in other systems.
    pub external_ids: Vec<ExternalId>,
    /// Its custom field values, by key.
    pub custom_fields: Given,
}

/// Changes to a deal's details; `Keep`/`None` fields stay. Stages change
/// through [`stage::move_to`] and [`stage::close`].
#[derive(Debug, Clone, Default)]
pub struct DealChanges {
    pub name: Option<String>,
    /// A new amount, in the (new) currency.
    pub amount: Option<Decimal>,
    /// A new ISO 4217 code; the amount must fit its decimals.
    pub currency: Option<String>,
    pub company_id: Patch<Uuid>,
    pub owner_id: Patch<Uuid>,
    pub expected_close_date: Patch<NaiveDate>,
    /// With `Some`, these custom field values (others stay).
    pub custom_fields: Option<Given>,
}

/// Creates a deal in its first stage and records that stage in its history.
pub async fn create(core: &Core, actor: &Actor, new: NewDeal) -> CoreResult<deal::Model> {
    core.alone(actor, async |txn| create_in(txn, actor, new).await)
        .await
}

/// Creates a deal in the caller's transaction and returns it with its
/// `deal.created` event, for the caller to commit (bulk writes, imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewDeal,
) -> CoreResult<(deal::Model, NewEvent)> {
    actor.require(Area::Deals)?;
    let external_ids = external_id::validate(new.external_ids, "input.externalIds")?;
    let name =
        text::required_name(&new.name, TEXT_MAX).map_err(CoreError::invalid("input.name"))?;
    let code = currency::normalize_currency(&new.currency)
        .map_err(CoreError::invalid("input.currency"))?;
    let amount_e4 =
        money::amount_e4(new.amount, &code).map_err(CoreError::invalid("input.amount"))?;
    check_assignment(actor, new.owner_id)?;
    let mut contacts: Vec<(DealContact, String)> = Vec::new();
    for (i, c) in new.contacts.into_iter().enumerate() {
        let field = format!("input.contacts.{i}.contactId");
        if contacts
            .iter()
            .any(|(seen, _)| seen.contact_id == c.contact_id)
        {
            return Err(CoreError::bad_input(field, "appears twice"));
        }
        contacts.push((c, field));
    }

    let pipeline_id = new.pipeline_id;
    check_reference::<pipeline::Entity>(txn, actor, Some(pipeline_id), "input.pipelineId").await?;
    let stage = match new.stage_id {
        Some(id) => stage::in_pipeline(txn, actor, id, pipeline_id, "input.stageId").await?,
        None => stage::first_of_kind(txn, actor, pipeline_id, StageKind::Open)
            .await?
            .ok_or_else(|| {
                CoreError::bad_input("input.pipelineId", "has no OPEN stage: give input.stageId")
            })?,
    };
    check_reference::<company::Entity>(txn, actor, new.company_id, "input.companyId").await?;
    check_reference::<member::Entity>(txn, actor, new.owner_id, "input.ownerId").await?;
    // The deal inherits the attribution of its first listed contact.
    let mut attributed_to = None;
    for (c, field) in &contacts {
        let found =
            check_reference::<contact::Entity>(txn, actor, Some(c.contact_id), field).await?;
        attributed_to = attributed_to.or(found);
    }
    let custom_fields =
        custom_field::values::for_new(txn, actor.workspace_id, CUSTOM, new.custom_fields).await?;

    let at = now();
    let id = crate::store::new_id();
    let mut model = deal::ActiveModel {
        custom_fields: Set(custom_fields),
        id: Set(id),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        amount_e4: Set(amount_e4),
        currency: Set(code),
        pipeline_id: Set(pipeline_id),
        company_id: Set(new.company_id),
        owner_id: Set(Some(new.owner_id.unwrap_or(actor.member_id))),
        expected_close_date: Set(new.expected_close_date),
        ..Default::default()
    }
    .fresh(at);
    if let Some(contact) = &attributed_to {
        attribution::copy_to_deal(&mut model, contact);
    }
    stage::enter(&mut model, &stage, at, None, None);
    let row = model.insert(txn).await?;
    stage::record_change(txn, actor, id, None, stage.id, at).await?;
    let weights = Weights::Deal {
        deal: id,
        stage: stage.id,
    };
    stored_figures::refresh_weights(txn, actor.workspace_id, weights).await?;
    customer_since(txn, actor, Owners::of(None, row.company_id)).await?;
    for (c, _) in contacts {
        deal_contact::ActiveModel {
            id: Set(crate::store::new_id()),
            workspace_id: Set(actor.workspace_id),
            deal_id: Set(id),
            contact_id: Set(c.contact_id),
            role: Set(c.role),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(txn)
        .await?;
    }
    let workspace = actor.workspace_id;
    let field = "input.externalIds";
    external_id::attach(txn, workspace, Kind::Deal, id, &external_ids, false, field).await?;
    let event = event_for_new::<deal::Entity>(&row, "created")?;
    Ok((row, event))
}

/// Changes deal `id`'s details; with `expected_version`, refuses
/// (`CONFLICT`) if it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: DealChanges,
    expected_version: Option<i32>,
) -> CoreResult<deal::Model> {
    actor.require(Area::Deals)?;
    let name = changes
        .name
        .as_deref()
        .map(|n| text::required_name(n, TEXT_MAX).map_err(CoreError::invalid("input.name")))
        .transpose()?;
    let code = changes
        .currency
        .as_deref()
        .map(|c| currency::normalize_currency(c).map_err(CoreError::invalid("input.currency")))
        .transpose()?;

    let txn = core.begin().await?;
    let current = current(&txn, actor, id, expected_version).await?;
    let code = code.unwrap_or_else(|| current.currency.clone());
    // A new currency re-checks the kept amount against its decimals; the
    // error then names the field the client changed.
    let (amount, field) = match changes.amount {
        Some(amount) => (amount, "input.amount"),
        None => (
            money::from_e4(current.amount_e4, &current.currency),
            "input.currency",
        ),
    };
    let amount_e4 = money::amount_e4(amount, &code).map_err(CoreError::invalid(field))?;
    if let Patch::Set(company) = changes.company_id {
        check_reference::<company::Entity>(&txn, actor, Some(company), "input.companyId").await?;
    }
    if let Patch::Set(owner) = changes.owner_id {
        check_assignment(actor, Some(owner))?;
        check_reference::<member::Entity>(&txn, actor, Some(owner), "input.ownerId").await?;
    }
    let (ws, given) = (actor.workspace_id, changes.custom_fields);
    let custom_fields =
        custom_field::values::for_change(&txn, ws, CUSTOM, id, &current.custom_fields, given)
            .await?;
    let model = deal::ActiveModel {
        custom_fields: custom_fields.map_or(NotSet, Set),
        name: Set(name.unwrap_or_else(|| current.name.clone())),
        amount_e4: Set(amount_e4),
        currency: Set(code),
        company_id: Set(changes.company_id.apply(current.company_id)),
        owner_id: Set(changes.owner_id.apply(current.owner_id)),
        expected_close_date: Set(changes
            .expected_close_date
            .apply(current.expected_close_date)),
        ..Default::default()
    };
    let row = save(&txn, actor, &current, model).await?;
    if (row.amount_e4, &row.currency) != (current.amount_e4, &current.currency) {
        let weights = Weights::Deal {
            deal: id,
            stage: row.stage_id,
        };
        stored_figures::refresh_weights(&txn, actor.workspace_id, weights).await?;
    }
    if row.company_id != current.company_id {
        let companies = Owners::of(None, current.company_id).and(None, row.company_id);
        customer_since(&txn, actor, companies).await?;
    }
    if row.owner_id == current.owner_id {
        return core
            .finish::<deal::Entity>(txn, actor, row, "updated")
            .await;
    }
    // A new owner: the event says whose it was, so a reader narrowed to its
    // team's or its own deals hears that the deal left its sight.
    let event = event_with(&row, "updated", json!({ "fromOwnerId": current.owner_id }))?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}

/// Soft-deletes (`delete`) or restores deal `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<deal::Model> {
    delete_or_restore::<deal::Entity>(core, actor, Area::Deals, id, expected_version, delete).await
}

/// The current live deal, which the actor may change, at `expected_version`
/// when given.
async fn current(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<deal::Model> {
    let current = load_live::<deal::Entity>(txn, actor, id).await?;
    deal::Entity::check_write(actor, &current)?;
    check_version(expected_version, current.version)?;
    Ok(current)
}

/// Writes `changes` to the deal only if it is still at `current.version`,
/// bumping the version; returns the deal as stored.
async fn save(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &deal::Model,
    mut changes: deal::ActiveModel,
) -> CoreResult<deal::Model> {
    changes.version = Set(current.version + 1);
    changes.updated_at = Set(now());
    save_if_unchanged::<deal::Entity>(txn, actor, current.id, current.version, changes).await
}

/// Recomputes since when `companies` are customers (their first won deal
/// or order), after a deal of theirs was won, reopened or moved between them.
pub(super) async fn customer_since(
    txn: &DatabaseTransaction,
    actor: &Actor,
    companies: Owners,
) -> CoreResult<()> {
    stored_figures::refresh(txn, actor.workspace_id, &companies, &[Inputs::Customer]).await
}

/// SALES may own deals but not give them to someone else.
fn check_assignment(actor: &Actor, owner: Option<Uuid>) -> CoreResult<()> {
    if actor.may_assign_deal(owner) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "SALES may not assign deals to another member".into(),
        ))
    }
}

/// An event whose payload is `{ deal, ...details }`.
fn event_with(row: &deal::Model, verb: &str, details: serde_json::Value) -> CoreResult<NewEvent> {
    let mut event = event_for::<deal::Entity>(row, verb)?;
    let mut payload = json!({ "deal": event.payload });
    if let (Some(all), serde_json::Value::Object(extra)) = (payload.as_object_mut(), details) {
        all.extend(extra);
    }
    event.payload = payload;
    Ok(event)
}
