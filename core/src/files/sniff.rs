//! An upload's content type, checked against its first bytes: a file that
//! says it is a PDF must start like one. Types with a known signature are
//! recognised by `infer`; text types (which have none) must be UTF-8 unless
//! they name another charset.

use crate::error::{CoreError, CoreResult};

/// Bytes read before the type is decided: enough for every signature
/// `infer` knows, and for a fair test of text.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// What the uploader said the file is (the multipart part's `Content-Type`).
#[derive(Debug, Clone, Copy)]
pub struct Declared<'a>(pub Option<&'a str>);

/// Names for one type that clients send interchangeably.
const ALIASES: [(&str, &str); 5] = [
    ("image/jpg", "image/jpeg"),
    ("application/x-zip-compressed", "application/zip"),
    ("application/x-pdf", "application/pdf"),
    ("text/xml", "application/xml"),
    ("audio/mp3", "audio/mpeg"),
];

/// Types without a signature that are text.
const TEXT_LIKE: [&str; 6] = [
    "application/json",
    "application/x-ndjson",
    "application/xml",
    "application/javascript",
    "application/csv",
    "image/svg+xml",
];

/// The content type to store for a file that starts with `first`:
/// `BAD_USER_INPUT` on `file` when its bytes contradict what was declared.
pub fn checked_type(declared: Declared<'_>, first: &[u8]) -> CoreResult<String> {
    let (essence, charset) = match declared.0.map(split) {
        Some((essence, charset)) if essence != "application/octet-stream" => {
            if !essence.contains('/') || essence.len() > 200 {
                return Err(CoreError::bad_input(
                    "file",
                    format!("its content type {essence:?} is not a media type"),
                ));
            }
            (Some(essence), charset)
        }
        _ => (None, None),
    };
    let sniffed = infer::get(first).map(|kind| kind.mime_type());
    match (essence, sniffed) {
        (Some(essence), Some(sniffed)) if same(&essence, sniffed) => Ok(essence),
        (Some(essence), Some(sniffed)) => Err(CoreError::bad_input(
            "file",
            format!("is declared as {essence}, but its bytes are {sniffed}"),
        )),
        (Some(essence), None) if is_text(&essence) => {
            let utf8 = charset
                .as_deref()
                .is_none_or(|c| c == "utf-8" || c == "us-ascii");
            if utf8 && !is_utf8(first) {
                return Err(CoreError::bad_input(
                    "file",
                    format!("is declared as {essence}, but its bytes are not UTF-8 text"),
                ));
            }
            Ok(match charset {
                Some(charset) => format!("{essence}; charset={charset}"),
                None => essence,
            })
        }
        (Some(essence), None) if infer::is_mime_supported(&essence) => Err(CoreError::bad_input(
            "file",
            format!("is declared as {essence}, but its bytes do not start as one does"),
        )),
        (Some(essence), None) => Ok(essence),
        (None, Some(sniffed)) => Ok(sniffed.to_owned()),
        (None, None) => Ok("application/octet-stream".to_owned()),
    }
}

/// The lower-case essence (`type/subtype`) and charset of a content type.
fn split(content_type: &str) -> (String, Option<String>) {
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let charset = parts.find_map(|part| {
        let (name, value) = part.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("charset"))
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    });
    (essence, charset)
}

fn canonical(essence: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == essence)
        .map_or(essence, |(_, name)| name)
}

fn same(declared: &str, sniffed: &str) -> bool {
    let declared = canonical(declared);
    let sniffed = canonical(sniffed);
    // An Office file or an EPUB is a ZIP archive: declaring the archive is true.
    let archive = sniffed.starts_with("application/vnd.") || sniffed == "application/epub+zip";
    declared == sniffed || (declared == "application/zip" && archive)
}

fn is_text(essence: &str) -> bool {
    essence.starts_with("text/") || TEXT_LIKE.contains(&essence) || essence.ends_with("+json")
}

/// Whether `bytes` are UTF-8, allowing a character cut at the end (the
/// sample stops mid-file).
fn is_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && bytes.len() - error.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn a_declared_type_must_match_the_bytes() {
        let pdf = checked_type(Declared(Some("application/pdf")), PDF).unwrap();
        assert_eq!(pdf, "application/pdf");
        let error = checked_type(Declared(Some("application/pdf")), PNG).unwrap_err();
        assert_eq!(error.code(), "BAD_USER_INPUT");
        let error = checked_type(Declared(Some("application/pdf")), b"just text").unwrap_err();
        assert!(format!("{error:?}").contains("do not start"), "{error:?}");
        let jpg = b"\xff\xd8\xff\xe0\0\x10JFIF\0";
        assert_eq!(
            checked_type(Declared(Some("image/jpg")), jpg).unwrap(),
            "image/jpg"
        );
    }

    #[test]
    fn text_must_be_utf8_unless_it_says_otherwise() {
        let csv = checked_type(Declared(Some("text/csv")), "name\nZoë\n".as_bytes()).unwrap();
        assert_eq!(csv, "text/csv");
        assert!(checked_type(Declared(Some("text/csv")), b"name\nZo\xeb\n").is_err());
        let latin =
            checked_type(Declared(Some("text/csv; charset=ISO-8859-1")), b"Zo\xeb").unwrap();
        assert_eq!(latin, "text/csv; charset=iso-8859-1");
        // A sample may stop inside a character.
        assert!(checked_type(Declared(Some("text/plain")), &"Zoë".as_bytes()[..3]).is_ok());
        // Text that is really a PNG is refused.
        assert!(checked_type(Declared(Some("text/plain")), PNG).is_err());
    }

    #[test]
    fn an_undeclared_type_comes_from_the_bytes() {
        assert_eq!(checked_type(Declared(None), PNG).unwrap(), "image/png");
        let octets = Declared(Some("application/octet-stream"));
        assert_eq!(checked_type(octets, PDF).unwrap(), "application/pdf");
        assert_eq!(
            checked_type(octets, b"\x00\x01").unwrap(),
            "application/octet-stream"
        );
        assert!(checked_type(Declared(Some("nonsense")), PDF).is_err());
    }
}
