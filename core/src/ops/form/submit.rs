//! A public submission of a web form: checked whole first (every bad field
//! reported at once), then written in one transaction — the company by its
//! domain, the contact by its email, consent with its source, a
//! FORM_SUBMISSION engagement (which rescores the contact) and the next
//! owner in turn — or, on any refusal, nothing at all.

use std::collections::{HashMap, HashSet};

use entity::enums::{EngagementKind, LifecycleStage, Role};
use entity::{campaign, company, contact, form, member};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::answers::Answers;
use super::fields::{self, FormField, Target};
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::ops::company::{self as companies, CompanyChanges, NewCompany};
use crate::ops::contact::{self as contacts, ContactChanges, NewContact};
use crate::ops::engagement::{self, NewEngagement};
use crate::ops::{Patch, consent};
use crate::store::key_directory::{self, KeyKind};
use crate::store::{Author, Core, col, scope};

/// What a visitor sent.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// Answers by field name; names the form does not have are ignored.
    pub answers: HashMap<String, String>,
    /// Whether the consent box was ticked.
    pub consent: bool,
    /// The page's origin, kept as where consent was given.
    pub origin: Option<String>,
}

/// One refused answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name.
    pub field: String,
    /// `REQUIRED` or `INVALID` (or `TAKEN`).
    pub code: &'static str,
    pub message: String,
}

/// Why a submission wrote nothing.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// Answers refused, each with its field.
    Fields(Vec<FieldError>),
    Core(CoreError),
}

impl From<CoreError> for Refusal {
    fn from(error: CoreError) -> Self {
        Self::Core(error)
    }
}

/// What a submission did.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub contact: contact::Model,
    /// Whether the contact is new (else an existing one was updated).
    pub created: bool,
    /// The contact's lead score before the engagement was tracked.
    pub previous_score: i32,
}

/// The live form with this key, in whichever workspace it is: the key is
/// all a public page sends, so its workspace comes from the key directory.
pub async fn find(core: &Core, key: &str) -> CoreResult<Option<form::Model>> {
    let Some(workspace_id) = key_directory::workspace_of(&core.db, KeyKind::Form, key).await?
    else {
        return Ok(None);
    };
    form::Entity::find()
        .filter(form::Column::WorkspaceId.eq(workspace_id))
        .filter(form::Column::FormKey.eq(key))
        .filter(form::Column::DeletedAt.is_null())
        .one(&core.db)
        .await
        .map_err(Into::into)
}

/// Writes `submission` of `form`, or nothing.
pub async fn submit(
    core: &Core,
    form: &form::Model,
    submission: Submission,
) -> Result<Submitted, Refusal> {
    let fields = fields::stored(&form.fields)?;
    let answers = checked(&fields, &submission.answers)?;
    // Submissions act as the member who made the form, with the rights of
    // SALES: enough to write contacts and companies, and nothing more.
    let actor = Actor::member(form.workspace_id, form.created_by, Role::Sales);
    let txn = core.begin().await?;
    let answers = answers.of_live_fields(&txn, form.workspace_id).await?;
    let mut events = Vec::new();
    let company_id = write_company(&txn, &actor, &answers, &mut events)
        .await
        .map_err(|e| by_field(e, "company", &fields))?;
    let (contact, created) = write_contact(&txn, &actor, form, &answers, company_id, &mut events)
        .await
        .map_err(|e| by_field(e, "contact", &fields))?;
    if let Some(basis) = form.legal_basis.filter(|_| submission.consent) {
        let source = consent_source(form, submission.origin.as_deref());
        let (_, event) = consent::record_in(&txn, &actor, contact.id, &source, basis).await?;
        events.push(event);
    }
    let engaged = NewEngagement {
        contact_id: contact.id,
        kind: EngagementKind::FormSubmission,
        occurred_at: None,
        detail: Some(format!("form {}", form.name)),
        campaign_id: live_campaign(&txn, form).await?,
    };
    let (tracked, event) = engagement::track_in(&txn, &actor, engaged).await?;
    events.push(event);
    core.commit(txn, Author::of(&actor), events).await?;
    Ok(Submitted {
        contact: tracked.contact,
        created,
        previous_score: tracked.previous_score,
    })
}

/// Every answer checked; all the refusals at once.
fn checked(fields: &[FormField], answers: &HashMap<String, String>) -> Result<Answers, Refusal> {
    let mut values = Answers::default();
    let mut errors = Vec::new();
    for field in fields {
        let answer = answers.get(&field.name).map_or("", |a| a.trim());
        if answer.is_empty() {
            if field.required {
                errors.push(FieldError {
                    field: field.name.clone(),
                    code: "REQUIRED",
                    message: format!("{} is required", field.label),
                });
            }
            continue;
        }
        match field.target.check(answer) {
            Ok(value) => match &field.custom_field {
                Some(key) => values.custom.push((field.target, key.clone(), value)),
                None => {
                    values.fixed.insert(field.target, value);
                }
            },
            Err(message) => errors.push(FieldError {
                field: field.name.clone(),
                code: "INVALID",
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(Refusal::Fields(errors))
    }
}

/// A refusal of the contact or company write, named by the form field it
/// came from when there is one.
fn by_field(error: CoreError, record: &str, fields: &[FormField]) -> Refusal {
    let (path, code, message) = match &error {
        CoreError::BadInput { field, message } => (field, "INVALID", message),
        CoreError::Taken { field, message } => (field, "TAKEN", message),
        _ => return Refusal::Core(error),
    };
    let found = fields
        .iter()
        .find(|f| f.input_path() == (record, path.clone()));
    match found {
        Some(f) => Refusal::Fields(vec![FieldError {
            field: f.name.clone(),
            code,
            message: message.clone(),
        }]),
        None => Refusal::Core(error),
    }
}

/// The company named by the domain answer: found (and given the other
/// company answers) or created. Without a domain there is no company: a
/// name alone would make a new one on every submission.
async fn write_company(
    txn: &DatabaseTransaction,
    actor: &Actor,
    answers: &Answers,
    events: &mut Vec<NewEvent>,
) -> CoreResult<Option<Uuid>> {
    let Some(domain) = answers.get(&Target::CompanyDomain) else {
        return Ok(None);
    };
    let name = answers.get(&Target::CompanyName).cloned();
    let industry = answers.get(&Target::CompanyIndustry).cloned();
    let custom = answers.custom_for(Target::CompanyCustomField);
    let found = company::Entity::find()
        .filter(scope::<company::Entity>(actor.workspace_id))
        .filter(col("company", "domain").eq(domain.clone()))
        .all(txn)
        .await?
        .into_iter()
        // The oldest with it, as an upsert finds it.
        .min_by_key(|c| c.id);
    let (row, event) = match found {
        None => {
            let new = NewCompany {
                name: name.unwrap_or_else(|| domain.clone()),
                domain: Some(domain.clone()),
                industry,
                custom_fields: custom,
                ..NewCompany::default()
            };
            companies::create_in(txn, actor, new).await?
        }
        Some(found) if name.is_none() && industry.is_none() && custom.is_empty() => {
            return Ok(Some(found.id));
        }
        Some(found) => {
            let changes = CompanyChanges {
                name,
                industry: industry.map_or(Patch::Keep, Patch::Set),
                custom_fields: (!custom.is_empty()).then_some(custom),
                ..CompanyChanges::default()
            };
            companies::update_in(txn, actor, found.id, changes, None).await?
        }
    };
    events.push(event);
    Ok(Some(row.id))
}

/// The contact with the email answer, created or given the other answers;
/// a contact without an owner gets the form's next one.
async fn write_contact(
    txn: &DatabaseTransaction,
    actor: &Actor,
    form: &form::Model,
    answers: &Answers,
    company_id: Option<Uuid>,
    events: &mut Vec<NewEvent>,
) -> CoreResult<(contact::Model, bool)> {
    let email = answers
        .get(&Target::ContactEmail)
        .cloned()
        .ok_or_else(|| CoreError::bad_input("input.email", "required"))?;
    let get = |target| answers.get(&target).cloned();
    let custom = answers.custom_for(Target::ContactCustomField);
    let found = contact::Entity::find()
        .filter(scope::<contact::Entity>(actor.workspace_id))
        .filter(col("contact", "email").eq(email.clone()))
        .one(txn)
        .await?;
    let Some(found) = found else {
        // A form that asks no name names the contact after its address.
        let local = email.split('@').next().unwrap_or_default().to_owned();
        let new = NewContact {
            first_name: get(Target::ContactFirstName).unwrap_or(local),
            last_name: get(Target::ContactLastName).unwrap_or_default(),
            email: Some(email),
            phone: get(Target::ContactPhone),
            job_title: get(Target::ContactJobTitle),
            lifecycle_stage: LifecycleStage::Lead,
            city: get(Target::ContactCity),
            country: get(Target::ContactCountry),
            birthdate: None,
            company_id,
            owner_id: next_owner(txn, form).await?,
            external_ids: Vec::new(),
            custom_fields: custom,
        };
        let (row, event) = contacts::create_in(txn, actor, new).await?;
        events.push(event);
        return Ok((row, true));
    };
    let set = |target| get(target).map_or(Patch::Keep, Patch::Set);
    let owner = match found.owner_id {
        Some(_) => Patch::Keep,
        None => next_owner(txn, form).await?.map_or(Patch::Keep, Patch::Set),
    };
    // A known contact keeps its company unless it had none.
    let company = match (found.company_id, company_id) {
        (None, Some(id)) => Patch::Set(id),
        _ => Patch::Keep,
    };
    let changes = ContactChanges {
        first_name: get(Target::ContactFirstName),
        last_name: get(Target::ContactLastName),
        phone: set(Target::ContactPhone),
        job_title: set(Target::ContactJobTitle),
        city: set(Target::ContactCity),
        country: set(Target::ContactCountry),
        company_id: company,
        owner_id: owner,
        custom_fields: (!custom.is_empty()).then_some(custom),
        ..ContactChanges::default()
    };
    let (row, event) = contacts::update_in(txn, actor, found.id, changes, None).await?;
    events.push(event);
    Ok((row, false))
}

/// The next of the form's active owners in turn. The turn is counted in
/// the form's row, in the submission's transaction: the row lock orders
/// concurrent submissions on every instance, and a refused one gives its
/// turn back. A member deactivated since the form was saved is skipped.
async fn next_owner(txn: &DatabaseTransaction, form: &form::Model) -> CoreResult<Option<Uuid>> {
    let listed: Vec<Uuid> = serde_json::from_value(form.owner_ids.clone())
        .map_err(|e| CoreError::Internal(format!("stored form owners: {e}")))?;
    if listed.is_empty() {
        return Ok(None);
    }
    let active: HashSet<Uuid> = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .filter(member::Column::WorkspaceId.eq(form.workspace_id))
        .filter(member::Column::Id.is_in(listed.clone()))
        .filter(member::Column::DeactivatedAt.is_null())
        .into_tuple::<Uuid>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let owners: Vec<Uuid> = listed.into_iter().filter(|o| active.contains(o)).collect();
    if owners.is_empty() {
        return Ok(None);
    }
    form::Entity::update_many()
        .col_expr(
            form::Column::OwnerTurn,
            Expr::col(form::Column::OwnerTurn).add(1),
        )
        .filter(form::Column::WorkspaceId.eq(form.workspace_id))
        .filter(form::Column::Id.eq(form.id))
        .exec(txn)
        .await?;
    let turn = form::Entity::find()
        .filter(form::Column::WorkspaceId.eq(form.workspace_id))
        .filter(form::Column::Id.eq(form.id))
        .one(txn)
        .await?
        .map_or(1, |f| f.owner_turn);
    let len = owners.len() as i64;
    let at = usize::try_from((turn - 1).rem_euclid(len)).unwrap_or(0);
    Ok(owners.get(at).copied())
}

/// The form's campaign, unless deleted since the form was saved: a
/// submission is then no touch of it (and not refused for it).
async fn live_campaign(txn: &DatabaseTransaction, form: &form::Model) -> CoreResult<Option<Uuid>> {
    let Some(id) = form.campaign_id else {
        return Ok(None);
    };
    let live = campaign::Entity::find()
        .filter(scope::<campaign::Entity>(form.workspace_id))
        .filter(campaign::Column::Id.eq(id))
        .count(txn)
        .await?;
    Ok((live > 0).then_some(id))
}

/// Where consent was given: the form, and the page's origin when known.
fn consent_source(form: &form::Model, origin: Option<&str>) -> String {
    let source = match origin {
        Some(origin) => format!("web form {} at {origin}", form.name),
        None => format!("web form {}", form.name),
    };
    source.chars().take(200).collect()
}
