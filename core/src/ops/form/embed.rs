//! The snippet a website pastes to show a form: a plain HTML `<form>` that
//! posts to the server's public URL and works without JavaScript. Labels
//! and consent wording are escaped; the honeypot sits off-screen, where a
//! person neither sees nor tabs into it and a robot filling every input
//! does.

use entity::form;

use super::fields::{self, Target};
use super::{CONSENT, HONEYPOT};
use crate::error::CoreResult;

/// The snippet for `form`, posting to `public_url` (the server's address
/// as browsers reach it, e.g. `https://crm.example.com`).
pub fn html(form: &form::Model, public_url: &str) -> CoreResult<String> {
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
        let kind = match field.target {
            Target::ContactEmail => "email",
            Target::ContactPhone => "tel",
            _ => "text",
        };
        let required = if field.required { " required" } else { "" };
        out.push_str(&format!(
            "  <p><label>{} <input type=\"{kind}\" name=\"{}\"{required}></label></p>\n",
            escape(&field.label),
            escape(&field.name),
        ));
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
