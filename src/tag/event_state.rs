//! Compact serialized event state for the state log (`event/<event id>` and
//! `event/d:<page id>` entries). Field names are short because an entry is written per change.

use super::descriptors::DescriptorLists;
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
    /// Centroid: (term hash u32, raw mass f32) pairs, little-endian, base64.
    #[serde(default)]
    pub t: String,
    /// Entities: name, type, weight.
    #[serde(default)]
    pub ent: Vec<(String, EntityKind, f32)>,
    /// Keywords: stem, weight.
    #[serde(default)]
    pub kw: Vec<(String, f32)>,
    /// Sum and number of the similarities at which pages joined.
    #[serde(default)]
    pub j: (f32, u32),
    /// Latest year its pages mention (0 = none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub y: u16,
    /// Identifying numbers (scores, amounts) of its pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x: Vec<u32>,
    /// Main participants (people, codes) of its pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pp: Vec<u32>,
    /// Some trusted date of `s` was read from prose (dateline, text).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sw: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(y: &u16) -> bool {
    *y == 0
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

/// Centroid terms and masses packed as base64 of little-endian `(u32, f32)` pairs.
pub fn pack_terms(terms: &[u32], mass: &[f32]) -> String {
    use base64::Engine;
    let mut bytes = Vec::with_capacity(terms.len() * 8);
    for (h, m) in terms.iter().zip(mass) {
        bytes.extend_from_slice(&h.to_le_bytes());
        bytes.extend_from_slice(&round(*m).to_le_bytes());
    }
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// The pairs of [`pack_terms`]; malformed input gives what could be read (finite masses only).
pub fn unpack_terms(packed: &str) -> Vec<(u32, f32)> {
    use base64::Engine;
    let Ok(bytes) =
        base64::engine::general_purpose::STANDARD_NO_PAD.decode(packed.trim_end_matches('='))
    else {
        return Vec::new();
    };
    bytes
        .chunks_exact(8)
        .filter_map(|c| {
            let h = u32::from_le_bytes(c.get(..4)?.try_into().ok()?);
            let m = f32::from_le_bytes(c.get(4..8)?.try_into().ok()?);
            (m.is_finite() && m > 0.0).then_some((h, m))
        })
        .take(4096)
        .collect()
}

fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

impl EventState {
    pub(crate) fn from_event(e: &Event) -> Self {
        let lists = e.descriptors.unpack();
        Self {
            n: e.count,
            f: (e.first_ms, e.last_ms),
            s: e.story,
            l: e.label.as_deref().map(str::to_string),
            ls: round(e.label_sim),
            src: lists.sources.iter().map(|s| s.to_string()).collect(),
            sc: e.source_count,
            t: pack_terms(e.centroid.terms(), &e.centroid.mass().collect::<Vec<_>>()),
            ent: lists
                .entities
                .iter()
                .map(|&(n, k, w)| (n.to_string(), k, round(w)))
                .collect(),
            kw: lists
                .keywords
                .iter()
                .map(|&(k, w)| (k.to_string(), round(w)))
                .collect(),
            j: e.joins,
            y: e.year,
            x: e.facts.clone(),
            pp: e.participants.clone(),
            sw: e.weak_story,
        }
    }

    /// Copy everything but the centroid into `e` (the tracker installs the centroid).
    pub(crate) fn fill(&self, e: &mut Event) {
        e.count = self.n;
        e.joins = self.j;
        e.first_ms = self.f.0;
        e.last_ms = self.f.1;
        e.story = self.s;
        e.weak_story = self.sw;
        e.year = self.y;
        e.facts = self
            .x
            .iter()
            .take(super::story_facts::MAX_FACTS)
            .copied()
            .collect();
        e.participants = self
            .pp
            .iter()
            .take(super::participants::MAX_EVENT_PARTICIPANTS)
            .copied()
            .collect();
        e.label = self.l.as_deref().map(Box::from);
        e.label_sim = self.ls;
        let lists = DescriptorLists {
            sources: self.src.iter().take(32).map(String::as_str).collect(),
            entities: self
                .ent
                .iter()
                .take(24)
                .map(|(n, k, w)| (n.as_str(), *k, *w))
                .collect(),
            keywords: self
                .kw
                .iter()
                .take(super::event::KEYWORDS_KEPT)
                .map(|(k, w)| (k.as_str(), *w))
                .collect(),
        };
        e.source_count = self.sc.max(lists.sources.len() as u64);
        e.descriptors = lists.pack();
    }
}
