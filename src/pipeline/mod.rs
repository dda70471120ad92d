//! The pipeline: decode → normalize (stateless, parallel) then dedup → tag (stateful, in order).
//!
//! [`StatelessStages::prepare`] is pure and runs on any thread; [`StatefulStages::resolve`]
//! must see pages in input order and is cheap. Both the Kafka worker and file mode drive these
//! two calls, so they produce identical records.

pub mod records;
pub mod sorted_ser;

pub use records::{OutputKind, OutputRecord, SCHEMA_VERSION};

use crate::decode::{self, DecodeConfig, RejectKind, Rejection};
use crate::dedup::{DedupConfig, Deduplicator, DuplicateKind};
use crate::message::InputMessage;
use crate::metrics::Metrics;
use crate::normalize::{Article, NormalizeConfig, Normalizer};
use crate::state::{StateEntry, StateStore};
use crate::tag::{EventTracker, SourceResolver, TagConfig};
use chrono::{DateTime, Utc};
use records::{ArticleRecord, rejected_record};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// Settings of all stages.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StageConfig {
    /// Decode stage.
    pub decode: DecodeConfig,
    /// Normalize stage.
    pub normalize: NormalizeConfig,
    /// Dedup stage.
    pub dedup: DedupConfig,
    /// Tag stage.
    pub tag: TagConfig,
}

/// A page after the stateless stages, ready for the stateful ones.
pub struct Prepared {
    /// The input message (kept for dead letters).
    pub msg: InputMessage,
    /// The normalized page, or why it was rejected.
    pub outcome: Result<NormalizedPage, Rejection>,
}

/// Page metadata and its article.
pub struct NormalizedPage {
    /// Page id.
    pub id: String,
    /// Fetch time.
    pub fetched_at: Option<DateTime<Utc>>,
    /// Crawler's source hint.
    pub source_hint: Option<String>,
    /// Masthead, dateline and footer lines of the raw page (see [`crate::tag::chrome_hints`]).
    pub chrome_hints: Vec<String>,
    /// The article.
    pub article: Article,
}

/// Decode and normalize: pure, `Sync`, run in parallel.
pub struct StatelessStages {
    decode: DecodeConfig,
    normalizer: Normalizer,
    metrics: Metrics,
}

impl StatelessStages {
    /// Build from configuration.
    pub fn new(cfg: &StageConfig, metrics: Metrics) -> Self {
        Self {
            decode: cfg.decode.clone(),
            normalizer: Normalizer::new(cfg.normalize.clone()),
            metrics,
        }
    }

    /// Decode and normalize one message. A panic inside a stage is contained and becomes a
    /// `stage_failure` rejection.
    pub fn prepare(&self, msg: InputMessage) -> Prepared {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.prepare_inner(&msg)))
            .unwrap_or_else(|_| {
                Err(Rejection::new(
                    RejectKind::StageFailure,
                    "a stage panicked on this input",
                ))
            });
        Prepared { msg, outcome }
    }

    fn prepare_inner(&self, msg: &InputMessage) -> Result<NormalizedPage, Rejection> {
        let t = Instant::now();
        let page = decode::decode(msg, &self.decode);
        self.observe("decode", t);
        let page = page?;
        let t = Instant::now();
        let article = self.normalizer.normalize(&page);
        self.observe("normalize", t);
        let chrome_hints = crate::tag::chrome_hints(
            &page.body,
            page.kind == decode::BodyKind::Html,
            article.title.as_deref(),
        );
        Ok(NormalizedPage {
            id: page.id,
            fetched_at: page.fetched_at,
            source_hint: page.source_hint,
            chrome_hints,
            article,
        })
    }

    fn observe(&self, stage: &str, since: Instant) {
        self.metrics
            .stage_duration
            .with_label_values(&[stage])
            .observe(since.elapsed().as_secs_f64());
    }
}

/// Dedup and tag: stateful, one instance, pages in input order.
pub struct StatefulStages {
    dedup: Deduplicator,
    /// Dedup evictions already added to the metric.
    evictions_reported: u64,
    sources: SourceResolver,
    events: EventTracker,
    metrics: Metrics,
}

impl StatefulStages {
    /// Build from configuration, with empty state.
    pub fn new(cfg: &StageConfig, metrics: Metrics) -> Self {
        Self {
            dedup: Deduplicator::new(cfg.dedup.clone()),
            evictions_reported: 0,
            sources: SourceResolver::from_config(&cfg.tag).unwrap_or_else(|e| {
                // Settings::validate loads the same file first, so this is only reached by
                // library users who skip validation.
                tracing::error!(error = %e, "publishers file unusable; using the built-in registry");
                SourceResolver::default()
            }),
            events: EventTracker::new(cfg.tag.event.clone()),
            metrics,
        }
    }

    /// Turn a prepared page into its output records: the article on `clean` or `duplicates`,
    /// event summary, state entries; or one dead letter.
    pub fn resolve(
        &mut self,
        msg: &InputMessage,
        outcome: Result<NormalizedPage, Rejection>,
        now: DateTime<Utc>,
    ) -> Vec<OutputRecord> {
        let page = match outcome {
            Ok(page) => page,
            Err(rej) => {
                self.metrics
                    .rejected
                    .with_label_values(&[rej.kind.as_str()])
                    .inc();
                return vec![rejected_record(msg, rej.kind, &rej.message, now)];
            }
        };
        let event_time_ms = page
            .fetched_at
            .or_else(|| msg.timestamp_ms.and_then(DateTime::from_timestamp_millis))
            .unwrap_or(now)
            .timestamp_millis();

        let t = Instant::now();
        let (verdict, dedup_state) = self.dedup.check(&page.id, &page.article, event_time_ms);
        self.metrics
            .dedup_verdicts
            .with_label_values(&[verdict.label()])
            .inc();
        self.sync_dedup_metrics();
        self.observe("dedup", t);

        let t = Instant::now();
        let source = self.sources.resolve(
            &page.article,
            page.source_hint.as_deref(),
            &page.chrome_hints,
        );
        let assignment =
            self.events
                .assign(&page.id, &page.article, &verdict, &source.id, event_time_ms);
        let event = assignment.event;
        if event.is_new && assignment.summary.is_some() {
            self.metrics.events_created.inc();
        }
        self.metrics.events_active.set(self.events.active() as i64);
        self.observe("tag", t);

        let kind = if verdict.kind.is_some() {
            OutputKind::Duplicates
        } else {
            OutputKind::Clean
        };
        let record = ArticleRecord {
            schema_version: SCHEMA_VERSION,
            page_id: &page.id,
            input: &msg.coords,
            fetched_at: page.fetched_at,
            processed_at: now,
            sift_version: crate::VERSION,
            article: &page.article,
            source: &source,
            event: &event,
            dedup: &verdict,
        };
        let mut out = Vec::with_capacity(4);
        match records::to_json(&record) {
            Ok(value) => out.push(OutputRecord {
                kind,
                key: page.id.clone(),
                value,
                headers: vec![(
                    "sift.dedup".into(),
                    match verdict.kind {
                        None => b"unique".to_vec(),
                        Some(DuplicateKind::Exact) => b"exact".to_vec(),
                        Some(DuplicateKind::Near) => b"near".to_vec(),
                    },
                )],
            }),
            Err(e) => {
                return vec![rejected_record(
                    msg,
                    RejectKind::StageFailure,
                    &format!("record serialization: {e}"),
                    now,
                )];
            }
        }
        if let Some(summary) = assignment.summary {
            out.push(OutputRecord {
                kind: OutputKind::Events,
                key: summary.event_id.clone(),
                value: records::to_json(&summary).unwrap_or_default(),
                headers: Vec::new(),
            });
        }
        for entry in dedup_state.into_iter().chain(assignment.state) {
            out.push(state_record(&entry));
        }
        out
    }

    /// [`StatefulStages::resolve`] for a [`Prepared`] page.
    pub fn resolve_prepared(
        &mut self,
        prepared: Prepared,
        now: DateTime<Utc>,
    ) -> Vec<OutputRecord> {
        self.resolve(&prepared.msg, prepared.outcome, now)
    }

    /// Apply a state entry read back from the state log.
    pub fn apply_state(&mut self, entry: &StateEntry) {
        self.dedup.apply(entry);
        self.events.apply(entry);
        self.metrics.state_entries_applied.inc();
        self.sync_dedup_metrics();
        self.metrics.events_active.set(self.events.active() as i64);
    }

    fn sync_dedup_metrics(&mut self) {
        self.metrics.dedup_documents.set(self.dedup.len() as i64);
        let evictions = self.dedup.evictions();
        self.metrics
            .dedup_evictions
            .inc_by(evictions.saturating_sub(self.evictions_reported));
        self.evictions_reported = evictions;
    }

    fn observe(&self, stage: &str, since: Instant) {
        self.metrics
            .stage_duration
            .with_label_values(&[stage])
            .observe(since.elapsed().as_secs_f64());
    }
}

impl StateStore for StatefulStages {
    fn apply(&mut self, entry: &StateEntry) {
        self.apply_state(entry);
    }
}

/// The state-log record for an entry (its fields sorted, like every record value).
pub fn state_record(entry: &StateEntry) -> OutputRecord {
    let mut value = Vec::with_capacity(entry.value.json().len() + entry.key.len() + 40);
    entry.write_json(crate::state::FieldOrder::Sorted, &mut value);
    OutputRecord {
        kind: OutputKind::State,
        key: entry.record_key(),
        value,
        headers: Vec::new(),
    }
}

/// Parse a state-log record value back into an entry.
pub fn parse_state_record(value: &[u8]) -> Option<StateEntry> {
    serde_json::from_slice(value).ok()
}

#[cfg(test)]
mod tests;
