//! The snippet a website pastes to show a form: a plain HTML `<form>` that
//! posts to the server's public URL and works without JavaScript. Labels
//! and consent wording are escaped; the honeypot sits off-screen, where a
//! person neither sees nor tabs into it and a robot filling every input
//! does.

use entity::enums::CustomFieldType;
use entity::{custom_field, form};

use super::fields::{self, FormField, Target};
use super::{CONSENT, HONEYPOT};
use crate::error::CoreResult;

/// The snippet for `form`, posting to `public_url` (the server's address
/// as browsers reach it, e.g. `https://crm.example.com`).
/// `custom` holds the live custom fields of contacts and companies, so that
/// a custom field's input suits its type (a `<select>` of its options, a
/// number, a date, a checkbox).
pub fn html(
    form: &form::Model,
    public_url: &str,
    custom: &[custom_field::Model],
) -> CoreResult<String> {
    let action = format!(
        "{}/forms/{}",
        public_url.trim_end_matches('/'),
        form.form_key
    );
    let mut out = format!(
        "<form method=\"post\" action=\"{}\" accept-charset=\"utf-8\" data-rapport-form>\n",
        escape(&action)
    );
    for field in fields::stored(&form.fields)? {
        let label = escape(&field.label);
        let input = input(&field, custom);
        out.push_str(&format!("  <p><label>{label} {input}</label></p>\n"));
    }
    if let Some(text) = &form.consent_text {
        out.push_str(&format!(
            "  <p><label><input type=\"checkbox\" name=\"{CONSENT}\" value=\"yes\"> {}</label></p>\n",
            escape(text)
        ));
    }
    out.push_str(&format!(
        "  <div style=\"position:absolute;left:-10000px\" aria-hidden=\"true\"><input type=\"text\" name=\"{HONEYPOT}\" tabindex=\"-1\" autocomplete=\"off\"></div>\n"
    ));
    out.push_str("  <p><button type=\"submit\">Send</button></p>\n</form>\n");
    Ok(out)
}

/// The input of one form field.
fn input(field: &FormField, custom: &[custom_field::Model]) -> String {
    let name = escape(&field.name);
    let required = if field.required { " required" } else { "" };
    let record_type = field.target.custom_record_type();
    let defined = custom.iter().find(|f| {
        Some(f.record_type) == record_type && Some(&f.key) == field.custom_field.as_ref()
    });
    let kind = match (field.target, defined.map(|f| f.field_type)) {
        (Target::ContactEmail, _) | (_, Some(CustomFieldType::Email)) => "email",
        (Target::ContactPhone, _) => "tel",
        (_, Some(CustomFieldType::Url)) => "url",
        (_, Some(CustomFieldType::Date)) => "date",
        (_, Some(CustomFieldType::Number)) => "number\" step=\"1",
        (_, Some(CustomFieldType::Decimal)) => "number\" step=\"any",
        (_, Some(CustomFieldType::Boolean)) => {
            return format!("<input type=\"checkbox\" name=\"{name}\" value=\"true\"{required}>");
        }
        (_, Some(CustomFieldType::Select)) => {
            let options: String = defined
                .map(super::super::custom_field::options_of)
                .unwrap_or_default()
                .iter()
                .map(|o| format!("<option>{}</option>", escape(o)))
                .collect();
            return format!(
                "<select name=\"{name}\"{required}><option value=\"\"></option>{options}</select>"
            );
        }
        // Several options, or an instant with its offset: typed as text
        // (`a; b`, RFC 3339), which the field's check reads.
        _ => "text",
    };
    format!("<input type=\"{kind}\" name=\"{name}\"{required}>")
}

/// `text` safe inside an HTML element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_labels_is_escaped() {
        assert_eq!(
            escape("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
