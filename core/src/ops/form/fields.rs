//! What a form asks and where each answer goes. A field names the record
//! field it fills ([`Target`]); a custom field target names the field by its
//! key beside it (`customField`), which forms saved before custom fields
//! simply lack.

use entity::enums::CustomFieldRecordType;
use serde::{Deserialize, Serialize};

use crate::domain::{email, text};
use crate::error::{CoreError, CoreResult};

/// Most fields on one form.
pub const FIELDS_MAX: usize = 40;
/// Longest answer to a text field.
pub const ANSWER_MAX: usize = 200;

/// The record field an answer fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Target {
    ContactFirstName,
    ContactLastName,
    ContactEmail,
    ContactPhone,
    ContactJobTitle,
    ContactCity,
    ContactCountry,
    CompanyName,
    /// Also what the company is found by.
    CompanyDomain,
    CompanyIndustry,
    /// The contact's custom field named by the form field's `custom_field`.
    ContactCustomField,
    /// The company's custom field named by the form field's `custom_field`.
    CompanyCustomField,
}

impl Target {
    /// Whether the target is a custom field (named by the form field's key).
    pub fn is_custom(self) -> bool {
        self.custom_record_type().is_some()
    }

    /// The record type whose custom field this target fills, if it does.
    pub fn custom_record_type(self) -> Option<CustomFieldRecordType> {
        match self {
            Self::ContactCustomField => Some(CustomFieldRecordType::Contact),
            Self::CompanyCustomField => Some(CustomFieldRecordType::Company),
            _ => None,
        }
    }

    /// The path the contact and company operations name this field by in
    /// their refusals, so a refusal finds its way back to the form field.
    pub fn input_path(self) -> (&'static str, &'static str) {
        match self {
            Self::ContactFirstName => ("contact", "input.firstName"),
            Self::ContactLastName => ("contact", "input.lastName"),
            Self::ContactEmail => ("contact", "input.email"),
            Self::ContactPhone => ("contact", "input.phone"),
            Self::ContactJobTitle => ("contact", "input.jobTitle"),
            Self::ContactCity => ("contact", "input.city"),
            Self::ContactCountry => ("contact", "input.country"),
            Self::CompanyName => ("company", "input.name"),
            Self::CompanyDomain => ("company", "input.domain"),
            Self::CompanyIndustry => ("company", "input.industry"),
            // Named by key: see `FormField::input_path`.
            Self::ContactCustomField => ("contact", "input.customFields"),
            Self::CompanyCustomField => ("company", "input.customFields"),
        }
    }

    /// The answer checked as the record will store it (the record's own
    /// rules run again when it is written).
    pub fn check(self, answer: &str) -> Result<String, String> {
        let checked = match self {
            Self::ContactEmail => email::normalize_email(answer),
            Self::CompanyDomain => text::normalize_domain(answer),
            // Checked as the field's type when the record is written.
            Self::ContactCustomField | Self::CompanyCustomField => {
                text::optional_text(Some(answer), ANSWER_MAX).map(Option::unwrap_or_default)
            }
            _ => text::required_name(answer, ANSWER_MAX),
        };
        checked.map_err(|invalid| invalid.0)
    }
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    /// The HTML input's `name`, and the key of a JSON submission.
    pub name: String,
    /// What a person sees beside the input.
    pub label: String,
    pub target: Target,
    pub required: bool,
    /// The custom field key of a custom field target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_field: Option<String>,
}

impl FormField {
    /// The path the record operation names this field by in its refusals.
    pub fn input_path(&self) -> (&'static str, String) {
        let (record, path) = self.target.input_path();
        match &self.custom_field {
            Some(key) if self.target.is_custom() => (record, format!("{path}.{key}")),
            _ => (record, path.to_owned()),
        }
    }
}

/// Names a form field may not take: the honeypot and the consent box.
pub const RESERVED_NAMES: [&str; 2] = [super::HONEYPOT, super::CONSENT];

/// Checks a form's fields: names unique and HTML-safe, targets unique, and
/// a required contact email (a submission is matched by it).
pub fn check(fields: Vec<FormField>) -> CoreResult<Vec<FormField>> {
    if fields.is_empty() || fields.len() > FIELDS_MAX {
        return Err(CoreError::bad_input(
            "input.fields",
            format!("a form has 1 to {FIELDS_MAX} fields"),
        ));
    }
    let mut checked: Vec<FormField> = Vec::with_capacity(fields.len());
    for (i, field) in fields.into_iter().enumerate() {
        let at = |part: &str| format!("input.fields.{i}.{part}");
        let name = field.name.trim().to_owned();
        let safe = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if name.is_empty() || name.len() > 60 || !safe {
            return Err(CoreError::bad_input(
                at("name"),
                "1 to 60 letters, digits, `_` or `-`",
            ));
        }
        if RESERVED_NAMES.contains(&name.as_str()) {
            return Err(CoreError::bad_input(at("name"), "this name is reserved"));
        }
        if checked.iter().any(|f| f.name == name) {
            return Err(CoreError::bad_input(at("name"), "names must be unique"));
        }
        let custom_field = check_custom_field(&field, &at("customField"))?;
        if checked
            .iter()
            .any(|f| f.target == field.target && f.custom_field == custom_field)
        {
            return Err(CoreError::bad_input(
                at("target"),
                "each target may be filled by one field only",
            ));
        }
        let label = text::required_name(&field.label, ANSWER_MAX)
            .map_err(CoreError::invalid(at("label")))?;
        checked.push(FormField {
            name,
            label,
            target: field.target,
            required: field.required,
            custom_field,
        });
    }
    let email = checked.iter().find(|f| f.target == Target::ContactEmail);
    if !email.is_some_and(|f| f.required) {
        return Err(CoreError::bad_input(
            "input.fields",
            "a form needs a required CONTACT_EMAIL field: submissions are matched by it",
        ));
    }
    Ok(checked)
}

/// The key of a custom field target, which it must have (a key's form:
/// lower-case letters, digits and `_`); other targets must have none.
fn check_custom_field(field: &FormField, at: &str) -> CoreResult<Option<String>> {
    let key = field.custom_field.as_deref().map(str::trim);
    match (field.target.is_custom(), key) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(CoreError::bad_input(
            at,
            "only CONTACT_CUSTOM_FIELD and COMPANY_CUSTOM_FIELD fields name a custom field",
        )),
        (true, Some(key)) if crate::ops::custom_field::is_key(key) => Ok(Some(key.to_owned())),
        (true, _) => Err(CoreError::bad_input(
            at,
            "a custom field target needs the custom field's key",
        )),
    }
}

/// Reads the fields a form stored.
pub fn stored(json: &serde_json::Value) -> CoreResult<Vec<FormField>> {
    serde_json::from_value(json.clone())
        .map_err(|e| CoreError::Internal(format!("stored form fields: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, target: Target, required: bool) -> FormField {
        FormField {
            name: name.into(),
            label: name.into(),
            target,
            required,
            custom_field: None,
        }
    }

    #[test]
    fn a_form_without_a_required_email_is_refused() {
        let only_name = vec![field("name", Target::ContactFirstName, true)];
        assert!(check(only_name).is_err());
        let optional = vec![field("email", Target::ContactEmail, false)];
        assert!(check(optional).is_err());
        let fine = vec![field("email", Target::ContactEmail, true)];
        assert!(check(fine).is_ok());
    }

    #[test]
    fn names_and_targets_are_unique_and_html_safe() {
        let email = field("email", Target::ContactEmail, true);
        let twice = vec![email.clone(), field("email", Target::ContactCity, false)];
        assert!(check(twice).is_err());
        let same_target = vec![email.clone(), field("mail2", Target::ContactEmail, false)];
        assert!(check(same_target).is_err());
        let unsafe_name = vec![email.clone(), field("a\"b", Target::ContactCity, false)];
        assert!(check(unsafe_name).is_err());
        let reserved = vec![
            email,
            field(super::super::HONEYPOT, Target::ContactCity, false),
        ];
        assert!(check(reserved).is_err());
    }

    #[test]
    fn targets_are_stored_by_their_api_names() {
        let json = serde_json::to_value(Target::CompanyDomain).ok();
        assert_eq!(json, Some(serde_json::json!("COMPANY_DOMAIN")));
    }
}
