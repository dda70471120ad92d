//! Dedup stage: is this article new, or a copy of one seen earlier?
//!
//! Stateful and sequential: it runs after normalize, in input order. Its memory is rebuilt from
//! [`StateEntry`]s (see [`crate::state`]), so verdicts survive restarts and are shared by
//! replicas. A page redelivered after a crash gets the verdict it got the first time.

use crate::normalize::Article;
use crate::state::{StateEntry, StateStore};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use xxhash_rust::xxh3::xxh3_128;

/// Settings of the dedup stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Most documents remembered; the oldest are evicted first.
    pub max_documents: usize,
    /// Documents older than this (event time) are forgotten.
    pub window_days: u32,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self {
            max_documents: 1_000_000,
            window_days: 7,
        }
    }
}

/// Unique page or copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DedupStatus {
    /// First time this content is seen.
    Unique,
    /// A copy of an earlier document.
    Duplicate,
}

/// What kind of copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// Same normalized text, or same canonical URL with the same content.
    Exact,
    /// Similar above the configured threshold.
    Near,
}

/// The dedup verdict carried by every record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Unique or duplicate.
    pub status: DedupStatus,
    /// Kind of copy, for duplicates.
    pub kind: Option<DuplicateKind>,
    /// Id of the earliest document this one copies.
    pub duplicate_of: Option<String>,
    /// Similarity to that document (1.0 for exact copies).
    pub similarity: Option<f32>,
}

impl Verdict {
    /// A unique verdict.
    pub fn unique() -> Self {
        Self {
            status: DedupStatus::Unique,
            kind: None,
            duplicate_of: None,
            similarity: None,
        }
    }

    /// Metric label: `unique`, `exact` or `near`.
    pub fn label(&self) -> &'static str {
        match self.kind {
            None => "unique",
            Some(DuplicateKind::Exact) => "exact",
            Some(DuplicateKind::Near) => "near",
        }
    }
}

/// 128-bit hash of the normalized text: case-folded words joined by single spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint(pub u128);

impl Fingerprint {
    /// Fingerprint of an article's text.
    pub fn of_text(text: &str) -> Self {
        let mut norm = String::with_capacity(text.len());
        for word in text.split_whitespace() {
            if !norm.is_empty() {
                norm.push(' ');
            }
            norm.extend(word.chars().flat_map(char::to_lowercase));
        }
        Fingerprint(xxh3_128(norm.as_bytes()))
    }
}

/// A remembered document, as written to the state log.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Remembered {
    doc_id: String,
    fingerprint: String,
    seen_at_ms: i64,
}

/// The dedup stage and its bounded memory.
pub struct Deduplicator {
    cfg: DedupConfig,
    by_fingerprint: HashMap<Fingerprint, String>,
    by_doc: HashMap<String, Fingerprint>,
    order: VecDeque<(i64, String)>,
    evictions: u64,
}

impl Deduplicator {
    /// An empty deduplicator.
    pub fn new(cfg: DedupConfig) -> Self {
        Self {
            cfg,
            by_fingerprint: HashMap::new(),
            by_doc: HashMap::new(),
            order: VecDeque::new(),
            evictions: 0,
        }
    }

    /// Documents remembered now.
    pub fn len(&self) -> usize {
        self.by_doc.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_doc.is_empty()
    }

    /// Documents evicted since start.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Decide on one article. A unique article is remembered and described by the returned
    /// state entry, which the caller must persist.
    pub fn check(
        &mut self,
        doc_id: &str,
        article: &Article,
        event_time_ms: i64,
    ) -> (Verdict, Option<StateEntry>) {
        let fp = Fingerprint::of_text(&article.text);
        if let Some(first) = self.by_fingerprint.get(&fp) {
            if first == doc_id {
                return (Verdict::unique(), None);
            }
            return (
                Verdict {
                    status: DedupStatus::Duplicate,
                    kind: Some(DuplicateKind::Exact),
                    duplicate_of: Some(first.clone()),
                    similarity: Some(1.0),
                },
                None,
            );
        }
        let entry = Remembered {
            doc_id: doc_id.to_string(),
            fingerprint: format!("{:032x}", fp.0),
            seen_at_ms: event_time_ms,
        };
        self.remember(doc_id.to_string(), fp, event_time_ms);
        let state = StateEntry {
            stage: "dedup".into(),
            key: doc_id.to_string(),
            value: serde_json::to_value(&entry).unwrap_or_default(),
        };
        (Verdict::unique(), Some(state))
    }

    fn remember(&mut self, doc_id: String, fp: Fingerprint, at_ms: i64) {
        if self.by_doc.contains_key(&doc_id) {
            return;
        }
        self.by_fingerprint
            .entry(fp)
            .or_insert_with(|| doc_id.clone());
        self.by_doc.insert(doc_id.clone(), fp);
        self.order.push_back((at_ms, doc_id));
        self.evict(at_ms);
    }

    fn evict(&mut self, now_ms: i64) {
        let horizon = now_ms - i64::from(self.cfg.window_days) * 86_400_000;
        while let Some((at, _)) = self.order.front() {
            if self.order.len() <= self.cfg.max_documents && *at >= horizon {
                break;
            }
            if let Some((_, id)) = self.order.pop_front()
                && let Some(fp) = self.by_doc.remove(&id)
                && self.by_fingerprint.get(&fp) == Some(&id)
            {
                self.by_fingerprint.remove(&fp);
            }
            self.evictions += 1;
        }
    }
}

impl StateStore for Deduplicator {
    fn apply(&mut self, entry: &StateEntry) {
        if entry.stage != "dedup" {
            return;
        }
        let Ok(r) = serde_json::from_value::<Remembered>(entry.value.clone()) else {
            return;
        };
        let Ok(fp) = u128::from_str_radix(&r.fingerprint, 16) else {
            return;
        };
        self.remember(r.doc_id, Fingerprint(fp), r.seen_at_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Quality;

    fn article(text: &str) -> Article {
        Article {
            text: text.into(),
            title: None,
            published_at: None,
            published_at_source: None,
            authors: vec![],
            agencies: vec![],
            site_name: None,
            url: None,
            canonical_url: None,
            language: None,
            word_count: text.split_whitespace().count(),
            quality: Quality { is_article: true },
        }
    }

    #[test]
    fn exact_copy_is_flagged_and_redelivery_is_not() {
        let mut d = Deduplicator::new(DedupConfig::default());
        let (v1, s1) = d.check("a", &article("Kerry met Lavrov in Moscow."), 0);
        assert_eq!(v1.status, DedupStatus::Unique);
        assert!(s1.is_some());
        let (v2, s2) = d.check("b", &article("kerry  met LAVROV in Moscow."), 1);
        assert_eq!(v2.kind, Some(DuplicateKind::Exact));
        assert_eq!(v2.duplicate_of.as_deref(), Some("a"));
        assert!(s2.is_none());
        let (v3, _) = d.check("a", &article("Kerry met Lavrov in Moscow."), 2);
        assert_eq!(
            v3.status,
            DedupStatus::Unique,
            "redelivery keeps its verdict"
        );
    }

    #[test]
    fn state_replay_restores_memory() {
        let mut d1 = Deduplicator::new(DedupConfig::default());
        let (_, s) = d1.check("a", &article("one two three"), 0);
        let mut d2 = Deduplicator::new(DedupConfig::default());
        d2.apply(&s.unwrap());
        let (v, _) = d2.check("b", &article("one two three"), 1);
        assert_eq!(v.duplicate_of.as_deref(), Some("a"));
    }

    #[test]
    fn window_is_bounded_by_count_and_time() {
        let mut d = Deduplicator::new(DedupConfig {
            max_documents: 2,
            window_days: 1,
        });
        d.check("a", &article("a"), 0);
        d.check("b", &article("b"), 1);
        d.check("c", &article("c"), 2);
        assert_eq!(d.len(), 2);
        d.check("d", &article("d"), 3 * 86_400_000);
        assert_eq!(d.len(), 1);
        assert_eq!(d.evictions(), 3);
        let (v, _) = d.check("e", &article("a"), 3 * 86_400_000);
        assert_eq!(v.status, DedupStatus::Unique);
    }
}
