//! Who or what a story is about: its main people ("Jane Holt", back-referenced as "Holt") and its
//! identifying codes ("MS08-067", "CVE-2013-3893"). Two sister stories of one kind — two players
//! of one team put on injured reserve, two emergency patches of one browser — share almost all
//! their words and differ by these, so an event that knows its participants can turn away a page
//! whose own confident participants are all strangers to it.
//!
//! They are read off what the feature extractor already found (its person phrases, with the
//! surname's word term counting the mentions), not by a second pass over the text: the only
//! text work left is a look at each confident name's first mention and the lead.
//!
//! Precision comes first: a person is a run of 2–3 capitalized words that starts with a common
//! given name (`data/first_names.txt`) or follows a role cue ("coach", "quarterback", "Mr."),
//! is not a place or organization of the gazetteer, does not end like a building, a company or a
//! job ("Treatment Center", "General Manager"), is not in a byline ("By John Smith", "Staff
//! Writer") and is not a quoted source ("spokesman John Smith", "her rep Jack Ketsoyan"). People
//! are ranked by prominence: the headline, the lead and the number of mentions, surname-only
//! back-references included; only the few clearly in front count. Participants are kept as
//! small hashes (kind in the top two bits), like [`story_facts`](super::story_facts).

use super::features::{DocFeatures, FeatureWeights, is_entity_term, stem, word_term_of};
use super::gazetteer::{EntityKind, Gazetteer};
use rustc_hash::FxHashSet;
use std::sync::OnceLock;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Most participants kept per page.
pub const MAX_PAGE_PARTICIPANTS: usize = 4;
/// Most participants kept per event.
pub const MAX_EVENT_PARTICIPANTS: usize = 16;
/// Least prominence of a main person (e.g. three mentions and the lead, or the headline).
const MIN_MAIN_SCORE: f32 = 6.0;
/// Most bytes of text looked at.
const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Bytes of text that count as the lead.
const LEAD_BYTES: usize = 600;

const KIND_PERSON: u32 = 1;
const KIND_CODE: u32 = 2;

const FIRST_NAMES: &str = include_str!("../../data/first_names.txt");

/// What a participant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantKind {
    /// A person, keyed by surname.
    Person,
    /// An identifying code (bulletin, vulnerability or part number).
    Code,
}

/// A main participant of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// Display form: the fullest name seen, or the code.
    pub name: String,
    /// Its kind.
    pub kind: ParticipantKind,
    /// Prominence (headline, lead, mentions).
    pub score: f32,
    /// One of the page's main participants (the rest are confident but secondary).
    pub main: bool,
}

/// A page's participant hashes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageParticipants {
    /// Its main participants: what the page is about.
    pub main: Vec<u32>,
    /// All its confident participants, secondary ones included: what an event that took the
    /// page knows.
    pub known: Vec<u32>,
}

/// Lowercase words before a name that make it a person: roles and job titles.
const ROLE_CUES: &[&str] = &[
    "actor",
    "actress",
    "singer",
    "rapper",
    "star",
    "model",
    "comedian",
    "director",
    "producer",
    "coach",
    "quarterback",
    "receiver",
    "tackle",
    "linebacker",
    "cornerback",
    "safety",
    "guard",
    "forward",
    "center",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "pitcher",
    "catcher",
    "outfielder",
    "infielder",
    "boxer",
    "champion",
    "challenger",
    "player",
    "rookie",
    "veteran",
    "teammate",
    "back",
    "end",
    "lineman",
    "kicker",
    "punter",
    "president",
    "senator",
    "governor",
    "mayor",
    "minister",
    "chancellor",
    "judge",
    "suspect",
    "defendant",
    "victim",
    "climber",
    "officer",
    "sheriff",
    "chief",
    "executive",
    "ceo",
    "founder",
    "chairman",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "husband",
    "wife",
    "son",
    "daughter",
    "brother",
    "sister",
    "mother",
    "father",
    "girlfriend",
    "boyfriend",
    "businessman",
    "author",
    "writer",
    "candidate",
    "leader",
    "gunman",
    "man",
    "woman",
    "teen",
    "teenager",
    "boy",
    "girl",
    "sergeant",
    "captain",
    "general",
    "colonel",
    "lieutenant",
    "detective",
    "inmate",
    "prisoner",
    "musician",
    "guitarist",
    "drummer",
    "athlete",
    "swimmer",
    "golfer",
    "skier",
    "driver",
    "rider",
    "cyclist",
    "runner",
];

/// Capitalized titles before a name ("Mr. Smith", "President Obama", "Coach Smith").
const TITLE_CUES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sen",
    "rep",
    "gov",
    "lt",
    "sgt",
    "capt",
    "gen",
    "col",
    "det",
    "president",
    "senator",
    "governor",
    "mayor",
    "judge",
    "coach",
    "justice",
    "prince",
    "princess",
    "king",
    "queen",
    "pope",
    "sir",
    "dame",
    "chancellor",
    "minister",
    "officer",
    "sheriff",
    "deputy",
    "agent",
    "father",
    "rev",
    "reverend",
    "professor",
    "prof",
];

/// Words near a name that make it a quoted source or a byline, not a participant.
const SOURCE_CUES: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "spokespeople",
    "representative",
    "rep",
    "publicist",
    "analyst",
    "analysts",
    "professor",
    "expert",
    "researcher",
    "reporter",
    "correspondent",
    "columnist",
    "editor",
    "writer",
    "according",
    "attorney",
    "lawyer",
    "counsel",
    "commentator",
    "contributed",
    "reporting",
    "editing",
    "byline",
    "photographer",
    "posted",
    "written",
    "produced",
    "copyright",
    "email",
    "e-mail",
    "follow",
    "twitter",
];

/// Last words of capitalized phrases that name things or jobs, not people.
const THING_ENDS: &[&str] = &[
    "center",
    "centre",
    "church",
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "county",
    "city",
    "university",
    "college",
    "school",
    "academy",
    "hospital",
    "clinic",
    "park",
    "bridge",
    "stadium",
    "arena",
    "field",
    "hall",
    "house",
    "building",
    "company",
    "co",
    "inc",
    "corp",
    "corporation",
    "ltd",
    "llc",
    "group",
    "foundation",
    "institute",
    "award",
    "awards",
    "trophy",
    "cup",
    "prize",
    "fund",
    "bank",
    "airport",
    "station",
    "river",
    "lake",
    "mountain",
    "island",
    "islands",
    "beach",
    "valley",
    "bay",
    "district",
    "province",
    "state",
    "department",
    "agency",
    "office",
    "court",
    "committee",
    "council",
    "party",
    "league",
    "association",
    "union",
    "club",
    "team",
    "network",
    "news",
    "times",
    "post",
    "journal",
    "press",
    "magazine",
    "records",
    "studios",
    "pictures",
    "show",
    "series",
    "festival",
    "day",
    "week",
    "act",
    "law",
    "bill",
    "treatment",
    "prison",
    "jail",
    "mall",
    "store",
    "hotel",
    "restaurant",
    "tower",
    "square",
    "plaza",
    "highway",
    "freeway",
    "way",
    "drive",
    "lane",
    "place",
    "forest",
    "canyon",
    "manager",
    "coordinator",
    "director",
    "secretary",
    "attorney",
    "coach",
    "president",
];

/// Words that start place names ("San Diego", "New York"): a run holding one is no person.
const PLACE_STARTS: &[&str] = &[
    "san", "santa", "los", "las", "new", "north", "south", "east", "west", "fort", "mount", "port",
    "saint", "st", "lake", "el", "la", "le",
];

/// Suffixes after a surname ("Jr."), not surnames themselves.
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv"];

/// Capitalized words that are never part of a person's name (sentence starts; months, days and
/// holidays come from `features::CALENDAR_DAYS`).
const NOT_NAME_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "in",
    "on",
    "at",
    "of",
    "for",
    "to",
    "from",
    "with",
    "by",
    "after",
    "before",
    "as",
    "if",
    "when",
    "while",
    "this",
    "that",
    "these",
    "those",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "his",
    "her",
    "their",
    "our",
    "my",
    "its",
    "there",
    "here",
    "what",
    "who",
    "why",
    "how",
    "where",
    "then",
    "now",
    "also",
    "still",
    "yet",
    "so",
    "not",
    "no",
    "yes",
    "one",
    "two",
    "three",
    "god",
    "update",
    "breaking",
    "video",
    "photos",
    "watch",
    "read",
    "more",
    "related",
    "says",
    "said",
    "told",
    "police",
    "officials",
];

struct Lists {
    first_names: FxHashSet<&'static str>,
    role_cues: FxHashSet<&'static str>,
    title_cues: FxHashSet<&'static str>,
    source_cues: FxHashSet<&'static str>,
    thing_ends: FxHashSet<&'static str>,
    place_starts: FxHashSet<&'static str>,
    suffixes: FxHashSet<&'static str>,
    not_name: FxHashSet<&'static str>,
}

fn lists() -> &'static Lists {
    static L: OnceLock<Lists> = OnceLock::new();
    L.get_or_init(|| Lists {
        first_names: FIRST_NAMES
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect(),
        role_cues: ROLE_CUES.iter().copied().collect(),
        title_cues: TITLE_CUES.iter().copied().collect(),
        source_cues: SOURCE_CUES.iter().copied().collect(),
        thing_ends: THING_ENDS.iter().copied().collect(),
        place_starts: PLACE_STARTS.iter().copied().collect(),
        suffixes: SUFFIXES.iter().copied().collect(),
        not_name: NOT_NAME_WORDS
            .iter()
            .chain(super::features::CALENDAR_DAYS)
            .copied()
            .collect(),
    })
}

/// Lowercase ASCII copy of a short word into `buf`, without a possessive "'s" (None when long
/// or not ASCII).
fn lower<'a>(word: &str, buf: &'a mut [u8; 24]) -> Option<&'a str> {
    let w = word.strip_suffix("'s").unwrap_or(word).as_bytes();
    let dst = buf.get_mut(..w.len())?;
    for (d, s) in dst.iter_mut().zip(w) {
        if !s.is_ascii() {
            return None;
        }
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(dst).ok()
}

/// Bytes before a name's first mention searched for role, title and source cues.
const CUE_BYTES_BEFORE: usize = 40;
/// Bytes after a name's first mention searched for source cues.
const CUE_BYTES_AFTER: usize = 32;

/// A person among a page's entity phrases.
struct Candidate<'f> {
    /// Lowercase surname.
    key: String,
    /// Fullest name.
    name: &'f str,
    /// Mentions of the surname in the body.
    count: u32,
    /// The surname is in the headline.
    in_title: bool,
    /// The first word is a known given name (or the gazetteer knows the person).
    given: bool,
}

/// How many times a page holds a term, from its raw weight `(1 + ln tf) x boost`.
fn term_count(feats: &DocFeatures, hash: u32, w: FeatureWeights) -> f32 {
    let Ok(i) = feats.terms.binary_search_by_key(&hash, |t| t.hash) else {
        return 0.0;
    };
    let Some(t) = feats.terms.get(i) else {
        return 0.0;
    };
    let boost = if t.entity.is_some() && w.entity_boost > 0.0 {
        w.entity_boost
    } else {
        1.0
    };
    (t.weight / boost - 1.0).exp().round()
}

/// Lowercase words before (`before`) or after a mention, within its line.
fn cue_words(text: &str, at: usize, len: usize, before: bool) -> impl Iterator<Item = &str> {
    let (lo, hi) = if before {
        (at.saturating_sub(CUE_BYTES_BEFORE), at)
    } else {
        (at + len, (at + len + CUE_BYTES_AFTER).min(text.len()))
    };
    let mut lo = lo;
    while lo > 0 && !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = hi;
    while hi < text.len() && !text.is_char_boundary(hi) {
        hi += 1;
    }
    let window = text.get(lo..hi).unwrap_or("");
    // Stay within the mention's line.
    let window = if before {
        window.rsplit('\n').next().unwrap_or("")
    } else {
        window.split('\n').next().unwrap_or("")
    };
    window
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
}

/// Confident participants of a page, most prominent first (the main ones flagged), read off the
/// entity phrases and words [`Extractor`](super::features::Extractor) already found instead of a
/// second pass over the text: person phrases of 2–3 words that start with a given name (or
/// follow a role or title cue at their first mention), ranked by the mentions of their surname,
/// the headline and the lead; then codes.
pub fn main_participants_of(
    title: Option<&str>,
    text: &str,
    feats: &DocFeatures,
    w: FeatureWeights,
) -> Vec<Participant> {
    let l = lists();
    let g = Gazetteer::get();
    let text = super::story_time::cut(text, MAX_TEXT_BYTES);
    let mut buf = [0u8; 24];
    let mut cands: Vec<Candidate<'_>> = Vec::new();
    let mut codes: Vec<(String, f32)> = Vec::new();
    for t in &feats.terms {
        if !is_entity_term(t.hash) {
            if t.entity.is_none() || codes.len() >= 16 {
                continue;
            }
            let label = feats.label(t);
            if is_code(label) {
                codes.push((label.to_ascii_uppercase(), term_count(feats, t.hash, w)));
            }
            continue;
        }
        if t.entity != Some(EntityKind::Person) {
            continue;
        }
        let mut name = feats.label(t);
        // "Carl Dorn Jr": the surname comes before the suffix.
        if let Some((head, tail)) = name.rsplit_once(' ')
            && lower(tail, &mut buf).is_some_and(|w| l.suffixes.contains(w))
        {
            name = head;
        }
        let mut words = name.split(' ');
        let (Some(first), Some(last)) = (words.next(), name.rsplit(' ').next()) else {
            continue;
        };
        let n = 1 + words.count();
        if !(2..=3).contains(&n)
            || name
                .split(' ')
                .any(|w| lower(w, &mut buf).is_some_and(|w| l.place_starts.contains(w)))
        {
            continue;
        }
        let Some(key) = lower(last, &mut buf).map(str::to_string) else {
            continue;
        };
        if l.thing_ends.contains(key.as_str())
            || l.not_name.contains(key.as_str())
            || l.suffixes.contains(key.as_str())
            || !last.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        {
            continue;
        }
        let known = g.lookup(name).map(|e| e.kind);
        let place_surname = g.lookup(last).is_some_and(|e| e.kind != EntityKind::Person);
        if matches!(known, Some(EntityKind::Place | EntityKind::Organization))
            || (place_surname && known != Some(EntityKind::Person))
        {
            continue;
        }
        let given = known == Some(EntityKind::Person)
            || lower(first, &mut buf).is_some_and(|f| l.first_names.contains(f));
        if !given && lower(first, &mut buf).is_some_and(|f| l.not_name.contains(f)) {
            continue;
        }
        if let Some(c) = cands.iter_mut().find(|c| c.key == key) {
            if name.len() > c.name.len() {
                c.name = name;
            }
            c.given |= given;
            continue;
        }
        let count = term_count(feats, word_term_of(stem(&key)), w);
        cands.push(Candidate {
            key,
            name,
            count: count as u32,
            in_title: false,
            given,
        });
    }
    if cands.len() > 64 {
        // A list page (a roster, a cast): no main participant stands out.
        cands.clear();
    }
    let mut out = Vec::new();
    if !cands.is_empty() {
        let title_words: Vec<String> = title
            .map(|t| {
                super::story_time::cut(t, 1024)
                    .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                    .filter_map(|w| lower(w, &mut buf).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let lead = super::story_time::cut(text, LEAD_BYTES);
        for c in &mut cands {
            let in_title = title_words.iter().filter(|w| **w == c.key).count() as u32;
            c.in_title = in_title > 0;
            // Headline mentions weigh `title_boost` body mentions in the term's weight.
            let title_share = (w.title_boost.max(0.0) * in_title as f32).round() as u32;
            c.count = c.count.saturating_sub(title_share);
        }
        for c in cands {
            let surname = c.name.rsplit(' ').next().unwrap_or("");
            let lead_hit = c.count >= 2 && lead.contains(surname);
            let confident =
                (c.in_title && c.count >= 1) || c.count >= 3 || (lead_hit && c.count >= 2);
            if !confident {
                continue;
            }
            // Its first mention tells a role ("running back Dequan Orlo") or a quoted source
            // ("spokesman Peter Quill", a byline).
            let Some(at) = memchr::memmem::find(text.as_bytes(), c.name.as_bytes()) else {
                continue;
            };
            let before: Vec<&str> = cue_words(text, at, c.name.len(), true).collect();
            let cue = before.iter().rev().take(2).any(|w| {
                lower(w, &mut buf)
                    .is_some_and(|w| l.role_cues.contains(w) || l.title_cues.contains(w))
            });
            if !(c.given || cue) {
                continue;
            }
            let byline =
                before.first().is_some_and(|w| w.eq_ignore_ascii_case("by")) && before.len() <= 2;
            let source = byline
                || before
                    .iter()
                    .rev()
                    .take(3)
                    .chain(
                        cue_words(text, at, c.name.len(), false)
                            .take(4)
                            .collect::<Vec<_>>()
                            .iter(),
                    )
                    .any(|w| lower(w, &mut buf).is_some_and(|w| l.source_cues.contains(w)));
            if source {
                continue;
            }
            let score = c.count.min(10) as f32
                + 3.0 * f32::from(u8::from(c.in_title))
                + 2.0 * f32::from(u8::from(lead_hit));
            out.push(Participant {
                name: c.name.to_string(),
                kind: ParticipantKind::Person,
                score,
                main: false,
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    let top = out.first().map_or(0.0, |p| p.score);
    for (i, p) in out.iter_mut().enumerate() {
        p.main = i < 3 && p.score >= 0.5 * top && p.score >= MIN_MAIN_SCORE;
    }
    out.truncate(MAX_PAGE_PARTICIPANTS);
    codes.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (code, count) in codes.into_iter().take(MAX_PAGE_PARTICIPANTS) {
        out.push(Participant {
            name: code,
            kind: ParticipantKind::Code,
            score: count,
            main: true,
        });
    }
    out
}

/// A lowercase word that looks like an identifying code: a letter first, letters and at least
/// two digits, and a hyphen or four digits ("ms08-067", "kb2799329"), 5–20 bytes.
fn is_code(w: &str) -> bool {
    let b = w.as_bytes();
    if !(5..=20).contains(&b.len()) || !b.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    let (mut letters, mut digits, mut hyphens) = (0, 0, 0);
    for &c in b {
        match c {
            b'a'..=b'z' => letters += 1,
            b'0'..=b'9' => digits += 1,
            b'-' => hyphens += 1,
            _ => return false,
        }
    }
    letters >= 2 && digits >= 2 && (hyphens > 0 || digits >= 4)
}

/// Hashes of a page's participants read off its features (see [`main_participants_of`]).
pub fn participants_of(
    title: Option<&str>,
    text: &str,
    feats: &DocFeatures,
    w: FeatureWeights,
) -> PageParticipants {
    hash_participants(&main_participants_of(title, text, feats, w))
}

/// Hash of a participant: the kind in the top two bits; people by surname.
fn participant_hash(p: &Participant) -> u32 {
    let (kind, key) = match p.kind {
        ParticipantKind::Person => (
            KIND_PERSON,
            p.name.rsplit(' ').next().unwrap_or("").to_ascii_lowercase(),
        ),
        ParticipantKind::Code => (KIND_CODE, p.name.to_ascii_uppercase()),
    };
    let h = xxh3_64_with_seed(key.as_bytes(), u64::from(kind)) as u32;
    (kind << 30) | (h & 0x3FFF_FFFF)
}

/// Hashes of found participants (each list sorted, deduplicated, at most
/// [`MAX_PAGE_PARTICIPANTS`] main ones and twice that many known ones).
fn hash_participants(found: &[Participant]) -> PageParticipants {
    let hashes = |main_only: bool, most: usize| {
        let mut out: Vec<u32> = found
            .iter()
            .filter(|p| p.main || !main_only)
            .map(participant_hash)
            .collect();
        out.sort_unstable();
        out.dedup();
        out.truncate(most);
        out
    };
    PageParticipants {
        main: hashes(true, MAX_PAGE_PARTICIPANTS),
        known: hashes(false, 2 * MAX_PAGE_PARTICIPANTS),
    }
}

/// Whether a page's and an event's participants clearly disagree: for some kind both sides name
/// participants and share none of that kind, and they share none of any kind.
pub fn participants_conflict(page: &[u32], event: &[u32]) -> bool {
    if page.is_empty() || event.is_empty() || page.iter().any(|p| event.contains(p)) {
        return false;
    }
    let kinds = |s: &[u32]| s.iter().fold(0u8, |m, f| m | (1 << (f >> 30)));
    kinds(page) & kinds(event) != 0
}

/// Add a page's participants to an event's (bounded: the first [`MAX_EVENT_PARTICIPANTS`]
/// distinct ones stay).
pub fn merge_participants(event: &mut Vec<u32>, page: &[u32]) {
    for p in page {
        if event.len() >= MAX_EVENT_PARTICIPANTS {
            break;
        }
        if !event.contains(p) {
            event.push(*p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::features::Extractor;
    use super::*;

    const W: FeatureWeights = FeatureWeights {
        title_boost: 2.0,
        entity_boost: 2.0,
        numbers: false,
    };

    fn main_participants(title: Option<&str>, text: &str) -> Vec<Participant> {
        let feats = Extractor::new().extract(title, text, W);
        main_participants_of(title, text, &feats, W)
    }

    fn participants(title: Option<&str>, text: &str) -> PageParticipants {
        let feats = Extractor::new().extract(title, text, W);
        participants_of(title, text, &feats, W)
    }

    fn names(title: Option<&str>, text: &str) -> Vec<String> {
        main_participants(title, text)
            .into_iter()
            .filter(|p| p.main)
            .map(|p| p.name)
            .collect()
    }

    #[test]
    fn given_names_and_back_references_make_main_people() {
        let text = "Singer Maria Holt checked into a clinic on Monday, her manager said.\n\n\
                    Holt had cancelled two concerts. Fans of Holt wished her well.";
        assert_eq!(names(Some("Holt enters rehab"), text), vec!["Maria Holt"]);
        // One passing mention is not a main participant.
        let text = "The council met on Monday. Maria Holt attended the meeting at the hall.";
        assert!(names(None, text).is_empty());
        // Three mentions in a short text, none in the headline: confident, but not main.
        let text = "Coach Tom Avery was fired. Avery left. Avery was sad.";
        assert!(names(None, text).is_empty());
        assert_eq!(participants(None, text).known.len(), 1);
        // Suffixes are not surnames.
        let text = "Police seek Carl Dorn Jr. after an escape. Dorn fled. Dorn is armed.";
        assert_eq!(
            participants(None, text),
            participants(None, &text.replace(" Jr.", ""))
        );
    }

    #[test]
    fn role_cues_name_people_without_a_known_given_name() {
        let text = "The Hawks placed running back Dequan Orlo on injured reserve.\n\n\
                    Orlo hurt his knee on Sunday. Orlo will miss the season. Orlo will rest.";
        assert_eq!(names(None, text), vec!["Dequan Orlo"]);
    }

    #[test]
    fn places_things_bylines_and_sources_are_not_participants() {
        let text = "By Robert Lane, Staff Writer\n\n\
                    Visitors came to Betty Ford Center. Betty Ford Center is busy. \
                    Betty Ford Center staff said so. New York officials said New York is calm \
                    and New York is safe. \"It is fine,\" said spokesman Peter Quill. Quill \
                    added that Quill had no more to say. Lane wrote and Lane wrote again. \
                    The San Diego Hawks won. San Diego Hawks fans cheered the Hawks. \
                    The Assistant General Manager spoke; Assistant General Manager Tate smiled.";
        let got = names(None, text);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn codes_are_participants() {
        let a = participants(
            Some("Patch MS13-008 fixes browser flaw"),
            "Microsoft released MS13-008 for CVE-2012-4792 today.",
        )
        .main;
        assert_eq!(a.len(), 2);
        let b = participants(None, "Microsoft released MS13-080 to fix CVE-2013-3893.").main;
        assert!(participants_conflict(&a, &b));
        assert!(!participants_conflict(&a, &a));
        // Years, times, ordinals and call signs are not codes.
        assert!(
            participants(
                None,
                "At 10:30 on 2013-09-18 the 21st update aired on PIX11."
            )
            .known
            .is_empty()
        );
    }

    #[test]
    fn conflicts_need_the_same_kind_and_nothing_shared() {
        let text = |n: &str| format!("Coach Tom {n} was fired. {n} left. {n} was sad. {n} cried.");
        let a = participants(None, &text("Avery")).main;
        let b = participants(None, &text("Brandt")).main;
        assert_eq!(a.len(), 1);
        assert!(participants_conflict(&a, &b));
        let code = participants(None, "Update KB2799329 ships.").main;
        assert_eq!(code.len(), 1);
        assert!(!participants_conflict(&a, &code));
        assert!(!participants_conflict(&[], &b));
        let mut event = b.clone();
        merge_participants(&mut event, &a);
        assert!(!participants_conflict(&a, &event));
        for i in 0..40u32 {
            merge_participants(&mut event, &[i]);
        }
        assert_eq!(event.len(), MAX_EVENT_PARTICIPANTS);
    }

    #[test]
    fn events_know_secondary_people_too() {
        let first = "Coach Tom Avery was fired on Monday. Avery lost ten games. Avery was sad. \
                     Avery will be paid. Avery left town. Avery, Avery, Avery! His assistant \
                     coach Ned Brandt stays. Brandt may lead the team.";
        let a = participants(None, first);
        assert_eq!(a.main.len(), 1);
        assert_eq!(a.known.len(), 2);
        let second = participants(
            None,
            "Coach Ned Brandt takes over. Brandt is ready. Brandt. Brandt!",
        );
        assert!(participants_conflict(&second.main, &a.main));
        let mut event = Vec::new();
        merge_participants(&mut event, &a.known);
        assert!(!participants_conflict(&second.main, &event));
    }

    /// Prints the participants of the ECB+ dev pages (a precision sample):
    /// `cargo test --profile fast --lib participants::tests::sample -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn sample() {
        use crate::message::{InputCoords, InputMessage};
        use std::io::BufRead;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/datasets/ecbplus-dev-events.jsonl.gz"
        );
        let file = std::fs::File::open(path).unwrap();
        let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file));
        let settings = crate::config::Settings::load_from(None, std::iter::empty()).unwrap();
        let stages =
            crate::pipeline::StatelessStages::new(&settings.stages, crate::metrics::Metrics::new());
        for (n, line) in reader.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let msg = InputMessage::from_payload(
                serde_json::to_vec(&v["page"]).unwrap(),
                InputCoords {
                    topic: "t".into(),
                    partition: 0,
                    offset: n as i64,
                },
            );
            let Ok(p) = stages.prepare(msg).outcome else {
                continue;
            };
            let a = &p.article;
            let t = std::time::Instant::now();
            let found = main_participants(a.title.as_deref(), &a.text);
            let ns = t.elapsed().as_nanos();
            let got: Vec<String> = found
                .iter()
                .map(|p| format!("{}{}({})", if p.main { "*" } else { "" }, p.name, p.score))
                .collect();
            print!("{ns}\t");
            println!(
                "{}\t{}\t{}",
                v["gold"]["event"].as_str().unwrap_or(""),
                a.title
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(60)
                    .collect::<String>(),
                got.join("; ")
            );
        }
    }

    #[test]
    fn hostile_text_is_bounded() {
        let s = "John Smith Smith ".repeat(20_000) + "MS13-008 ".repeat(1000).as_str();
        assert!(participants(None, &s).known.len() <= 2 * MAX_PAGE_PARTICIPANTS);
        assert_eq!(
            participants(Some("é"), "é É Éé 'a -b"),
            PageParticipants::default()
        );
        assert_eq!(participants(None, ""), PageParticipants::default());
    }
}
