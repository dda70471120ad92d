//! Event assignment: which real-world happening a page covers.
//!
//! Online single-pass story clustering (Miranda et al., EMNLP 2018): each page becomes an
//! entity-weighted TF-IDF vector of its title and body; candidate events come from an inverted
//! index over the events' centroid terms; the page joins the most similar event when cosine
//! similarity times a Gaussian time decay reaches the threshold, else it opens a new event.
//!
//! IDF is a streaming document frequency over the active window in which every active event
//! counts as one document (its centroid). It is derived from the shared event state alone, so
//! every replica and every restart computes the same weights, and a story covered by a thousand
//! pages does not make its own names look common.
//!
//! State is bounded (active window of event time, most active events, most remembered pages)
//! and shared by [`StateEntry`]s: one per event change (its compact centroid and summary) and one
//! per page (`d:<page id>` → event), so a redelivered page gets its event again.

use super::centroid::{Centroid, quantize};
use super::descriptors::{DescriptorLists, Descriptors};
use super::event_state::{DocState, EventState, unpack_terms};
use super::features::{DocFeatures, Extractor, FeatureWeights};
use super::gazetteer::EntityKind;
use super::page_map::PageMap;
use super::participants;
use super::postings::{Hits, PostingsIndex};
use super::story_facts;
use super::story_time::{self, YearEvidence, YearMargins};
use super::vector::{Overlap, entity_sums, normalize, overlap_with, top_k_indices};
use crate::dedup::Verdict;
use crate::normalize::{Article, DateSource};
use crate::state::{StateEntry, StateStore, StateValue};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use xxhash_rust::xxh3::xxh3_64;

/// Stage name of event state entries.
pub const STATE_STAGE: &str = "event";
/// Keywords an event keeps (ranked by summed weight; summaries show 10).
pub(crate) const KEYWORDS_KEPT: usize = 12;

/// Key prefix of page → event entries.
pub const DOC_KEY_PREFIX: &str = "d:";

const DAY_MS: f64 = 86_400_000.0;

/// Development trace of assignment decisions (off unless [`trace::enable`] is called on the
/// thread; used by `sift eval events` to explain wrong joins and splits).
pub mod trace {
    use std::cell::{Cell, RefCell};

    thread_local! {
        static ON: Cell<bool> = const { Cell::new(false) };
        static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Record a JSON explanation of each assignment made on this thread.
    pub fn enable() {
        ON.with(|c| c.set(true));
    }

    /// Whether tracing is on for this thread.
    pub(crate) fn on() -> bool {
        ON.with(Cell::get)
    }

    pub(crate) fn put(s: String) {
        LAST.with(|l| *l.borrow_mut() = Some(s));
    }

    /// The explanation of the last assignment (taken).
    pub fn take() -> Option<String> {
        LAST.with(|l| l.borrow_mut().take())
    }
}

/// Event clustering settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventConfig {
    /// Most events kept active; the least recently updated go first.
    pub max_active_events: usize,
    /// Events without a new page for this many days of event time are closed.
    pub window_days: f64,
    /// Lowest similarity (cosine × time decay) at which a page joins an event.
    pub similarity_threshold: f32,
    /// Standard deviation of the Gaussian time decay, in days.
    pub time_sigma_days: f64,
    /// Weight of a title occurrence relative to a body occurrence.
    pub title_boost: f32,
    /// Multiplier of named-entity terms.
    pub entity_boost: f32,
    /// Similarity is scaled by `1 - penalty x share` where `share` is the part of the page's
    /// headline entities missing from the event ("Klitschko stops Thompson" vs a Klitschko–Rahman
    /// fight).
    pub title_entity_penalty: f32,
    /// Share of the similarity taken from the cosine of the entity terms alone (the rest is the
    /// cosine of all terms), so sister events with the same words but other names stay apart.
    pub entity_weight: f32,
    /// Similarity is scaled by `1 - penalty x share`, `share` being the part of the page's entity
    /// weight the event lacks.
    pub page_entity_penalty: f32,
    /// Similarity is scaled by `1 - penalty x share`, `share` being the part of the event's entity
    /// weight the page lacks.
    pub event_entity_penalty: f32,
    /// Gaps between a page's and an event's times up to this many days do not count.
    pub time_grace_days: f64,
    /// Keep numbers of two or more digits as terms.
    pub number_terms: bool,
    /// A page joins an event only when its similarity also reaches this share of the mean
    /// similarity at which the event's pages joined it (0 = off): a tight event admits only
    /// pages as close as its own.
    pub cohesion_ratio: f32,
    /// Expected cosine between two pages of one event; similarities to an event of `n` pages
    /// are divided by the gain `sqrt(n / (1 + (n - 1) rho))` a centroid of `n` such pages has
    /// over one page (0 = off).
    pub size_rho: f32,
    /// Similarity is scaled by `1 - penalty` when the years of a page and an event clearly
    /// disagree (see [`story_time::years_conflict`]; 0 = off).
    pub year_penalty: f32,
    /// Years a page's latest year mention may lag behind the dates of an event (and back).
    pub year_lag: u16,
    /// Years a page may mention ahead of an event's dates (and back).
    pub year_lead: u16,
    /// Between an undated page and an undated event: years apart their latest mentions may be
    /// (0 = not compared).
    pub undated_year_gap: u16,
    /// Similarity is scaled by `1 - penalty` when the page and the event both state final
    /// scores or money amounts and share none (see [`story_facts::facts_conflict`]; 0 = off).
    pub fact_penalty: f32,
    /// Similarity is scaled by `1 - penalty` when the page and the event both name confident
    /// main participants (people, codes) and share none (see
    /// [`participants::participants_conflict`]; 0 = off).
    pub participant_penalty: f32,
    /// Count ages stated in a page's title and lead ("a 36-year-old climber") as identifying
    /// facts too (ages a year apart agree).
    pub age_facts: bool,
    /// Lowest value of the time decay when a date on either side was read from prose (a
    /// dateline or a date in the text) rather than from metadata, the URL or the fetch: such
    /// dates are often a background or update date, so a large gap damps a strong match
    /// instead of vetoing it (0 = plain Gaussian for every date).
    pub weak_date_floor: f32,
    /// Terms kept per page vector.
    pub page_terms: usize,
    /// Terms kept per event centroid.
    pub centroid_terms: usize,
    /// Most pages remembered (page → event, for redelivery).
    pub max_remembered_pages: usize,
}

impl Default for EventConfig {
    fn default() -> Self {
        Self {
            max_active_events: 100_000,
            window_days: 14.0,
            similarity_threshold: 0.22,
            time_sigma_days: 60.0,
            title_boost: 2.0,
            entity_boost: 2.0,
            title_entity_penalty: 0.0,
            entity_weight: 0.0,
            page_entity_penalty: 0.0,
            event_entity_penalty: 0.0,
            time_grace_days: 0.0,
            number_terms: false,
            cohesion_ratio: 0.0,
            size_rho: 0.0,
            year_penalty: 0.5,
            year_lag: 1,
            year_lead: 2,
            undated_year_gap: 5,
            fact_penalty: 0.3,
            participant_penalty: 0.15,
            age_facts: false,
            weak_date_floor: 0.5,
            page_terms: 64,
            centroid_terms: 40,
            max_remembered_pages: 1_000_000,
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

/// Named entities of an event by type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventEntities {
    /// People.
    pub people: Vec<String>,
    /// Organizations.
    pub organizations: Vec<String>,
    /// Places.
    pub places: Vec<String>,
}

/// Summary published to the `events` topic, keyed by event id (compaction keeps the latest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSummary {
    /// Event id.
    pub event_id: String,
    /// Human-readable label: the headline of the page most central to the event.
    pub label: Option<String>,
    /// Main entities.
    pub entities: EventEntities,
    /// Main keywords (stems).
    pub keywords: Vec<String>,
    /// First page time (ms since epoch).
    pub first_seen_ms: i64,
    /// Latest page time (ms since epoch).
    pub last_seen_ms: i64,
    /// Pages assigned.
    pub article_count: u64,
    /// Distinct sources among them.
    pub source_count: u64,
    /// Some of those sources (at most 32).
    pub sources: Vec<String>,
}

/// What [`EventTracker::assign`] decided.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The page's event.
    pub event: EventRef,
    /// The event's new summary; `None` when nothing changed (a redelivered page).
    pub summary: Option<EventSummary>,
    /// State entries to persist (event state and page → event).
    pub state: Vec<StateEntry>,
}

/// One active event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub key: u64,
    pub generation: u32,
    /// Centroid terms (sorted), raw mass per term (sum of unit page vectors without IDF) and
    /// unit TF-IDF weights per term (IDF at the last update).
    pub centroid: Centroid,
    /// Length and sum of the entity part of `weight`.
    pub ent: (f32, f32),
    pub first_ms: i64,
    pub last_ms: i64,
    /// Publication time range of pages with a trusted publish date.
    pub story: Option<(i64, i64)>,
    /// Some date of `story` was read from prose (see [`EventConfig::weak_date_floor`]).
    pub weak_story: bool,
    /// Latest year any of its pages mentions (0 = none).
    pub year: u16,
    /// Identifying numbers of its pages (scores, amounts; see [`story_facts`]).
    pub facts: Vec<u32>,
    /// Main participants of its pages (people, codes; see [`participants`]).
    pub participants: Vec<u32>,
    pub count: u64,
    /// Sum and number of the similarities at which pages joined by similarity.
    pub joins: (f32, u32),
    pub label: Option<Box<str>>,
    pub label_sim: f32,
    pub source_count: u64,
    /// Some sources (at most 32), main entities and keywords, packed.
    pub descriptors: Descriptors,
    /// Update counter for the LRU queue.
    pub touch: u64,
}

/// A page prepared for matching.
struct PageVec {
    terms: Vec<u32>,
    weight: Vec<f32>,
    /// Document frequency of each term when the page was read (index changes come later).
    df: Vec<u32>,
    /// Raw weights scaled to unit length (centroid mass contribution).
    unit_raw: Vec<f32>,
    /// Headline entities and their weights.
    title_entities: Vec<(u32, f32)>,
    /// Length and sum of the entity part of `weight`.
    ent: (f32, f32),
    /// What the page tells about its year.
    years: YearEvidence,
    /// Its identifying numbers.
    facts: Vec<u32>,
    /// Its participants.
    participants: participants::PageParticipants,
}

/// Assigns events and keeps their state.
pub struct EventTracker {
    cfg: EventConfig,
    /// Whether the page being assigned has a real fetch time (see `assign`).
    fetch_known: bool,
    /// Whether the trusted date of the page being assigned was read from prose.
    weak_date: bool,
    slots: Vec<Option<Event>>,
    free: Vec<u32>,
    gens: Vec<u32>,
    by_key: FxHashMap<u64, u32>,
    postings: PostingsIndex,
    lru: VecDeque<(u32, u32, u64)>,
    /// Remembered pages: page key → (event key, opened), oldest first.
    docs: PageMap,
    watermark: i64,
    created: u64,
    touches: u64,
    extractor: Extractor,
    acc: Vec<f32>,
    acc_stamp: Vec<u32>,
    stamp: u32,
    /// Candidate slots of the current page (kept between pages).
    touched: Vec<u32>,
    /// `ln(active events + 10)` for the event count it was computed at.
    ln_events: std::cell::Cell<(usize, f32)>,
}

impl EventTracker {
    /// An empty tracker.
    pub fn new(cfg: EventConfig) -> Self {
        Self {
            docs: PageMap::new(cfg.max_remembered_pages.saturating_add(1)),
            cfg,
            fetch_known: false,
            weak_date: false,
            slots: Vec::new(),
            free: Vec::new(),
            gens: Vec::new(),
            by_key: FxHashMap::default(),
            postings: PostingsIndex::default(),
            lru: VecDeque::new(),
            watermark: i64::MIN,
            created: 0,
            touches: 0,
            extractor: Extractor::new(),
            acc: Vec::new(),
            acc_stamp: Vec::new(),
            stamp: 0,
            touched: Vec::new(),
            ln_events: std::cell::Cell::new((usize::MAX, 0.0)),
        }
    }

    /// Events active now.
    pub fn active(&self) -> usize {
        self.by_key.len()
    }

    /// Events created since start.
    pub fn created(&self) -> u64 {
        self.created
    }

    /// Pages remembered for redelivery.
    pub fn remembered_pages(&self) -> usize {
        self.docs.len()
    }

    /// The current summary of an active event.
    pub fn summary(&self, event_id: &str) -> Option<EventSummary> {
        let key = parse_event_id(event_id)?;
        self.event(key).map(summarize)
    }

    /// Summaries of all active events, sorted by id.
    pub fn summaries(&self) -> Vec<EventSummary> {
        let mut v: Vec<EventSummary> = self.slots.iter().flatten().map(summarize).collect();
        v.sort_by(|a, b| a.event_id.cmp(&b.event_id));
        v
    }

    fn event(&self, key: u64) -> Option<&Event> {
        let slot = *self.by_key.get(&key)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    fn weights(&self) -> FeatureWeights {
        FeatureWeights {
            title_boost: self.cfg.title_boost,
            entity_boost: self.cfg.entity_boost,
            numbers: self.cfg.number_terms,
        }
    }

    /// Inverse document frequency over the active events of a term held by `df` of them.
    fn idf_of_df(&self, df: u32) -> f32 {
        let n = self.by_key.len();
        let ln_n = match self.ln_events.get() {
            (m, l) if m == n => l,
            _ => {
                let l = ln_count(n + 10);
                self.ln_events.set((n, l));
                l
            }
        };
        (ln_n - ln_count(df as usize + 1)).max(0.05)
    }

    /// Assign an event to a page. A copy joins the event of the page it copies; a page seen
    /// before (redelivery) gets its event again and changes nothing; every other page joins the
    /// most similar active event or opens a new one.
    pub fn assign(
        &mut self,
        doc_id: &str,
        article: &Article,
        verdict: &Verdict,
        source_id: &str,
        at_ms: i64,
    ) -> Assignment {
        let doc_key = xxh3_64(doc_id.as_bytes());
        if let Some((ev, opened)) = self.docs.get(doc_key) {
            return Assignment {
                event: EventRef {
                    id: event_id(ev),
                    is_new: opened,
                },
                summary: None,
                state: Vec::new(),
            };
        }
        self.advance(at_ms);
        let story = trusted_publish_ms(article, at_ms);
        // The normalize stage reports the fetch time as the publish date (source `fetched_at`)
        // only when the page had one; otherwise `at_ms` is just when the page reached us.
        self.fetch_known = article.published_at_source == Some(DateSource::FetchedAt);
        self.weak_date = story.is_some() && is_prose_date(article.published_at_source);

        // A copy joins its original's event when that is still active.
        let original = verdict
            .duplicate_of
            .as_deref()
            .and_then(|o| self.docs.get(xxh3_64(o.as_bytes())).map(|(e, _)| e))
            .filter(|e| self.by_key.contains_key(e));

        let feats = self
            .extractor
            .extract(article.title.as_deref(), &article.text, self.weights());
        let mut page = self.page_vector(&feats);
        page.years = YearEvidence {
            dated: story.map(|t| {
                let y = story_time::year_of_ms(t);
                (y, y)
            }),
            mentioned: if self.cfg.year_penalty > 0.0 {
                story_time::latest_year(article.title.as_deref(), &article.text)
            } else {
                None
            },
        };
        if self.cfg.fact_penalty > 0.0 {
            page.facts = if self.cfg.age_facts {
                story_facts::facts_and_ages(article.title.as_deref(), &article.text)
            } else {
                story_facts::facts(article.title.as_deref(), &article.text)
            };
        }
        if self.cfg.participant_penalty > 0.0 {
            page.participants = participants::participants_of(
                article.title.as_deref(),
                &article.text,
                &feats,
                self.weights(),
            );
        }

        if trace::on() {
            trace::put(self.explain(&feats, &page, story, at_ms));
        }
        let (key, sim, opened) = match original {
            Some(key) => (key, 1.0, false),
            None => match self.best_match(&page, story, at_ms) {
                Some((key, sim))
                    if sim >= self.cfg.similarity_threshold && sim >= self.cohesion_bar(key) =>
                {
                    (key, sim, false)
                }
                _ => (doc_key, 0.0, true),
            },
        };
        if opened {
            self.open(key, at_ms);
        }
        let add_vector = original.is_none();
        self.update(
            key, &feats, &page, add_vector, sim, article, source_id, at_ms, story,
        );

        self.docs.insert(doc_key, key, opened, at_ms);
        self.trim_docs();
        self.evict();

        let id = event_id(key);
        let mut state = Vec::with_capacity(2);
        let summary = self.event(key).map(|e| {
            state.push(StateEntry {
                stage: STATE_STAGE.into(),
                key: id.clone(),
                value: StateValue::of(&EventState::from_event(e)),
            });
            summarize(e)
        });
        state.push(StateEntry {
            stage: STATE_STAGE.into(),
            key: format!("{DOC_KEY_PREFIX}{doc_id}"),
            value: StateValue::of(&DocState {
                e: id.clone(),
                t: at_ms,
                new: opened,
            }),
        });
        Assignment {
            event: EventRef { id, is_new: opened },
            summary,
            state,
        }
    }

    fn page_vector(&self, feats: &DocFeatures) -> PageVec {
        let mut dfs: Vec<u32> = Vec::with_capacity(feats.terms.len());
        self.postings
            .dfs(feats.terms.iter().map(|t| t.hash), &mut dfs);
        let scores: Vec<f32> = feats
            .terms
            .iter()
            .zip(&dfs)
            .map(|(t, &df)| t.weight * self.idf_of_df(df))
            .collect();
        let keep = top_k_indices(&scores, self.cfg.page_terms.max(1));
        let mut terms = Vec::with_capacity(keep.len());
        let mut df = Vec::with_capacity(keep.len());
        let mut weight = Vec::with_capacity(keep.len());
        let mut unit_raw = Vec::with_capacity(keep.len());
        for i in keep {
            if let (Some(t), Some(s), Some(&d)) = (feats.terms.get(i), scores.get(i), dfs.get(i)) {
                terms.push(t.hash);
                df.push(d);
                weight.push(*s);
                unit_raw.push(t.weight);
            }
        }
        normalize(&mut weight);
        normalize(&mut unit_raw);
        let title_entities = feats
            .terms
            .iter()
            .zip(&scores)
            .filter(|(t, _)| t.title_entity)
            .map(|(t, s)| (t.hash, *s))
            .collect();
        let ent = entity_sums(&terms, &weight);
        PageVec {
            years: YearEvidence::default(),
            facts: Vec::new(),
            participants: participants::PageParticipants::default(),
            ent,
            terms,
            weight,
            df,
            unit_raw,
            title_entities,
        }
    }

    /// A JSON explanation of the scoring of a page against its best candidates (trace only).
    fn explain(
        &mut self,
        feats: &DocFeatures,
        page: &PageVec,
        story: Option<i64>,
        at_ms: i64,
    ) -> String {
        let _ = self.best_match(page, story, at_ms);
        let mut cands: Vec<(f32, u32)> = self
            .touched
            .iter()
            .filter_map(|&s| {
                let ev = self.slots.get(s as usize)?.as_ref()?;
                Some((self.similarity(page, ev, story, at_ms), s))
            })
            .collect();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0));
        let label = |h: u32| {
            feats
                .terms
                .iter()
                .find(|t| t.hash == h)
                .map(|t| feats.label(t).to_string())
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        for &(sim, slot) in cands.iter().take(3) {
            let Some(ev) = self.slots.get(slot as usize).and_then(Option::as_ref) else {
                continue;
            };
            let c = &ev.centroid;
            let o = overlap_with(&page.terms, &page.weight, c.terms(), |j| c.weight_at(j));
            let mut shared: Vec<(f32, String)> = page
                .terms
                .iter()
                .zip(&page.weight)
                .filter_map(|(&t, &w)| {
                    let j = c.terms().binary_search(&t).ok()?;
                    Some((w * c.weight_at(j), label(t)))
                })
                .collect();
            shared.sort_by(|a, b| b.0.total_cmp(&a.0));
            shared.truncate(10);
            out.push(serde_json::json!({
                "event": event_id(ev.key),
                "sim": sim,
                "cos": o.dot,
                "time": self.time_factor(ev, story, at_ms),
                "title": self.title_factor(page, ev),
                "year": self.year_factor(page, ev),
                "fact": self.fact_factor(page, ev),
                "gain": self.size_gain(ev),
                "bar": self.cohesion_bar(ev.key),
                "n": ev.count,
                "shared": shared.iter().map(|(w, l)| format!("{l}:{w:.3}")).collect::<Vec<_>>(),
            }));
        }
        let top: Vec<String> = top_k_indices(&page.weight, 12)
            .into_iter()
            .filter_map(|i| {
                let (t, w) = (page.terms.get(i)?, page.weight.get(i)?);
                Some(format!("{}:{w:.2}", label(*t)))
            })
            .collect();
        serde_json::json!({
            "cands": out,
            "top": top,
            "years": format!("{:?}", page.years),
            "facts": page.facts.len(),
        })
        .to_string()
    }

    /// The most similar active event and its similarity.
    fn best_match(&mut self, page: &PageVec, story: Option<i64>, at_ms: i64) -> Option<(u64, f32)> {
        const QUERY_TERMS: usize = 16;
        const MAX_SCAN: usize = 400;
        const CANDIDATES: usize = 32;
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.acc_stamp.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
        if self.acc.len() < self.slots.len() {
            self.acc.resize(self.slots.len(), 0.0);
            self.acc_stamp.resize(self.slots.len(), 0);
        }
        let query = top_k_indices(&page.weight, QUERY_TERMS);
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        for qi in query {
            let (Some(&term), Some(&w)) = (page.terms.get(qi), page.weight.get(qi)) else {
                continue;
            };
            let one: [u32; 1];
            let entries: &[u32] = match self.postings.get(term) {
                None => continue,
                Some(Hits::One(slot)) => {
                    one = [slot];
                    &one
                }
                Some(Hits::Many(entries)) if entries.len() <= MAX_SCAN => entries,
                Some(Hits::Many(_)) => continue,
            };
            for &slot in entries {
                accumulate(
                    &mut self.acc,
                    &mut self.acc_stamp,
                    self.stamp,
                    &mut touched,
                    slot,
                    w,
                );
            }
        }
        let bounds: Vec<f32> = touched
            .iter()
            .map(|&s| self.acc.get(s as usize).copied().unwrap_or(0.0))
            .collect();
        let mut best: Option<(u64, f32)> = None;
        for i in top_k_indices(&bounds, CANDIDATES) {
            let Some(ev) = touched
                .get(i)
                .and_then(|&s| self.slots.get(s as usize))
                .and_then(Option::as_ref)
            else {
                continue;
            };
            let sim = self.similarity(page, ev, story, at_ms);
            if best.is_none_or(|(k, b)| sim > b || (sim == b && ev.key < k)) {
                best = Some((ev.key, sim));
            }
        }
        self.touched = touched;
        best
    }

    /// The similarity of a page to an event: the scoring of a candidate, all in one place.
    fn similarity(&self, page: &PageVec, ev: &Event, story: Option<i64>, at_ms: i64) -> f32 {
        let c = &ev.centroid;
        let o = overlap_with(&page.terms, &page.weight, c.terms(), |j| c.weight_at(j));
        self.blend(&o, page.ent, ev.ent)
            * self.time_factor(ev, story, at_ms)
            * self.title_factor(page, ev)
            * self.year_factor(page, ev)
            * self.fact_factor(page, ev)
            * self.participant_factor(page, ev)
            / self.size_gain(ev)
    }

    /// How much a centroid of `n` page vectors raises the cosine of a page of the same event
    /// over the cosine to a single page: with pairwise cosine `rho` between pages of one event,
    /// the cosine to the centroid is `rho * sqrt(n / (1 + (n - 1) rho))`. Dividing by the gain
    /// puts every event on the pairwise scale, so a large event does not attract its sister
    /// event's pages just because its centroid is smooth.
    fn size_gain(&self, ev: &Event) -> f32 {
        let rho = self.cfg.size_rho;
        if !(rho > 0.0 && rho < 1.0) {
            return 1.0;
        }
        let n = (ev.joins.1 as f32 + 1.0).max(1.0);
        (n / (1.0 + (n - 1.0) * rho)).sqrt()
    }

    /// The similarity a page needs to join an event given the event's cohesion.
    fn cohesion_bar(&self, key: u64) -> f32 {
        match self.event(key) {
            Some(ev) if ev.joins.1 > 0 => {
                self.cfg.cohesion_ratio.max(0.0) * ev.joins.0 / ev.joins.1 as f32
            }
            _ => 0.0,
        }
    }

    /// Similarity from the whole-vector cosine, the cosine of the entity parts, and the shares of
    /// each side's entity weight the other side lacks.
    fn blend(&self, o: &Overlap, page_ent: (f32, f32), ev_ent: (f32, f32)) -> f32 {
        let mut sim = o.dot;
        let lambda = self.cfg.entity_weight.clamp(0.0, 1.0);
        if lambda > 0.0 && page_ent.0 > 0.0 && ev_ent.0 > 0.0 {
            sim = (1.0 - lambda) * sim + lambda * o.ent_dot / (page_ent.0 * ev_ent.0);
        }
        if page_ent.1 > 0.0 {
            let miss = (1.0 - o.a_ent_hit / page_ent.1).clamp(0.0, 1.0);
            sim *= 1.0 - self.cfg.page_entity_penalty.clamp(0.0, 1.0) * miss;
        }
        if ev_ent.1 > 0.0 {
            let miss = (1.0 - o.b_ent_hit / ev_ent.1).clamp(0.0, 1.0);
            sim *= 1.0 - self.cfg.event_entity_penalty.clamp(0.0, 1.0) * miss;
        }
        sim
    }

    /// Penalty when the page's and the event's years clearly disagree.
    fn year_factor(&self, page: &PageVec, ev: &Event) -> f32 {
        let penalty = self.cfg.year_penalty.clamp(0.0, 1.0);
        if penalty <= 0.0 {
            return 1.0;
        }
        let event = YearEvidence {
            dated: ev
                .story
                .map(|(lo, hi)| (story_time::year_of_ms(lo), story_time::year_of_ms(hi))),
            mentioned: (ev.year > 0).then_some(ev.year),
        };
        let margins = YearMargins {
            lag: self.cfg.year_lag,
            lead: self.cfg.year_lead,
            undated_gap: self.cfg.undated_year_gap,
        };
        if story_time::years_conflict(page.years, event, margins) {
            1.0 - penalty
        } else {
            1.0
        }
    }

    /// Penalty when the page's and the event's scores or amounts all differ.
    fn fact_factor(&self, page: &PageVec, ev: &Event) -> f32 {
        let penalty = self.cfg.fact_penalty.clamp(0.0, 1.0);
        if penalty > 0.0 && story_facts::facts_conflict(&page.facts, &ev.facts) {
            1.0 - penalty
        } else {
            1.0
        }
    }

    /// Penalty when the page's and the event's main participants are all different.
    fn participant_factor(&self, page: &PageVec, ev: &Event) -> f32 {
        let penalty = self.cfg.participant_penalty.clamp(0.0, 1.0);
        if penalty > 0.0
            && participants::participants_conflict(&page.participants.main, &ev.participants)
        {
            1.0 - penalty
        } else {
            1.0
        }
    }

    /// Penalty for headline entities the event does not know.
    fn title_factor(&self, page: &PageVec, ev: &Event) -> f32 {
        let total: f32 = page.title_entities.iter().map(|e| e.1).sum();
        if total <= 0.0 || ev.count == 0 {
            return 1.0;
        }
        let missing: f32 = page
            .title_entities
            .iter()
            .filter(|(h, _)| ev.centroid.terms().binary_search(h).is_err())
            .map(|e| e.1)
            .sum();
        1.0 - self.cfg.title_entity_penalty.clamp(0.0, 1.0) * missing / total
    }

    /// Gaussian decay on the gap between the page's time and the event's time span. A trusted
    /// publish date is a point; a page without one was published at or shortly before it was
    /// fetched (crawlers fetch news within days), so only a gap beyond [`FETCH_LAG_MS`] counts.
    fn time_factor(&self, ev: &Event, story: Option<i64>, at_ms: i64) -> f32 {
        let gap_ms = match (story, ev.story) {
            (Some(t), Some((lo, hi))) => (lo - t).max(t - hi).max(0),
            (Some(t), None) => (t - ev.last_ms).max(0),
            (None, Some((lo, hi))) if self.fetch_known => {
                (lo - at_ms).max(at_ms - FETCH_LAG_MS - hi).max(0)
            }
            (None, Some((lo, _))) => (lo - at_ms).max(0),
            (None, None) => (ev.first_ms - at_ms).max(at_ms - ev.last_ms).max(0),
        };
        // Dates read from prose on a side that took part in the gap: damp, do not veto.
        let weak = (story.is_some() && self.weak_date) || (ev.story.is_some() && ev.weak_story);
        let floor = if weak {
            f64::from(self.cfg.weak_date_floor.clamp(0.0, 1.0))
        } else {
            0.0
        };
        let sigma = self.cfg.time_sigma_days.max(0.01) * DAY_MS;
        let grace = self.cfg.time_grace_days.max(0.0) * DAY_MS;
        let z = (gap_ms as f64 - grace).max(0.0) / sigma;
        (floor + (1.0 - floor) * (-0.5 * z * z).exp()) as f32
    }

    fn open(&mut self, key: u64, at_ms: i64) {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                if self.slots.len() == self.slots.capacity() {
                    // Grow toward the event limit, not past it by doubling.
                    let len = self.slots.len();
                    let room = self
                        .cfg
                        .max_active_events
                        .saturating_add(2)
                        .saturating_sub(len);
                    let more = room.min(len).max(len / 8).max(16);
                    self.slots.reserve_exact(more);
                    self.gens.reserve_exact(more);
                }
                self.slots.push(None);
                self.gens.push(0);
                (self.slots.len() - 1) as u32
            }
        };
        let generation = self
            .gens
            .get(slot as usize)
            .copied()
            .unwrap_or(0)
            .wrapping_add(1);
        if let Some(g) = self.gens.get_mut(slot as usize) {
            *g = generation;
        }
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = Some(Event {
                key,
                generation,
                centroid: Centroid::default(),
                ent: (0.0, 0.0),
                first_ms: at_ms,
                last_ms: at_ms,
                story: None,
                weak_story: false,
                year: 0,
                facts: Vec::new(),
                participants: Vec::new(),
                count: 0,
                joins: (0.0, 0),
                label: None,
                label_sim: -1.0,
                source_count: 0,
                descriptors: Descriptors::default(),
                touch: 0,
            });
        }
        self.by_key.insert(key, slot);
        self.created += 1;
    }

    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        key: u64,
        feats: &DocFeatures,
        page: &PageVec,
        add_vector: bool,
        sim: f32,
        article: &Article,
        source_id: &str,
        at_ms: i64,
        story: Option<i64>,
    ) {
        let Some(&slot) = self.by_key.get(&key) else {
            return;
        };
        let Some(mut ev) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        ev.count += 1;
        if add_vector && ev.count > 1 {
            ev.joins.0 = ((ev.joins.0 + sim) * 10_000.0).round() / 10_000.0;
            ev.joins.1 += 1;
        }
        ev.first_ms = ev.first_ms.min(at_ms);
        ev.last_ms = ev.last_ms.max(at_ms);
        if let Some(t) = story {
            ev.story = Some(ev.story.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))));
            ev.weak_story |= self.weak_date;
        }
        if let Some(y) = page.years.mentioned {
            ev.year = ev.year.max(y);
        }
        if !page.facts.is_empty() {
            story_facts::merge_facts(&mut ev.facts, &page.facts);
            ev.facts.shrink_to_fit();
        }
        if add_vector && !page.participants.known.is_empty() {
            participants::merge_participants(&mut ev.participants, &page.participants.known);
            ev.participants.shrink_to_fit();
        }
        if sim > ev.label_sim
            && let Some(t) = article.title.as_deref().filter(|t| !t.trim().is_empty())
        {
            ev.label = Some(t.chars().take(300).collect());
            ev.label_sim = (sim * 10_000.0).round() / 10_000.0;
        }
        let old = std::mem::take(&mut ev.descriptors);
        let mut lists = old.unpack();
        if !lists.sources.contains(&source_id) {
            ev.source_count += 1;
            if lists.sources.len() < 32 {
                lists.sources.push(source_id);
            }
        }
        if add_vector {
            merge_descriptors(&mut lists, feats, page);
        }
        ev.descriptors = lists.pack();
        drop(old);
        if add_vector {
            let (ev_terms, c) = (ev.centroid.terms(), &ev.centroid);
            let mut terms = Vec::with_capacity(ev_terms.len() + page.terms.len());
            let mut mass = Vec::with_capacity(terms.capacity());
            // Document frequencies: the page's were read before any index change since.
            let mut dfs = Vec::with_capacity(terms.capacity());
            let page_df = |j: usize| page.df.get(j).copied().unwrap_or(0);
            self.postings.touch(ev_terms.iter().copied());
            let (mut i, mut j) = (0, 0);
            loop {
                match (ev_terms.get(i), page.terms.get(j)) {
                    (Some(&a), Some(&b)) if a == b => {
                        terms.push(a);
                        dfs.push(page_df(j));
                        mass.push(c.mass_at(i) + page.unit_raw.get(j).copied().unwrap_or(0.0));
                        i += 1;
                        j += 1;
                    }
                    (Some(&a), Some(&b)) if a < b => {
                        terms.push(a);
                        dfs.push(self.postings.df(a));
                        mass.push(c.mass_at(i));
                        i += 1;
                    }
                    (Some(_), Some(&b)) | (None, Some(&b)) => {
                        terms.push(b);
                        dfs.push(page_df(j));
                        mass.push(page.unit_raw.get(j).copied().unwrap_or(0.0));
                        j += 1;
                    }
                    (Some(&a), None) => {
                        terms.push(a);
                        dfs.push(self.postings.df(a));
                        mass.push(c.mass_at(i));
                        i += 1;
                    }
                    (None, None) => break,
                }
            }
            self.set_centroid(&mut ev, slot, terms, mass, dfs);
        }
        self.touches += 1;
        ev.touch = self.touches;
        self.lru.push_back((slot, ev.generation, ev.touch));
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = Some(ev);
        }
    }

    /// Replace an event's centroid (pruned to the top terms), keeping the index and the
    /// document frequencies in step. `dfs` are the current document frequencies of `terms`
    /// (read once: a term the update newly indexes counts one more for the weights).
    pub(crate) fn set_centroid(
        &mut self,
        ev: &mut Event,
        slot: u32,
        terms: Vec<u32>,
        mass: Vec<f32>,
        dfs: Vec<u32>,
    ) {
        let scores: Vec<f32> = terms
            .iter()
            .zip(&mass)
            .zip(&dfs)
            .map(|((_, &m), &df)| m * self.idf_of_df(df))
            .collect();
        let keep = top_k_indices(&scores, self.cfg.centroid_terms.max(1));
        let new_terms: Vec<u32> = keep.iter().filter_map(|&i| terms.get(i).copied()).collect();
        let new_dfs: Vec<u32> = keep.iter().filter_map(|&i| dfs.get(i).copied()).collect();
        // Rounded as in the state log, so a replayed event equals the live one.
        let new_mass: Vec<f32> = keep
            .iter()
            .filter_map(|&i| mass.get(i).copied())
            .map(|m| (m * 10_000.0).round() / 10_000.0)
            .collect();
        // Index and document-frequency maintenance on the symmetric difference.
        let old_centroid = std::mem::take(&mut ev.centroid);
        let old = old_centroid.terms();
        let mut weight = Vec::with_capacity(new_terms.len());
        let (mut i, mut j) = (0, 0);
        loop {
            match (old.get(i), new_terms.get(j)) {
                (Some(&a), Some(&b)) if a == b => {
                    let (df, m) = (new_dfs.get(j), new_mass.get(j));
                    weight.push(m.unwrap_or(&0.0) * self.idf_of_df(df.copied().unwrap_or(0)));
                    i += 1;
                    j += 1;
                }
                (Some(&a), Some(&b)) if a < b => {
                    self.unindex(a, slot);
                    i += 1;
                }
                (Some(_), Some(&b)) | (None, Some(&b)) => {
                    self.index(b, slot);
                    let (df, m) = (new_dfs.get(j), new_mass.get(j));
                    let df = df.copied().unwrap_or(0).saturating_add(1);
                    weight.push(m.unwrap_or(&0.0) * self.idf_of_df(df));
                    j += 1;
                }
                (Some(&a), None) => {
                    self.unindex(a, slot);
                    i += 1;
                }
                (None, None) => break,
            }
        }
        normalize(&mut weight);
        // As stored (quantized), so the entity sums match the weights scoring reads.
        weight.iter_mut().for_each(|w| *w = quantize(*w));
        ev.ent = entity_sums(&new_terms, &weight);
        ev.centroid = Centroid::new(&new_terms, &new_mass, &weight);
    }

    fn index(&mut self, term: u32, slot: u32) {
        self.postings.insert(term, slot);
    }

    fn unindex(&mut self, term: u32, slot: u32) {
        self.postings.remove(term, slot);
    }

    /// Move the watermark (latest event time seen).
    fn advance(&mut self, at_ms: i64) {
        self.watermark = self.watermark.max(at_ms);
    }

    fn window_ms(&self) -> i64 {
        (self.cfg.window_days.max(0.0) * DAY_MS) as i64
    }

    /// Close events past the window and beyond the count limit.
    fn evict(&mut self) {
        let horizon = self.watermark.saturating_sub(self.window_ms());
        if self.lru.len() > 2 * self.by_key.len() + 1024 {
            self.compact_lru();
        }
        while let Some(&(slot, generation, touch)) = self.lru.front() {
            let live = self
                .slots
                .get(slot as usize)
                .and_then(Option::as_ref)
                .filter(|e| e.generation == generation && e.touch == touch);
            let Some(ev) = live else {
                self.lru.pop_front();
                continue;
            };
            if ev.last_ms < horizon || self.by_key.len() > self.cfg.max_active_events.max(1) {
                self.lru.pop_front();
                self.remove_slot(slot);
            } else {
                break;
            }
        }
    }

    /// Drop stale queue entries and close every event past the window, wherever it sits.
    fn compact_lru(&mut self) {
        let horizon = self.watermark.saturating_sub(self.window_ms());
        let mut expired = Vec::new();
        let slots = &self.slots;
        self.lru.retain(|&(slot, generation, touch)| {
            match slots
                .get(slot as usize)
                .and_then(Option::as_ref)
                .filter(|e| e.generation == generation && e.touch == touch)
            {
                Some(e) if e.last_ms < horizon => {
                    expired.push(slot);
                    false
                }
                Some(_) => true,
                None => false,
            }
        });
        for slot in expired {
            self.remove_slot(slot);
        }
    }

    fn remove_slot(&mut self, slot: u32) {
        let Some(ev) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        for &t in ev.centroid.terms() {
            self.unindex(t, slot);
        }
        self.by_key.remove(&ev.key);
        if let Some(g) = self.gens.get_mut(slot as usize) {
            *g = g.wrapping_add(1);
        }
        self.free.push(slot);
    }

    fn trim_docs(&mut self) {
        let horizon = self.watermark.saturating_sub(self.window_ms());
        while let Some(t) = self.docs.oldest_time() {
            if t < horizon || self.docs.len() > self.cfg.max_remembered_pages.max(1) {
                self.docs.pop_oldest();
            } else {
                break;
            }
        }
    }

    // ---- state replay -------------------------------------------------------------------------

    /// Install an event state read from the log (see [`StateStore::apply`]).
    pub(crate) fn install(&mut self, st: EventState, key: u64) {
        let (first_ms, last_ms) = (st.f.0, st.f.1);
        if last_ms < self.watermark.saturating_sub(self.window_ms()) {
            return;
        }
        if let Some(known) = self.event(key)
            && known.count >= st.n
        {
            return;
        }
        self.advance(last_ms);
        if !self.by_key.contains_key(&key) {
            self.open(key, first_ms);
            self.created -= 1;
        }
        let Some(&slot) = self.by_key.get(&key) else {
            return;
        };
        let Some(mut ev) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        st.fill(&mut ev);
        let mut pairs: Vec<(u32, f32)> = unpack_terms(&st.t);
        pairs.sort_unstable_by_key(|p| p.0);
        pairs.dedup_by_key(|p| p.0);
        let (terms, mass): (Vec<u32>, Vec<f32>) = pairs.into_iter().unzip();
        let dfs = terms.iter().map(|&t| self.postings.df(t)).collect();
        self.set_centroid(&mut ev, slot, terms, mass, dfs);
        self.touches += 1;
        ev.touch = self.touches;
        self.lru.push_back((slot, ev.generation, ev.touch));
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = Some(ev);
        }
        self.evict();
    }

    fn install_doc(&mut self, doc_id: &str, st: DocState) {
        let Some(ev) = parse_event_id(&st.e) else {
            return;
        };
        if st.t < self.watermark.saturating_sub(self.window_ms()) {
            return;
        }
        let doc = xxh3_64(doc_id.as_bytes());
        self.docs.insert(doc, ev, st.new, st.t);
        self.advance(st.t);
        self.trim_docs();
    }
}

impl StateStore for EventTracker {
    fn apply(&mut self, entry: &StateEntry) {
        if entry.stage != STATE_STAGE {
            return;
        }
        if let Some(doc_id) = entry.key.strip_prefix(DOC_KEY_PREFIX) {
            if let Ok(st) = entry.value.parse::<DocState>() {
                self.install_doc(doc_id, st);
            }
            return;
        }
        let Some(key) = parse_event_id(&entry.key) else {
            return;
        };
        if let Ok(st) = entry.value.parse::<EventState>() {
            self.install(st, key);
        }
    }
}

/// Add a page's entities and keywords to an event's.
fn merge_descriptors<'a>(lists: &mut DescriptorLists<'a>, feats: &'a DocFeatures, page: &PageVec) {
    const CAP: usize = 24;
    let entities = &mut lists.entities;
    for t in &feats.terms {
        let Some(kind) = t.entity else { continue };
        let label = feats.label(t);
        if kind == EntityKind::Other || label.is_empty() || is_word_term(feats, t) {
            continue;
        }
        match entities.iter_mut().find(|(n, _, _)| *n == label) {
            Some(e) => e.2 += t.weight,
            None => entities.push((label, kind, t.weight)),
        }
    }
    entities.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(b.0)));
    entities.truncate(CAP);
    let keywords = &mut lists.keywords;
    let kw = top_k_indices(&page.weight, 10);
    for i in kw {
        let Some(&h) = page.terms.get(i) else {
            continue;
        };
        let Ok(pos) = feats.terms.binary_search_by_key(&h, |t| t.hash) else {
            continue;
        };
        let Some(t) = feats.terms.get(pos) else {
            continue;
        };
        if t.entity.is_some() || !is_word_term(feats, t) {
            continue;
        }
        let w = page.weight.get(i).copied().unwrap_or(0.0);
        let label = feats.label(t);
        match keywords.iter_mut().find(|(n, _)| *n == label) {
            Some(k) => k.1 += w,
            None => keywords.push((label, w)),
        }
    }
    keywords.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    keywords.truncate(KEYWORDS_KEPT);
}

/// Add `w` to a candidate's bound, starting it at zero when first touched by this page.
fn accumulate(
    acc: &mut [f32],
    stamps: &mut [u32],
    stamp: u32,
    touched: &mut Vec<u32>,
    slot: u32,
    w: f32,
) {
    let s = slot as usize;
    let (Some(a), Some(st)) = (acc.get_mut(s), stamps.get_mut(s)) else {
        return;
    };
    if *st != stamp {
        *st = stamp;
        *a = 0.0;
        touched.push(slot);
    }
    *a += w;
}

fn is_word_term(feats: &DocFeatures, t: &super::features::Term) -> bool {
    // Word terms carry a lowercase stem; entity phrases keep their capitals.
    let l = feats.label(t);
    !l.chars().any(char::is_uppercase)
}

/// Publish time when the normalize stage found one in the page (not the fetch time), and it is
/// not after the page was seen.
/// How long before its fetch an undated page may have been published.
const FETCH_LAG_MS: i64 = 3 * 86_400_000;

fn trusted_publish_ms(article: &Article, at_ms: i64) -> Option<i64> {
    let src = article.published_at_source?;
    if src == DateSource::FetchedAt {
        return None;
    }
    let t = article.published_at?.timestamp_millis();
    // Later than two days after the page was seen: not a publish date.
    (t <= at_ms.saturating_add(2 * 86_400_000) && t > 631_152_000_000).then_some(t)
}

/// Whether a publish date was read from prose (a dateline or the text) rather than from
/// metadata, the URL or the fetch.
fn is_prose_date(src: Option<DateSource>) -> bool {
    matches!(src, Some(DateSource::Dateline | DateSource::Text))
}

/// `ln(k)`, from a table for small counts.
fn ln_count(k: usize) -> f32 {
    const TABLE: usize = 4096;
    static LN: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let table = LN.get_or_init(|| (0..TABLE).map(|i| (i.max(1) as f32).ln()).collect());
    match table.get(k) {
        Some(&l) => l,
        None => (k as f32).ln(),
    }
}

/// The event id for an event key.
pub fn event_id(key: u64) -> String {
    format!("e-{key:016x}")
}

/// The event key of an event id.
pub fn parse_event_id(id: &str) -> Option<u64> {
    u64::from_str_radix(id.strip_prefix("e-")?, 16).ok()
}

pub(crate) fn summarize(e: &Event) -> EventSummary {
    let lists = e.descriptors.unpack();
    let mut entities = EventEntities::default();
    for &(name, kind, _) in &lists.entities {
        let list = match kind {
            EntityKind::Person => &mut entities.people,
            EntityKind::Organization => &mut entities.organizations,
            EntityKind::Place => &mut entities.places,
            EntityKind::Other => continue,
        };
        if list.len() < 6 {
            list.push(name.to_string());
        }
    }
    EventSummary {
        event_id: event_id(e.key),
        label: e.label.as_deref().map(str::to_string),
        entities,
        keywords: lists
            .keywords
            .iter()
            .take(10)
            .map(|(k, _)| k.to_string())
            .collect(),
        first_seen_ms: e.first_ms,
        last_seen_ms: e.last_ms,
        article_count: e.count,
        source_count: e.source_count,
        sources: lists.sources.iter().map(|s| s.to_string()).collect(),
    }
}

#[path = "event_memory.rs"]
pub(crate) mod memory;

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
