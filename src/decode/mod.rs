//! Decode stage: one [`InputMessage`] → one [`Page`] (or a [`Rejection`] with a reason).
//!
//! Accepts a JSON [`Envelope`](envelope::Envelope) or a raw payload whose metadata rides in
//! message headers, undoes base64 and content encodings under a size limit (so a gzip bomb is
//! rejected, not inflated), detects the charset and yields UTF-8 text. Never panics on input.

mod body;
mod charset;
mod envelope;

pub use envelope::Envelope;

use crate::message::{InputMessage, PayloadFormat};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use xxhash_rust::xxh3::xxh3_128;

/// Settings of the decode stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DecodeConfig {
    /// Largest accepted body in bytes, checked before and after decompression.
    pub max_body_bytes: usize,
    /// Longest accepted envelope `id`.
    pub max_id_len: usize,
    /// Most headers accepted (message headers, or the envelope's `headers` map).
    pub max_headers: usize,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 10 * 1024 * 1024,
            max_id_len: 512,
            max_headers: 1000,
        }
    }
}

/// What kind of document the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// HTML or XHTML markup.
    Html,
    /// Plain text (possibly page text still carrying site chrome).
    Text,
}

/// A decoded page: metadata plus the body as UTF-8 text.
#[derive(Debug, Clone)]
pub struct Page {
    /// The envelope's id, or one derived from URL and body bytes (stable across redelivery).
    pub id: String,
    /// Page URL as given by the crawler.
    pub url: Option<String>,
    /// When the crawler fetched the page (falls back to the message timestamp).
    pub fetched_at: Option<DateTime<Utc>>,
    /// HTML or text.
    pub kind: BodyKind,
    /// The body decoded to UTF-8.
    pub body: String,
    /// Charset the body was decoded from (`utf-8` for JSON string bodies).
    pub charset: &'static str,
    /// HTTP response headers the crawler passed on (lowercased names).
    pub headers: BTreeMap<String, String>,
    /// Crawler's hint about the source (publisher name or domain).
    pub source_hint: Option<String>,
}

/// Why a message could not be turned into a page. `as_str` is the metric label and the
/// `error.kind` of a dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectKind {
    /// Payload is not valid JSON.
    InvalidJson,
    /// Bytes are not UTF-8 where UTF-8 is required (JSON payload, header metadata).
    InvalidUtf8,
    /// JSON is valid but a field has the wrong type or an invalid value.
    InvalidEnvelope,
    /// `body_base64` is not valid base64.
    InvalidBase64,
    /// Compressed body could not be decompressed.
    InvalidEncoding,
    /// `content_encoding` is not one we support.
    UnsupportedEncoding,
    /// `content_type` is not HTML or text.
    UnsupportedContentType,
    /// Body exceeds the limit, before or after decompression.
    BodyTooLarge,
    /// No body, or an empty one.
    EmptyBody,
    /// An output record exceeded what the broker accepts.
    RecordTooLarge,
    /// A stage failed unexpectedly on this input (a bug, contained).
    StageFailure,
}

impl RejectKind {
    /// Every kind, for pre-registering metric label values.
    pub const ALL: [RejectKind; 11] = [
        Self::InvalidJson,
        Self::InvalidUtf8,
        Self::InvalidEnvelope,
        Self::InvalidBase64,
        Self::InvalidEncoding,
        Self::UnsupportedEncoding,
        Self::UnsupportedContentType,
        Self::BodyTooLarge,
        Self::EmptyBody,
        Self::RecordTooLarge,
        Self::StageFailure,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::InvalidEnvelope => "invalid_envelope",
            Self::InvalidBase64 => "invalid_base64",
            Self::InvalidEncoding => "invalid_encoding",
            Self::UnsupportedEncoding => "unsupported_encoding",
            Self::UnsupportedContentType => "unsupported_content_type",
            Self::BodyTooLarge => "body_too_large",
            Self::EmptyBody => "empty_body",
            Self::RecordTooLarge => "record_too_large",
            Self::StageFailure => "stage_failure",
        }
    }
}

/// A message that cannot be processed, with a human-readable reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Machine-readable reason.
    pub kind: RejectKind,
    /// Human-readable detail.
    pub message: String,
}

impl Rejection {
    /// Build a rejection.
    pub fn new(kind: RejectKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// Metadata common to both input shapes, before the body is decoded.
#[derive(Debug, Default)]
struct Meta {
    id: Option<String>,
    url: Option<String>,
    fetched_at: Option<String>,
    content_type: Option<String>,
    content_encoding: Option<String>,
    headers: BTreeMap<String, String>,
    source: Option<String>,
}

/// Where the body bytes are before decoding.
enum RawBody<'a> {
    /// Already UTF-8 (a JSON string).
    Text(String),
    /// Bytes in an unknown charset, possibly compressed.
    Bytes(std::borrow::Cow<'a, [u8]>),
}

/// Decode one message into a page. Pure: the same message always gives the same result.
pub fn decode(msg: &InputMessage, cfg: &DecodeConfig) -> Result<Page, Rejection> {
    if msg.headers.len() > cfg.max_headers {
        return Err(Rejection::new(
            RejectKind::InvalidEnvelope,
            format!(
                "{} message headers, limit {}",
                msg.headers.len(),
                cfg.max_headers
            ),
        ));
    }
    let (meta, raw) = if is_raw_payload(msg) {
        (
            envelope::meta_from_headers(msg)?,
            RawBody::Bytes(msg.payload.as_slice().into()),
        )
    } else {
        let env = envelope::parse(&msg.payload)?;
        envelope::into_parts(env)?
    };

    if meta.headers.len() > cfg.max_headers {
        return Err(Rejection::new(
            RejectKind::InvalidEnvelope,
            format!(
                "{} page headers, limit {}",
                meta.headers.len(),
                cfg.max_headers
            ),
        ));
    }
    let id = match meta.id {
        Some(id) if id.len() > cfg.max_id_len => {
            return Err(Rejection::new(
                RejectKind::InvalidEnvelope,
                format!("id is {} bytes, limit {}", id.len(), cfg.max_id_len),
            ));
        }
        Some(id) if !id.trim().is_empty() => Some(id),
        _ => None,
    };
    let fetched_at = match meta.fetched_at.as_deref() {
        Some(s) => Some(parse_fetched_at(s).ok_or_else(|| {
            Rejection::new(
                RejectKind::InvalidEnvelope,
                format!("fetched_at {s:?} is not an RFC 3339 / ISO 8601 timestamp"),
            )
        })?),
        None => msg.timestamp_ms.and_then(DateTime::from_timestamp_millis),
    };
    let mime = meta
        .content_type
        .as_deref()
        .map(charset::MediaType::parse)
        .transpose()?;

    let (body, charset) = match raw {
        RawBody::Text(s) => {
            body::check_size(s.len(), cfg.max_body_bytes)?;
            (charset::repair_mojibake(&s).unwrap_or(s), "utf-8")
        }
        RawBody::Bytes(bytes) => {
            body::check_size(bytes.len(), cfg.max_body_bytes)?;
            let bytes =
                body::decompress(bytes, meta.content_encoding.as_deref(), cfg.max_body_bytes)?;
            let declared = mime.as_ref().and_then(|m| m.charset.as_deref());
            charset::decode_bytes(&bytes, declared)
        }
    };
    if body.trim().is_empty() {
        return Err(Rejection::new(RejectKind::EmptyBody, "body is empty"));
    }
    if let Some(share) = binary_share(&body) {
        return Err(Rejection::new(
            RejectKind::UnsupportedContentType,
            format!("body looks binary ({share:.0}% control or undecodable characters)"),
        ));
    }
    let kind = match mime.as_ref().map(|m| m.kind) {
        Some(Some(kind)) => kind,
        Some(None) => {
            return Err(Rejection::new(
                RejectKind::UnsupportedContentType,
                format!(
                    "content_type {:?} is neither HTML nor text",
                    meta.content_type.unwrap_or_default()
                ),
            ));
        }
        None => charset::sniff_kind(&body),
    };
    let id = id.unwrap_or_else(|| derived_id(meta.url.as_deref(), &body));
    Ok(Page {
        id,
        url: meta.url.filter(|u| !u.trim().is_empty()),
        fetched_at,
        kind,
        body,
        charset,
        headers: meta.headers,
        source_hint: meta.source,
    })
}

/// Parse a fetch time: RFC 3339, or ISO 8601 without an offset (taken as UTC, as crawlers
/// commonly write it), or RFC 2822 (HTTP `Date` style).
fn parse_fetched_at(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    DateTime::parse_from_rfc2822(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Percentage of control characters (other than whitespace) and U+FFFD in the first 64 Ki
/// characters, when it is high enough (over 5%) to call the body binary junk, not text.
///
/// Eight bytes are judged at once when none can start a bad char: no ASCII control other than
/// '\n', no 0x7f, no 0xC2 lead byte followed by 0x80..=0x9F (the C1 controls; NBSP, C2 A0,
/// passes) and no 0xEF lead byte (U+FFFD is EF BF BD). Such a chunk adds its lead bytes to the
/// char count; its last char may run into the next chunk, whose continuation bytes are never
/// counted.
fn binary_share(body: &str) -> Option<f64> {
    let (mut n, mut bad) = (0usize, 0usize);
    let bytes = body.as_bytes();
    let mut i = 0;
    const LIMIT: usize = 64 * 1024;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    /// `0x80` in each byte of `y` that is zero (exact for any bytes).
    const fn zero_bytes(y: u64) -> u64 {
        !(((y & !HIGH) + !HIGH) | y) & HIGH
    }
    while n < LIMIT {
        if n + 8 <= LIMIT
            && let Some(chunk) = bytes.get(i..i + 8)
        {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_le_bytes(word);
            // Per byte: below 0x20 (ASCII bytes only: high bytes are masked out).
            let below_space = !((w & !HIGH) + 0x60 * ONES) & !w & HIGH;
            let newline = zero_bytes(w ^ (u64::from(b'\n') * ONES));
            let del = zero_bytes(w ^ (0x7f * ONES));
            if w & HIGH == 0 {
                if (below_space & !newline) | del == 0 {
                    n += 8;
                    i += 8;
                    continue;
                }
            } else {
                let ef = zero_bytes(w ^ (0xef * ONES));
                // A 0xC2 whose next byte (in this chunk) has bit 5 set is 0xC2 0xA0..=0xBF,
                // not a C1 control. At the chunk's end the next byte is unknown: judged one by
                // one.
                let bad_c2 = zero_bytes(w ^ (0xc2 * ONES)) & !(((w >> 8) << 2) & HIGH);
                if (below_space & !newline) | del | ef | bad_c2 == 0 {
                    // Continuation bytes: high bit set, bit 6 clear.
                    let continuation = w & !(w << 1) & HIGH;
                    let leads = 8 - ((continuation >> 7).wrapping_mul(ONES) >> 56) as usize;
                    n += leads;
                    i += 8;
                    continue;
                }
            }
        }
        let Some(&b) = bytes.get(i) else { break };
        if b < 0x80 {
            n += 1;
            // ASCII: the control characters are below 0x20 and 0x7f.
            if (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f {
                bad += 1;
            }
            i += 1;
        } else if b < 0xc0 {
            // A continuation byte of a char counted by the chunk before.
            i += 1;
        } else {
            let Some(c) = body.get(i..).and_then(|s| s.chars().next()) else {
                break;
            };
            n += 1;
            if c == '\u{fffd}' || c.is_control() {
                bad += 1;
            }
            i += c.len_utf8();
        }
    }
    let share = 100.0 * bad as f64 / n.max(1) as f64;
    (share > 5.0).then_some(share)
}

/// A message is a raw payload when its headers carry a content type, or when it does not
/// look like a JSON object at all. [`PayloadFormat::Envelope`] forces envelope parsing.
fn is_raw_payload(msg: &InputMessage) -> bool {
    if msg.format == PayloadFormat::Envelope {
        return false;
    }
    if msg.header("content_type").is_some() || msg.header("content-type").is_some() {
        return true;
    }
    let first = msg
        .payload
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace())
        .find(|&b| b != 0xEF && b != 0xBB && b != 0xBF);
    first != Some(b'{')
}

/// Stable page id from URL and body: the same page redelivered gets the same id.
pub fn derived_id(url: Option<&str>, body: &str) -> String {
    let mut buf = Vec::with_capacity(body.len() + 64);
    buf.extend_from_slice(url.unwrap_or("").as_bytes());
    buf.push(0);
    buf.extend_from_slice(body.as_bytes());
    format!("p-{:032x}", xxh3_128(&buf))
}

#[cfg(test)]
mod tests;
