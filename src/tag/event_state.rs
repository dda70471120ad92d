//! Compact serialized event state for the state log (`event/<event id>` and
//! `event/d:<page id>` entries). Field names are short because an entry is written per change.

use super::event::Event;
use super::gazetteer::EntityKind;
use serde::{Deserialize, Serialize};

/// One event's state: counts, times, label, sources, centroid masses and descriptors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventState {
    /// Pages assigned.
    pub n: u64,
    /// First and last page time (ms).
    pub f: (i64, i64),
    /// Trusted publication time range (ms).
    #[serde(default)]
    pub s: Option<(i64, i64)>,
    /// Label and the similarity of its page.
    #[serde(default)]
    pub l: Option<String>,
    /// Similarity of the label's page.
    #[serde(default)]
    pub ls: f32,
    /// Some sources.
    #[serde(default)]
    pub src: Vec<String>,
    /// Distinct sources.
    #[serde(default)]
    pub sc: u64,
    /// Centroid: term hash and raw mass.
    #[serde(default)]
    pub t: Vec<(u32, f32)>,
    /// Entities: name, type, weight.
    #[serde(default)]
    pub ent: Vec<(String, EntityKind, f32)>,
    /// Keywords: stem, weight.
    #[serde(default)]
    pub kw: Vec<(String, f32)>,
}

/// Page → event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocState {
    /// Event id.
    pub e: String,
    /// Page event time (ms).
    pub t: i64,
    /// The page opened the event.
    #[serde(default)]
    pub new: bool,
}

fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

impl EventState {
    pub(crate) fn from_event(e: &Event) -> Self {
        Self {
            n: e.count,
            f: (e.first_ms, e.last_ms),
            s: e.story,
            l: e.label.clone(),
            ls: round(e.label_sim),
            src: e.sources.clone(),
            sc: e.source_count,
            t: e
                .terms
                .iter()
                .zip(&e.mass)
                .map(|(&h, &m)| (h, round(m)))
                .collect(),
            ent: e
                .entities
                .iter()
                .map(|(n, k, w)| (n.clone(), *k, round(*w)))
                .collect(),
            kw: e.keywords.iter().map(|(k, w)| (k.clone(), round(*w))).collect(),
        }
    }

    /// Copy everything but the centroid into `e` (the tracker installs the centroid).
    pub(crate) fn fill(&self, e: &mut Event) {
        e.count = self.n;
        e.first_ms = self.f.0;
        e.last_ms = self.f.1;
        e.story = self.s;
        e.label = self.l.clone();
        e.label_sim = self.ls;
        e.sources = self.src.iter().take(32).cloned().collect();
        e.source_count = self.sc.max(e.sources.len() as u64);
        e.entities = self.ent.iter().take(24).cloned().collect();
        e.keywords = self.kw.iter().take(24).cloned().collect();
    }
}
