//! Who or what a story is about: its main people ("Jane Holt", back-referenced as "Holt") and its
//! identifying codes ("MS08-067", "CVE-2013-3893"). Two sister stories of one kind — two players
//! of one team put on injured reserve, two emergency patches of one browser — share almost all
//! their words and differ by these, so an event that knows its participants can turn away a page
//! whose own confident participants are all strangers to it.
//!
//! Precision comes first: a person is a run of 2–3 capitalized words that starts with a common
//! given name (`data/first_names.txt`) or follows a role cue ("coach", "quarterback", "Mr."),
//! is not a place or organization of the gazetteer, does not end like a building, a company or a
//! job ("Treatment Center", "General Manager"), is not in a byline ("By John Smith", "Staff
//! Writer") and is not a quoted source ("spokesman John Smith", "her rep Jack Ketsoyan"). People
//! are ranked by prominence: the headline, the lead and the number of mentions, surname-only
//! back-references included; only the few clearly in front count. Participants are kept as
//! small hashes (kind in the top two bits), like [`story_facts`](super::story_facts).

use super::gazetteer::{EntityKind, Gazetteer};
use rustc_hash::{FxHashMap, FxHashSet};
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
/// Most tokens looked at.
const MAX_TOKENS: usize = 4096;

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

/// A word of the text.
#[derive(Clone, Copy)]
struct Tok {
    start: u32,
    end: u32,
    flags: u8,
}

/// Starts with an ASCII capital and has a lowercase letter ("Holt", not "NFL" or "holt").
const CAP: u8 = 1;
/// Punctuation (not just spaces) separates it from the previous word.
const BREAK: u8 = 2;
/// First word of a line.
const LINE: u8 = 4;
/// Followed by a period.
const DOT_AFTER: u8 = 8;
/// An identifying code: a capital first, two or more capitals, letters and digits, and a hyphen
/// or four digits ("MS08-067", "KB2799329").
const CODE: u8 = 16;

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

/// Words of `text` (at most [`MAX_TOKENS`]).
fn tokenize(text: &str, out: &mut Vec<Tok>) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut brk = true;
    let mut line = true;
    while i < b.len() && out.len() < MAX_TOKENS {
        let Some(&c) = b.get(i) else { break };
        if !is_word_byte(c) {
            if c == b'\n' {
                line = true;
                brk = true;
            } else if c != b' ' && c != b'\t' {
                brk = true;
            }
            i += 1;
            continue;
        }
        let start = i;
        let (mut upper, mut lower, mut digits, mut letters, mut hyphens) = (0u32, 0, 0, 0, 0);
        loop {
            match b.get(i) {
                Some(&c) if is_word_byte(c) => {
                    upper += u32::from(c.is_ascii_uppercase());
                    lower += u32::from(c.is_ascii_lowercase() || c >= 0x80);
                    digits += u32::from(c.is_ascii_digit());
                    letters += u32::from(c.is_ascii_alphabetic());
                    i += 1;
                }
                // Inner apostrophes and hyphens ("O'Neal", "Smith-Jones", "MS08-067").
                Some(&c @ (b'\'' | b'-')) if b.get(i + 1).is_some_and(|&n| is_word_byte(n)) => {
                    hyphens += u32::from(c == b'-');
                    i += 1;
                }
                _ => break,
            }
        }
        let first = b.get(start).copied().unwrap_or(0);
        let mut flags = 0;
        if first.is_ascii_uppercase() && lower > 0 && digits == 0 {
            flags |= CAP;
        }
        if first.is_ascii_uppercase()
            && upper >= 2
            && letters >= 2
            && digits >= 2
            && (hyphens > 0 || digits >= 4)
            && (5..=20).contains(&(i - start))
        {
            flags |= CODE;
        }
        if brk {
            flags |= BREAK;
        }
        if line {
            flags |= LINE;
        }
        if b.get(i) == Some(&b'.') {
            flags |= DOT_AFTER;
        }
        out.push(Tok {
            start: start as u32,
            end: i as u32,
            flags,
        });
        brk = false;
        line = false;
    }
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

fn word<'t>(text: &'t str, t: &Tok) -> &'t str {
    text.get(t.start as usize..t.end as usize).unwrap_or("")
}

fn has_lower(text: &str, t: Option<&Tok>, set: &FxHashSet<&'static str>) -> bool {
    let Some(t) = t else { return false };
    let mut buf = [0u8; 24];
    lower(word(text, t), &mut buf).is_some_and(|w| set.contains(w))
}

/// A person found in the text (keyed by surname).
#[derive(Default)]
struct Person {
    /// Fullest name seen.
    name: String,
    /// Some mention is a quoted source's.
    source: bool,
}

/// Marks the tokens of byline and credit lines: short lines that start with "By" or hold a
/// credit word ("Staff Writer", "Reporting by").
fn byline_tokens(text: &str, toks: &[Tok], l: &Lists) -> Vec<bool> {
    let mut skip = vec![false; toks.len()];
    let mut i = 0;
    while i < toks.len() {
        let mut j = i + 1;
        while toks.get(j).is_some_and(|t| t.flags & LINE == 0) {
            j += 1;
        }
        let line = toks.get(i..j).unwrap_or(&[]);
        let byline = line.len() <= 14
            && (line
                .first()
                .is_some_and(|t| word(text, t).eq_ignore_ascii_case("by"))
                || line
                    .iter()
                    .any(|t| has_lower(text, Some(t), &l.source_cues)));
        if byline && let Some(s) = skip.get_mut(i..j) {
            s.fill(true);
        }
        i = j;
    }
    skip
}

/// Confident participants of a page, most prominent first (the main ones flagged): at most
/// [`MAX_PAGE_PARTICIPANTS`] people, then as many codes.
pub fn main_participants(title: Option<&str>, text: &str) -> Vec<Participant> {
    let text = super::story_time::cut(text, MAX_TEXT_BYTES);
    let l = lists();
    let mut toks = Vec::with_capacity(text.len() / 5 + 1);
    tokenize(text, &mut toks);
    let skip_line = byline_tokens(text, &toks, l);

    let mut people: FxHashMap<String, Person> = FxHashMap::default();
    let mut codes: Vec<(String, u32, usize)> = Vec::new();
    let mut buf = [0u8; 24];
    let mut i = 0;
    while i < toks.len() {
        let Some(t) = toks.get(i) else { break };
        if t.flags & CODE != 0 {
            let w = word(text, t);
            if let Some(c) = codes.iter_mut().find(|c| c.0 == w) {
                c.1 += 1;
            } else if codes.len() < 16 {
                codes.push((w.to_string(), 1, i));
            }
        }
        if t.flags & CAP == 0 {
            i += 1;
            continue;
        }
        // A run of capitalized words; an initial ("R.") or a title ("Mr.") does not break it.
        let mut j = i + 1;
        while let Some(n) = toks.get(j) {
            let prev_ok = toks.get(j - 1).is_some_and(|p| {
                n.flags & BREAK == 0
                    || (p.flags & DOT_AFTER != 0
                        && (p.end - p.start == 1 || has_lower(text, Some(p), &l.title_cues)))
            });
            let initial = n.end - n.start == 1 && n.flags & DOT_AFTER != 0;
            if n.flags & LINE != 0 || !prev_ok || (n.flags & CAP == 0 && !initial) {
                break;
            }
            j += 1;
        }
        let run = i..j;
        i = j;
        if let Some(p) = person_in_run(text, &toks, run.clone(), l)
            && !skip_line.get(run.start).copied().unwrap_or(false)
        {
            let Some(key) = lower(&p.surname, &mut buf).map(str::to_string) else {
                continue;
            };
            // A quoted source: a source word within three words before or four after.
            let near = toks
                .get(run.start.saturating_sub(3)..(run.end + 4).min(toks.len()))
                .unwrap_or(&[]);
            let source = near
                .iter()
                .any(|t| t.flags & CAP == 0 && has_lower(text, Some(t), &l.source_cues));
            let e = people.entry(key).or_default();
            if p.full.len() > e.name.len() {
                e.name = p.full;
            }
            e.source |= source;
        }
    }
    if people.len() > 64 {
        // A list page (a roster, a cast): no main participant stands out.
        people.clear();
    }
    let mut out = rank_people(title, text, &toks, &people);
    codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    for (code, count, _) in codes.into_iter().take(MAX_PAGE_PARTICIPANTS) {
        out.push(Participant {
            name: code,
            kind: ParticipantKind::Code,
            score: count as f32,
            main: true,
        });
    }
    out
}

/// A person's name found in a run of capitalized words.
struct FoundName {
    full: String,
    surname: String,
}

/// The person a run of capitalized words names, if it clearly is one.
fn person_in_run(
    text: &str,
    toks: &[Tok],
    run: std::ops::Range<usize>,
    l: &Lists,
) -> Option<FoundName> {
    let run_toks = toks.get(run.clone())?;
    if run_toks
        .iter()
        .any(|t| has_lower(text, Some(t), &l.place_starts))
    {
        return None;
    }
    let mut buf = [0u8; 24];
    let mut s = run.start;
    // Sentence-start words, titles and capitalized roles before the name.
    let mut titled = false;
    while s < run.end {
        let Some(w) = toks.get(s).and_then(|t| lower(word(text, t), &mut buf)) else {
            break;
        };
        if l.title_cues.contains(w)
            || l.role_cues.contains(w)
            || (titled && l.thing_ends.contains(w))
        {
            titled = true;
        } else if !l.not_name.contains(w) {
            break;
        }
        s += 1;
    }
    // "Saints Reggie Bush": the name starts at its given name.
    if !titled
        && let Some(k) = (s + 1..run.end.saturating_sub(1))
            .find(|&k| has_lower(text, toks.get(k), &l.first_names))
    {
        s = k;
    }
    let mut e = run.end;
    while e > s && has_lower(text, toks.get(e - 1), &l.suffixes) {
        e -= 1;
    }
    let name_toks = toks.get(s..e)?;
    let (first, last) = (name_toks.first()?, name_toks.last()?);
    let cue_before = s == run.start
        && run.start > 0
        && (has_lower(text, toks.get(run.start - 1), &l.role_cues)
            || (run.start > 1
                && has_lower(text, toks.get(run.start - 2), &l.role_cues)
                && toks
                    .get(run.start - 1)
                    .is_some_and(|t| t.flags & (CAP | CODE) == 0)));
    let given = has_lower(text, Some(first), &l.first_names);
    let person = match name_toks.len() {
        1 => titled,
        2 | 3 => given || titled || cue_before,
        _ => false,
    };
    if !person
        || last.flags & CAP == 0
        || has_lower(text, Some(last), &l.thing_ends)
        || has_lower(text, Some(last), &l.not_name)
    {
        return None;
    }
    let full = text.get(first.start as usize..last.end as usize)?;
    let full = full.strip_suffix("'s").unwrap_or(full);
    let g = Gazetteer::get();
    let phrase = full.split_whitespace().collect::<Vec<_>>().join(" ");
    let known = g.lookup(&phrase).map(|e| e.kind);
    let surname = word(text, last);
    let surname = surname.strip_suffix("'s").unwrap_or(surname);
    let place_surname = g
        .lookup(surname)
        .is_some_and(|e| e.kind != EntityKind::Person);
    if matches!(known, Some(EntityKind::Place | EntityKind::Organization))
        || (place_surname && known != Some(EntityKind::Person))
    {
        return None;
    }
    Some(FoundName {
        full: if name_toks.len() > 1 {
            phrase
        } else {
            String::new()
        },
        surname: surname.to_string(),
    })
}

/// People ranked by prominence: mentions (surname back-references included), the lead and the
/// headline; only confident ones, at most three, each at least half the top score.
fn rank_people(
    title: Option<&str>,
    text: &str,
    toks: &[Tok],
    people: &FxHashMap<String, Person>,
) -> Vec<Participant> {
    let mut out: Vec<Participant> = Vec::new();
    if people.is_empty() {
        return out;
    }
    let mut buf = [0u8; 24];
    let mut mentions: FxHashMap<&str, (u32, bool)> = FxHashMap::default();
    for t in toks.iter().filter(|t| t.flags & CAP != 0) {
        if let Some(w) = lower(word(text, t), &mut buf)
            && let Some((k, _)) = people.get_key_value(w)
        {
            let m = mentions.entry(k.as_str()).or_default();
            m.0 += 1;
            m.1 |= (t.start as usize) < LEAD_BYTES;
        }
    }
    let title_words: Vec<String> = title
        .map(|t| {
            super::story_time::cut(t, 1024)
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                .filter_map(|w| lower(w, &mut buf).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for (key, p) in people {
        if p.source || p.name.is_empty() {
            continue;
        }
        let (count, lead) = mentions.get(key.as_str()).copied().unwrap_or((0, false));
        let in_title = title_words.iter().any(|w| w == key);
        let confident = (in_title && count >= 1) || count >= 3 || (lead && count >= 2);
        if !confident {
            continue;
        }
        let score = count.min(10) as f32
            + 3.0 * f32::from(u8::from(in_title))
            + 2.0 * f32::from(u8::from(lead));
        out.push(Participant {
            name: p.name.clone(),
            kind: ParticipantKind::Person,
            score,
            main: false,
        });
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
    out
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

/// Hashes of a page's participants (each list sorted, deduplicated, at most
/// [`MAX_PAGE_PARTICIPANTS`] main ones and twice that many known ones).
pub fn participants(title: Option<&str>, text: &str) -> PageParticipants {
    let found = main_participants(title, text);
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
    use super::*;

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
