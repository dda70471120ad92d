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
//! * **Near**: one-permutation MinHash (64 bins, optimal densification, [`sketch`]) over 2-word
//!   shingles of content words. LSH banding, 16 bands of one row, keyed by a second sketch over
//!   3-word shingles with at least two content words (rarer phrases, short bucket chains): a copy
//!   shares a key with probability `1 − (1 − J₃)^16` (0.9987 at J₃ = 0.34, a 20 %-spun copy).
//!   Candidates are verified on an 8-bit-per-bin signature (b-bit MinHash): Jaccard `J` is
//!   estimated from agreeing bins, then turned into the **containment** of the smaller shingle
//!   set in the larger (`J·(|A|+|B|)/((1+J)·min(|A|,|B|))`, distinct counts), so a truncated copy
//!   matches its full original. A copy needs containment `≥ threshold` (0.5) and
//!   `J ≥ min_jaccard`; the earliest such document (or what it copies) is `duplicate_of`.
//! * Why MinHash and not SimHash: SimHash compares whole-document fingerprints, so a 40 %
//!   truncation or a 20 % spin moves most bits and it cannot express containment; the
//!   text-dedup benchmark in ANCHORS.md has SimHash at recall 0.72 against MinHash 0.945.
//!   Measured on `sift eval dedup` at threshold 0.5: precision 0.999, recall 1.0 on exact,
//!   URL-variant and syndicated copies, 0.998 on truncated, 0.968 on 20 %-spun copies, 10 of 439
//!   hard negatives flagged; curve and the reasons for 2-word shingles in `docs/dedup.md`.
//!
//! # Memory
//!
//! [`store`] keeps a ring of slots (sequence numbers, oldest evicted first) with chained hash
//! lanes whose stale links die on eviction without cleanup. Per document: 24 bytes of facts,
//! 64 bytes of signature (8 bits per bin; 4 bits lost precision in `sift eval dedup`), 18 links of
//! 24 bits (16 bands, the exact lane and the id lane: distance back to the next older entry of
//! the bucket plus 4 bits of the key, so walks skip other keys without touching their slot),
//! a quarter of a 4-byte bucket head per lane (each lane has its own table, so no lane cuts
//! another's chains), and the id in a byte arena (`p-<32 hex>` ids are packed to 19 bytes);
//! see `docs/dedup.md` for the measured bytes per document.
//!
//! **Redelivery.** The id lane finds a page's own slot by id (verified, same text hash) before
//! the exact and band lanes, whose walks stop after 64 entries and so cannot reach the original
//! of a text repeated hundreds of times; `apply` uses the same lookup.
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

pub use sketch::{BINS, Sketch, for_each_word_hash, mix64};

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
            min_jaccard: 0.15,
            shingle_words: 2,
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

/// A band key chaining this many live documents (same bucket and link fingerprint) is hot: new
/// documents are not added to its chain.
const HOT_CHAIN: usize = 32;

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
    seen: SeenSet,
    /// Hot band lanes of the last lookup's keys (as [`Deduplicator::remember`] would count
    /// them), when its band walk ran; `remember` then need not walk the chains again.
    hot: Option<u64>,
    visited: u64,
    /// Test hook: decide with the previous (sort-based) lookup, to compare against.
    #[cfg(test)]
    legacy: bool,
}

/// Most band candidates gathered per lookup (pushes, counting repeats across lanes).
const MAX_CANDIDATES: usize = 1024;

/// Slots of [`SeenSet`]: at least twice [`MAX_CANDIDATES`], so probe runs stay short.
const SEEN_SLOTS: usize = 2048;

/// A set of sequence numbers cleared in O(1) by a generation stamp: each slot holds
/// `generation << 32 | seq`, slots of older generations count as empty. Band candidates are
/// deduplicated through it while the lanes are walked, so only distinct documents are sorted.
struct SeenSet {
    slots: Vec<u64>,
    generation: u32,
}

impl SeenSet {
    fn new() -> Self {
        Self {
            slots: vec![0; SEEN_SLOTS],
            generation: 0,
        }
    }

    /// Empty the set.
    fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.fill(0);
            self.generation = 1;
        }
    }

    /// Add `seq`; `true` when it was not in the set. Holds at most [`MAX_CANDIDATES`] per
    /// generation (callers stop before), so a free slot is always found.
    #[inline]
    fn insert(&mut self, seq: u32) -> bool {
        let tag = (u64::from(self.generation) << 32) | u64::from(seq);
        let mut i = (seq.wrapping_mul(0x9e37_79b9) >> 21) as usize;
        for _ in 0..SEEN_SLOTS {
            match self.slots.get_mut(i % SEEN_SLOTS) {
                Some(s) if *s == tag => return false,
                Some(s) if (*s >> 32) as u32 != self.generation => {
                    *s = tag;
                    return true;
                }
                Some(_) => i += 1,
                None => return true,
            }
        }
        true
    }
}

/// How a lookup ended.
enum Found {
    /// This very document was seen before (redelivery): its slot.
    Own(u32),
    /// A copy of a remembered document.
    Copy(entry::DupBody),
    /// Nothing similar.
    New,
}

fn seconds(ms: i64) -> u32 {
    ms.div_euclid(1000).clamp(0, i64::from(u32::MAX)) as u32
}

fn milli(similarity: f32) -> u16 {
    (similarity * 1000.0).round().clamp(0.0, 1000.0) as u16
}

fn verdict_of(dup: Option<&entry::DupBody>) -> Verdict {
    match dup {
        None => Verdict::unique(),
        Some(d) => Verdict {
            status: DedupStatus::Duplicate,
            kind: Some(if d.exact {
                DuplicateKind::Exact
            } else {
                DuplicateKind::Near
            }),
            duplicate_of: Some(d.of.clone()),
            similarity: Some(d.similarity),
        },
    }
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
            seen: SeenSet::new(),
            hot: None,
            visited: 0,
            #[cfg(test)]
            legacy: false,
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

    /// LSH chain entries visited by lookups since start (a measure of candidate work).
    pub fn chain_visits(&self) -> u64 {
        self.visited
    }

    /// Bytes held by the index (all buffers, by capacity).
    pub fn index_bytes(&self) -> usize {
        self.store.heap_bytes() + self.cands.capacity() * 4 + SEEN_SLOTS * 8
    }

    /// The configuration in effect.
    pub fn config(&self) -> &DedupConfig {
        &self.cfg
    }

    fn horizon_s(&self) -> u32 {
        self.max_time_s
            .saturating_sub(self.cfg.window_days.saturating_mul(86_400))
    }

    /// Decide on one article. Every call returns the state entry describing the decision (the
    /// sketch of a new article, the verdict of a copy), which the caller must persist; the same
    /// page checked again returns the same verdict and the same entry, and remembers nothing new.
    pub fn check(
        &mut self,
        doc_id: &str,
        article: &Article,
        event_time_ms: i64,
    ) -> (Verdict, Option<StateEntry>) {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let time_ms = event_time_ms.min(now_ms.saturating_add(MAX_FUTURE_MS));
        let time_s = seconds(time_ms);
        self.max_time_s = self.max_time_s.max(time_s);
        let sk = sketch::Sketch::of_text(&article.text, self.shingle_words);
        let url = sketch::url_key(article.canonical_url.as_deref().or(article.url.as_deref()));
        let sketch_body = (sk.shingles > 0).then(|| entry::SketchBody {
            url,
            shingle_words: self.shingle_words as u8,
            shingles: sk.shingles,
            sig: sk.signature(),
            keys: sk
                .keys
                .map(|k| k.get(..self.bands).unwrap_or(&[]).to_vec())
                .unwrap_or_default(),
        });
        let (dup, remember) = match self.find(doc_id, &sk, url) {
            Found::Own(seq) => (self.stored_dup(seq), false),
            Found::Copy(d) => (Some(d), true),
            Found::New => (None, true),
        };
        // Exact copies carry no sketch: their text is already indexed.
        let keep_sketch = !dup.as_ref().is_some_and(|d| d.exact && d.similarity >= 1.0);
        let decoded = entry::Decoded {
            time_ms,
            text_hash: sk.text_hash,
            sketch: sketch_body.filter(|_| keep_sketch),
            dup,
        };
        if remember {
            let hot = self.hot.take();
            self.remember(doc_id, time_s, &decoded, hot);
        }
        self.evict();
        let verdict = verdict_of(decoded.dup.as_ref());
        let entry = StateEntry {
            stage: STAGE.into(),
            key: doc_id.to_string(),
            value: entry::encode(&decoded),
        };
        (verdict, Some(entry))
    }

    /// The verdict a remembered document got (`None`: unique).
    fn stored_dup(&self, seq: u32) -> Option<entry::DupBody> {
        let meta = self.store.meta(seq)?;
        match meta.kind() {
            store::KIND_UNIQUE => None,
            kind => Some(entry::DupBody {
                exact: kind == store::KIND_EXACT,
                of: self.store.duplicate_of(seq),
                similarity: f32::from(meta.sim_milli()) / 1000.0,
            }),
        }
    }

    /// The earliest document a remembered one stands for: itself, or what it copies.
    fn root_id(&self, seq: u32) -> String {
        match self.store.meta(seq).map(store::Meta::kind) {
            Some(store::KIND_UNIQUE) | None => self.store.id(seq),
            _ => self.store.duplicate_of(seq),
        }
    }

    /// Look the sketch up: redelivery, exact copy, near copy or new.
    fn find(&mut self, doc_id: &str, sk: &sketch::Sketch, url: u32) -> Found {
        self.hot = None;
        #[cfg(test)]
        if self.legacy {
            return self.find_legacy(doc_id, sk, url);
        }
        let horizon = self.horizon_s();
        let store = &self.store;
        // Id lane first: a redelivered page (same id, same text) finds its own slot however
        // many copies of its text the other lanes chain. `id_elsewhere` is false when no live
        // document has this id at all: then no candidate below can be this page's own slot.
        let (own_slot, id_elsewhere) = store.lookup_id(doc_id, |seq| {
            store
                .meta(seq)
                .is_some_and(|m| m.text_hash() == sk.text_hash)
        });
        if let Some(seq) = own_slot {
            return Found::Own(seq);
        }
        // Exact lane: same normalized text. The chain runs newest to oldest, so the last match
        // is the earliest document. A document never copies itself: entries whose root is this
        // id (its own copies, when its slot is gone or its text changed) are skipped.
        let mut own = None;
        let mut earliest = None;
        store.walk(store.exact_lane(), sk.text_hash, |seq| {
            if let Some(m) = store.meta(seq)
                && m.text_hash() == sk.text_hash
                && m.time_s >= horizon
            {
                if id_elsewhere && store.id_eq(seq, doc_id) {
                    own = Some(seq);
                    return false;
                }
                if !store.root_is(seq, doc_id) {
                    earliest = Some(seq);
                }
            }
            true
        });
        if let Some(seq) = own {
            return Found::Own(seq);
        }
        if let Some(seq) = earliest {
            return Found::Copy(entry::DupBody {
                exact: true,
                of: self.root_id(seq),
                similarity: 1.0,
            });
        }
        let Some(keys) = sk.keys.filter(|_| sk.shingles > 0) else {
            return Found::New;
        };
        // Band lanes: documents sharing at least one band key. Each distinct document is kept
        // once (the first `MAX_CANDIDATES` visits count, repeats included), as its complemented
        // age: sorted ascending that is oldest first, so the first match is the earliest
        // document. The walks also count each key's chain as `remember` would (hot keys).
        let mut cands = std::mem::take(&mut self.cands);
        cands.clear();
        let seen = &mut self.seen;
        seen.clear();
        let store = &self.store;
        let mut pushes = 0usize;
        let mut hot = 0u64;
        for (lane, key) in keys.iter().take(self.bands).enumerate() {
            let mut chained = 0usize;
            store.walk(lane, u64::from(*key), |seq| {
                chained += 1;
                if pushes < MAX_CANDIDATES {
                    pushes += 1;
                    if seen.insert(seq) {
                        cands.push(!store.age(seq));
                    }
                }
                true
            });
            if chained >= HOT_CHAIN {
                hot |= 1 << lane;
            }
        }
        self.hot = Some(hot);
        cands.sort_unstable();
        for c in cands.iter_mut() {
            *c = store.age_to_seq(!*c);
        }
        let sig = sk.signature();
        let mut best: Option<(u32, f32)> = None;
        for &seq in &cands {
            let (Some(m), Some(other)) = (store.meta(seq), store.sig(seq)) else {
                continue;
            };
            if m.shingles() == 0 || m.time_s < horizon {
                continue;
            }
            let j = sketch::estimate_jaccard(&sig, other);
            if j < self.cfg.min_jaccard {
                continue;
            }
            let sim = similarity(j, sk.shingles, m.shingles());
            if sim < self.cfg.threshold {
                continue;
            }
            if id_elsewhere && store.id_eq(seq, doc_id) {
                self.cands = cands;
                return Found::Own(seq);
            }
            if best.is_none() && !store.root_is(seq, doc_id) {
                best = Some((seq, sim));
                if !id_elsewhere {
                    // The earliest match is found, and no later candidate can be this page's
                    // own slot (no live document has its id): the verdict is settled.
                    break;
                }
            }
        }
        self.visited += cands.len() as u64;
        self.cands = cands;
        self.copy_verdict(best, url)
    }

    /// The verdict for the best band candidate (`None`: new).
    fn copy_verdict(&self, best: Option<(u32, f32)>, url: u32) -> Found {
        match best {
            Some((seq, similarity)) => {
                let similarity = f32::from(milli(similarity)) / 1000.0;
                let exact = url != 0
                    && similarity >= URL_EXACT_SIMILARITY
                    && self.store.meta(seq).is_some_and(|m| m.url == url);
                Found::Copy(entry::DupBody {
                    exact,
                    of: self.root_id(seq),
                    similarity,
                })
            }
            None => Found::New,
        }
    }

    /// Remember a decision (unless it is older than the window).
    /// `hot`: the hot band lanes when the caller's lookup already counted them (same keys, same
    /// index), else they are counted here.
    fn remember(&mut self, doc_id: &str, time_s: u32, d: &entry::Decoded, hot: Option<u64>) {
        if time_s < self.horizon_s() {
            return;
        }
        let sketch = d
            .sketch
            .as_ref()
            .filter(|s| usize::from(s.shingle_words) == self.shingle_words && s.shingles > 0);
        let sig = sketch.map_or([0; sketch::BINS], |s| s.sig);
        let bands: &[u32] = sketch.map_or(&[], |s| s.keys.get(..self.bands).unwrap_or(&s.keys));
        // A key whose bucket already chains many live documents is a common phrase: leave this
        // document out of that lane (it stays findable through its other keys), so hot chains
        // stop growing and lookups stay cheap. Computed from the index alone, so live checks
        // and replays decide alike.
        let hot = match hot {
            Some(hot) if !bands.is_empty() => hot,
            _ => {
                let mut hot = 0u64;
                for (lane, key) in bands.iter().enumerate() {
                    if self.store.chained(lane, u64::from(*key), HOT_CHAIN) >= HOT_CHAIN {
                        hot |= 1 << lane;
                    }
                }
                hot
            }
        };
        let doc = store::NewDoc {
            id: doc_id,
            duplicate_of: d.dup.as_ref().map(|d| d.of.as_str()),
            kind: match &d.dup {
                None => store::KIND_UNIQUE,
                Some(dup) if dup.exact => store::KIND_EXACT,
                Some(_) => store::KIND_NEAR,
            },
            text_hash: d.text_hash,
            time_s,
            shingles: sketch.map_or(0, |s| s.shingles),
            sim_milli: d.dup.as_ref().map_or(0, |d| milli(d.similarity)),
            url: d.sketch.as_ref().map_or(0, |s| s.url),
            sig,
            bands,
            hot,
        };
        // Ids too long to remember are decided but not remembered.
        let _ = self.store.push(&doc);
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

    /// Is this document (id and text hash) already remembered? Looked up in the id lane, as
    /// `check` does, so a replica that replayed the log recognizes redeliveries the same way.
    fn knows(&self, doc_id: &str, text_hash: u64) -> bool {
        self.store
            .find_id(doc_id, |seq| {
                self.store
                    .meta(seq)
                    .is_some_and(|m| m.text_hash() == text_hash)
            })
            .is_some()
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
        self.max_time_s = self.max_time_s.max(time_s);
        if !self.knows(&entry.key, d.text_hash) {
            self.remember(&entry.key, time_s, &d, None);
        }
        self.evict();
    }
}

#[cfg(test)]
mod tests;
