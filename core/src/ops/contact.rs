//! Contacts: create, change, delete and restore.

use crate::store::Fresh;
use chrono::{NaiveDate, Utc};
use entity::enums::{CustomFieldRecordType, LifecycleStage};
use entity::{company, contact, member};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, NotSet, QueryFilter, Set};
use uuid::Uuid;

use super::Patch;
use super::custom_field::{self, values::Given};
use super::external_id::{self, ExternalId};
use super::lifecycle::delete_or_restore;
use super::unique::Unique;
use crate::Kind;
use crate::access::{Actor, Area};
use crate::domain::{email, phone, text};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::scoring::{self, Which};
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{
    Core, check_reference, check_version, col, event_for, event_for_new, expect_one_row, load_live,
    now,
};

/// A new contact.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    /// Any common format; numbers without `+` are read in `country`'s numbering plan.
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub lifecycle_stage: LifecycleStage,
    pub city: Option<String>,
    pub country: Option<String>,
    pub birthdate: Option<NaiveDate>,
    pub company_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    /// Its ids in other systems.
    pub external_ids: Vec<ExternalId>,
    /// Its custom field values, by key.
    pub custom_fields: Given,
}

/// Changes to a contact; `None` and `Patch::Keep` fields stay.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Patch<String>,
    pub phone: Patch<String>,
    pub job_title: Patch<String>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub city: Patch<String>,
    pub country: Patch<String>,
    pub birthdate: Patch<NaiveDate>,
    pub company_id: Patch<Uuid>,
    pub owner_id: Patch<Uuid>,
    /// With `Some`, the contact's whole set of external ids.
    pub external_ids: Option<Vec<ExternalId>>,
    /// With `Some`, these custom field values (others stay).
    pub custom_fields: Option<Given>,
}

impl From<NewContact> for ContactChanges {
    /// Every field set as in `new` (an upsert's update).
    fn from(new: NewContact) -> Self {
        Self {
            first_name: Some(new.first_name),
            last_name: Some(new.last_name),
            email: Patch::from_option(new.email),
            phone: Patch::from_option(new.phone),
            job_title: Patch::from_option(new.job_title),
            lifecycle_stage: Some(new.lifecycle_stage),
            city: Patch::from_option(new.city),
            country: Patch::from_option(new.country),
            birthdate: Patch::from_option(new.birthdate),
            company_id: Patch::from_option(new.company_id),
            owner_id: Patch::from_option(new.owner_id),
            external_ids: Some(new.external_ids),
            custom_fields: Some(new.custom_fields),
        }
    }
}

/// Creates a contact. The email, when given, must be unused in the workspace.
pub async fn create(core: &Core, actor: &Actor, new: NewContact) -> CoreResult<contact::Model> {
    core.alone(actor, async |txn| create_in(txn, actor, new).await)
        .await
}

/// Creates a contact in the caller's transaction and returns it with its
/// `contact.created` event, for the caller to commit (bulk writes, imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewContact,
) -> CoreResult<(contact::Model, NewEvent)> {
    actor.require(Area::Contacts)?;
    let (company_id, owner_id) = (new.company_id, new.owner_id);
    let definitions = custom_field::definitions(txn, actor.workspace_id, CUSTOM, false).await?;
    let (model, external_ids) = check_new(actor, new, &definitions)?;
    check_reference::<company::Entity>(txn, actor, company_id, "input.companyId").await?;
    check_reference::<member::Entity>(txn, actor, owner_id, "input.ownerId").await?;
    let custom = model.custom_fields.try_as_ref();
    custom_field::values::check_unique_new(txn, actor.workspace_id, CUSTOM, &definitions, custom)
        .await?;
    let at = now();
    let row = model
        .insert(txn)
        .await
        .map_err(EMAIL.or_taken("input.email"))?;
    let (kind, field) = (Kind::Contact, external_id::INPUT_FIELD);
    external_id::attach(
        txn,
        actor.workspace_id,
        kind,
        row.id,
        &external_ids,
        false,
        field,
    )
    .await?;
    scoring::recompute(
        txn,
        actor.workspace_id,
        Which::Contact(row.id),
        "contact created",
        at,
    )
    .await?;
    // Its company's best lead score counts the new contact.
    let owners = Owners::of(None, row.company_id);
    stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::LeadScores]).await?;
    // Read back: scoring has just set the lead score.
    let row = load_live::<contact::Entity>(txn, actor, row.id).await?;
    let event = event_for_new::<contact::Entity>(&row, "created")?;
    Ok((row, event))
}

/// A new contact checked without the database (its company and owner, its
/// email's and unique fields' freedom are the caller's to check): its row,
/// stamped at the clock's time, and its external ids. `definitions`: the
/// workspace's live contact fields. An import's batch checks many this way
/// and writes them together.
pub fn check_new(
    actor: &Actor,
    new: NewContact,
    definitions: &[entity::custom_field::Model],
) -> CoreResult<(contact::ActiveModel, Vec<ExternalId>)> {
    let external_ids = external_id::validate(new.external_ids, external_id::INPUT_FIELD)?;
    let fields = Fields {
        first_name: new.first_name,
        last_name: new.last_name,
        email: new.email,
        phone: new.phone,
        job_title: new.job_title,
        lifecycle_stage: new.lifecycle_stage,
        city: new.city,
        country: new.country,
        birthdate: new.birthdate,
        company_id: new.company_id,
        owner_id: new.owner_id,
    }
    .validate()?;
    let custom_fields = custom_field::values::checked_new(definitions, new.custom_fields)?;
    let at = now();
    let mut model = contact::ActiveModel {
        custom_fields: Set(custom_fields),
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        ..Default::default()
    }
    .fresh(at);
    fields.apply(&mut model);
    Ok((model, external_ids))
}

/// Changes contact `id`; with `expected_version`, refuses (`CONFLICT`) if it
/// changed since. Its lead score follows its fields.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: ContactChanges,
    expected_version: Option<i32>,
) -> CoreResult<contact::Model> {
    core.alone(actor, async |txn| {
        update_in(txn, actor, id, changes, expected_version).await
    })
    .await
}

/// Changes contact `id` in the caller's transaction and returns it with its
/// `contact.updated` event, for the caller to commit.
pub async fn update_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    changes: ContactChanges,
    expected_version: Option<i32>,
) -> CoreResult<(contact::Model, NewEvent)> {
    actor.require(Area::Contacts)?;
    let external_ids = changes
        .external_ids
        .map(|ids| external_id::validate(ids, external_id::INPUT_FIELD))
        .transpose()?;
    let current = load_live::<contact::Entity>(txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    // An erased person stays erased: writing identity onto the anonymised
    // row would undo the erasure. New data about them is a new contact.
    if current.erased_at.is_some() {
        return Err(CoreError::bad_input(
            "id",
            "this contact is erased: it cannot be changed",
        ));
    }
    let fields = Fields {
        first_name: changes
            .first_name
            .unwrap_or_else(|| current.first_name.clone()),
        last_name: changes
            .last_name
            .unwrap_or_else(|| current.last_name.clone()),
        email: changes.email.apply(current.email.clone()),
        phone: changes.phone.apply(current.phone.clone()),
        job_title: changes.job_title.apply(current.job_title.clone()),
        lifecycle_stage: changes.lifecycle_stage.unwrap_or(current.lifecycle_stage),
        city: changes.city.apply(current.city.clone()),
        country: changes.country.apply(current.country.clone()),
        birthdate: changes.birthdate.apply(current.birthdate),
        company_id: changes.company_id.apply(current.company_id),
        owner_id: changes.owner_id.apply(current.owner_id),
    }
    .validate()?;
    fields.check_references(txn, actor).await?;
    let (ws, given) = (actor.workspace_id, changes.custom_fields);
    let custom_fields =
        custom_field::values::for_change(txn, ws, CUSTOM, id, &current.custom_fields, given)
            .await?;
    let mut model = contact::ActiveModel {
        custom_fields: custom_fields.map_or(NotSet, Set),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    fields.apply(&mut model);
    // By hand rather than `save_if_unchanged`, which would turn the unique
    // violation of a taken email into an internal error before we see it.
    let rows = contact::Entity::update_many()
        .set(model)
        .filter(col("contact", "workspace_id").eq(ws))
        .filter(col("contact", "id").eq(id))
        .filter(col("contact", "version").eq(current.version))
        .exec(txn)
        .await
        .map_err(EMAIL.or_taken("input.email"))?
        .rows_affected;
    expect_one_row(rows)?;
    if let Some(ids) = external_ids {
        let (kind, field) = (Kind::Contact, external_id::INPUT_FIELD);
        external_id::attach(txn, actor.workspace_id, kind, id, &ids, true, field).await?;
    }
    let reason = "contact updated";
    scoring::recompute(txn, actor.workspace_id, Which::Contact(id), reason, now()).await?;
    let row = load_live::<contact::Entity>(txn, actor, id).await?;
    if row.company_id != current.company_id {
        // Its answers, engagements (touches) and lead score move from one
        // company's figures to the other's.
        let owners = Owners::of(None, current.company_id).and(None, row.company_id);
        let inputs = [Inputs::Surveys, Inputs::LeadScores];
        stored_figures::refresh(txn, actor.workspace_id, &owners, &inputs).await?;
    }
    let event = event_for::<contact::Entity>(&row, "updated")?;
    Ok((row, event))
}

/// Soft-deletes (`delete`) or restores contact `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<contact::Model> {
    delete_or_restore::<contact::Entity>(core, actor, Area::Contacts, id, expected_version, delete)
        .await
}

/// The editable fields of a contact, as sent (create) or as they will be (update).
struct Fields {
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    job_title: Option<String>,
    lifecycle_stage: LifecycleStage,
    city: Option<String>,
    country: Option<String>,
    birthdate: Option<NaiveDate>,
    company_id: Option<Uuid>,
    owner_id: Option<Uuid>,
}

impl Fields {
    /// Normalises and checks every value (references are checked apart, in the transaction).
    fn validate(mut self) -> CoreResult<Self> {
        self.first_name = text::required_name(&self.first_name, 100)
            .map_err(CoreError::invalid("input.firstName"))?;
        self.last_name = text::optional_text(Some(&self.last_name), 100)
            .map_err(CoreError::invalid("input.lastName"))?
            .unwrap_or_default();
        self.email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            Some(e) => Some(email::normalize_email(e).map_err(CoreError::invalid("input.email"))?),
            None => None,
        };
        // The country first: a phone without `+` is read in its numbering plan.
        self.country =
            text::country_code(self.country).map_err(CoreError::invalid("input.country"))?;
        self.phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(
                phone::normalize_phone(p, self.country.as_deref())
                    .map_err(CoreError::invalid("input.phone"))?,
            ),
            None => None,
        };
        self.job_title = text::optional_text(self.job_title.as_deref(), 200)
            .map_err(CoreError::invalid("input.jobTitle"))?;
        self.city = text::optional_text(self.city.as_deref(), 100)
            .map_err(CoreError::invalid("input.city"))?;
        // The wall clock, not the server clock: a birthday is a calendar fact.
        if self.birthdate.is_some_and(|d| d > Utc::now().date_naive()) {
            return Err(CoreError::bad_input(
                "input.birthdate",
                "must not be in the future",
            ));
        }
        Ok(self)
    }

    /// The company and owner must be live records of the workspace.
    async fn check_references(&self, txn: &DatabaseTransaction, actor: &Actor) -> CoreResult<()> {
        check_reference::<company::Entity>(txn, actor, self.company_id, "input.companyId").await?;
        check_reference::<member::Entity>(txn, actor, self.owner_id, "input.ownerId").await?;
        Ok(())
    }

    fn apply(self, model: &mut contact::ActiveModel) {
        model.first_name = Set(self.first_name);
        model.last_name = Set(self.last_name);
        model.email = Set(self.email);
        model.phone = Set(self.phone);
        model.job_title = Set(self.job_title);
        model.lifecycle_stage = Set(self.lifecycle_stage);
        model.city = Set(self.city);
        model.country = Set(self.country);
        model.birthdate = Set(self.birthdate);
        model.company_id = Set(self.company_id);
        model.owner_id = Set(self.owner_id);
    }
}

/// The record type of contacts' custom fields.
const CUSTOM: CustomFieldRecordType = CustomFieldRecordType::Contact;

/// The email is unique among live contacts (the index refuses a duplicate).
const EMAIL: Unique = Unique::ContactEmail;
