//! File mode (`sift process`): JSON-lines envelopes in, JSON-lines output records out.
//!
//! Runs the same stages, in the same order, with the same state as the Kafka worker, and
//! writes `{"topic": …, "key": …, "value": {…}}` per record, in input order. Pages are prepared
//! in parallel in batches; the stateful stages see them in line order.

use crate::config::Settings;
use crate::message::{InputCoords, InputMessage, PayloadFormat};
use crate::metrics::Metrics;
use crate::pipeline::{OutputKind, OutputRecord, StatefulStages, StatelessStages};
use crate::state::StateFile;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[cfg(test)]
pub(crate) mod sorted_json;

/// Options of a file-mode run.
#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    /// Name shown as the input topic (`file:<name>`).
    pub name: String,
    /// Where stage state is replayed from and appended to (JSON lines); none = in memory.
    pub state_file: Option<PathBuf>,
    /// Also print state-log records.
    pub emit_state: bool,
    /// Lines prepared in parallel per batch.
    pub batch: usize,
}

/// Counts of one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Input lines read (blank lines excluded).
    pub pages: u64,
    /// Records written, by output.
    pub clean: u64,
    /// Duplicates written.
    pub duplicates: u64,
    /// Dead letters written.
    pub rejected: u64,
}

/// Process every line of `input`, writing output records to `out`.
pub fn process(
    settings: &Settings,
    opts: &FileOptions,
    metrics: Metrics,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<FileSummary> {
    let stateless = StatelessStages::new(&settings.stages, metrics.clone());
    let mut stateful = StatefulStages::new(&settings.stages, metrics.clone());
    let mut state = match &opts.state_file {
        Some(path) => {
            let (file, replayed) = StateFile::open(path, &mut stateful)
                .with_context(|| format!("state file {}", path.display()))?;
            tracing::info!(replayed, path = %path.display(), "state replayed");
            Some(file)
        }
        None => None,
    };
    let topic = format!("file:{}", opts.name);
    let batch = opts.batch.max(1);
    let mut summary = FileSummary::default();
    let mut lines = input.lines().enumerate();
    let mut line_buf = Vec::new();
    loop {
        let mut msgs = Vec::with_capacity(batch);
        for (n, line) in lines.by_ref() {
            let line = line.context("reading input")?;
            if line.trim().is_empty() {
                continue;
            }
            let coords = InputCoords {
                topic: topic.clone(),
                partition: 0,
                offset: n as i64,
            };
            let mut msg = InputMessage::from_payload(line.into_bytes(), coords);
            // A file line is always an envelope: raw-payload sniffing never applies.
            msg.format = PayloadFormat::Envelope;
            msgs.push(msg);
            if msgs.len() == batch {
                break;
            }
        }
        if msgs.is_empty() {
            break;
        }
        metrics.consumed.inc_by(msgs.len() as u64);
        summary.pages += msgs.len() as u64;
        let prepared: Vec<_> = msgs.into_par_iter().map(|m| stateless.prepare(m)).collect();
        for p in prepared {
            for record in stateful.resolve_prepared(p, chrono::Utc::now()) {
                match record.kind {
                    OutputKind::Clean => summary.clean += 1,
                    OutputKind::Duplicates => summary.duplicates += 1,
                    OutputKind::Rejected => summary.rejected += 1,
                    _ => {}
                }
                if record.kind == OutputKind::State {
                    if let Some(file) = state.as_mut()
                        && let Some(entry) = crate::pipeline::parse_state_record(&record.value)
                    {
                        file.append(&entry).context("writing state file")?;
                    }
                    if !opts.emit_state {
                        continue;
                    }
                }
                write_record(out, settings, &record, &mut line_buf)?;
                metrics
                    .produced
                    .with_label_values(&[record.kind.as_str()])
                    .inc();
            }
        }
    }
    if let Some(file) = state.as_mut() {
        file.flush().context("flushing state file")?;
    }
    out.flush()?;
    Ok(summary)
}

/// Write `{"key":…,"topic":…,"value":…}` and a newline. The value is copied as it is: the
/// pipeline writes every record value with its object keys sorted at every level
/// ([`crate::pipeline::records::to_json`]), which is how file mode has always printed them.
/// `buf` is reused from line to line.
fn write_record(
    out: &mut impl Write,
    settings: &Settings,
    record: &OutputRecord,
    buf: &mut Vec<u8>,
) -> Result<()> {
    let t = &settings.topics;
    let topic = match record.kind {
        OutputKind::Clean => &t.clean,
        OutputKind::Duplicates => &t.duplicates,
        OutputKind::Rejected => &t.rejected,
        OutputKind::Events => &t.events,
        OutputKind::State => &t.state,
    };
    anyhow::ensure!(!record.value.is_empty(), "empty record value");
    buf.clear();
    buf.extend_from_slice(b"{\"key\":");
    serde_json::to_writer(&mut *buf, &record.key)?;
    buf.extend_from_slice(b",\"topic\":");
    serde_json::to_writer(&mut *buf, topic)?;
    buf.extend_from_slice(b",\"value\":");
    buf.extend_from_slice(&record.value);
    buf.extend_from_slice(b"}\n");
    out.write_all(buf)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::load_from(None, Vec::<(String, String)>::new()).expect("defaults")
    }

    fn run(input: &str, opts: &FileOptions) -> (FileSummary, Vec<serde_json::Value>) {
        let mut out = Vec::new();
        let summary = process(
            &settings(),
            opts,
            Metrics::new(),
            std::io::Cursor::new(input.to_string()),
            &mut out,
        )
        .expect("process");
        let records = String::from_utf8(out)
            .expect("utf8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        (summary, records)
    }

    fn opts(batch: usize) -> FileOptions {
        FileOptions {
            name: "t".into(),
            batch,
            ..FileOptions::default()
        }
    }

    #[test]
    fn every_line_is_an_envelope_and_order_is_kept() {
        let input = "{\"id\":\"a\",\"body\":\"First page text with enough words.\"}\nnot json\n\n<p>raw html is not an envelope here</p>\n{\"id\":\"b\",\"body\":\"Second page text with other words.\"}\n";
        for batch in [1, 2, 256] {
            let (s, recs) = run(input, &opts(batch));
            assert_eq!(s.pages, 4);
            assert_eq!((s.clean, s.rejected), (2, 2));
            let order: Vec<(String, String)> = recs
                .iter()
                .filter(|r| r["topic"] != "events")
                .map(|r| {
                    (
                        r["topic"].as_str().unwrap().into(),
                        r["key"].as_str().unwrap().into(),
                    )
                })
                .collect();
            assert_eq!(
                order,
                vec![
                    ("pages.clean".into(), "a".into()),
                    ("pages.rejected".into(), "file:t:0:1".into()),
                    ("pages.rejected".into(), "file:t:0:3".into()),
                    ("pages.clean".into(), "b".into()),
                ]
            );
            assert_eq!(recs[2]["value"]["error"]["kind"], "invalid_json");
        }
    }

    #[test]
    fn state_file_carries_dedup_memory_across_runs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut o = opts(8);
        o.state_file = Some(dir.path().join("state.jsonl"));
        let (first, _) = run("{\"id\":\"a\",\"body\":\"Same text in both runs.\"}\n", &o);
        assert_eq!(first.clean, 1);
        let (second, recs) = run("{\"id\":\"b\",\"body\":\"Same text in both runs.\"}\n", &o);
        assert_eq!(second.duplicates, 1);
        assert_eq!(recs[0]["value"]["dedup"]["duplicate_of"], "a");
        assert!(
            recs.iter().all(|r| r["topic"] != "sift.state"),
            "state not printed by default"
        );
    }
}
