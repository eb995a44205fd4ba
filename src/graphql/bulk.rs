//! Bulk and upsert mutations: `createContacts(inputs: […])` and its kin
//! write up to 500 records in one transaction, all or none, one event per
//! record; `upsertContact` and `upsertCompany` update the record a match
//! finds or create it.

use async_graphql::{Context, Enum, Object, OneofObject, SimpleObject};
use rapport_core::ops::bulk::{self, CreateIn, at_index};
use rapport_core::ops::upsert::{self, Match, Upserted};

use super::activity::{ActivityPayload, CreateActivityInput};
use super::company::{CompanyPayload, CreateCompanyInput};
use super::contact::{ContactPayload, CreateContactInput};
use super::context::acting;
use super::deal::mutation::{CreateDealInput, DealPayload};
use super::error::{ApiError, ApiResult};
use super::external_id::ExternalIdInput;
use super::ticket::{CreateTicketInput, TicketPayload};
use crate::auth::Area;

/// How `upsertContact` finds the contact.
#[derive(OneofObject)]
pub enum ContactMatch {
    /// Its email (normalised as stored); the input's email defaults to it.
    Email(String),
    /// One of its external ids.
    ExternalId(ExternalIdInput),
}

/// How `upsertCompany` finds the company.
#[derive(OneofObject)]
pub enum CompanyMatch {
    /// Its domain (or a website URL); the oldest company with it. The input's domain defaults to it.
    Domain(String),
    /// One of its external ids.
    ExternalId(ExternalIdInput),
}

/// What an upsert did.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// Nothing matched: the record is new.
    Created,
    /// The matched record was updated.
    Updated,
}

/// The result of `upsertContact`.
#[derive(SimpleObject)]
pub struct UpsertContactPayload {
    /// The contact after the change.
    pub contact: super::contact::Contact,
    /// Whether it was created or updated.
    pub outcome: UpsertOutcome,
}

/// The result of `upsertCompany`.
#[derive(SimpleObject)]
pub struct UpsertCompanyPayload {
    /// The company after the change.
    pub company: super::company::Company,
    /// Whether it was created or updated.
    pub outcome: UpsertOutcome,
}

/// Bulk and upsert mutations.
#[derive(Default)]
pub struct BulkMutation;

#[Object]
impl BulkMutation {
    /// Creates up to 500 contacts, all or none; a refusal names its input (`inputs.3.email`).
    async fn create_contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new records, at most 500.")] inputs: Vec<CreateContactInput>,
    ) -> ApiResult<Vec<ContactPayload>> {
        let rows = create_all(ctx, Area::Contacts, inputs, CreateContactInput::into_new).await?;
        Ok(rows.into_iter().map(ContactPayload::of).collect())
    }

    /// Creates up to 500 companies, all or none; a refusal names its input (`inputs.3.name`).
    async fn create_companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new records, at most 500.")] inputs: Vec<CreateCompanyInput>,
    ) -> ApiResult<Vec<CompanyPayload>> {
        let rows = create_all(ctx, Area::Companies, inputs, CreateCompanyInput::into_new).await?;
        Ok(rows.into_iter().map(CompanyPayload::of).collect())
    }

    /// Creates up to 500 deals, all or none; a refusal names its input (`inputs.3.amount`).
    async fn create_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new records, at most 500.")] inputs: Vec<CreateDealInput>,
    ) -> ApiResult<Vec<DealPayload>> {
        let rows = create_all(ctx, Area::Deals, inputs, CreateDealInput::into_new).await?;
        Ok(rows.into_iter().map(DealPayload::of).collect())
    }

    /// Opens up to 500 tickets, numbered in input order, all or none.
    async fn create_tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new records, at most 500.")] inputs: Vec<CreateTicketInput>,
    ) -> ApiResult<Vec<TicketPayload>> {
        let rows = create_all(ctx, Area::Tickets, inputs, CreateTicketInput::into_new).await?;
        Ok(rows.into_iter().map(TicketPayload::of).collect())
    }

    /// Records up to 500 activities, all or none.
    async fn create_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new records, at most 500.")] inputs: Vec<CreateActivityInput>,
    ) -> ApiResult<Vec<ActivityPayload>> {
        let rows = create_all(ctx, Area::Activities, inputs, CreateActivityInput::into_new).await?;
        Ok(rows.into_iter().map(ActivityPayload::of).collect())
    }

    /// Updates the contact `match` finds with `input` (every field as given:
    /// omitted ones clear; external ids are added), or creates it.
    async fn upsert_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How the contact is found.")] r#match: ContactMatch,
        #[graphql(desc = "The contact's fields, all of them.")] input: CreateContactInput,
    ) -> ApiResult<UpsertContactPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let by = match r#match {
            ContactMatch::Email(email) => Match::Key(email),
            ContactMatch::ExternalId(id) => Match::ExternalId(id.into()),
        };
        let (row, done) = upsert::contact(core, actor, by, input.into_new()?).await?;
        Ok(UpsertContactPayload {
            contact: ContactPayload::of(row).contact,
            outcome: outcome(done),
        })
    }

    /// Updates the company `match` finds with `input` (every field as given:
    /// omitted ones clear; external ids are added), or creates it.
    async fn upsert_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How the company is found.")] r#match: CompanyMatch,
        #[graphql(desc = "The company's fields, all of them.")] input: CreateCompanyInput,
    ) -> ApiResult<UpsertCompanyPayload> {
        let (core, actor) = acting(ctx, Area::Companies)?;
        let by = match r#match {
            CompanyMatch::Domain(domain) => Match::Key(domain),
            CompanyMatch::ExternalId(id) => Match::ExternalId(id.into()),
        };
        let (row, done) = upsert::company(core, actor, by, input.into_new()?).await?;
        Ok(UpsertCompanyPayload {
            company: CompanyPayload::of(row).company,
            outcome: outcome(done),
        })
    }
}

/// Each input converted, a refusal naming its index.
fn converted<I, N>(inputs: Vec<I>, convert: fn(I) -> ApiResult<N>) -> ApiResult<Vec<N>> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| convert(input).map_err(|e| ApiError(at_index(e.0, i))))
        .collect()
}

/// The role is checked first (as every mutation does), then each input is
/// converted, then all are written.
async fn create_all<I, N: CreateIn>(
    ctx: &Context<'_>,
    area: Area,
    inputs: Vec<I>,
    convert: fn(I) -> ApiResult<N>,
) -> ApiResult<Vec<N::Model>> {
    let (core, actor) = acting(ctx, area)?;
    let new = converted(inputs, convert)?;
    Ok(bulk::create_all(core, actor, new).await?)
}

fn outcome(done: Upserted) -> UpsertOutcome {
    match done {
        Upserted::Created => UpsertOutcome::Created,
        // The API always updates a match; skipping is for imports.
        Upserted::Updated | Upserted::Skipped => UpsertOutcome::Updated,
    }
}
