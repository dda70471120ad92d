//! The JSON input envelope and its header-borne twin for raw payloads.

use super::{Meta, RawBody, RejectKind, Rejection};
use crate::message::InputMessage;
use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The JSON input envelope. Every field is optional; unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct Envelope {
    /// Crawler's id for the page.
    pub id: Option<String>,
    /// Page URL.
    pub url: Option<String>,
    /// RFC 3339 fetch time.
    pub fetched_at: Option<String>,
    /// `text/html` or `text/plain`, optionally with `; charset=…`.
    pub content_type: Option<String>,
    /// Body as a UTF-8 string.
    pub body: Option<String>,
    /// Body as base64 bytes in any charset.
    pub body_base64: Option<String>,
    /// `gzip`, `deflate` or `identity`; applies to `body_base64`.
    pub content_encoding: Option<String>,
    /// HTTP response headers.
    pub headers: Option<BTreeMap<String, serde_json::Value>>,
    /// Crawler's hint about the source.
    pub source: Option<String>,
}

/// Parse a JSON envelope, rejecting invalid UTF-8, invalid JSON and wrong types separately.
pub(super) fn parse(payload: &[u8]) -> Result<Envelope, Rejection> {
    let text = std::str::from_utf8(payload).map_err(|e| {
        Rejection::new(
            RejectKind::InvalidUtf8,
            format!("payload is not UTF-8: {e}"),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    serde_json::from_str::<Envelope>(text).map_err(|e| {
        let kind = if e.is_data() {
            RejectKind::InvalidEnvelope
        } else {
            RejectKind::InvalidJson
        };
        Rejection::new(kind, e.to_string())
    })
}

/// Split an envelope into metadata and the undecoded body.
pub(super) fn into_parts(env: Envelope) -> Result<(Meta, RawBody<'static>), Rejection> {
    let body = match (env.body, env.body_base64) {
        (Some(_), Some(_)) => {
            return Err(Rejection::new(
                RejectKind::InvalidEnvelope,
                "both body and body_base64 are set",
            ));
        }
        (Some(text), None) => {
            if env
                .content_encoding
                .as_deref()
                .is_some_and(|e| !is_identity(e))
            {
                return Err(Rejection::new(
                    RejectKind::InvalidEnvelope,
                    "content_encoding applies to body_base64 only",
                ));
            }
            RawBody::Text(text)
        }
        (None, Some(b64)) => {
            let cleaned: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(cleaned.as_bytes())
                .map_err(|e| Rejection::new(RejectKind::InvalidBase64, e.to_string()))?;
            RawBody::Bytes(bytes.into())
        }
        (None, None) => return Err(Rejection::new(RejectKind::EmptyBody, "no body")),
    };
    let headers = env
        .headers
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k.to_ascii_lowercase(), v)
        })
        .collect();
    Ok((
        Meta {
            id: env.id,
            url: env.url,
            fetched_at: env.fetched_at,
            content_type: env.content_type,
            content_encoding: env.content_encoding,
            headers,
            source: env.source,
        },
        body,
    ))
}

fn is_identity(encoding: &str) -> bool {
    let e = encoding.trim();
    e.is_empty() || e.eq_ignore_ascii_case("identity")
}

/// Metadata of a raw payload, read from message headers named like the envelope fields
/// (`content-type` and `content-encoding` are accepted too). Other headers are kept as HTTP
/// headers of the page.
pub(super) fn meta_from_headers(msg: &InputMessage) -> Result<Meta, Rejection> {
    let mut meta = Meta::default();
    for (name, value) in &msg.headers {
        let Some(value) = value else { continue };
        let value = std::str::from_utf8(value)
            .map_err(|_| {
                Rejection::new(
                    RejectKind::InvalidUtf8,
                    format!("header {name:?} is not UTF-8"),
                )
            })?
            .to_string();
        match name.to_ascii_lowercase().replace('-', "_").as_str() {
            "id" => meta.id = Some(value),
            "url" => meta.url = Some(value),
            "fetched_at" => meta.fetched_at = Some(value),
            "content_type" => meta.content_type = Some(value),
            "content_encoding" => meta.content_encoding = Some(value),
            "source" => meta.source = Some(value),
            _ => {
                meta.headers.insert(name.to_ascii_lowercase(), value);
            }
        }
    }
    Ok(meta)
}
