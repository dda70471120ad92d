//! Media types and charset detection: declared charset, BOM, `<meta charset>`, then a guess.

use super::{BodyKind, RejectKind, Rejection};
use encoding_rs::Encoding;

/// A parsed `Content-Type` value.
#[derive(Debug)]
pub(super) struct MediaType {
    /// `Some(kind)` for HTML or text, `None` for any other type.
    pub kind: Option<BodyKind>,
    /// The `charset` parameter, if any.
    pub charset: Option<String>,
}

impl MediaType {
    /// Parse `type/subtype; charset=…`.
    pub fn parse(value: &str) -> Result<MediaType, Rejection> {
        let mut parts = value.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if essence.is_empty() {
            return Err(Rejection::new(
                RejectKind::InvalidEnvelope,
                "content_type is empty",
            ));
        }
        let kind = match essence.as_str() {
            "text/html" | "application/xhtml+xml" | "application/xml" | "text/xml" => {
                Some(BodyKind::Html)
            }
            "text/plain" | "text/markdown" => Some(BodyKind::Text),
            _ => None,
        };
        let charset = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').trim_matches('\'').to_string())
        });
        Ok(MediaType { kind, charset })
    }
}

/// Decide HTML or text from the body when no content type was given.
pub(super) fn sniff_kind(body: &str) -> BodyKind {
    let head: String = body
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    let looks_html = head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || (head.starts_with('<')
            && ["<head", "<body", "<div", "<p>", "<p ", "<meta", "<title"]
                .iter()
                .any(|t| head.contains(t)));
    if looks_html {
        BodyKind::Html
    } else {
        BodyKind::Text
    }
}

/// Decode bytes to UTF-8: BOM, then the declared charset, then `<meta charset>` in the first
/// 4 KiB, then UTF-8 if valid, then a statistical guess. Invalid sequences become U+FFFD.
pub(super) fn decode_bytes(bytes: &[u8], declared: Option<&str>) -> (String, &'static str) {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| declared.and_then(|d| Encoding::for_label(d.as_bytes())))
        .or_else(|| meta_charset(bytes))
        .unwrap_or_else(|| {
            if std::str::from_utf8(bytes).is_ok() {
                encoding_rs::UTF_8
            } else {
                let mut detector = chardetng::EncodingDetector::new();
                detector.feed(
                    &bytes[..bytes.len().min(64 * 1024)],
                    bytes.len() <= 64 * 1024,
                );
                detector.guess(None, true)
            }
        });
    // A page declaring UTF-16 in a meta tag is actually ASCII-compatible (HTML spec).
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        if Encoding::for_bom(bytes).is_some() {
            encoding
        } else {
            encoding_rs::UTF_8
        }
    } else {
        encoding
    };
    let (text, used, _had_errors) = encoding.decode(bytes);
    match repair_mojibake(&text) {
        Some(fixed) => (fixed, used.name()),
        None => (text.into_owned(), used.name()),
    }
}

/// Repair text that was UTF-8, decoded once as Latin-1 and encoded again ("Investorâ\u{80}\u{99}s"
/// for "Investor’s"): C1 control characters never appear in real text, so when the text holds
/// some and every character fits in one byte, re-read those bytes as UTF-8. Returns `None` when
/// there is nothing to repair or the bytes are not valid UTF-8.
pub(super) fn repair_mojibake(text: &str) -> Option<String> {
    // U+0080..U+009F are encoded as C2 80..C2 9F.
    let bytes = text.as_bytes();
    let has_c1 = memchr::memchr_iter(0xC2, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)));
    if !has_c1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        bytes.push(u8::try_from(u32::from(c)).ok()?);
    }
    String::from_utf8(bytes).ok()
}

/// Find `<meta charset=…>` or `<meta http-equiv=content-type content="…charset=…">`.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut pos = 0;
    while let Some(i) = find(&lower[pos..], b"charset") {
        let mut j = pos + i + b"charset".len();
        while j < lower.len() && matches!(lower[j], b' ' | b'\t' | b'\n' | b'\r') {
            j += 1;
        }
        if lower.get(j) == Some(&b'=') {
            j += 1;
            while j < lower.len() && matches!(lower[j], b' ' | b'"' | b'\'') {
                j += 1;
            }
            let start = j;
            while j < lower.len()
                && (lower[j].is_ascii_alphanumeric() || matches!(lower[j], b'-' | b'_' | b':'))
            {
                j += 1;
            }
            if let Some(enc) = Encoding::for_label(&lower[start..j]) {
                return Some(enc);
            }
        }
        pos = pos + i + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
