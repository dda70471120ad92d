//! Output records: what the sink publishes, one schema per output.

use crate::decode::RejectKind;
use crate::dedup::Verdict;
use crate::message::{InputCoords, InputMessage};
use crate::normalize::Article;
use crate::tag::{EventRef, Source};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Version of the record schemas below; bumped on incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Which output a record goes to. The sink maps each to a configured topic name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputKind {
    /// Unique pages.
    Clean,
    /// Copies of earlier pages.
    Duplicates,
    /// Dead letters.
    Rejected,
    /// Event summaries (compacted topic).
    Events,
    /// Stage state (internal, compacted topic).
    State,
}

impl OutputKind {
    /// Metric label and short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clean => "clean",
            Self::Duplicates => "duplicates",
            Self::Rejected => "rejected",
            Self::Events => "events",
            Self::State => "state",
        }
    }
}

/// One record to publish: output, key, JSON value and headers.
#[derive(Debug, Clone)]
pub struct OutputRecord {
    /// Destination.
    pub kind: OutputKind,
    /// Record key.
    pub key: String,
    /// JSON value bytes.
    pub value: Vec<u8>,
    /// Record headers.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Value of a `pages.clean` or `pages.duplicates` record.
#[derive(Debug, Serialize)]
pub struct ArticleRecord<'a> {
    /// Schema version.
    pub schema_version: u32,
    /// Page id (the envelope's, or derived).
    pub page_id: &'a str,
    /// Input coordinates.
    pub input: &'a InputCoords,
    /// Fetch time.
    pub fetched_at: Option<DateTime<Utc>>,
    /// When sift processed it.
    pub processed_at: DateTime<Utc>,
    /// sift version that produced it.
    pub sift_version: &'static str,
    /// Content fields.
    #[serde(flatten)]
    pub article: &'a Article,
    /// Publisher.
    pub source: &'a Source,
    /// News event.
    pub event: &'a EventRef,
    /// Dedup verdict.
    pub dedup: &'a Verdict,
}

/// Value of a `pages.rejected` record (dead letter).
#[derive(Debug, Serialize)]
pub struct RejectedRecord<'a> {
    /// Schema version.
    pub schema_version: u32,
    /// Why.
    pub error: RejectError<'a>,
    /// Input coordinates.
    pub input: &'a InputCoords,
    /// Input message timestamp, ms.
    pub input_timestamp_ms: Option<i64>,
    /// When sift rejected it.
    pub rejected_at: DateTime<Utc>,
    /// sift version that rejected it.
    pub sift_version: &'static str,
    /// The original payload, byte for byte, base64.
    pub payload_base64: String,
    /// Original headers, values base64 (null for null headers).
    pub headers: Vec<(String, Option<String>)>,
}

/// Error part of a dead letter.
#[derive(Debug, Serialize)]
pub struct RejectError<'a> {
    /// Machine-readable reason.
    pub kind: &'static str,
    /// Human-readable detail.
    pub message: &'a str,
}

/// A record value: compact JSON with the keys of every object sorted (the published format:
/// file mode has always printed values so, and the Kafka outputs now carry the same bytes).
/// The sorting follows the struct's field names, written once per record without a tree.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    super::sorted_ser::to_vec_sorted(value, super::sorted_ser::Floats::Shortest)
}

/// Build the dead-letter record for a message.
pub fn rejected_record(
    msg: &InputMessage,
    kind: RejectKind,
    message: &str,
    now: DateTime<Utc>,
) -> OutputRecord {
    let b64 = base64::engine::general_purpose::STANDARD;
    let value = RejectedRecord {
        schema_version: SCHEMA_VERSION,
        error: RejectError {
            kind: kind.as_str(),
            message,
        },
        input: &msg.coords,
        input_timestamp_ms: msg.timestamp_ms,
        rejected_at: now,
        sift_version: crate::VERSION,
        payload_base64: b64.encode(&msg.payload),
        headers: msg
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_ref().map(|v| b64.encode(v))))
            .collect(),
    };
    OutputRecord {
        kind: OutputKind::Rejected,
        key: format!(
            "{}:{}:{}",
            msg.coords.topic, msg.coords.partition, msg.coords.offset
        ),
        value: to_json(&value).unwrap_or_default(),
        headers: vec![
            ("sift.error.kind".into(), kind.as_str().as_bytes().to_vec()),
            (
                "sift.error.message".into(),
                truncate(message, 1024).into_bytes(),
            ),
            ("sift.version".into(), crate::VERSION.as_bytes().to_vec()),
        ],
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}
