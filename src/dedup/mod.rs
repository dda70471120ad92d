//! Dedup stage: is this article new, or a copy of one seen earlier?
//!
//! Stateful and sequential: it runs after normalize, in input order, on the normalized text.
//! Its memory is rebuilt from [`StateEntry`]s (see [`crate::state`]), so verdicts survive
//! restarts and are shared by replicas. A page redelivered after a crash gets the verdict it got
//! the first time.
//!
//! # Technique
//!
//! * **Exact**: a 64-bit hash of the case-folded words of the text (punctuation and whitespace
//!   ignored). Same hash → `exact`, `similarity` 1.0. A near copy with the same URL key
//!   (canonical URL without `www.`/`m.`/`amp.`, `/amp` and tracking parameters) and similarity
//!   ≥ 0.9 is also `exact`: the same article re-scraped with different chrome.
//! * **Near**: MinHash over word shingles (default 3 words), computed as one-permutation MinHash
//!   with 64 bins and optimal densification ([`sketch`]). LSH banding with one row per band over
//!   the first `bands` bins (default 16): a document becomes a candidate when it shares at least
//!   one banded minimum, probability `1 − (1 − J)^16` (0.97 at J = 0.2, 0.9987 at J = 0.34).
//!   Candidates are verified on an 8-bit-per-bin signature (b-bit MinHash): Jaccard `J` is
//!   estimated from agreeing bins, then turned into the **containment** of the smaller shingle
//!   set in the larger (`J·(|A|+|B|)/((1+J)·min(|A|,|B|))`), so a truncated copy matches its
//!   full original. A copy needs `J ≥ min_jaccard` and containment `≥ threshold`; the earliest
//!   such document is `duplicate_of`.
//! * Why MinHash and not SimHash: SimHash compares whole-document fingerprints, so a 40 %
//!   truncation or a 20 % spin moves most bits and it cannot express containment; the
//!   text-dedup benchmark in ANCHORS.md has SimHash at recall 0.72 against MinHash 0.945. The
//!   measured precision/recall of this design per copy kind is in `docs/dedup.md`
//!   (`sift eval dedup`).
//!
//! # Memory
//!
//! [`store`] keeps a ring of slots (sequence numbers, oldest evicted first) with chained hash
//! lanes whose stale links die on eviction without cleanup. Per document: 32 bytes of facts,
//! 64 bytes of signature, 17 links and 8.5 bucket heads of 4 bytes, and the id in a byte arena
//! (`p-<32 hex>` ids are packed to 19 bytes): ≈ 230 bytes at 1 million documents, measured by
//! `cargo bench --bench dedup`.
//!
//! # State and replicas
//!
//! Every decision (unique, copy, or a redelivery's repeat) returns one [`StateEntry`] keyed by the
//! document id ([`entry`] has the format). [`StateStore::apply`] inserts what it does not know
//! yet and ignores the rest, so a replica reading its own entries back is a no-op and replay is
//! idempotent. The window's clock is the largest event time seen (checked or applied), so live
//! processing and a replay of the same entries in the same order leave identical memory. With
//! several replicas the order in which each learns the others' documents differs, so the set
//! evicted *by the count limit* can differ at the margin; the time window does not depend on
//! order.
//!
//! **Consistency window.** Two replicas that receive copies of one article at nearly the same
//! instant both decide before either has read the other's entry: each calls its own copy unique.
//! A copy is missed when its decision on replica B falls within the produce-ack latency of A's
//! entry plus B's state-tail delay after the original's decision on replica A (a few ms to
//! ~100 ms; the tail polls every 100 ms when idle). Later copies are caught. See
//! `docs/dedup.md` for a simulation of how often this bites.

mod entry;
mod sketch;
mod store;

pub use sketch::{BINS, Sketch};

use crate::normalize::Article;
use crate::state::{StateEntry, StateStore};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

/// The `stage` of dedup state entries.
pub const STAGE: &str = "dedup";

/// Settings of the dedup stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Most documents remembered; the oldest are evicted first.
    pub max_documents: usize,
    /// Documents older than this (event time) are forgotten.
    pub window_days: u32,
    /// A candidate is a copy when the containment of the smaller text in the larger reaches
    /// this value (0–1).
    pub threshold: f32,
    /// …and their estimated Jaccard similarity reaches this value (guards very unequal sizes).
    pub min_jaccard: f32,
    /// Words per shingle.
    pub shingle_words: usize,
    /// LSH bands (one MinHash row each, at most 64).
    pub bands: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self {
            max_documents: 1_000_000,
            window_days: 7,
            threshold: 0.5,
            min_jaccard: 0.1,
            shingle_words: 3,
            bands: 16,
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

/// Below this many shingles in the smaller text, similarity is the Jaccard estimate rather than
/// containment (containment of a handful of shingles is too noisy to trust).
const MIN_CONTAINMENT_SHINGLES: u32 = 25;

/// A candidate with the same URL key and at least this similarity is reported as `exact`
/// ("same canonical URL, same content": a re-scrape with different chrome).
const URL_EXACT_SIMILARITY: f32 = 0.9;

/// Event times more than this far ahead of the wall clock are clamped, so one page with a
/// bogus future date cannot move the window past everything remembered.
const MAX_FUTURE_MS: i64 = 86_400_000;

/// The dedup stage and its bounded memory.
pub struct Deduplicator {
    cfg: DedupConfig,
    store: store::Store,
    bands: usize,
    shingle_words: usize,
    evictions: u64,
    max_time_s: u32,
    cands: Vec<u32>,
}

/// How a lookup ended.
enum Found {
    /// This very document was seen before (redelivery): its slot.
    Own(u32),
    /// An exact copy of a remembered document.
    Exact { of: String },
    /// A near copy.
    Near { of: String, similarity: f32, url_exact: bool },
    /// Nothing similar.
    New,
}

fn seconds(ms: i64) -> u32 {
    ms.div_euclid(1000).clamp(0, i64::from(u32::MAX)) as u32
}

impl Deduplicator {
    /// An empty deduplicator.
    pub fn new(cfg: DedupConfig) -> Self {
        let bands = cfg.bands.clamp(1, sketch::BINS);
        let shingle_words = cfg.shingle_words.clamp(1, sketch::MAX_SHINGLE_WORDS);
        Self {
            store: store::Store::new(cfg.max_documents.max(1), bands),
            cfg,
            bands,
            shingle_words,
            evictions: 0,
            max_time_s: 0,
            cands: Vec::with_capacity(64),
        }
    }

    /// Documents remembered now.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.store.len() == 0
    }

    /// Documents evicted since start.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Bytes held by the index (all buffers, by capacity).
    pub fn index_bytes(&self) -> usize {
        self.store.heap_bytes() + self.cands.capacity() * 4
    }

    /// The configuration in effect.
    pub fn config(&self) -> &DedupConfig {
        &self.cfg
    }

    fn horizon_s(&self) -> u32 {
        self.max_time_s
            .saturating_sub(self.cfg.window_days.saturating_mul(86_400))
    }

    fn advance_clock(&mut self, time_s: u32) {
        self.max_time_s = self.max_time_s.max(time_s);
    }

    /// Decide on one article. Every call returns the state entry describing the decision (for a
    /// unique article its sketch, for a copy its verdict), which the caller must persist; the
    /// same page checked again returns the same verdict and the same entry.
    pub fn check(
        &mut self,
        doc_id: &str,
        article: &Article,
        event_time_ms: i64,
    ) -> (Verdict, Option<StateEntry>) {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let time_ms = event_time_ms.min(now_ms.saturating_add(MAX_FUTURE_MS));
        let time_s = seconds(time_ms);
        self.advance_clock(time_s);
        let sk = sketch::Sketch::of_text(&article.text, self.shingle_words);
        let url = sketch::url_key(
            article
                .canonical_url
                .as_deref()
                .or(article.url.as_deref()),
        );
        let (verdict, body) = match self.find(doc_id, &sk, url) {
            Found::Own(seq) => {
                let (verdict, body) = self.stored_verdict(seq, &sk, url);
                let entry = self.state_entry(doc_id, time_ms, sk.text_hash, body);
                self.evict();
                return (verdict, Some(entry));
            }
            Found::Exact { of } => (
                Verdict {
                    status: DedupStatus::Duplicate,
                    kind: Some(DuplicateKind::Exact),
                    duplicate_of: Some(of.clone()),
                    similarity: Some(1.0),
                },
                entry::Body::Duplicate {
                    exact: true,
                    of,
                    similarity: 1.0,
                },
            ),
            Found::Near {
                of,
                similarity,
                url_exact,
            } => (
                Verdict {
                    status: DedupStatus::Duplicate,
                    kind: Some(if url_exact {
                        DuplicateKind::Exact
                    } else {
                        DuplicateKind::Near
                    }),
                    duplicate_of: Some(of.clone()),
                    similarity: Some(similarity),
                },
                entry::Body::Duplicate {
                    exact: url_exact,
                    of,
                    similarity,
                },
            ),
            Found::New => (
                Verdict::unique(),
                entry::Body::Unique {
                    url,
                    shingle_words: self.shingle_words as u8,
                    shingles: sk.shingles,
                    mins: Box::new(sk.mins),
                },
            ),
        };
        self.remember(doc_id, time_s, sk.text_hash, &body);
        let entry = self.state_entry(doc_id, time_ms, sk.text_hash, body);
        (verdict, Some(entry))
    }

    fn state_entry(
        &self,
        doc_id: &str,
        time_ms: i64,
        text_hash: u64,
        body: entry::Body,
    ) -> StateEntry {
        StateEntry {
            stage: STAGE.into(),
            key: doc_id.to_string(),
            value: entry::encode(&entry::Decoded {
                time_ms,
                text_hash,
                body,
            }),
        }
    }

    /// The verdict a remembered document got, and its entry body.
    fn stored_verdict(&self, seq: u32, sk: &sketch::Sketch, url: u32) -> (Verdict, entry::Body) {
        let Some(meta) = self.store.meta(seq) else {
            return (Verdict::unique(), self.unique_body(sk, url));
        };
        match meta.kind() {
            store::KIND_UNIQUE => (Verdict::unique(), self.unique_body(sk, url)),
            kind => {
                let exact = kind == store::KIND_EXACT;
                let of = self.store.duplicate_of(seq);
                let similarity = f32::from_bits(meta.n_or_sim);
                (
                    Verdict {
                        status: DedupStatus::Duplicate,
                        kind: Some(if exact {
                            DuplicateKind::Exact
                        } else {
                            DuplicateKind::Near
                        }),
                        duplicate_of: Some(of.clone()),
                        similarity: Some(similarity),
                    },
                    entry::Body::Duplicate {
                        exact,
                        of,
                        similarity,
                    },
                )
            }
        }
    }

    fn unique_body(&self, sk: &sketch::Sketch, url: u32) -> entry::Body {
        entry::Body::Unique {
            url,
            shingle_words: self.shingle_words as u8,
            shingles: sk.shingles,
            mins: Box::new(sk.mins),
        }
    }

    /// Look the sketch up: redelivery, exact copy, near copy or new.
    fn find(&mut self, doc_id: &str, sk: &sketch::Sketch, url: u32) -> Found {
        let horizon = self.horizon_s();
        let store = &self.store;
        // Exact lane: same normalized text. The chain runs newest to oldest, so the last match
        // is the earliest document; keep walking to notice our own id (a redelivery).
        let mut own = None;
        let mut earliest = None;
        store.walk(store.exact_lane(), sk.text_hash, |seq| {
            if let Some(m) = store.meta(seq)
                && m.text_hash == sk.text_hash
                && m.time_s >= horizon
            {
                if store.id_eq(seq, doc_id) {
                    own = Some(seq);
                    return false;
                }
                earliest = Some(seq);
            }
            true
        });
        if let Some(seq) = own {
            return Found::Own(seq);
        }
        if let Some(seq) = earliest {
            let of = match store.meta(seq).map(store::Meta::kind) {
                Some(store::KIND_UNIQUE) => store.id(seq),
                _ => store.duplicate_of(seq),
            };
            return Found::Exact { of };
        }
        if sk.shingles == 0 {
            return Found::New;
        }
        // Band lanes: documents sharing at least one banded minimum.
        let mut cands = std::mem::take(&mut self.cands);
        cands.clear();
        for (lane, key) in sk.mins.iter().take(self.bands).enumerate() {
            self.store.walk(lane, u64::from(*key), |seq| {
                if cands.len() < 1024 {
                    cands.push(seq);
                }
                true
            });
        }
        let store = &self.store;
        // Oldest first, so the first match is the earliest document.
        cands.sort_unstable_by_key(|&seq| std::cmp::Reverse(store.age(seq)));
        cands.dedup();
        let sig = sk.signature();
        let mut best: Option<(u32, f32)> = None;
        for &seq in &cands {
            let (Some(m), Some(other)) = (store.meta(seq), store.sig(seq)) else {
                continue;
            };
            if m.kind() != store::KIND_UNIQUE || m.time_s < horizon {
                continue;
            }
            let j = sketch::estimate_jaccard(&sig, other);
            if j < self.cfg.min_jaccard {
                continue;
            }
            let sim = similarity(j, sk.shingles, m.n_or_sim);
            if sim < self.cfg.threshold {
                continue;
            }
            if store.id_eq(seq, doc_id) {
                self.cands = cands;
                return Found::Own(seq);
            }
            if best.is_none() {
                best = Some((seq, sim));
            }
        }
        self.cands = cands;
        match best {
            Some((seq, similarity)) => {
                let url_exact = url != 0
                    && similarity >= URL_EXACT_SIMILARITY
                    && self.store.meta(seq).is_some_and(|m| m.url == url);
                Found::Near {
                    of: self.store.id(seq),
                    similarity: (similarity * 1000.0).round() / 1000.0,
                    url_exact,
                }
            }
            None => Found::New,
        }
    }

    /// Remember a decision, then evict what fell out of the window.
    fn remember(&mut self, doc_id: &str, time_s: u32, text_hash: u64, body: &entry::Body) {
        if time_s >= self.horizon_s() {
            let sig;
            let doc = match body {
                entry::Body::Unique {
                    url,
                    shingle_words,
                    shingles,
                    mins,
                } => {
                    let usable = usize::from(*shingle_words) == self.shingle_words && *shingles > 0;
                    let bands: &[u32] = if usable {
                        mins.get(..self.bands).unwrap_or(&[])
                    } else {
                        &[]
                    };
                    sig = if usable {
                        sketch::Sketch {
                            text_hash,
                            shingles: *shingles,
                            mins: **mins,
                        }
                        .signature()
                    } else {
                        [0; sketch::BINS]
                    };
                    store::NewDoc {
                        id: doc_id,
                        duplicate_of: None,
                        kind: store::KIND_UNIQUE,
                        text_hash,
                        time_s,
                        n_or_sim: if usable { *shingles } else { 0 },
                        url: *url,
                        sig,
                        bands,
                    }
                }
                entry::Body::Duplicate {
                    exact,
                    of,
                    similarity,
                } => store::NewDoc {
                    id: doc_id,
                    duplicate_of: Some(of),
                    kind: if *exact {
                        store::KIND_EXACT
                    } else {
                        store::KIND_NEAR
                    },
                    text_hash,
                    time_s,
                    n_or_sim: similarity.to_bits(),
                    url: 0,
                    sig: [0; sketch::BINS],
                    bands: &[],
                },
            };
            // Ids too long to remember are decided but not remembered.
            let _ = self.store.push(&doc);
        }
        self.evict();
    }

    fn evict(&mut self) {
        let horizon = self.horizon_s();
        while let Some((_, m)) = self.store.front() {
            if self.store.len() <= self.cfg.max_documents && m.time_s >= horizon {
                break;
            }
            self.store.pop_front();
            self.evictions += 1;
        }
    }

    /// Is this document (id and text hash) already remembered?
    fn knows(&self, doc_id: &str, text_hash: u64) -> bool {
        let mut found = false;
        self.store.walk(self.store.exact_lane(), text_hash, |seq| {
            if self.store.meta(seq).is_some_and(|m| m.text_hash == text_hash)
                && self.store.id_eq(seq, doc_id)
            {
                found = true;
                return false;
            }
            true
        });
        found
    }
}

/// Similarity of two documents from their Jaccard estimate and shingle counts: containment of
/// the smaller in the larger (so a truncated copy matches its original), or the Jaccard
/// estimate itself when the smaller text is too short for containment to be reliable.
fn similarity(j: f32, na: u32, nb: u32) -> f32 {
    if na.min(nb) >= MIN_CONTAINMENT_SHINGLES {
        sketch::containment(j, na, nb)
    } else {
        j
    }
}

impl StateStore for Deduplicator {
    /// Apply an entry from the state log. Idempotent: an entry for a document already
    /// remembered (this replica's own, read back from the log) changes nothing.
    fn apply(&mut self, entry: &StateEntry) {
        if entry.stage != STAGE {
            return;
        }
        let Some(d) = entry::decode(&entry.value) else {
            return;
        };
        let time_s = seconds(d.time_ms);
        self.advance_clock(time_s);
        if self.knows(&entry.key, d.text_hash) {
            self.evict();
            return;
        }
        self.remember(&entry.key, time_s, d.text_hash, &d.body);
    }
}
#[cfg(test)]
mod tests;
