//! Transport-neutral input: one message as a source (Kafka or a file) hands it to the pipeline.
//!
//! The pipeline never sees an rdkafka type; the Kafka source copies what it needs into
//! [`InputMessage`], and the file source builds the same struct from a JSON line.

use serde::{Deserialize, Serialize};

/// Where a message came from: topic (or file name), partition and offset (or line number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InputCoords {
    /// Kafka topic, or `file:<path>` for file mode.
    pub topic: String,
    /// Kafka partition (0 for files).
    pub partition: i32,
    /// Kafka offset, or zero-based line number for files.
    pub offset: i64,
}

/// How to read a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadFormat {
    /// A JSON envelope, unless headers carry a content type or the payload is not a JSON
    /// object (then a raw page). Kafka messages.
    #[default]
    Auto,
    /// Always a JSON envelope (file mode: every line must be one).
    Envelope,
}

/// One raw input message: payload bytes plus transport metadata.
#[derive(Debug, Clone)]
pub struct InputMessage {
    /// The message value, byte for byte.
    pub payload: Vec<u8>,
    /// Message headers in their original order (value `None` for a null header).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// Where the message came from.
    pub coords: InputCoords,
    /// Broker/producer timestamp in milliseconds since the epoch, when known.
    pub timestamp_ms: Option<i64>,
    /// How to read the payload.
    pub format: PayloadFormat,
}

impl InputMessage {
    /// A message without headers or timestamp (file mode, tests).
    pub fn from_payload(payload: impl Into<Vec<u8>>, coords: InputCoords) -> Self {
        Self {
            payload: payload.into(),
            headers: Vec::new(),
            coords,
            timestamp_ms: None,
            format: PayloadFormat::Auto,
        }
    }

    /// First header with this name (case-insensitive), if present and non-null.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_deref())
    }
}
