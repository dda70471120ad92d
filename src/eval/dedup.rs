//! `sift eval dedup`: near-duplicate precision/recall on a generated copy set.
//!
//! Originals come from the gold files named on the command line: WCXB-style files (gold `text`,
//! page `url`) and ECB+-style files (page `body` as text, gold `event`). For each original long
//! enough to copy, a seeded generator makes one copy of every kind:
//!
//! * `exact` — the same page re-scraped under another id;
//! * `url_variant` — re-scraped with different site chrome under a URL variant (`m.`, `/amp/`,
//!   `?utm_*`);
//! * `syndicated` — another outlet: new headline, byline, its own chrome, another domain;
//! * `truncated` — the first 40–70 % of the words, plus a "read more" line;
//! * `spun10`/`spun20`/`spun30` — that share of the words substituted (synonym table, else a
//!   filler word) and about a fifth of adjacent sentence pairs swapped.
//!
//! Originals and copies are shuffled (each copy after its original) and streamed through a fresh
//! [`Deduplicator`] per threshold. A flagged page is a true positive when it is a copy; every
//! flagged original is a false positive — among ECB+ originals these are the hard negatives:
//! different articles about the same event. Scores are printed as a table plus one JSON line.

use crate::config::Settings;
use crate::dedup::{DedupConfig, Deduplicator, DuplicateKind};
use crate::normalize::{Article, Quality};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Copy kinds, in report order.
const KINDS: [&str; 7] = [
    "exact",
    "url_variant",
    "syndicated",
    "truncated",
    "spun10",
    "spun20",
    "spun30",
];

/// Two originals are a natural copy (the same wire story in two outlets, a teaser and its
/// article) when at least this share of the smaller one's distinct 3-word shingles occur
/// verbatim in the earlier one. Such pairs exist in the ECB+ data; they are labelled copies of
/// kind `natural` and scored apart from the generated kinds.
const NATURAL_COPY_CONTAINMENT: f64 = 0.5;

/// Originals shorter than this get no copies (still streamed as negatives).
const MIN_COPY_WORDS: usize = 40;

/// Delays before one replica's entry is applied by another in the simulation: the state
/// propagation delay measured on a tansu broker by `tests/consistency_window.rs` (`make window`,
/// docs/dedup.md) — p50 and p99 with the defaults `kafka.state_fetch_wait_max_ms = 100` and
/// `kafka.state_linger_ms = 5` (20 / 50 / 100 pages/s: p50 64–78 ms, p99 196–262 ms), and with
/// librdkafka's default 500 ms fetch wait used before.
const CONSISTENCY_WINDOWS_MS: [(f64, &str); 4] = [
    (70.0, "p50, default"),
    (230.0, "p99, default"),
    (400.0, "p50, fetch wait 500 ms"),
    (740.0, "p99, fetch wait 500 ms"),
];

/// Thresholds of the precision/recall curve.
const CURVE: [f32; 9] = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7];

/// Site chrome lines that extraction may leave around a text.
const CHROME: &[&str] = &[
    "Share",
    "Advertisement",
    "Follow us on Twitter",
    "Sign up for our newsletter",
    "Read more",
    "Related stories",
    "Comments",
    "Subscribe now",
    "Skip to content",
    "Home | World | Politics | Business",
    "All rights reserved.",
    "Most popular",
    "Share this article on Facebook",
    "Click here for the latest news",
    "Print this page",
    "Email",
    "Tweet",
    "Trending now",
];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Mark", "Lucia", "David", "Sara", "Tom", "Priya", "Jonas", "Elena", "Omar",
];
const LAST_NAMES: &[&str] = &[
    "Keller", "Brown", "Rossi", "Nguyen", "Okafor", "Smith", "Ivanova", "Garcia", "Haddad",
];
const AGENCIES: &[&str] = &["Reuters", "AP", "AFP", "dpa", "Xinhua", "PA Media"];
const OUTLETS: &[&str] = &[
    "dailynews.example",
    "herald.example.org",
    "wire-today.example.net",
    "thepost.example.co.uk",
    "citytimes.example",
];

/// A small spinning table: word → substitutes. Content-farm spinners swap such words for
/// near-synonyms; words without an entry get a filler.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("said", &["stated", "declared", "noted", "remarked"]),
    ("says", &["states", "declares", "notes"]),
    ("told", &["informed", "advised"]),
    ("big", &["large", "huge", "major"]),
    ("large", &["big", "huge", "sizable"]),
    ("small", &["little", "minor", "tiny"]),
    ("new", &["fresh", "novel", "recent"]),
    ("old", &["former", "aged", "previous"]),
    ("important", &["significant", "crucial", "key"]),
    ("people", &["individuals", "persons", "folks"]),
    ("man", &["male", "gentleman"]),
    ("woman", &["female", "lady"]),
    ("country", &["nation", "state"]),
    ("government", &["administration", "authorities"]),
    ("city", &["town", "municipality"]),
    ("year", &["twelvemonth", "annum"]),
    ("years", &["decades", "seasons"]),
    ("week", &["seven days"]),
    ("help", &["assist", "aid", "support"]),
    ("use", &["utilize", "employ"]),
    ("show", &["demonstrate", "display", "reveal"]),
    ("shows", &["demonstrates", "reveals"]),
    ("start", &["begin", "commence"]),
    ("started", &["began", "commenced"]),
    ("end", &["finish", "conclusion"]),
    ("ended", &["finished", "concluded"]),
    ("make", &["create", "produce"]),
    ("made", &["created", "produced"]),
    ("get", &["obtain", "acquire"]),
    ("got", &["obtained", "received"]),
    ("give", &["provide", "offer"]),
    ("gave", &["provided", "offered"]),
    ("find", &["discover", "locate"]),
    ("found", &["discovered", "located"]),
    ("think", &["believe", "reckon"]),
    ("want", &["wish", "desire"]),
    ("need", &["require"]),
    ("try", &["attempt"]),
    ("tried", &["attempted"]),
    ("buy", &["purchase"]),
    ("ask", &["request", "inquire"]),
    ("asked", &["requested", "inquired"]),
    ("fast", &["quick", "rapid"]),
    ("quickly", &["rapidly", "swiftly"]),
    ("good", &["fine", "great", "excellent"]),
    ("bad", &["poor", "terrible"]),
    ("high", &["elevated", "tall"]),
    ("low", &["reduced", "minimal"]),
    ("many", &["numerous", "several"]),
    ("most", &["majority of", "nearly all"]),
    ("also", &["additionally", "likewise"]),
    ("but", &["however", "yet"]),
    ("because", &["since", "as"]),
    ("about", &["regarding", "concerning"]),
    ("after", &["following"]),
    ("before", &["prior to"]),
    ("during", &["throughout"]),
    ("near", &["close to"]),
    ("around", &["about", "roughly"]),
    ("very", &["extremely", "highly"]),
    ("first", &["initial"]),
    ("last", &["final", "previous"]),
    ("next", &["following", "upcoming"]),
    ("police", &["law enforcement", "officers"]),
    ("official", &["representative", "officer"]),
    ("officials", &["representatives", "authorities"]),
    ("company", &["firm", "business"]),
    ("market", &["marketplace"]),
    ("world", &["globe", "planet"]),
    ("international", &["worldwide", "global"]),
    ("war", &["conflict"]),
    ("killed", &["slain"]),
    ("died", &["passed away", "perished"]),
    ("children", &["kids", "youngsters"]),
    ("home", &["house", "residence"]),
    ("job", &["position", "role"]),
    ("money", &["funds", "cash"]),
    ("plan", &["scheme", "proposal"]),
    ("report", &["account", "statement"]),
    ("group", &["team", "organisation"]),
    ("meeting", &["gathering", "session"]),
    ("leader", &["head", "chief"]),
    ("however", &["nevertheless", "still"]),
    ("according", &["as per"]),
    ("announced", &["revealed", "declared"]),
    ("increase", &["rise", "growth"]),
    ("decrease", &["decline", "drop"]),
    ("problem", &["issue", "difficulty"]),
    ("change", &["shift", "alteration"]),
    ("often", &["frequently"]),
    ("now", &["currently", "at present"]),
    ("the", &["this", "that"]),
    ("and", &["plus", "as well as"]),
    ("in", &["within", "inside"]),
    ("to", &["towards", "so as to"]),
    ("of", &["from"]),
    ("for", &["on behalf of"]),
    ("with", &["alongside"]),
    ("on", &["upon"]),
    ("is", &["remains", "stands"]),
    ("was", &["had been", "became"]),
    ("are", &["remain"]),
    ("were", &["had been"]),
    ("has", &["possesses", "holds"]),
    ("have", &["possess", "hold"]),
];

const FILLERS: &[&str] = &[
    "really",
    "indeed",
    "truly",
    "basically",
    "actually",
    "certainly",
    "quite",
    "particular",
    "various",
    "overall",
];

/// Deterministic RNG (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::dedup::mix64(self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

/// One streamed document.
#[derive(Clone)]
struct Doc {
    id: String,
    /// Index of the family (its original).
    family: usize,
    /// `None` for originals, else the copy kind (`natural` for an original that copies an
    /// earlier original).
    kind: Option<&'static str>,
    /// Source data set of the family (`wcxb` or `ecb`).
    source: &'static str,
    text: String,
    url: Option<String>,
}

/// An original read from a gold file.
struct Original {
    id: String,
    source: &'static str,
    text: String,
    url: Option<String>,
}

fn open_lines(path: &Path) -> Result<Box<dyn BufRead>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(BufReader::new(flate2::read::GzDecoder::new(f))))
    } else {
        Ok(Box::new(BufReader::new(f)))
    }
}

fn read_originals(path: &Path) -> Result<Vec<Original>> {
    let mut out = Vec::new();
    for (n, line) in open_lines(path)?.lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
        let gold = &v["gold"];
        let page = &v["page"];
        let id = gold["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}#{}", path.display(), n + 1));
        let url = page["url"].as_str().map(str::to_string);
        let (source, text) = match gold["text"].as_str() {
            Some(t) => ("wcxb", t.to_string()),
            None => ("ecb", page["body"].as_str().unwrap_or("").to_string()),
        };
        out.push(Original {
            id,
            source,
            text,
            url,
        });
    }
    Ok(out)
}

fn article(text: &str, url: Option<&str>) -> Article {
    Article {
        text: text.to_string(),
        title: None,
        published_at: None,
        published_at_source: None,
        authors: Vec::new(),
        agencies: Vec::new(),
        site_name: None,
        url: url.map(str::to_string),
        canonical_url: url.and_then(crate::normalize::url::normalize_url),
        language: None,
        word_count: text.split_whitespace().count(),
        quality: Quality { is_article: true },
    }
}

fn chrome(rng: &mut Rng, text: &str) -> String {
    let mut out = String::new();
    for _ in 0..1 + rng.below(3) {
        out.push_str(rng.pick(CHROME));
        out.push_str("\n\n");
    }
    out.push_str(text);
    for _ in 0..1 + rng.below(3) {
        out.push_str("\n\n");
        out.push_str(rng.pick(CHROME));
    }
    out
}

fn url_variant(rng: &mut Rng, url: Option<&str>, family: usize) -> String {
    let fallback = format!("https://www.site{family}.example/story/{family}");
    let Some(mut u) = url
        .and_then(|u| url::Url::parse(u).ok())
        .or_else(|| url::Url::parse(&fallback).ok())
    else {
        return fallback;
    };
    match rng.below(3) {
        0 => {
            u.query_pairs_mut()
                .append_pair("utm_source", "twitter")
                .append_pair("utm_medium", "social");
        }
        1 => {
            let path = format!("{}/amp/", u.path().trim_end_matches('/'));
            u.set_path(&path);
        }
        _ => {
            let host = u.host_str().unwrap_or("example.com").to_string();
            let host = host.strip_prefix("www.").unwrap_or(&host);
            let _ = u.set_host(Some(&format!("m.{host}")));
        }
    }
    u.to_string()
}

fn other_url(rng: &mut Rng, family: usize) -> String {
    format!(
        "https://{}/news/{}-{}",
        rng.pick(OUTLETS),
        family,
        rng.next() % 100_000
    )
}

/// Sentences: split after `.`, `!` or `?` followed by whitespace, and at paragraph breaks.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let end =
            matches!(c, '.' | '!' | '?' | '\n') && chars.peek().is_none_or(|n| n.is_whitespace());
        if end {
            let s = cur.trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            cur.clear();
        }
    }
    let s = cur.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
    out
}

fn spin(rng: &mut Rng, text: &str, rate: f64) -> String {
    let mut sents = sentences(text);
    let mut i = 0;
    while i + 1 < sents.len() {
        if rng.unit() < 0.2 {
            sents.swap(i, i + 1);
            i += 2;
        } else {
            i += 1;
        }
    }
    let table: HashMap<&str, &[&str]> = SYNONYMS.iter().copied().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for s in &sents {
        if !out.is_empty() {
            out.push(' ');
        }
        let mut first = true;
        for tok in s.split_whitespace() {
            if !first {
                out.push(' ');
            }
            first = false;
            if rng.unit() >= rate {
                out.push_str(tok);
                continue;
            }
            let start = tok.find(|c: char| c.is_alphanumeric()).unwrap_or(tok.len());
            let end = tok.rfind(|c: char| c.is_alphanumeric()).map_or(start, |e| {
                e + tok[e..].chars().next().map_or(1, char::len_utf8)
            });
            let (pre, rest) = tok.split_at(start);
            let (core, post) = rest.split_at(end.saturating_sub(start).min(rest.len()));
            let lower = core.to_lowercase();
            let sub = match table.get(lower.as_str()) {
                Some(subs) => rng.pick(subs),
                None => rng.pick(FILLERS),
            };
            out.push_str(pre);
            out.push_str(sub);
            out.push_str(post);
        }
    }
    out
}

fn truncate(rng: &mut Rng, text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let frac = 0.4 + 0.3 * rng.unit();
    let keep = ((words.len() as f64 * frac).ceil() as usize).clamp(1, words.len());
    let mut out = words.get(..keep).unwrap_or(&words).join(" ");
    out.push_str(" …\n\nContinue reading");
    out
}

fn syndicate(rng: &mut Rng, text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(60).collect();
    let mut headline: Vec<&str> = (0..6 + rng.below(5))
        .map(|_| words.get(rng.below(words.len())).copied().unwrap_or("News"))
        .collect();
    headline.dedup();
    let byline = format!(
        "By {} {}, {}",
        rng.pick(FIRST_NAMES),
        rng.pick(LAST_NAMES),
        rng.pick(AGENCIES)
    );
    chrome(
        rng,
        &format!("{}\n\n{byline}\n\n{text}", headline.join(" ")),
    )
}

/// The stream: every original, and for each long enough one a copy of each of `kinds`.
fn build_stream(originals: &[Original], seed: u64, kinds: &[&'static str]) -> Vec<Doc> {
    let mut rng = Rng(seed);
    let mut families: Vec<Vec<Doc>> = Vec::with_capacity(originals.len());
    for (family, o) in originals.iter().enumerate() {
        let mut fam = vec![Doc {
            id: o.id.clone(),
            family,
            kind: None,
            source: o.source,
            text: o.text.clone(),
            url: o.url.clone(),
        }];
        if o.text.split_whitespace().count() >= MIN_COPY_WORDS {
            for &kind in kinds {
                // Same generator state per original whatever the kinds, so an isolated stream
                // holds the very copies of the mixed one.
                let mut rng = Rng(seed
                    ^ crate::dedup::mix64(family as u64 + 1)
                    ^ crate::dedup::mix64(
                        kind.len() as u64 * 131
                            + kind.as_bytes().iter().map(|b| u64::from(*b)).sum::<u64>(),
                    ));
                let (text, url) = match kind {
                    "exact" => (o.text.clone(), o.url.clone()),
                    "url_variant" => (
                        chrome(&mut rng, &o.text),
                        Some(url_variant(&mut rng, o.url.as_deref(), family)),
                    ),
                    "syndicated" => (
                        syndicate(&mut rng, &o.text),
                        Some(other_url(&mut rng, family)),
                    ),
                    "truncated" => (
                        truncate(&mut rng, &o.text),
                        Some(other_url(&mut rng, family)),
                    ),
                    "spun10" => (
                        spin(&mut rng, &o.text, 0.1),
                        Some(other_url(&mut rng, family)),
                    ),
                    "spun20" => (
                        spin(&mut rng, &o.text, 0.2),
                        Some(other_url(&mut rng, family)),
                    ),
                    _ => (
                        spin(&mut rng, &o.text, 0.3),
                        Some(other_url(&mut rng, family)),
                    ),
                };
                fam.push(Doc {
                    id: format!("{}~{kind}", o.id),
                    family,
                    kind: Some(kind),
                    source: o.source,
                    text,
                    url,
                });
            }
        }
        families.push(fam);
    }
    // Shuffle everything, then give each family's earliest position to its original.
    let mut stream: Vec<Doc> = families.into_iter().flatten().collect();
    for i in (1..stream.len()).rev() {
        let j = rng.below(i + 1);
        stream.swap(i, j);
    }
    let mut first: HashMap<usize, usize> = HashMap::new();
    for i in 0..stream.len() {
        let fam = stream[i].family;
        first.entry(fam).or_insert(i);
        if stream[i].kind.is_none()
            && let Some(&f) = first.get(&fam)
            && f != i
        {
            stream.swap(f, i);
        }
    }
    label_natural_copies(&mut stream);
    stream
}

/// Distinct 3-word shingles of a text (lowercased `\w+` words), hashed.
fn exact_shingles(text: &str) -> Vec<u64> {
    let mut words = Vec::new();
    crate::dedup::for_each_word_hash(text, |h| words.push(h));
    let mut out: Vec<u64> = words
        .windows(3)
        .map(|w| crate::dedup::mix64(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Mark originals that copy an earlier original (exact shingle containment, see
/// [`NATURAL_COPY_CONTAINMENT`]) as copies of kind `natural`.
fn label_natural_copies(stream: &mut [Doc]) {
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    for (i, doc) in stream.iter_mut().enumerate() {
        if doc.kind.is_some() {
            continue;
        }
        let sh = exact_shingles(&doc.text);
        let mut overlap: HashMap<usize, usize> = HashMap::new();
        for h in &sh {
            for &j in index.get(h).map(Vec::as_slice).unwrap_or(&[]) {
                *overlap.entry(j).or_default() += 1;
            }
        }
        let natural = overlap.iter().any(|(j, &n)| {
            let small = sh.len().min(sizes.get(j).copied().unwrap_or(0)).max(1);
            n as f64 / small as f64 >= NATURAL_COPY_CONTAINMENT
        });
        if natural {
            doc.kind = Some("natural");
        }
        sizes.insert(i, sh.len());
        for h in sh {
            index.entry(h).or_default().push(i);
        }
    }
}

/// Scores of one pass.
#[derive(Default, serde::Serialize)]
struct Scores {
    threshold: f32,
    true_positives: usize,
    false_positives: usize,
    false_positives_hard: usize,
    copies: usize,
    precision: f64,
    recall: f64,
    /// Flagged copies whose `duplicate_of` is their own original.
    original_found: f64,
    recall_by_kind: Vec<(String, f64)>,
    /// Recall on originals that copy an earlier original (`natural`).
    recall_natural: f64,
    exact_verdicts: usize,
    near_verdicts: usize,
    pages_per_second: f64,
}

fn score(stream: &[Doc], cfg: &DedupConfig, verbose: bool) -> Scores {
    let mut d = Deduplicator::new(cfg.clone());
    let t0 = 1_700_000_000_000i64;
    let mut s = Scores {
        threshold: cfg.threshold,
        ..Scores::default()
    };
    let mut by_kind: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut root_ok = 0usize;
    let originals: HashMap<usize, &str> = stream
        .iter()
        .filter(|d| d.kind.is_none())
        .map(|d| (d.family, d.id.as_str()))
        .collect();
    let articles: Vec<Article> = stream
        .iter()
        .map(|doc| article(&doc.text, doc.url.as_deref()))
        .collect();
    let started = Instant::now();
    let mut verdicts = Vec::with_capacity(stream.len());
    for (i, (doc, a)) in stream.iter().zip(&articles).enumerate() {
        let (v, _) = d.check(&doc.id, a, t0 + i as i64 * 1000);
        verdicts.push(v);
    }
    let secs = started.elapsed().as_secs_f64();
    s.pages_per_second = stream.len() as f64 / secs.max(1e-9);
    for (doc, v) in stream.iter().zip(&verdicts) {
        let flagged = v.kind.is_some();
        match v.kind {
            Some(DuplicateKind::Exact) => s.exact_verdicts += 1,
            Some(DuplicateKind::Near) => s.near_verdicts += 1,
            None => {}
        }
        match doc.kind {
            Some(kind) => {
                s.copies += 1;
                let e = by_kind.entry(kind).or_default();
                e.1 += 1;
                if verbose && !flagged && kind != "spun30" {
                    println!(
                        "  missed {kind}: {} ({} words; original {} words)",
                        doc.id,
                        doc.text.split_whitespace().count(),
                        stream
                            .iter()
                            .find(|o| o.family == doc.family && o.kind.is_none())
                            .map_or(0, |o| o.text.split_whitespace().count())
                    );
                }
                if flagged {
                    e.0 += 1;
                    s.true_positives += 1;
                    if v.duplicate_of.as_deref() == originals.get(&doc.family).copied() {
                        root_ok += 1;
                    }
                }
            }
            None if flagged => {
                s.false_positives += 1;
                if doc.source == "ecb" {
                    s.false_positives_hard += 1;
                }
                if verbose {
                    println!(
                        "  false positive: {} ({}) flagged {:?} of {} sim {:?}",
                        doc.id,
                        doc.source,
                        v.kind,
                        v.duplicate_of.as_deref().unwrap_or("?"),
                        v.similarity
                    );
                }
            }
            None => {}
        }
    }
    let flagged = s.true_positives + s.false_positives;
    s.precision = if flagged == 0 {
        1.0
    } else {
        s.true_positives as f64 / flagged as f64
    };
    s.recall = s.true_positives as f64 / s.copies.max(1) as f64;
    s.original_found = root_ok as f64 / s.true_positives.max(1) as f64;
    s.recall_by_kind = KINDS
        .iter()
        .map(|k| {
            let (hit, n) = by_kind.get(k).copied().unwrap_or((0, 0));
            (k.to_string(), hit as f64 / n.max(1) as f64)
        })
        .collect();
    let (hit, n) = by_kind.get("natural").copied().unwrap_or((0, 0));
    s.recall_natural = hit as f64 / n.max(1) as f64;
    s
}

/// Two replicas share state through the log with a delay: how many copies does the consistency
/// window cost? Pages arrive at `rate` per second in stream order and go to replica
/// `hash(id) % 2`; an entry one replica writes reaches the other `window_ms` later. Returns the
/// copies flagged by one replica alone and by the pair.
fn simulate_replicas(
    stream: &[Doc],
    cfg: &DedupConfig,
    rate: f64,
    window_ms: f64,
) -> (usize, usize) {
    let t0 = 1_700_000_000_000i64;
    let mut single = Deduplicator::new(cfg.clone());
    let mut replicas = [
        Deduplicator::new(cfg.clone()),
        Deduplicator::new(cfg.clone()),
    ];
    let mut pending: [std::collections::VecDeque<(f64, crate::state::StateEntry)>; 2] =
        Default::default();
    let (mut alone, mut pair) = (0, 0);
    for (i, doc) in stream.iter().enumerate() {
        let now_ms = i as f64 * 1000.0 / rate;
        let event_ms = t0 + now_ms as i64;
        let a = article(&doc.text, doc.url.as_deref());
        let owner =
            (crate::dedup::mix64(xxhash_rust::xxh3::xxh3_64(doc.id.as_bytes())) % 2) as usize;
        for (r, queue) in pending.iter_mut().enumerate() {
            while queue.front().is_some_and(|(at, _)| *at <= now_ms) {
                if let (Some((_, e)), Some(rep)) = (queue.pop_front(), replicas.get_mut(r)) {
                    crate::state::StateStore::apply(rep, &e);
                }
            }
        }
        let copy = doc.kind.is_some();
        if copy && single.check(&doc.id, &a, event_ms).0.kind.is_some() {
            alone += 1;
        } else if !copy {
            single.check(&doc.id, &a, event_ms);
        }
        if let Some(rep) = replicas.get_mut(owner) {
            let (v, e) = rep.check(&doc.id, &a, event_ms);
            if copy && v.kind.is_some() {
                pair += 1;
            }
            if let (Some(e), Some(q)) = (e, pending.get_mut(1 - owner)) {
                q.push_back((now_ms + window_ms, e));
            }
        }
    }
    (alone, pair)
}

/// Run the evaluation on one or more gold files and print the scores.
pub fn run(settings: &Settings, gold: &[PathBuf], seed: u64, verbose: bool) -> Result<()> {
    let mut originals = Vec::new();
    for path in gold {
        originals.extend(read_originals(path)?);
    }
    anyhow::ensure!(!originals.is_empty(), "no documents in the gold files");
    let stream = build_stream(&originals, seed, &KINDS);
    let isolated: Vec<Vec<Doc>> = KINDS
        .iter()
        .map(|k| build_stream(&originals, seed, &[k]))
        .collect();
    let n_orig = stream.iter().filter(|d| d.kind.is_none()).count();
    let n_ecb = stream
        .iter()
        .filter(|d| d.kind.is_none() && d.source == "ecb")
        .count();
    let n_natural = stream.iter().filter(|d| d.kind == Some("natural")).count();
    println!(
        "mixed stream: {} documents = {} originals ({} of them ECB+: hard negatives) + {} natural copies (≥ {} exact 3-shingle containment in an earlier original) + {} generated copies; seed {seed}",
        stream.len(),
        n_orig,
        n_ecb,
        n_natural,
        NATURAL_COPY_CONTAINMENT,
        stream.len() - n_orig - n_natural
    );
    println!(
        "isolated recall: one stream per kind (originals + copies of that kind only), so a copy can only match its own original"
    );
    let cfg = settings.stages.dedup.clone();
    println!(
        "\nthreshold  precision  recall  FP(hard) | isolated recall: {}    natural",
        KINDS.map(|k| format!("{k:>11}")).join("")
    );
    let mut thresholds: Vec<f32> = CURVE.to_vec();
    if !thresholds.iter().any(|t| (t - cfg.threshold).abs() < 1e-6) {
        thresholds.push(cfg.threshold);
        thresholds.sort_by(f32::total_cmp);
    }
    for t in thresholds {
        let at = DedupConfig {
            threshold: t,
            ..cfg.clone()
        };
        let s = score(&stream, &at, false);
        let iso: String = KINDS
            .iter()
            .zip(&isolated)
            .map(|(k, st)| {
                let r = score(st, &at, false)
                    .recall_by_kind
                    .into_iter()
                    .find(|(name, _)| name == k)
                    .map_or(0.0, |(_, r)| r);
                format!("{r:>11.4}")
            })
            .collect();
        let mark = if (t - cfg.threshold).abs() < 1e-6 {
            "*"
        } else {
            " "
        };
        println!(
            "{mark}{t:>8.2}  {:>9.4}  {:>6.4}  {:>3}({:>3}) |                  {iso} {:>10.4}",
            s.precision, s.recall, s.false_positives, s.false_positives_hard, s.recall_natural
        );
    }
    let s = score(&stream, &cfg, verbose);
    println!(
        "\nmixed stream at the configured threshold {:.2} (min_jaccard {:.2}, {} bands, {}-word shingles): precision {:.4} recall {:.4}; duplicate_of = own original for {:.4} of flagged copies; {} exact + {} near verdicts; {:.0} pages/s (whole stream, one thread)",
        cfg.threshold,
        cfg.min_jaccard,
        cfg.bands,
        cfg.shingle_words,
        s.precision,
        s.recall,
        s.original_found,
        s.exact_verdicts,
        s.near_verdicts,
        s.pages_per_second
    );
    println!(
        "\nconsistency window, simulated: 2 replicas, pages split by id hash, each replica sees the other's entries a fixed delay later (measured state propagation, docs/dedup.md)"
    );
    for (window_ms, label) in CONSISTENCY_WINDOWS_MS {
        for rate in [100.0, 1_000.0, 10_000.0] {
            let (alone, pair) = simulate_replicas(&stream, &cfg, rate, window_ms);
            println!(
                "  {window_ms:>4} ms ({label}) {rate:>6} pages/s: copies flagged by one replica {alone}, by two replicas {pair}: {} missed ({:.3} % of copies)",
                alone.saturating_sub(pair),
                100.0 * alone.saturating_sub(pair) as f64 / s.copies.max(1) as f64
            );
        }
    }
    let mut iso = serde_json::Map::new();
    for (k, st) in KINDS.iter().zip(&isolated) {
        let r = score(st, &cfg, false)
            .recall_by_kind
            .into_iter()
            .find(|(name, _)| name == k)
            .map_or(0.0, |(_, r)| r);
        iso.insert((*k).to_string(), serde_json::json!(r));
    }
    println!(
        "{}",
        serde_json::json!({"mixed": s, "isolated_recall": iso})
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_and_keeps_originals_first() {
        let originals: Vec<Original> = (0..5)
            .map(|i| Original {
                id: format!("o{i}"),
                source: "ecb",
                text: (0..80).map(|w| format!("word{i}x{w} ")).collect::<String>()
                    + ". Another sentence here. And the end.",
                url: None,
            })
            .collect();
        let a = build_stream(&originals, 7, &KINDS);
        let b = build_stream(&originals, 7, &KINDS);
        assert_eq!(a.len(), 5 * (1 + KINDS.len()));
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.text == y.text)
        );
        let mut seen = std::collections::HashSet::new();
        for d in &a {
            if d.kind.is_none() {
                seen.insert(d.family);
            } else {
                assert!(seen.contains(&d.family), "copy before original");
            }
        }
    }

    #[test]
    fn spinning_changes_about_the_requested_share() {
        let text = (0..1000).map(|i| format!("w{i} ")).collect::<String>();
        let spun = spin(&mut Rng(1), &text, 0.2);
        let changed = spun
            .split_whitespace()
            .filter(|w| !w.starts_with('w'))
            .count();
        assert!((150..260).contains(&changed), "{changed}");
    }
}
