//! A form's settings checked before they are stored: origins, redirect URL,
//! consent wording and the members new contacts go to.

use entity::enums::LegalBasis;
use entity::{campaign, member};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::fields::{self, FormField};
use crate::access::Actor;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::check_reference;

const ORIGINS_MAX: usize = 20;
const CONSENT_MAX: usize = 2000;
const OWNERS_MAX: usize = 100;

/// A form's settings, whole (an update replaces them all).
#[derive(Debug, Clone)]
pub struct FormSettings {
    pub name: String,
    pub fields: Vec<FormField>,
    /// The wording beside the consent box; none asks for no consent.
    pub consent_text: Option<String>,
    /// Required with `consent_text`.
    pub legal_basis: Option<LegalBasis>,
    /// Members who take new contacts in turn; none leaves them unowned.
    pub owner_ids: Vec<Uuid>,
    /// Origins (`https://example.com`) whose pages may post the form.
    pub allowed_origins: Vec<String>,
    /// Where a browser goes after a plain HTML submission.
    pub redirect_url: Option<String>,
    /// The campaign each submission touches (first and last touch).
    pub campaign_id: Option<Uuid>,
}

/// Settings as stored.
pub(super) struct Checked {
    pub name: String,
    pub fields: serde_json::Value,
    pub consent_text: Option<String>,
    pub legal_basis: Option<LegalBasis>,
    pub owner_ids: serde_json::Value,
    pub allowed_origins: serde_json::Value,
    pub redirect_url: Option<String>,
    pub campaign_id: Option<Uuid>,
}

pub(super) async fn check(
    txn: &DatabaseTransaction,
    actor: &Actor,
    settings: FormSettings,
) -> CoreResult<Checked> {
    let name =
        text::required_name(&settings.name, 200).map_err(CoreError::invalid("input.name"))?;
    let fields = fields::check(settings.fields)?;
    check_custom_fields(txn, actor, &fields).await?;
    let consent_text = text::optional_text(settings.consent_text.as_deref(), CONSENT_MAX)
        .map_err(CoreError::invalid("input.consentText"))?;
    if consent_text.is_some() != settings.legal_basis.is_some() {
        return Err(CoreError::bad_input(
            "input.legalBasis",
            "consent text and legal basis go together",
        ));
    }
    let owner_ids = checked_owners(txn, actor, settings.owner_ids).await?;
    let campaign = settings.campaign_id;
    check_reference::<campaign::Entity>(txn, actor, campaign, "input.campaignId").await?;
    let allowed_origins = settings
        .allowed_origins
        .iter()
        .map(|o| origin(o))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| CoreError::bad_input("input.allowedOrigins", message))?;
    if allowed_origins.len() > ORIGINS_MAX {
        return Err(CoreError::bad_input(
            "input.allowedOrigins",
            format!("at most {ORIGINS_MAX} origins"),
        ));
    }
    let redirect_url = settings
        .redirect_url
        .as_deref()
        .map(web_url)
        .transpose()
        .map_err(|message| CoreError::bad_input("input.redirectUrl", message))?;
    Ok(Checked {
        name,
        fields: serde_json::json!(fields),
        consent_text,
        legal_basis: settings.legal_basis,
        owner_ids: serde_json::json!(owner_ids),
        allowed_origins: serde_json::json!(allowed_origins),
        redirect_url,
        campaign_id: settings.campaign_id,
    })
}

/// The owners, each an active member of the workspace, once each.
async fn checked_owners(
    txn: &DatabaseTransaction,
    actor: &Actor,
    mut ids: Vec<Uuid>,
) -> CoreResult<Vec<Uuid>> {
    const FIELD: &str = "input.ownerIds";
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    if ids.len() > OWNERS_MAX {
        return Err(CoreError::bad_input(
            FIELD,
            format!("at most {OWNERS_MAX} owners"),
        ));
    }
    if ids.is_empty() {
        return Ok(ids);
    }
    let found = member::Entity::find()
        .filter(member::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(member::Column::Id.is_in(ids.clone()))
        .filter(member::Column::DeactivatedAt.is_null())
        .count(txn)
        .await?;
    if found != ids.len() as u64 {
        return Err(CoreError::bad_input(
            FIELD,
            "each owner must be an active member of this workspace",
        ));
    }
    Ok(ids)
}

/// `scheme://host[:port]` as a browser sends it in `Origin`.
pub fn origin(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not an origin: {e}"))?;
    let only_origin = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || !only_origin || url.host().is_none() {
        return Err(format!(
            "`{raw}` is not an origin such as https://example.com"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// An absolute http(s) URL.
fn web_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || raw.len() > 2000 {
        return Err("an http or https URL of at most 2000 characters".to_owned());
    }
    Ok(url.to_string())
}

/// Each custom field target names a live custom field of its record type.
async fn check_custom_fields(
    txn: &DatabaseTransaction,
    actor: &Actor,
    fields: &[fields::FormField],
) -> CoreResult<()> {
    use entity::enums::CustomFieldRecordType;
    for (i, field) in fields.iter().enumerate() {
        let Some(key) = field.custom_field.as_deref() else {
            continue;
        };
        let record_type = field
            .target
            .custom_record_type()
            .unwrap_or(CustomFieldRecordType::Contact);
        let records = match record_type {
            CustomFieldRecordType::Company => "companies",
            _ => "contacts",
        };
        let live =
            crate::ops::custom_field::definitions(txn, actor.workspace_id, record_type, false)
                .await?;
        if !live.iter().any(|f| f.key == key) {
            return Err(CoreError::bad_input(
                format!("input.fields.{i}.customField"),
                format!("no custom field of {records} has this key"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_scheme_host_and_port_only() {
        assert_eq!(
            origin("https://Example.com").ok().as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert!(origin("https://example.com/page").is_err());
        assert!(origin("ftp://example.com").is_err());
        assert!(origin("example.com").is_err());
    }
}
