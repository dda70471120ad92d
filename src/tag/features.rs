//! Document features for event clustering: stemmed content words and named entities of the title
//! and body, as hashed terms with raw (idf-free) weights.
//!
//! Entities come from the gazetteer (variants map to one canonical entity: "Russian" → Russia)
//! and from a capitalized-phrase heuristic: runs of capitalized words, split at role words
//! ("Foreign Minister"), with sentence-initial single words kept only when the same word is also
//! capitalized mid-sentence elsewhere in the page. Title words are kept as entities only when the
//! body confirms them, so Title Case headlines do not turn every word into an entity.

use super::gazetteer::{EntityKind, Gazetteer, MAX_PHRASE_WORDS};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::hash_map::Entry;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Weights of the feature extractor.
#[derive(Debug, Clone, Copy)]
pub struct FeatureWeights {
    /// Each title occurrence counts this many body occurrences.
    pub title_boost: f32,
    /// Multiplier of entity terms.
    pub entity_boost: f32,
    /// Keep numbers of two or more digits ("6.1", "52-3", "40") as terms: death tolls, scores
    /// and magnitudes tell sister events apart.
    pub numbers: bool,
}

/// One distinct term of a document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    /// Hash of the term (words and entities hash apart).
    pub hash: u32,
    /// Raw weight: sublinear term frequency times the boosts.
    pub weight: f32,
    /// Entity type, for entity terms.
    pub entity: Option<EntityKind>,
    /// Byte range of the display label in [`DocFeatures::labels`].
    pub label: (u32, u32),
    /// An entity phrase (not a word) that occurs in the title.
    pub title_entity: bool,
}

/// The features of one document.
#[derive(Debug, Default, Clone)]
pub struct DocFeatures {
    /// Distinct terms, sorted by hash.
    pub terms: Vec<Term>,
    /// Display labels, concatenated.
    pub labels: String,
}

impl DocFeatures {
    /// The display label of a term.
    pub fn label(&self, t: &Term) -> &str {
        self.labels
            .get(t.label.0 as usize..t.label.1 as usize)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    cap: bool,
    sent_start: bool,
    /// Only spaces between this token and the next.
    joins_next: bool,
    /// Every byte is ASCII.
    ascii: bool,
}

struct Acc {
    tf: f32,
    entity: Option<EntityKind>,
    label: (u32, u32),
    title_entity: bool,
}

/// Reusable extractor (keeps its buffers between documents).
#[derive(Default)]
pub struct Extractor {
    toks: Vec<Tok>,
    acc: FxHashMap<u32, Acc>,
    lower: String,
    /// The segmented text with ASCII letters lowercased (same byte offsets as the text).
    low_text: String,
    phrase: String,
    /// Lowercase key of an unknown entity phrase (kept between documents).
    key: String,
    caps_seen: FxHashSet<u64>,
    in_entity: Vec<bool>,
    in_title: bool,
    /// Sort keys of the terms (kept between documents).
    order: Vec<u64>,
}

/// Most bytes of body text looked at.
const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Most distinct terms kept per document.
const MAX_DOC_TERMS: usize = 4096;

impl Extractor {
    /// A new extractor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Extract the features of a title and body.
    pub fn extract(&mut self, title: Option<&str>, body: &str, w: FeatureWeights) -> DocFeatures {
        self.acc.clear();
        self.caps_seen.clear();
        let body = cut(body, MAX_TEXT_BYTES);
        // Labels are distinct stems and entity names: room for a fair share of the text up
        // front instead of growing by doubling.
        let mut labels = String::with_capacity((body.len() / 2).max(64));
        // Body first: it tells which capitalized words are names.
        self.in_title = false;
        self.segment(body, w, false, &mut labels);
        if let Some(t) = title {
            self.in_title = true;
            self.segment(cut(t, 1024), w, true, &mut labels);
            self.in_title = false;
        }
        let unsorted: Vec<Term> = self
            .acc
            .drain()
            .map(|(hash, a)| {
                // ln(tf) <= 0 for tf <= 1 (most terms occur once): no logarithm needed.
                let mut weight = if a.tf <= 1.0 {
                    1.0
                } else {
                    1.0 + a.tf.ln().max(0.0)
                };
                if a.entity.is_some() {
                    weight *= w.entity_boost;
                }
                Term {
                    hash,
                    weight,
                    entity: a.entity,
                    label: a.label,
                    title_entity: a.title_entity,
                }
            })
            .collect();
        // Sort by hash (distinct: they are the map's keys) as packed `hash << 32 | index`
        // integers, which is cheaper than moving the terms around while sorting.
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(
            unsorted
                .iter()
                .enumerate()
                .map(|(i, t)| (u64::from(t.hash) << 32) | i as u64),
        );
        order.sort_unstable();
        let mut terms = Vec::with_capacity(order.len());
        terms.extend(
            order
                .iter()
                .filter_map(|&k| unsorted.get((k & 0xFFFF_FFFF) as usize).copied()),
        );
        self.order = order;
        DocFeatures { terms, labels }
    }

    fn segment(&mut self, text: &str, w: FeatureWeights, is_title: bool, labels: &mut String) {
        let boost = if is_title { w.title_boost } else { 1.0 };
        tokenize(text, &mut self.toks);
        let toks = std::mem::take(&mut self.toks);
        // One lowercasing pass over the whole text instead of a copy per token.
        self.low_text.clear();
        self.low_text.push_str(text);
        self.low_text.make_ascii_lowercase();
        let letters_caps = toks.iter().filter(|t| t.cap).count();
        // ALL-CAPS or Title Case text carries no capitalization signal of its own.
        let shouting = toks.len() >= 4 && {
            // Stop as soon as too many tokens have a lowercase letter for 70 % to be all caps.
            let n = toks.len();
            let mut lower_tokens = 0;
            let mut upper = 0;
            for t in &toks {
                if all_caps(&text[t.start..t.end]) {
                    upper += 1;
                } else {
                    lower_tokens += 1;
                    if (n - lower_tokens) * 10 < n * 7 {
                        break;
                    }
                }
            }
            upper * 10 >= n * 7
        };
        let title_case = is_title || (toks.len() >= 4 && letters_caps * 10 >= toks.len() * 8);
        if !is_title {
            for t in &toks {
                if t.cap && !t.sent_start {
                    let s = strip_possessive(&text[t.start..t.end]);
                    self.caps_seen.insert(key_hash(s));
                }
            }
        }
        self.in_entity.clear();
        self.in_entity.resize(toks.len(), false);
        if !shouting {
            self.entities(text, &toks, boost, title_case, labels);
        }
        let mut lower_buf = std::mem::take(&mut self.lower);
        let low_text = std::mem::take(&mut self.low_text);
        for (i, t) in toks.iter().enumerate() {
            let raw = strip_possessive(&text[t.start..t.end]);
            // ASCII tokens: the lowercase is the same bytes of the lowercased text.
            let lower: &str = match low_text.get(t.start..t.start + raw.len()) {
                Some(l) if t.ascii => l,
                _ => {
                    lower_into(&mut lower_buf, raw);
                    &lower_buf
                }
            };
            // A word that starts with an ASCII letter is neither a year nor a number: only its
            // length and the stop list can drop it.
            if lower.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
                if lower.len() < 2 || is_stopword(lower) {
                    continue;
                }
                self.add_word(i, lower, boost, labels);
                continue;
            }
            let year = lower.len() == 4
                && (lower.starts_with("19") || lower.starts_with("20"))
                && lower.bytes().all(|b| b.is_ascii_digit());
            // Digits are counted only for tokens made of digits, '.' and '-' (the only ones the
            // count can keep).
            let number = || w.numbers && lower.bytes().filter(u8::is_ascii_digit).count() >= 2;
            if lower.chars().nth(1).is_none()
                || (!year
                    && lower
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
                    && !number())
                || is_stopword(lower)
            {
                continue;
            }
            self.add_word(i, lower, boost, labels);
        }
        self.lower = lower_buf;
        self.low_text = low_text;
        self.toks = toks;
    }

    fn entities(
        &mut self,
        text: &str,
        toks: &[Tok],
        boost: f32,
        title_case: bool,
        labels: &mut String,
    ) {
        let gaz = Gazetteer::get();
        let mut i = 0;
        while i < toks.len() {
            let Some(t) = toks.get(i) else { break };
            if !t.cap {
                i += 1;
                continue;
            }
            // The run of capitalized tokens (with connectors) starting here.
            let mut j = i + 1;
            while j < toks.len() {
                let prev_joins = toks.get(j - 1).is_some_and(|p| p.joins_next);
                let Some(tj) = toks.get(j) else { break };
                if !prev_joins {
                    break;
                }
                let connector = || {
                    tj.joins_next
                        && toks.get(j + 1).is_some_and(|n| n.cap)
                        && word_flags(&text[tj.start..tj.end]) & CONN != 0
                };
                if !(tj.cap || connector()) {
                    break;
                }
                j += 1;
            }
            self.run(text, toks, i, j, gaz, boost, title_case, labels);
            i = j;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        text: &str,
        toks: &[Tok],
        from: usize,
        to: usize,
        gaz: &Gazetteer,
        boost: f32,
        title_case: bool,
        labels: &mut String,
    ) {
        let mut k = from;
        let mut span: Option<usize> = None;
        let mut role_before = false;
        while k < to {
            // Longest gazetteer phrase at k.
            let mut hit = None;
            let first = toks.get(k).map_or("", |t| &text[t.start..t.end]);
            let first = first.trim_end_matches('.');
            let mut longest = gaz.max_words_from(first);
            if longest == 0 && k + 1 == to {
                // A single last word may carry a possessive ("Moscow's").
                longest = gaz.max_words_from(strip_possessive(first));
            }
            for end in (k + 1..=(k + longest.min(MAX_PHRASE_WORDS)).min(to)).rev() {
                self.phrase_of(text, toks, k, end);
                if let Some(e) = gaz.lookup(&self.phrase) {
                    hit = Some((end, e));
                    break;
                }
            }
            if let Some((end, e)) = hit {
                if let Some(s) = span.take() {
                    self.unknown(text, toks, s, k, boost, title_case, role_before, labels);
                }
                let hash = entity_term(xxh3_64_with_seed(e.key.as_bytes(), 2));
                self.add(hash, boost, Some(e.kind), &e.name, labels);
                for f in self.in_entity.iter_mut().take(end).skip(k) {
                    *f = true;
                }
                role_before = false;
                k = end;
                continue;
            }
            let flags = match toks.get(k) {
                Some(t) => {
                    let word = strip_possessive(&text[t.start..t.end]);
                    match self.low_text.get(t.start..t.start + word.len()) {
                        Some(l) if t.ascii => word_flags(l),
                        _ => {
                            lower_into(&mut self.lower, word);
                            word_flags(&self.lower)
                        }
                    }
                }
                None => word_flags(""),
            };
            let role = flags & ROLE != 0;
            if role || flags & (STOP | CAL) != 0 {
                if let Some(s) = span.take() {
                    self.unknown(text, toks, s, k, boost, title_case, role_before, labels);
                }
                role_before = role || flags & HONOR != 0;
            } else if span.is_none() {
                span = Some(k);
            }
            k += 1;
        }
        if let Some(s) = span {
            self.unknown(text, toks, s, to, boost, title_case, role_before, labels);
        }
    }

    /// An entity the gazetteer does not know: `toks[from..to]`.
    #[allow(clippy::too_many_arguments)]
    fn unknown(
        &mut self,
        text: &str,
        toks: &[Tok],
        mut from: usize,
        mut to: usize,
        boost: f32,
        title_case: bool,
        after_role: bool,
        labels: &mut String,
    ) {
        let is_conn = |i: usize| {
            toks.get(i)
                .is_some_and(|t| word_flags(&text[t.start..t.end]) & CONN != 0)
        };
        while from < to && is_conn(from) {
            from += 1;
        }
        while to > from && is_conn(to - 1) {
            to -= 1;
        }
        if from >= to || to - from > 6 {
            return;
        }
        let confirmed = |s: &Self, i: usize| {
            toks.get(i).is_some_and(|t| {
                s.caps_seen
                    .contains(&key_hash(strip_possessive(&text[t.start..t.end])))
            })
        };
        if title_case {
            // Keep only the words the body capitalizes mid-sentence.
            while from < to && !confirmed(self, from) {
                from += 1;
            }
            while to > from && !confirmed(self, to - 1) {
                to -= 1;
            }
            if from >= to {
                return;
            }
        } else if to - from == 1
            && toks.get(from).is_some_and(|t| t.sent_start)
            && !confirmed(self, from)
        {
            return;
        }
        self.phrase_of(text, toks, from, to);
        let phrase = std::mem::take(&mut self.phrase);
        if phrase
            .chars()
            .filter(|c| c.is_alphabetic())
            .nth(1)
            .is_none()
        {
            self.phrase = phrase;
            return;
        }
        let words = to - from;
        let last = phrase.rsplit(' ').next().unwrap_or("");
        let suffix = word_flags(last);
        let kind = if suffix & ORG != 0 {
            EntityKind::Organization
        } else if suffix & PLACE != 0 {
            EntityKind::Place
        } else if after_role || (2..=3).contains(&words) && person_chars(&phrase) {
            EntityKind::Person
        } else {
            EntityKind::Other
        };
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        if phrase.is_ascii() {
            key.push_str(&phrase);
            key.make_ascii_lowercase();
        } else {
            key.push_str(&phrase.to_lowercase());
        }
        let hash = entity_term(xxh3_64_with_seed(key.as_bytes(), 2));
        self.key = key;
        self.add(hash, boost, Some(kind), &phrase, labels);
        for f in self.in_entity.iter_mut().take(to).skip(from) {
            *f = true;
        }
        self.phrase = phrase;
    }

    fn phrase_of(&mut self, text: &str, toks: &[Tok], from: usize, to: usize) {
        self.phrase.clear();
        for (n, t) in toks.iter().take(to).skip(from).enumerate() {
            if n > 0 {
                self.phrase.push(' ');
            }
            let w = &text[t.start..t.end];
            let w = if n + 1 == to - from {
                strip_possessive(w)
            } else {
                w
            };
            self.phrase.push_str(w.trim_end_matches('.'));
        }
    }

    /// Adds token `i` as a single-word term (stemmed), an entity word when it lies in an
    /// entity run.
    fn add_word(&mut self, i: usize, lower: &str, boost: f32, labels: &mut String) {
        let stemmed = stem(lower);
        let hash = word_term_of(stemmed);
        let ent = self.in_entity.get(i).copied().unwrap_or(false);
        self.add(
            hash,
            boost,
            ent.then_some(EntityKind::Other),
            stemmed,
            labels,
        );
    }

    fn add(
        &mut self,
        hash: u32,
        weight: f32,
        entity: Option<EntityKind>,
        label: &str,
        labels: &mut String,
    ) {
        let title_entity =
            self.in_title && entity.is_some() && label.chars().any(char::is_uppercase);
        let full = self.acc.len() >= MAX_DOC_TERMS;
        match self.acc.entry(hash) {
            Entry::Occupied(mut o) => {
                let a = o.get_mut();
                a.tf += weight;
                a.title_entity |= title_entity;
                if let Some(k) = entity {
                    // A proper entity type wins over the generic "inside an entity" mark.
                    if a.entity.is_none() || a.entity == Some(EntityKind::Other) {
                        a.entity = Some(k);
                    }
                }
            }
            Entry::Vacant(v) => {
                if full {
                    return;
                }
                let start = labels.len() as u32;
                labels.push_str(label);
                v.insert(Acc {
                    tf: weight,
                    entity,
                    label: (start, labels.len() as u32),
                    title_entity,
                });
            }
        }
    }
}

/// Top bit of a term id: set for entity phrases, clear for words.
pub const ENTITY_BIT: u32 = 1 << 31;

/// Term id of a word from its hash.
fn word_term(h: u64) -> u32 {
    (h as u32) & !ENTITY_BIT
}

/// Term id of a single (lowercase, stemmed) word, as [`Extractor::extract`] hashes it (used by
/// the participant scan to find a surname's mentions among a page's terms).
#[inline]
pub(crate) fn word_term_of(stemmed: &str) -> u32 {
    word_term(xxh3_64_with_seed(stemmed.as_bytes(), 1))
}

/// Term id of an entity phrase from its hash.
fn entity_term(h: u64) -> u32 {
    (h as u32) | ENTITY_BIT
}

/// Whether a term id is an entity phrase.
pub fn is_entity_term(t: u32) -> bool {
    t & ENTITY_BIT != 0
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// FNV-1a over the lowercase chars of `s` (ASCII lowercased without the Unicode tables).
fn key_hash(s: &str) -> u64 {
    let mut h = 0xcbf29ce484222325u64;
    if s.is_ascii() {
        // The same FNV-1a steps as below, byte by byte (an ASCII char is its byte).
        for &b in s.as_bytes() {
            h ^= u64::from(b.to_ascii_lowercase());
            h = h.wrapping_mul(0x100000001b3);
        }
        return h;
    }
    let mut mix = |c: char| {
        h ^= c as u64;
        h = h.wrapping_mul(0x100000001b3);
    };
    for c in s.chars() {
        if c.is_ascii() {
            mix(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut mix);
        }
    }
    h
}

/// Every char of `phrase` is a letter, space, hyphen or apostrophe (a person's name).
fn person_chars(phrase: &str) -> bool {
    let ok = |c: char| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'';
    if phrase.is_ascii() {
        phrase.bytes().all(|b| ok(char::from(b)))
    } else {
        phrase.chars().all(ok)
    }
}

/// `out` := the lowercase of `w` (ASCII without the Unicode tables).
#[inline]
fn lower_into(out: &mut String, w: &str) {
    out.clear();
    if w.is_ascii() {
        out.push_str(w);
        out.make_ascii_lowercase();
    } else {
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
}

/// Every letter of `s` is uppercase (true when it has none).
fn all_caps(s: &str) -> bool {
    if s.is_ascii() {
        !s.bytes().any(|b| b.is_ascii_lowercase())
    } else {
        s.chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
    }
}

#[inline]
fn strip_possessive(w: &str) -> &str {
    // Every suffix below ends in 's', '\'' or the last byte of '’' (E2 80 99).
    if !matches!(w.as_bytes().last(), Some(b's' | b'\'' | 0x99)) {
        return w;
    }
    w.strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .or_else(|| w.strip_suffix('\''))
        .or_else(|| w.strip_suffix('’'))
        .unwrap_or(w)
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "U.S", "U.N", "U.K", "Gen", "Sen", "Rep", "Gov",
    "Lt", "Col", "Sgt", "Prof", "Capt", "Maj", "Rev", "No", "Jan", "Feb", "Aug", "Sept", "Sep",
    "Oct", "Nov", "Dec", "Mt", "Ft", "vs", "E.U",
];

/// The char at byte `i` of `text` (a char boundary) and its length; ASCII without decoding.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((char::from(b), 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// Split text into word tokens with capitalization and sentence-start flags.
fn tokenize(text: &str, out: &mut Vec<Tok>) {
    out.clear();
    let mut sent_start = true;
    let mut i = 0;
    while let Some((c, len)) = char_at(text, i) {
        if !c.is_alphanumeric() {
            if matches!(
                c,
                '.' | '!' | '?' | ':' | ';' | '"' | '“' | '”' | '\n' | '(' | '|' | '•'
            ) {
                let abbrev = c == '.'
                    && out.last().is_some_and(|t| {
                        t.end == i && ABBREVIATIONS.contains(&&text[t.start..t.end])
                    });
                if !abbrev {
                    sent_start = true;
                }
            }
            if !matches!(c, ' ' | '\u{a0}' | '\t')
                && let Some(last) = out.last_mut()
            {
                last.joins_next = false;
            }
            i += len;
            continue;
        }
        // A word: letters and digits, with inner punctuation kept only when a letter or digit
        // follows it.
        let start = i;
        let mut end = i + len;
        let mut ascii = len == 1;
        loop {
            // ASCII letters and digits without decoding a char.
            if text
                .as_bytes()
                .get(end)
                .is_some_and(u8::is_ascii_alphanumeric)
            {
                end += 1;
                continue;
            }
            match char_at(text, end) {
                Some((d, dl)) if d.is_alphanumeric() => {
                    ascii &= dl == 1;
                    end += dl;
                }
                Some((d, dl))
                    if matches!(d, '\'' | '’' | '-' | '.' | '&')
                        && char_at(text, end + dl).is_some_and(|(n, _)| n.is_alphanumeric()) =>
                {
                    ascii &= dl == 1;
                    end += dl;
                }
                _ => break,
            }
        }
        i = end;
        out.push(Tok {
            start,
            end,
            cap: c.is_uppercase(),
            sent_start,
            joins_next: true,
            ascii,
        });
        sent_start = false;
        if out.len() >= 20_000 {
            break;
        }
    }
}

/// Light English stemmer: plural and -ed/-ing endings, final e.
pub fn stem(w: &str) -> &str {
    let n = w.len();
    if !w.is_ascii() || n <= 3 {
        return w;
    }
    let mut s = w;
    if s.ends_with("ies") && n > 4 {
        s = &s[..n - 3];
    } else if s.ends_with("sses") {
        s = &s[..n - 2];
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s = &s[..n - 1];
    }
    let m = s.len();
    if m > 5 && s.ends_with("ing") {
        s = &s[..m - 3];
    } else if m > 4 && s.ends_with("ed") {
        s = &s[..m - 2];
    }
    let m = s.len();
    if m > 4 && s.ends_with('e') {
        s = &s[..m - 1];
    }
    s
}

const CONNECTORS: &[&str] = &[
    "of", "de", "al", "el", "bin", "ibn", "van", "von", "der", "den", "del", "la", "le", "du",
    "da", "dos", "di", "y", "&",
];

const HONORIFICS: &[&str] = &["mr", "mrs", "ms", "dr", "sir", "dame", "lady", "lord"];

/// Titles and roles that precede names and split capitalized runs.
const ROLE_WORDS: &[&str] = &[
    "president",
    "minister",
    "secretary",
    "prime",
    "foreign",
    "defense",
    "defence",
    "chief",
    "general",
    "gen",
    "senator",
    "sen",
    "rep",
    "representative",
    "governor",
    "gov",
    "mayor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "chancellor",
    "ambassador",
    "envoy",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "director",
    "chairman",
    "chairwoman",
    "ceo",
    "judge",
    "justice",
    "officer",
    "sheriff",
    "police",
    "coach",
    "captain",
    "capt",
    "lt",
    "col",
    "sgt",
    "sergeant",
    "lieutenant",
    "colonel",
    "commander",
    "deputy",
    "vice",
    "former",
    "state",
    "special",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "dame",
    "lady",
    "lord",
    "professor",
    "prof",
    "leader",
    "head",
    "speaker",
    "attorney",
    "detective",
    "agent",
    "actor",
    "actress",
    "singer",
    "star",
    "star's",
    "rep.",
    "premier",
    "emir",
    "sheikh",
    "crown",
    "assistant",
    "acting",
    "senior",
    "top",
    "chair",
    "candidate",
    "nominee",
    "rapper",
    "manager",
    "player",
    "quarterback",
];

const ORG_SUFFIXES: &[&str] = &[
    "Inc",
    "Corp",
    "Corporation",
    "Company",
    "Co",
    "Ltd",
    "LLC",
    "Group",
    "University",
    "College",
    "School",
    "Institute",
    "Party",
    "Council",
    "Ministry",
    "Agency",
    "Association",
    "Bank",
    "Center",
    "Centre",
    "Committee",
    "Court",
    "Department",
    "Church",
    "Hospital",
    "Club",
    "League",
    "Union",
    "Army",
    "Force",
    "Forces",
    "Foundation",
    "Commission",
    "Authority",
    "Board",
    "Bureau",
    "Office",
    "Service",
    "Network",
    "News",
    "Times",
    "Post",
    "Airlines",
    "Airways",
    "Motors",
    "Technologies",
    "Systems",
    "Fund",
    "Organization",
    "Organisation",
    "Federation",
    "Front",
    "Brigade",
    "Movement",
    "Police",
    "Assembly",
    "Parliament",
    "Senate",
    "Congress",
];

const PLACE_SUFFIXES: &[&str] = &[
    "City",
    "County",
    "Province",
    "State",
    "Island",
    "Islands",
    "River",
    "Mountain",
    "Mount",
    "Street",
    "Road",
    "Avenue",
    "Beach",
    "Valley",
    "Bay",
    "Park",
    "Lake",
    "Square",
    "Bridge",
    "Airport",
    "Arena",
    "Stadium",
    "Region",
    "District",
    "Village",
    "Town",
    "Coast",
    "Sea",
    "Ocean",
    "Desert",
    "Peninsula",
    "Strait",
    "Canyon",
    "Falls",
    "Hills",
    "Heights",
];

/// Weekdays, months (with their abbreviations) and holidays: words that start a capitalized
/// phrase without naming anyone (also used by the participant scan).
pub(crate) const CALENDAR_DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "christmas",
    "easter",
];

/// Relative days, clock and time-zone words.
const CLOCK_WORDS: &[&str] = &[
    "today",
    "yesterday",
    "tomorrow",
    "tonight",
    "am",
    "pm",
    "gmt",
    "utc",
    "est",
    "edt",
    "pst",
    "pdt",
    "bst",
    "cet",
];

const STOP: u8 = 1;
const CAL: u8 = 2;
const ROLE: u8 = 4;
const CONN: u8 = 8;
const HONOR: u8 = 16;
/// A word of [`ORG_SUFFIXES`] (exact case).
const ORG: u8 = 32;
/// A word of [`PLACE_SUFFIXES`] (exact case).
const PLACE: u8 = 64;

/// Flags of the listed words (one table probe instead of several list scans). Words of at
/// most 8 bytes are looked up as one packed `u64` in a small open-addressing table (a multiply,
/// a shift and usually one compare); longer ones by string.
fn word_flags(w: &str) -> u8 {
    struct Table {
        /// Packed words (0 = free) and their flags, [`SHORT_SLOTS`] each, linear probing.
        keys: Vec<u64>,
        flags: Vec<u8>,
        long: FxHashMap<&'static str, u8>,
        /// Bit `b` of `long_first[len - 9][b / 64]`: a listed word of `len` bytes (9 to 16)
        /// starts with byte `b` (rejects most long words without hashing them).
        long_first: [[u64; 4]; 8],
    }
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = Table {
            keys: vec![0; SHORT_SLOTS],
            flags: vec![0; SHORT_SLOTS],
            long: FxHashMap::default(),
            long_first: [[0; 4]; 8],
        };
        for (list, flag) in [
            (STOPWORDS, STOP),
            (CALENDAR_DAYS, CAL),
            (CLOCK_WORDS, CAL),
            (ROLE_WORDS, ROLE),
            (CONNECTORS, CONN),
            (HONORIFICS, HONOR),
            (ORG_SUFFIXES, ORG),
            (PLACE_SUFFIXES, PLACE),
        ] {
            for w in list {
                match pack_word(w.as_bytes()) {
                    Some(code) => {
                        let mut i = short_slot(code);
                        // The lists hold far fewer words than slots, so a free slot is found.
                        for _ in 0..SHORT_SLOTS {
                            match t.keys.get(i).copied() {
                                Some(k) if k == code || k == 0 => {
                                    if let (Some(k), Some(f)) =
                                        (t.keys.get_mut(i), t.flags.get_mut(i))
                                    {
                                        *k = code;
                                        *f |= flag;
                                    }
                                    break;
                                }
                                _ => i = (i + 1) % SHORT_SLOTS,
                            }
                        }
                    }
                    None => {
                        *t.long.entry(w).or_insert(0) |= flag;
                        if let (Some(&b), Some(set)) = (
                            w.as_bytes().first(),
                            t.long_first.get_mut(w.len().wrapping_sub(9)),
                        ) && let Some(bits) = set.get_mut(usize::from(b) / 64)
                        {
                            *bits |= 1 << (b % 64);
                        }
                    }
                }
            }
        }
        t
    });
    if w.len() > 16 {
        return 0;
    }
    match pack_word(w.as_bytes()) {
        Some(code) => {
            let mut i = short_slot(code);
            for _ in 0..SHORT_SLOTS {
                match table.keys.get(i).copied() {
                    Some(k) if k == code => return table.flags.get(i).copied().unwrap_or(0),
                    Some(0) | None => return 0,
                    Some(_) => i = (i + 1) % SHORT_SLOTS,
                }
            }
            0
        }
        None => {
            let listed_start = w.as_bytes().first().is_some_and(|&b| {
                table
                    .long_first
                    .get(w.len().wrapping_sub(9))
                    .and_then(|set| set.get(usize::from(b) / 64))
                    .is_some_and(|bits| (bits >> (b % 64)) & 1 != 0)
            });
            if listed_start {
                table.long.get(w).copied().unwrap_or(0)
            } else {
                0
            }
        }
    }
}

/// Slots of the packed short-word table of [`word_flags`] (a power of two, over twice the
/// number of listed words of up to 8 bytes).
const SHORT_SLOTS: usize = 2048;

/// Home slot of a packed word in the [`word_flags`] table.
#[inline]
fn short_slot(code: u64) -> usize {
    (code.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 53) as usize % SHORT_SLOTS
}

/// The bytes of a word of 1 to 8 bytes without NUL, zero-padded into a `u64` (one-to-one on
/// such words); `None` for any other.
#[inline]
fn pack_word(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    // One pass: pack little-endian and reject NUL bytes (no memchr call for a short word).
    let mut code = 0u64;
    for (k, &c) in b.iter().enumerate() {
        if c == 0 {
            return None;
        }
        code |= u64::from(c) << (8 * k);
    }
    Some(code)
}

/// English stop words plus news filler ("said", "told", weekdays, months).
pub fn is_stopword(w: &str) -> bool {
    word_flags(w) & (STOP | CAL) != 0
}

/// Sorted.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "according",
    "across",
    "added",
    "after",
    "afterwards",
    "again",
    "against",
    "ago",
    "all",
    "almost",
    "alone",
    "along",
    "already",
    "also",
    "although",
    "always",
    "among",
    "amongst",
    "an",
    "and",
    "announced",
    "another",
    "any",
    "anyone",
    "anything",
    "are",
    "around",
    "as",
    "ask",
    "asked",
    "at",
    "away",
    "back",
    "be",
    "became",
    "because",
    "become",
    "been",
    "before",
    "began",
    "behind",
    "being",
    "below",
    "beside",
    "besides",
    "best",
    "better",
    "between",
    "beyond",
    "both",
    "but",
    "by",
    "called",
    "came",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "earlier",
    "early",
    "either",
    "else",
    "end",
    "enough",
    "even",
    "ever",
    "every",
    "everyone",
    "everything",
    "few",
    "first",
    "five",
    "for",
    "former",
    "four",
    "from",
    "further",
    "get",
    "gets",
    "getting",
    "give",
    "given",
    "go",
    "going",
    "gone",
    "good",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "including",
    "inside",
    "instead",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "know",
    "known",
    "last",
    "late",
    "later",
    "latest",
    "least",
    "less",
    "let",
    "like",
    "likely",
    "made",
    "make",
    "makes",
    "making",
    "many",
    "may",
    "me",
    "meanwhile",
    "might",
    "more",
    "moreover",
    "most",
    "mostly",
    "much",
    "must",
    "my",
    "myself",
    "near",
    "nearly",
    "need",
    "never",
    "new",
    "next",
    "no",
    "nobody",
    "none",
    "nor",
    "not",
    "nothing",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "otherwise",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "part",
    "per",
    "percent",
    "perhaps",
    "please",
    "put",
    "quite",
    "rather",
    "really",
    "recent",
    "recently",
    "report",
    "reported",
    "reports",
    "right",
    "said",
    "same",
    "say",
    "saying",
    "says",
    "see",
    "seem",
    "seemed",
    "seems",
    "set",
    "several",
    "she",
    "should",
    "show",
    "since",
    "six",
    "so",
    "some",
    "someone",
    "something",
    "sometimes",
    "soon",
    "still",
    "such",
    "take",
    "taken",
    "tell",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "thing",
    "things",
    "think",
    "third",
    "this",
    "those",
    "though",
    "three",
    "through",
    "throughout",
    "thus",
    "time",
    "times",
    "to",
    "together",
    "told",
    "too",
    "took",
    "toward",
    "towards",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "very",
    "via",
    "want",
    "wanted",
    "was",
    "way",
    "we",
    "week",
    "weeks",
    "well",
    "went",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whole",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "years",
    "yet",
    "you",
    "your",
    "yours",
];

#[cfg(test)]
mod tests {
    use super::*;

    const W: FeatureWeights = FeatureWeights {
        title_boost: 2.0,
        entity_boost: 2.0,
        numbers: false,
    };

    fn entities(title: Option<&str>, body: &str) -> Vec<(String, EntityKind)> {
        let f = Extractor::new().extract(title, body, W);
        let mut v: Vec<(String, EntityKind)> = f
            .terms
            .iter()
            .filter_map(|t| {
                t.entity
                    .filter(|k| *k != EntityKind::Other || f.label(t).contains(' '))
                    .map(|k| (f.label(t).to_string(), k))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn stopwords_are_sorted() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn word_flags_match_the_lists() {
        let lists = [
            (STOPWORDS, STOP),
            (CALENDAR_DAYS, CAL),
            (CLOCK_WORDS, CAL),
            (ROLE_WORDS, ROLE),
            (CONNECTORS, CONN),
            (HONORIFICS, HONOR),
            (ORG_SUFFIXES, ORG),
            (PLACE_SUFFIXES, PLACE),
        ];
        let reference = |w: &str| -> u8 {
            if w.len() > 16 {
                return 0;
            }
            lists
                .iter()
                .filter(|(l, _)| l.contains(&w))
                .fold(0, |acc, (_, f)| acc | f)
        };
        let mut words: Vec<String> = lists
            .iter()
            .flat_map(|(l, _)| l.iter().map(|w| w.to_string()))
            .collect();
        for extra in [
            "",
            "a\0",
            "the\0\0",
            "Said",
            "SAID",
            "inc",
            "INC",
            "county",
            "Counties",
            "Organizations",
            "moscow",
            "abcdefgh",
            "abcdefghi",
            "secretary",
            "administration",
            "ministers",
            "é",
            "señor",
            "x".repeat(17).as_str(),
        ] {
            words.push(extra.to_string());
        }
        let listed: Vec<String> = words.clone();
        for w in &listed {
            words.push(format!("{w}s"));
            words.push(w.to_uppercase());
        }
        assert!(words.iter().any(|w| w.len() > 8 && reference(w) != 0));
        for w in &words {
            assert_eq!(word_flags(w), reference(w), "{w:?}");
        }
    }

    #[test]
    fn short_word_table_is_sparse() {
        let lists = [
            STOPWORDS,
            CALENDAR_DAYS,
            CLOCK_WORDS,
            ROLE_WORDS,
            CONNECTORS,
            HONORIFICS,
        ];
        let short = lists
            .iter()
            .flat_map(|l| l.iter())
            .filter(|w| w.len() <= 8)
            .count();
        assert!(short * 2 < SHORT_SLOTS, "{short} short words");
    }

    #[test]
    fn strip_possessive_fast_path_matches_the_suffix_list() {
        for w in [
            "Moscow's",
            "Moscow’s",
            "States'",
            "States’",
            "news",
            "s",
            "'",
            "’",
            "Kerry",
            "",
            "a’",
            "x's's",
            "it’S",
            "’s",
        ] {
            let slow = w
                .strip_suffix("'s")
                .or_else(|| w.strip_suffix("’s"))
                .or_else(|| w.strip_suffix('\''))
                .or_else(|| w.strip_suffix('’'))
                .unwrap_or(w);
            assert_eq!(strip_possessive(w), slow, "{w:?}");
        }
    }

    #[test]
    fn stems_are_light() {
        assert_eq!(stem("checks"), "check");
        assert_eq!(stem("checked"), "check");
        assert_eq!(stem("checking"), "check");
        assert_eq!(stem("parties"), "part");
        assert_eq!(stem("charges"), stem("charged"));
        assert_eq!(stem("news"), "new");
        assert_eq!(stem("bus"), "bus");
    }

    #[test]
    fn gazetteer_and_capitalized_phrases_give_entities() {
        let e = entities(
            Some("Kerry Seeks Real Progress At Moscow Talks"),
            "U.S. Secretary of State John Kerry met Russian Foreign Minister Sergey Lavrov in \
             Moscow. Tara Reid checked into Promises Treatment Center. Later Reid said nothing. \
             Kerry's visit follows a meeting in Riyadh.",
        );
        let names: Vec<&str> = e.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "John Kerry",
            "Sergei Lavrov",
            "Russia",
            "Moscow",
            "United States",
            "Tara Reid",
            "Promises Treatment Center",
            "Riyadh",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        assert!(
            !names
                .iter()
                .any(|n| n.contains("Seeks") || n.contains("Progress")),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.contains("Later")), "{names:?}");
        let kind = |n: &str| e.iter().find(|(x, _)| x == n).map(|(_, k)| *k);
        assert_eq!(kind("Tara Reid"), Some(EntityKind::Person));
        assert_eq!(
            kind("Promises Treatment Center"),
            Some(EntityKind::Organization)
        );
        assert_eq!(kind("Moscow"), Some(EntityKind::Place));
    }

    #[test]
    fn shouting_titles_and_hostile_input_do_not_break() {
        let e = entities(Some("COLTS TOP CHIEFS, REACH PLAYOFFS"), "The Colts won.");
        assert!(e.iter().all(|(n, _)| !n.contains("TOP")));
        let junk = "\u{0}ÄÖ’'--..&&".repeat(10_000);
        let f = Extractor::new().extract(Some(&junk), &junk, W);
        assert!(f.terms.len() <= MAX_DOC_TERMS);
        let f = Extractor::new().extract(None, "", W);
        assert!(f.terms.is_empty());
    }

    /// The tokenizer and key hash before their ASCII fast paths.
    mod reference {
        use super::super::{ABBREVIATIONS, Tok};

        pub fn tokenize(text: &str, out: &mut Vec<Tok>) {
            out.clear();
            let mut sent_start = true;
            let mut iter = text.char_indices().peekable();
            while let Some(&(i, c)) = iter.peek() {
                if !c.is_alphanumeric() {
                    if matches!(
                        c,
                        '.' | '!' | '?' | ':' | ';' | '"' | '“' | '”' | '\n' | '(' | '|' | '•'
                    ) {
                        let abbrev = c == '.'
                            && out.last().is_some_and(|t| {
                                t.end == i && ABBREVIATIONS.contains(&&text[t.start..t.end])
                            });
                        if !abbrev {
                            sent_start = true;
                        }
                    }
                    if !matches!(c, ' ' | '\u{a0}' | '\t')
                        && let Some(last) = out.last_mut()
                    {
                        last.joins_next = false;
                    }
                    iter.next();
                    continue;
                }
                let start = i;
                let mut end = i;
                let mut prev_alnum = false;
                while let Some(&(j, d)) = iter.peek() {
                    if d.is_alphanumeric() {
                        end = j + d.len_utf8();
                        prev_alnum = true;
                        iter.next();
                        continue;
                    }
                    if prev_alnum && matches!(d, '\'' | '’' | '-' | '.' | '&') {
                        let mut look = iter.clone();
                        look.next();
                        if look.peek().is_some_and(|&(_, n)| n.is_alphanumeric()) {
                            iter.next();
                            prev_alnum = false;
                            continue;
                        }
                    }
                    break;
                }
                let word = &text[start..end];
                let cap = word.chars().next().is_some_and(char::is_uppercase);
                out.push(Tok {
                    start,
                    end,
                    cap,
                    sent_start,
                    joins_next: true,
                    ascii: word.is_ascii(),
                });
                sent_start = false;
                if out.len() >= 20_000 {
                    break;
                }
            }
        }

        pub fn key_hash(s: &str) -> u64 {
            let mut h = 0xcbf29ce484222325u64;
            for c in s.chars().flat_map(char::to_lowercase) {
                h ^= c as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
            h
        }
    }

    /// Random text over words, punctuation and chars of many scripts (ASCII, apostrophes,
    /// hyphens, NBSP, combining marks, CJK, Cyrillic, astral chars).
    fn mixed_text(seed: &mut u64, len: usize) -> String {
        const PIECES: &[&str] = &[
            " ",
            " ",
            " ",
            " ",
            "\n",
            "\t",
            "\u{a0}",
            "'",
            "’",
            "'s",
            "’s",
            "-",
            ".",
            ". ",
            "&",
            ",",
            "(",
            "\"",
            "“",
            "|",
            "•",
            "a",
            "the",
            "said",
            "Mr",
            "U.S",
            "St",
            "of",
            "New",
            "York",
            "Kerry",
            "KERRY",
            "Moscow",
            "talks",
            "1999",
            "52",
            "6.1",
            "x",
            "é",
            "É",
            "e\u{301}",
            "\u{0}",
            "深圳",
            "报业",
            "Москва",
            "ТАСС",
            "ǅ",
            "ǈ",
            "İ",
            "ß",
            "𝐀",
            "😀",
            "Ω",
            "ΣΊΣ",
            "Inc",
            "County",
            "de",
            "al",
            "Al",
        ];
        let mut out = String::new();
        while out.len() < len {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            out.push_str(PIECES[(*seed >> 16) as usize % PIECES.len()]);
        }
        out
    }

    #[test]
    fn fast_paths_match_the_reference() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let random: Vec<String> = (0..400).map(|i| mixed_text(&mut seed, i)).collect();
        let samples = [
            "",
            "U.S. Secretary of State John Kerry met Russian Foreign Minister Sergey Lavrov.",
            "Mr. Smith's dog's-eye view: \"A&B\" (C) | D • E\nF\tG\u{a0}H",
            "ÄÖÜ straße İstanbul ǅemal Ωmega ΣΊΣΥΦΟΣ 深圳报业 Shenzhen’s don't x.-y a..b 9.5% 52-3",
            "trailing- 'quote' ’s end. St. Louis Jr. U.N. E.U. vs. no.",
            "\u{0}ÄÖ’'--..&&\u{301}e\u{301} Ǆ ǈ",
            "ALL CAPS HEADLINE HERE, AND MORE",
        ];
        let mut low_text = String::new();
        let mut lower = String::new();
        for text in samples
            .iter()
            .copied()
            .chain(random.iter().map(String::as_str))
        {
            // The lowercased text gives each ASCII token's lowercase.
            low_text.clear();
            low_text.push_str(text);
            low_text.make_ascii_lowercase();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            tokenize(text, &mut a);
            reference::tokenize(text, &mut b);
            let key = |v: &[Tok]| {
                v.iter()
                    .map(|t| (t.start, t.end, t.cap, t.sent_start, t.joins_next, t.ascii))
                    .collect::<Vec<_>>()
            };
            assert_eq!(key(&a), key(&b), "{text:?}");
            for t in &a {
                let w = &text[t.start..t.end];
                if t.ascii {
                    let raw = strip_possessive(w);
                    lower_into(&mut lower, raw);
                    assert_eq!(
                        low_text.get(t.start..t.start + raw.len()),
                        Some(lower.as_str())
                    );
                }
                assert_eq!(key_hash(w), reference::key_hash(w), "{w:?}");
                assert_eq!(
                    all_caps(w),
                    w.chars()
                        .filter(|c| c.is_alphabetic())
                        .all(char::is_uppercase),
                    "{w:?}"
                );
            }
        }
    }
}
