//! Durable stage state behind one small interface.
//!
//! Stateful stages (dedup, events) describe every change they make as a [`StateEntry`]. The
//! pipeline hands those entries to the sink with the page's other output records, so a change is
//! durable before the input offset that caused it is committed. On start, and continuously
//! afterwards, the worker reads the state log back (the Kafka state topic, or a JSON-lines file
//! in file mode) and [`StateStore::apply`]s every entry, which is how a restarted or newly added
//! replica learns what the others have seen. Applying an entry twice must be harmless.

use crate::pipeline::sorted_ser::{self, Floats};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::io::{BufRead, Write};
use std::path::Path;

/// One state change, opaque to the transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateEntry {
    /// Which stage owns it (`dedup`, `event`).
    pub stage: String,
    /// Entity key within the stage (document id, event id); the state topic's record key is
    /// `stage/key`, so compaction keeps the latest entry per entity.
    pub key: String,
    /// Stage-specific JSON value.
    pub value: StateValue,
}

impl StateEntry {
    /// The record key on the state topic.
    pub fn record_key(&self) -> String {
        format!("{}/{}", self.stage, self.key)
    }

    /// Append the entry as compact JSON with its fields in `order`, the value as it is.
    pub fn write_json(&self, order: FieldOrder, out: &mut Vec<u8>) {
        let stage = |out: &mut Vec<u8>| {
            out.extend_from_slice(b"\"stage\":");
            write_json_str(out, &self.stage);
        };
        let key = |out: &mut Vec<u8>| {
            out.extend_from_slice(b"\"key\":");
            write_json_str(out, &self.key);
        };
        out.push(b'{');
        match order {
            FieldOrder::Declared => {
                stage(out);
                out.push(b',');
                key(out);
            }
            FieldOrder::Sorted => {
                key(out);
                out.push(b',');
                stage(out);
            }
        }
        out.extend_from_slice(b",\"value\":");
        out.extend_from_slice(self.value.json().as_bytes());
        out.push(b'}');
    }
}

/// Field order of a written [`StateEntry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOrder {
    /// `stage`, `key`, `value` (the state file's lines).
    Declared,
    /// `key`, `stage`, `value` (state-log records, sorted like every record value).
    Sorted,
}

fn write_json_str(out: &mut Vec<u8>, s: &str) {
    // Writing a string into a vector cannot fail.
    let _ = serde_json::Serializer::new(&mut *out).serialize_str(s);
}

/// A state entry's value: compact JSON text, written once by the stage that makes the entry
/// and copied as it is into the state log.
///
/// [`StateValue::of`] writes the keys of every object in sorted order and `f32` values with the
/// digits of the same number as `f64`: the bytes a `serde_json::Value` tree of the same struct
/// prints, which is how entries were encoded before, so old and new logs hold the same text.
/// The text is always valid JSON (it is only made by a serializer or checked by a parser).
#[derive(Clone, PartialEq, Eq)]
pub struct StateValue(Box<str>);

impl StateValue {
    /// Encode a stage's state struct. A value whose `Serialize` fails becomes `null` (which
    /// every stage ignores on apply), as `serde_json::to_value(..).unwrap_or_default()` did.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        match sorted_ser::to_vec_sorted(value, Floats::AsF64) {
            Ok(bytes) => Self::from_json_bytes(bytes),
            // Map keys that are not strings: the old way, through a value tree.
            Err(_) => Self::from(serde_json::to_value(value).unwrap_or_default()),
        }
    }

    /// Wrap JSON text made by a serializer (a stage's own writer included); bytes that are
    /// not UTF-8 become `null`.
    pub(crate) fn from_json_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => Self(text.into_boxed_str()),
            Err(_) => Self(Box::from("null")),
        }
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        &self.0
    }

    /// Decode the value into a stage's state struct (borrowing strings from the text where
    /// the struct allows it).
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        serde_json::from_str(&self.0)
    }

    /// The value as a JSON tree.
    pub fn to_value(&self) -> serde_json::Value {
        self.parse().unwrap_or_default()
    }
}

impl From<serde_json::Value> for StateValue {
    fn from(value: serde_json::Value) -> Self {
        Self(value.to_string().into_boxed_str())
    }
}

impl std::fmt::Debug for StateValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for StateValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for StateValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Checked again here because serde offers no unchecked raw value; the state log's
        // hot paths write the text directly (see [`StateEntry::write_json`]).
        let raw = serde_json::value::RawValue::from_string(self.0.to_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StateValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Self(raw.into()))
    }
}

/// Something that rebuilds its memory from state entries.
pub trait StateStore {
    /// Apply one entry, from this replica or another. Must be idempotent.
    fn apply(&mut self, entry: &StateEntry);
}

/// File-mode state log: JSON lines of [`StateEntry`], replayed on open and appended to.
pub struct StateFile {
    writer: std::io::BufWriter<std::fs::File>,
    /// One line, reused.
    line: Vec<u8>,
}

impl StateFile {
    /// Open (creating if needed) the file, replaying existing entries into `store`.
    /// Returns the log and the number of entries replayed. Unreadable lines are skipped.
    pub fn open(path: &Path, store: &mut dyn StateStore) -> std::io::Result<(Self, usize)> {
        let mut replayed = 0;
        if path.exists() {
            let reader = std::io::BufReader::new(std::fs::File::open(path)?);
            for line in reader.lines() {
                let line = line?;
                if let Ok(entry) = serde_json::from_str::<StateEntry>(&line) {
                    store.apply(&entry);
                    replayed += 1;
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok((
            Self {
                writer: std::io::BufWriter::new(file),
                line: Vec::new(),
            },
            replayed,
        ))
    }

    /// Append one entry.
    pub fn append(&mut self, entry: &StateEntry) -> std::io::Result<()> {
        self.line.clear();
        entry.write_json(FieldOrder::Declared, &mut self.line);
        self.line.push(b'\n');
        self.writer.write_all(&self.line)
    }

    /// Flush buffered entries to the file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        n: u64,
        ls: f32,
        f: (i64, i64),
        l: Option<String>,
        ent: Vec<(String, f32)>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        x: Vec<u32>,
    }

    fn sample() -> Sample {
        Sample {
            n: 3,
            ls: 0.6234,
            f: (-5, 1_700_000_000_000),
            l: Some("Quake \"hits\" Chile".into()),
            ent: vec![("Chile".into(), 1.25), ("Santiago".into(), 0.1)],
            x: Vec::new(),
        }
    }

    #[test]
    fn values_keep_the_bytes_of_the_old_value_tree_encoding() {
        let v = StateValue::of(&sample());
        let old = serde_json::to_value(sample()).unwrap();
        assert_eq!(v.json(), old.to_string());
        assert_eq!(v.to_value(), old);
        assert_eq!(v, StateValue::from(old));
    }

    #[test]
    fn an_old_log_line_replays_and_is_written_back_the_same() {
        // A line as the old `serde_json::to_writer(entry)` wrote it (value from a tree).
        let old = serde_json::json!({"stage": "event", "key": "e-1", "value": sample()});
        let line = format!(
            r#"{{"stage":"event","key":"e-1","value":{}}}"#,
            old["value"]
        );
        let entry: StateEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(entry.value, StateValue::of(&sample()));
        let mut out = Vec::new();
        entry.write_json(FieldOrder::Declared, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), line);
        let mut sorted = Vec::new();
        entry.write_json(FieldOrder::Sorted, &mut sorted);
        assert_eq!(String::from_utf8(sorted).unwrap(), old.to_string());
        // Generic serde still works (and agrees).
        assert_eq!(serde_json::to_string(&entry).unwrap(), line);
        // Whitespace in a hand-written log is kept in the text and still parses.
        let spaced: StateEntry =
            serde_json::from_str(r#"{ "stage": "dedup", "key": "k\"1", "value": { "v": 1 } }"#)
                .unwrap();
        assert_eq!(spaced.key, "k\"1");
        assert_eq!(spaced.value.to_value(), serde_json::json!({"v": 1}));
    }

    #[test]
    fn state_file_round_trip() {
        #[derive(Default)]
        struct Seen(Vec<StateEntry>);
        impl StateStore for Seen {
            fn apply(&mut self, entry: &StateEntry) {
                self.0.push(entry.clone());
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.jsonl");
        let entries: Vec<StateEntry> = ["a", "b\"\n"]
            .iter()
            .map(|k| StateEntry {
                stage: "dedup".into(),
                key: k.to_string(),
                value: StateValue::of(&sample()),
            })
            .collect();
        let (mut file, replayed) = StateFile::open(&path, &mut Seen::default()).unwrap();
        assert_eq!(replayed, 0);
        for e in &entries {
            file.append(e).unwrap();
        }
        file.flush().unwrap();
        drop(file);
        std::fs::write(
            &path,
            std::fs::read_to_string(&path).unwrap() + "not json\n",
        )
        .unwrap();
        let mut seen = Seen::default();
        let (_, replayed) = StateFile::open(&path, &mut seen).unwrap();
        assert_eq!(replayed, 2);
        assert_eq!(seen.0, entries);
    }
}
