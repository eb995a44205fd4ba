//! Web forms: the `Form` type, its list, and (in [`mutation`]) ADMIN's
//! writes. The rules are the core's `ops::form`; the public endpoint is
//! `POST /forms/{formKey}` (`http::form`).

mod mutation;

pub use mutation::FormMutation;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::LegalBasis;
use entity::form;
use rapport_core::ops::form::{self as forms, FormField, Target};
use rapport_macros::connections;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::campaign::Campaign;
use crate::graphql::context::{db, state};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::Fields;
use crate::graphql::filter::{IdFilter, RecordFilter, record_filter_composition};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Row;
use crate::graphql::list::Record;
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

/// A public web form.
pub struct Form(pub Row<form::Model>);

impl Record for Form {
    type Entity = form::Entity;
    type Model = form::Model;
    fn wrap(row: Row<form::Model>) -> Self {
        Self(row)
    }
}

/// The contact or company field an answer fills (a custom field is named
/// by the form field's `customField`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFieldTarget {
    /// The contact's first name (a new contact without one is named after its email).
    ContactFirstName,
    /// The contact's last name.
    ContactLastName,
    /// The contact's email. Required on every form: submissions are matched by it.
    ContactEmail,
    /// The contact's phone, with its country code.
    ContactPhone,
    /// The contact's job title.
    ContactJobTitle,
    /// The contact's city.
    ContactCity,
    /// The contact's country (ISO 3166 alpha-2 code).
    ContactCountry,
    /// The company's name (with a COMPANY_DOMAIN field only).
    CompanyName,
    /// The company's website or domain: the company is found (or created) by it.
    CompanyDomain,
    /// The company's industry.
    CompanyIndustry,
    /// The contact's custom field whose key is the form field's `customField`.
    ContactCustomField,
    /// The company's custom field whose key is the form field's `customField`
    /// (with a COMPANY_DOMAIN field only).
    CompanyCustomField,
}

impl From<FormFieldTarget> for Target {
    fn from(t: FormFieldTarget) -> Self {
        use FormFieldTarget as F;
        match t {
            F::ContactFirstName => Self::ContactFirstName,
            F::ContactLastName => Self::ContactLastName,
            F::ContactEmail => Self::ContactEmail,
            F::ContactPhone => Self::ContactPhone,
            F::ContactJobTitle => Self::ContactJobTitle,
            F::ContactCity => Self::ContactCity,
            F::ContactCountry => Self::ContactCountry,
            F::CompanyName => Self::CompanyName,
            F::CompanyDomain => Self::CompanyDomain,
            F::CompanyIndustry => Self::CompanyIndustry,
            F::ContactCustomField => Self::ContactCustomField,
            F::CompanyCustomField => Self::CompanyCustomField,
        }
    }
}

impl From<Target> for FormFieldTarget {
    fn from(t: Target) -> Self {
        match t {
            Target::ContactFirstName => Self::ContactFirstName,
            Target::ContactLastName => Self::ContactLastName,
            Target::ContactEmail => Self::ContactEmail,
            Target::ContactPhone => Self::ContactPhone,
            Target::ContactJobTitle => Self::ContactJobTitle,
            Target::ContactCity => Self::ContactCity,
            Target::ContactCountry => Self::ContactCountry,
            Target::CompanyName => Self::CompanyName,
            Target::CompanyDomain => Self::CompanyDomain,
            Target::CompanyIndustry => Self::CompanyIndustry,
            Target::ContactCustomField => Self::ContactCustomField,
            Target::CompanyCustomField => Self::CompanyCustomField,
        }
    }
}

/// One input of a form.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "FormField")]
pub struct FormFieldSpec {
    /// The input's `name` in the HTML and the key of a JSON submission.
    pub name: String,
    /// What a person sees beside the input.
    pub label: String,
    /// Where the answer goes.
    pub target: FormFieldTarget,
    /// Whether a submission without it is refused.
    pub required: bool,
    /// The key of the custom field a CONTACT_CUSTOM_FIELD or COMPANY_CUSTOM_FIELD answer fills.
    pub custom_field: Option<String>,
}

/// One input of a form.
#[derive(InputObject, Debug, Clone)]
pub struct FormFieldInput {
    /// The input's `name` in the HTML and the key of a JSON submission
    /// (letters, digits, `_`, `-`).
    pub name: String,
    /// What a person sees beside the input.
    pub label: String,
    /// Where the answer goes.
    pub target: FormFieldTarget,
    /// Whether a submission without it is refused (default false).
    #[graphql(default)]
    pub required: bool,
    /// With a CONTACT_CUSTOM_FIELD or COMPANY_CUSTOM_FIELD target: the key of
    /// the custom field the answer fills (checked as its type on submission).
    pub custom_field: Option<String>,
}

impl From<FormFieldInput> for FormField {
    fn from(f: FormFieldInput) -> Self {
        Self {
            name: f.name,
            label: f.label,
            target: f.target.into(),
            required: f.required,
            custom_field: f.custom_field,
        }
    }
}

/// Fields forms can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormOrderField {
    /// By `name`.
    Name,
    /// By `createdAt`.
    CreatedAt,
}

impl FormOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "form",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by name).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "form", Self::key, &[Self::Name.key()])
    }
}

/// Which forms to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FormFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<FormFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<FormFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<FormFilter>>,
    /// Matches on the Form's global id.
    pub id: Option<IdFilter>,
}

impl RecordFilter for FormFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("form", workspace_id, backend)
            .id(&self.id, "id", Kind::Form)?
            .done()
    }
    record_filter_composition!();
}

fn json_list<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

/// A public web form: what it asks, where the answers go, and the snippet
/// a website pastes.
#[connections]
#[Object]
impl Form {
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Form);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Form, self.0.model().id)
    }
    /// What the form is called (inside the CRM).
    field!(name: &str);
    /// The unguessable key in its public URL.
    field!(form_key: &str);
    /// Where submissions are posted: `POST` urlencoded (a plain HTML form) or JSON.
    async fn url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(format!(
            "{}/forms/{}",
            public_url(ctx)?,
            self.0.model().form_key
        ))
    }
    /// Its inputs, in order.
    async fn fields(&self) -> ApiResult<Vec<FormFieldSpec>> {
        let stored = forms::fields::stored(&self.0.model().fields).map_err(ApiError)?;
        Ok(stored
            .into_iter()
            .map(|f| FormFieldSpec {
                name: f.name,
                label: f.label,
                target: f.target.into(),
                required: f.required,
                custom_field: f.custom_field,
            })
            .collect())
    }
    /// The consent wording beside its checkbox; null: no consent asked.
    field!(consent_text: Option<&str>);
    /// The GDPR ground recorded with a consent.
    field!(legal_basis: Option<LegalBasis>);
    /// Members who take new contacts in turn (round-robin).
    async fn owner_ids(&self) -> Vec<ID> {
        json_list::<Uuid>(&self.0.model().owner_ids)
            .into_iter()
            .map(|id| ids::encode(Kind::Member, id))
            .collect()
    }
    /// Origins whose pages may post it.
    async fn allowed_origins(&self) -> Vec<String> {
        json_list(&self.0.model().allowed_origins)
    }
    /// Where a browser goes after a plain HTML submission.
    field!(redirect_url: Option<&str>);
    /// The campaign each submission touches.
    async fn campaign(&self, ctx: &Context<'_>) -> ApiResult<Option<Campaign>> {
        crate::graphql::list::referenced(ctx, &self.0, "campaign", |m: &form::Model| m.campaign_id)
            .await
    }
    /// A self-contained `<form>` to paste into a web page.
    async fn embed_html(&self, ctx: &Context<'_>) -> ApiResult<String> {
        use entity::enums::CustomFieldRecordType as Type;
        use rapport_core::ops::custom_field::definitions;
        let form = self.0.model();
        let stored = forms::fields::stored(&form.fields).map_err(ApiError)?;
        let mut custom = Vec::new();
        // Only a form with custom fields reads their definitions.
        if stored.iter().any(|f| f.custom_field.is_some()) {
            let (conn, workspace) = (db(ctx)?, form.workspace_id);
            for record_type in [Type::Contact, Type::Company] {
                custom.extend(definitions(conn, workspace, record_type, false).await?);
            }
        }
        forms::embed::html(form, &public_url(ctx)?, &custom).map_err(ApiError)
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
}

/// The server's address as browsers reach it.
fn public_url(ctx: &Context<'_>) -> ApiResult<String> {
    let config = &state(ctx)?.config;
    Ok(config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.bind)))
}

#[derive(Default)]
pub struct FormQuery;

#[connections]
#[Object]
impl FormQuery {
    /// The workspace's web forms (by name unless `orderBy` says otherwise).
    listing!(forms: Form, FormFilter, FormOrderField);
}
