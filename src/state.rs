//! Durable stage state behind one small interface.
//!
//! Stateful stages (dedup, events) describe every change they make as a [`StateEntry`]. The
//! pipeline hands those entries to the sink with the page's other output records, so a change is
//! durable before the input offset that caused it is committed. On start, and continuously
//! afterwards, the worker reads the state log back (the Kafka state topic, or a JSON-lines file
//! in file mode) and [`StateStore::apply`]s every entry, which is how a restarted or newly added
//! replica learns what the others have seen. Applying an entry twice must be harmless.

use serde::{Deserialize, Serialize};
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
    pub value: serde_json::Value,
}

impl StateEntry {
    /// The record key on the state topic.
    pub fn record_key(&self) -> String {
        format!("{}/{}", self.stage, self.key)
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
            },
            replayed,
        ))
    }

    /// Append one entry.
    pub fn append(&mut self, entry: &StateEntry) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.writer, entry)?;
        self.writer.write_all(b"\n")
    }

    /// Flush buffered entries to the file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
