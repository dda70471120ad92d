//! Event assignment: which real-world happening a page covers.

use crate::dedup::Verdict;
use crate::normalize::Article;
use crate::state::{StateEntry, StateStore};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use xxhash_rust::xxh3::xxh3_64;

/// Event clustering settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventConfig {
    /// Most events kept active.
    pub max_active_events: usize,
}

impl Default for EventConfig {
    fn default() -> Self {
        Self {
            max_active_events: 100_000,
        }
    }
}

/// The event a record belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRef {
    /// Event id shared by all pages about the same happening.
    pub id: String,
    /// True when this page opened the event.
    pub is_new: bool,
}

/// Summary published to the `events` topic, keyed by event id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSummary {
    /// Event id.
    pub event_id: String,
    /// Human-readable label.
    pub label: Option<String>,
    /// First page time (ms since epoch).
    pub first_seen_ms: i64,
    /// Latest page time (ms since epoch).
    pub last_seen_ms: i64,
    /// Pages assigned.
    pub article_count: u64,
    /// Distinct sources among them.
    pub sources: Vec<String>,
}

/// Assigns events and keeps their summaries.
pub struct EventTracker {
    cfg: EventConfig,
    events: HashMap<String, EventSummary>,
    order: VecDeque<String>,
    created: u64,
}

impl EventTracker {
    /// An empty tracker.
    pub fn new(cfg: EventConfig) -> Self {
        Self {
            cfg,
            events: HashMap::new(),
            order: VecDeque::new(),
            created: 0,
        }
    }

    /// Events active now.
    pub fn active(&self) -> usize {
        self.events.len()
    }

    /// Events created since start.
    pub fn created(&self) -> u64 {
        self.created
    }

    /// Assign an event to a page. Copies share the event of the document they copy; every
    /// other page opens its own. Returns the reference, the updated summary and its state entry.
    pub fn assign(
        &mut self,
        doc_id: &str,
        article: &Article,
        verdict: &Verdict,
        source_id: &str,
        at_ms: i64,
    ) -> (EventRef, EventSummary, StateEntry) {
        let root = verdict.duplicate_of.as_deref().unwrap_or(doc_id);
        let id = format!("e-{:016x}", xxh3_64(root.as_bytes()));
        let is_new = !self.events.contains_key(&id);
        if is_new {
            self.created += 1;
            self.order.push_back(id.clone());
        }
        let summary = self
            .events
            .entry(id.clone())
            .or_insert_with(|| EventSummary {
                event_id: id.clone(),
                label: article.title.clone(),
                first_seen_ms: at_ms,
                last_seen_ms: at_ms,
                article_count: 0,
                sources: Vec::new(),
            });
        summary.article_count += 1;
        summary.first_seen_ms = summary.first_seen_ms.min(at_ms);
        summary.last_seen_ms = summary.last_seen_ms.max(at_ms);
        if !summary.sources.iter().any(|s| s == source_id) {
            summary.sources.push(source_id.to_string());
        }
        let summary = summary.clone();
        while self.order.len() > self.cfg.max_active_events {
            if let Some(old) = self.order.pop_front() {
                self.events.remove(&old);
            }
        }
        let entry = StateEntry {
            stage: "event".into(),
            key: id.clone(),
            value: serde_json::to_value(&summary).unwrap_or_default(),
        };
        (EventRef { id, is_new }, summary, entry)
    }
}

impl StateStore for EventTracker {
    fn apply(&mut self, entry: &StateEntry) {
        if entry.stage != "event" {
            return;
        }
        let Ok(summary) = serde_json::from_value::<EventSummary>(entry.value.clone()) else {
            return;
        };
        match self.events.get_mut(&summary.event_id) {
            Some(known) if known.article_count >= summary.article_count => {}
            Some(known) => *known = summary,
            None => {
                self.order.push_back(summary.event_id.clone());
                self.events.insert(summary.event_id.clone(), summary);
            }
        }
    }
}
