//! Contacts: the people at customers, with identity and descriptive data.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::contact;
use entity::enums::{LifecycleStage, TaggableType};
use rapport_macros::connections;
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
};
use uuid::Uuid;

use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::calculated::{Figure, FiguresFilter, Of};
use super::company::Company;
use super::context::writer;
use super::deal::{Deal, DealFilter, DealOrderField, deals_of_contact};
use super::error::{ApiError, ApiResult};
use super::filter::{
    DateFilter, DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter,
    TagFilter, col, record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, ListArgs, Record};
use super::member::Member;
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, PageArgs, SortKey};
use super::tag::{Tag, tags_of};
use super::ticket::{Ticket, TicketFilter, TicketOrderField};
use super::write::{
    self, begin, check_reference, check_version, commit, event_for, expect_one_row, load_live,
    merged, now,
};
use crate::auth::Area;
use crate::domain::{email, phone, text};

/// A person at a customer.
pub struct Contact(pub Row<contact::Model>);

impl Record for Contact {
    type Entity = contact::Entity;
    type Model = contact::Model;
    fn wrap(row: Row<contact::Model>) -> Self {
        Self(row)
    }
}

/// Fields contacts can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactOrderField {
    FirstName,
    LastName,
    Email,
    LeadScore,
    CreatedAt,
    UpdatedAt,
    /// Calculated: live tickets.
    TicketCount,
    /// Calculated: tickets OPEN or PENDING.
    OpenTicketCount,
    /// Calculated: the latest ticket's opening (none last).
    LastTicketAt,
    /// Calculated (none last).
    LatestNps,
    /// Calculated (none last).
    LatestCsat,
    /// Calculated: Σ of orders by nominal amount.
    LifetimeValue,
    /// Calculated: 0–100.
    ChurnRisk,
    /// Calculated: mean hours to resolve tickets (none last).
    AverageResolutionHours,
}

impl ContactOrderField {
    fn key(self) -> SortKey {
        let figure = match self {
            Self::TicketCount => Figure::TicketCount(Of::Contact),
            Self::OpenTicketCount => Figure::OpenTicketCount(Of::Contact),
            Self::LastTicketAt => Figure::LastTicketAt(Of::Contact),
            Self::LatestNps => Figure::LatestNps(Of::Contact),
            Self::LatestCsat => Figure::LatestCsat(Of::Contact),
            Self::LifetimeValue => Figure::LifetimeValue(Of::Contact),
            Self::ChurnRisk => Figure::ChurnRisk(Of::Contact),
            Self::AverageResolutionHours => Figure::AverageResolution(Of::Contact),
            _ => return self.column_key(),
        };
        SortKey::calculated("contact", figure)
    }

    fn column_key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::FirstName => ("first_name", KeyType::Text, false),
            Self::LastName => ("last_name", KeyType::Text, false),
            Self::Email => ("email", KeyType::Text, true),
            Self::LeadScore => ("lead_score", KeyType::Int, false),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
            // Calculated fields are keyed by `key`.
            _ => ("id", KeyType::Uuid, false),
        };
        SortKey {
            table: "contact",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: oldest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "contact", Self::key, &[SortKey::id("contact")])
    }
}

/// Which contacts to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ContactFilter {
    pub and: Option<Vec<ContactFilter>>,
    pub or: Option<Vec<ContactFilter>>,
    pub not: Option<Box<ContactFilter>>,
    pub id: Option<IdFilter>,
    pub first_name: Option<StringFilter>,
    pub last_name: Option<StringFilter>,
    pub email: Option<StringFilter>,
    pub phone: Option<StringFilter>,
    pub job_title: Option<StringFilter>,
    pub lifecycle_stage: Option<EnumFilter<LifecycleStage>>,
    pub city: Option<StringFilter>,
    pub country: Option<StringFilter>,
    pub birthdate: Option<DateFilter>,
    pub company_id: Option<IdFilter>,
    pub owner_id: Option<IdFilter>,
    pub created_at: Option<DateTimeFilter>,
    pub updated_at: Option<DateTimeFilter>,
    pub tags: Option<TagFilter>,
    /// Conditions on the calculated figures.
    pub figures: Option<FiguresFilter>,
    pub lead_score: Option<IntFilter>,
    /// True for contacts who agreed to marketing email and have not unsubscribed.
    pub email_opt_in: Option<bool>,
}

impl RecordFilter for ContactFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("contact", name);
        let mut all = Condition::all();
        let strings = [
            (&self.first_name, "first_name"),
            (&self.last_name, "last_name"),
            (&self.email, "email"),
            (&self.phone, "phone"),
            (&self.job_title, "job_title"),
            (&self.city, "city"),
            (&self.country, "country"),
        ];
        for (filter, column) in strings {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), backend));
            }
        }
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Contact, "filter.id")?);
        }
        if let Some(f) = &self.company_id {
            all = all.add(f.condition(c("company_id"), Kind::Company, "filter.companyId")?);
        }
        if let Some(f) = &self.owner_id {
            all = all.add(f.condition(c("owner_id"), Kind::Member, "filter.ownerId")?);
        }
        if let Some(f) = &self.lifecycle_stage {
            all = all.add(f.condition(c("lifecycle_stage")));
        }
        if let Some(f) = &self.birthdate {
            all = all.add(f.condition(c("birthdate")));
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(c("created_at")));
        }
        if let Some(f) = &self.updated_at {
            all = all.add(f.condition(c("updated_at")));
        }
        if let Some(f) = &self.tags {
            all = all.add(f.condition(workspace_id, TaggableType::Contact, c("id")));
        }
        if let Some(f) = &self.figures {
            all = all.add(f.condition(Of::Contact, backend)?);
        }
        if let Some(f) = &self.lead_score {
            all = all.add(f.condition(c("lead_score")));
        }
        if let Some(opt_in) = self.email_opt_in {
            all = all.add(c("email_opt_in").eq(opt_in));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A person at a customer: who they are and what they are like.
#[connections]
#[connections]
#[Object]
impl Contact {
    /// Support figures: ticket count, open tickets, last ticket, mean resolution time.
    async fn ticket_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::TicketFigures> {
        crate::graphql::insight::tickets(ctx, &self.0, |m: &contact::Model| m.id, "contact_id")
            .await
    }
    /// 0–100, higher is riskier: satisfaction (0–40), open tickets (0–30)
    /// and time since the last order (0–30); the README has the formula.
    async fn churn_risk(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::ChurnRisk(Of::Contact);
        let value = crate::graphql::calculated::load(
            ctx,
            &self.0,
            |m: &contact::Model| m.id,
            Of::Contact,
            figure,
        )
        .await?;
        Ok(value.unwrap_or_default())
    }
    /// Order figures: count, lifetime value per currency, last order.
    async fn order_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::OrderFigures> {
        crate::graphql::insight::orders(ctx, &self.0, |m: &contact::Model| m.id, "contact_id").await
    }
    /// The latest NPS and CSAT answers.
    async fn satisfaction(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::SatisfactionFigures> {
        crate::graphql::insight::satisfaction(ctx, &self.0, |m: &contact::Model| m.id, false).await
    }
    /// Orders the contact placed, newest first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<crate::graphql::customer_order::OrderFilter>,
        order_by: Option<
            Vec<crate::graphql::order::Ordering<crate::graphql::customer_order::OrderOrderField>>,
        >,
    ) -> ApiResult<Conn<crate::graphql::customer_order::Order>> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        crate::graphql::customer_order::orders_of(
            ctx,
            &self.0,
            "orders",
            |m: &contact::Model| m.id,
            "contact_id",
            page,
            filter,
            order_by,
        )
        .await
    }
    /// The contact's survey answers, newest first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn survey_responses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<crate::graphql::survey::SurveyResponseFilter>,
        order_by: Option<
            Vec<crate::graphql::order::Ordering<crate::graphql::survey::SurveyResponseOrderField>>,
        >,
    ) -> ApiResult<Conn<crate::graphql::survey::SurveyResponse>> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        crate::graphql::survey::responses_of(
            ctx,
            &self.0,
            "surveyResponses",
            |m: &contact::Model| m.id,
            "contact_id",
            page,
            filter,
            order_by,
        )
        .await
    }
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    #[graphql(complexity = "crate::graphql::page::cost(first, None, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<
        async_graphql::connection::Connection<
            String,
            crate::graphql::history::HistoryEntry,
            async_graphql::connection::EmptyFields,
            async_graphql::connection::EmptyFields,
        >,
    > {
        crate::graphql::history::history(
            ctx,
            crate::graphql::ids::Kind::Contact,
            self.0.model().id,
            first,
            after,
        )
        .await
    }
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Contact, self.0.model().id)
    }
    /// Given name.
    async fn first_name(&self) -> &str {
        &self.0.model().first_name
    }
    /// Family name.
    async fn last_name(&self) -> &str {
        &self.0.model().last_name
    }
    /// First and last name.
    async fn full_name(&self) -> String {
        let m = self.0.model();
        format!("{} {}", m.first_name, m.last_name)
            .trim()
            .to_owned()
    }
    /// Email address, trimmed and lower-cased; unique in the workspace.
    async fn email(&self) -> Option<&str> {
        self.0.model().email.as_deref()
    }
    /// Phone number in E.164 form, e.g. +14155552671.
    async fn phone(&self) -> Option<&str> {
        self.0.model().phone.as_deref()
    }
    /// Job title.
    async fn job_title(&self) -> Option<&str> {
        self.0.model().job_title.as_deref()
    }
    /// The sum of the points of the workspace's scoring rules that match
    /// the contact; kept current on every change to its inputs.
    async fn lead_score(&self) -> i32 {
        self.0.model().lead_score
    }
    /// How the lead score changed, newest first (one statement per contact:
    /// meant for a contact's page, not for long lists).
    async fn lead_score_history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> ApiResult<Vec<crate::graphql::scoring::LeadScoreChange>> {
        crate::graphql::scoring::score_history(ctx, self.0.model().id, first).await
    }
    /// Whether the contact may get marketing email.
    async fn email_opt_in(&self) -> bool {
        self.0.model().email_opt_in
    }
    /// When the contact opted in.
    async fn email_opt_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().email_opt_in_at
    }
    /// Where the consent was given.
    async fn consent_source(&self) -> Option<&str> {
        self.0.model().consent_source.as_deref()
    }
    async fn consent_legal_basis(&self) -> Option<entity::enums::LegalBasis> {
        self.0.model().consent_legal_basis
    }
    async fn unsubscribed_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().unsubscribed_at
    }
    /// Where the contact stands in the customer lifecycle.
    async fn lifecycle_stage(&self) -> LifecycleStage {
        self.0.model().lifecycle_stage
    }
    /// City.
    async fn city(&self) -> Option<&str> {
        self.0.model().city.as_deref()
    }
    /// ISO 3166-1 alpha-2 country.
    async fn country(&self) -> Option<&str> {
        self.0.model().country.as_deref()
    }
    /// Date of birth.
    async fn birthdate(&self) -> Option<NaiveDate> {
        self.0.model().birthdate
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the contact is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
    /// The company the contact works for.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &contact::Model| m.company_id).await
    }
    /// The member responsible for the contact.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "owner", |m: &contact::Model| m.owner_id).await
    }
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<Tag>> {
        tags_of(ctx, &self.0, TaggableType::Contact, |m: &contact::Model| {
            m.id
        })
        .await
    }
    /// Deals the contact takes part in.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DealFilter>,
        order_by: Option<Vec<Ordering<DealOrderField>>>,
    ) -> ApiResult<Conn<Deal>> {
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: DealOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        deals_of_contact(ctx, &self.0, args).await
    }
    /// Tickets the contact opened.
    connection!(tickets: Ticket, TicketFilter, TicketOrderField,
        of |m: &contact::Model| m.id, "contact_id");
    /// The contact's timeline.
    connection!(activities: Activity, ActivityFilter, ActivityOrderField,
        of |m: &contact::Model| m.id, "contact_id");
}

/// A new contact.
#[derive(InputObject)]
pub struct CreateContactInput {
    pub first_name: String,
    #[graphql(default)]
    pub last_name: String,
    pub email: Option<String>,
    /// Any common format; numbers without `+` are read in `country`'s numbering plan.
    pub phone: Option<String>,
    pub job_title: Option<String>,
    #[graphql(default_with = "LifecycleStage::Lead")]
    pub lifecycle_stage: LifecycleStage,
    pub city: Option<String>,
    pub country: Option<String>,
    pub birthdate: Option<NaiveDate>,
    pub company_id: Option<ID>,
    pub owner_id: Option<ID>,
}

/// Changes to a contact; omitted fields stay, `null` clears.
#[derive(InputObject, Default)]
pub struct UpdateContactInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub job_title: MaybeUndefined<String>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub city: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub birthdate: MaybeUndefined<NaiveDate>,
    pub company_id: MaybeUndefined<ID>,
    pub owner_id: MaybeUndefined<ID>,
}

/// The result of a contact mutation.
#[derive(SimpleObject)]
pub struct ContactPayload {
    /// The contact after the change.
    pub contact: Contact,
}

/// The validated editable fields of a contact.
struct ContactFields {
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

impl ContactFields {
    /// Normalises and checks every field; references are checked in `txn`.
    async fn validate(
        mut self,
        txn: &DatabaseTransaction,
        actor: &crate::auth::Actor,
    ) -> ApiResult<Self> {
        self.first_name = text::required_name(&self.first_name, 100)
            .map_err(ApiError::invalid("input.firstName"))?;
        self.last_name = text::optional_text(Some(&self.last_name), 100)
            .map_err(ApiError::invalid("input.lastName"))?
            .unwrap_or_default();
        self.email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            Some(e) => Some(email::normalize_email(e).map_err(ApiError::invalid("input.email"))?),
            None => None,
        };
        self.country = crate::domain::text::country_code(self.country)
            .map_err(ApiError::invalid("input.country"))?;
        self.phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(
                phone::normalize_phone(p, self.country.as_deref())
                    .map_err(ApiError::invalid("input.phone"))?,
            ),
            None => None,
        };
        self.job_title = text::optional_text(self.job_title.as_deref(), 200)
            .map_err(ApiError::invalid("input.jobTitle"))?;
        self.city = text::optional_text(self.city.as_deref(), 100)
            .map_err(ApiError::invalid("input.city"))?;
        if self.birthdate.is_some_and(|d| d > Utc::now().date_naive()) {
            return Err(ApiError::bad_input(
                "input.birthdate",
                "must not be in the future",
            ));
        }
        check_reference::<Company>(txn, actor, self.company_id, "input.companyId").await?;
        check_reference::<Member>(txn, actor, self.owner_id, "input.ownerId").await?;
        Ok(self)
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

/// A unique-email violation becomes a field error; anything else stays internal.
fn email_taken(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::bad_input("input.email", "another contact already has this email")
        }
        _ => err.into(),
    }
}

fn new_reference(
    id: MaybeUndefined<ID>,
    current: Option<Uuid>,
    kind: Kind,
    field: &str,
) -> ApiResult<Option<Uuid>> {
    match id {
        MaybeUndefined::Undefined => Ok(current),
        MaybeUndefined::Null => Ok(None),
        MaybeUndefined::Value(id) => ids::decode(&id, kind, field).map(Some),
    }
}

/// Contact mutations.
#[derive(Default)]
pub struct ContactMutation;

#[Object]
impl ContactMutation {
    /// Creates a contact. The email, when given, must be unused in the workspace.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> ApiResult<ContactPayload> {
        let actor = writer(ctx, Area::Contacts)?;
        let fields = ContactFields {
            first_name: input.first_name,
            last_name: input.last_name,
            email: input.email,
            phone: input.phone,
            job_title: input.job_title,
            lifecycle_stage: input.lifecycle_stage,
            city: input.city,
            country: input.country,
            birthdate: input.birthdate,
            company_id: ids::decode_opt(
                input.company_id.as_ref(),
                Kind::Company,
                "input.companyId",
            )?,
            owner_id: ids::decode_opt(input.owner_id.as_ref(), Kind::Member, "input.ownerId")?,
        };
        let txn = begin(ctx).await?;
        let fields = fields.validate(&txn, actor).await?;
        let at = now();
        let mut model = contact::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        fields.apply(&mut model);
        let row = model.insert(&txn).await.map_err(email_taken)?;
        let scoring = crate::graphql::scoring::Which::Contact(row.id);
        crate::graphql::scoring::recompute(
            &txn,
            actor.workspace_id,
            scoring,
            "contact created",
            at,
        )
        .await?;
        let row = load_live::<Contact>(&txn, actor, row.id).await?;
        let event = event_for::<Contact>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(ContactPayload {
            contact: Contact(Level::single(row)),
        })
    }

    /// Changes a contact. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactInput,
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let actor = writer(ctx, Area::Contacts)?;
        let id = ids::decode(&id, Kind::Contact, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Contact>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let fields = ContactFields {
            first_name: input
                .first_name
                .unwrap_or_else(|| current.first_name.clone()),
            last_name: input.last_name.unwrap_or_else(|| current.last_name.clone()),
            email: merged(input.email, current.email.clone()),
            phone: merged(input.phone, current.phone.clone()),
            job_title: merged(input.job_title, current.job_title.clone()),
            lifecycle_stage: input.lifecycle_stage.unwrap_or(current.lifecycle_stage),
            city: merged(input.city, current.city.clone()),
            country: merged(input.country, current.country.clone()),
            birthdate: merged(input.birthdate, current.birthdate),
            company_id: new_reference(
                input.company_id,
                current.company_id,
                Kind::Company,
                "input.companyId",
            )?,
            owner_id: new_reference(
                input.owner_id,
                current.owner_id,
                Kind::Member,
                "input.ownerId",
            )?,
        };
        let fields = fields.validate(&txn, actor).await?;
        let mut model = contact::ActiveModel {
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        fields.apply(&mut model);
        let rows = contact::Entity::update_many()
            .set(model)
            .filter(col("contact", "id").eq(id))
            .filter(col("contact", "version").eq(current.version))
            .exec(&txn)
            .await
            .map_err(email_taken)?
            .rows_affected;
        expect_one_row(rows)?;
        let scoring = crate::graphql::scoring::Which::Contact(id);
        crate::graphql::scoring::recompute(
            &txn,
            actor.workspace_id,
            scoring,
            "contact updated",
            now(),
        )
        .await?;
        let row = load_live::<Contact>(&txn, actor, id).await?;
        let event = event_for::<Contact>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(ContactPayload {
            contact: Contact(Level::single(row)),
        })
    }

    /// Soft-deletes a contact: lists skip it, `restoreContact` brings it back.
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let actor = writer(ctx, Area::Contacts)?;
        let contact = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(ContactPayload { contact })
    }

    /// Restores a deleted contact.
    async fn restore_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let actor = writer(ctx, Area::Contacts)?;
        let contact = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(ContactPayload { contact })
    }
}

/// Contact queries.
#[derive(Default)]
pub struct ContactQuery;

#[connections]
#[Object]
impl ContactQuery {
    /// Contacts of the workspace.
    listing!(contacts: Contact, ContactFilter, ContactOrderField, fast);
}
