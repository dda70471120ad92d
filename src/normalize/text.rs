//! Page-text extraction: text that was already extracted from a page but still carries the
//! site's chrome (menus, breadcrumbs, tickers, share/advertisement labels, captions, credits,
//! mirror-address notes, e-mail lines, copyright footers).
//!
//! Each line is classified by features (length, punctuation, separators, neighbours, wording),
//! then the headline is the last headline-like line before the first prose line, and the body
//! runs from there to the last prose line.

use super::boilerplate::{self, contains_ignore_ascii_case};
use super::clean::{self, count_words};
use super::dateline;
use super::dates::{self, FoundDate};
use regex::Regex;
use std::sync::LazyLock;

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    /// Menu, ticker, breadcrumb, share/ad labels, footer, e-mail, URL.
    Chrome,
    /// Photo caption or credit.
    Caption,
    /// A short line carrying the publish date.
    Dateline,
    /// Prose.
    Body,
    /// A short line not judged yet (headline, subheading, label).
    Short,
}

struct Line<'a> {
    /// The cleaned line (a slice of the buffer all lines are cleaned into).
    text: &'a str,
    kind: Kind,
    words: usize,
    /// Cleaning `text` again would leave it unchanged (see [`clean::clean_whitespace_stable`]).
    stable: bool,
    date: Option<FoundDate>,
}

/// What the text extractor found.
#[derive(Debug, Default)]
pub struct TextExtraction {
    /// Article paragraphs, each already cleaned by [`clean::clean_whitespace`].
    pub paragraphs: Vec<String>,
    /// Per paragraph (same order and length as `paragraphs`): its [`count_words`] when
    /// cleaning it again would leave it unchanged, else `None`.
    pub paragraph_words: Vec<Option<usize>>,
    /// Headline.
    pub title: Option<String>,
    /// Date from the dateline.
    pub dateline: Option<FoundDate>,
    /// Date found in captions or text (weaker).
    pub text_date: Option<FoundDate>,
    /// Lines removed as captions/credits/datelines (scanned for agency credits).
    pub credit_lines: Vec<String>,
    /// Site name read from the dateline.
    pub site_name: Option<String>,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| dates::re(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"));
static URLISH: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(
        r"(?i)^(?:https?://\S+|www\.\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|ir|cn|ru|uk|de|fr|info|tv)\S*)$",
    )
});
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(
        r"(?i)\((?:[LRC]|L-R|R-L|left|right|center|centre|file|file photo|photo|[^()]{0,30}\bphoto|[^()]{0,30}\bimages?)\)|\b(?:AP|AFP|Reuters|EPA|Xinhua|TASS)\s*Photo\b|\bPhoto(?:graph)?\s*(?:by|:|credit)|/\s*(?:AFP|Reuters|AP|EPA|Getty Images)\b|\bGetty Images\b",
    )
});
static CAPTION_VERB: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(
        r"\b(?:left|right|center|centre)\s+(?:speaks|talks|shakes|shake|poses|pose|gestures|listens|looks|walks|arrives|attends|waves|smiles|meets|greets|sits|stands|delivers|holds)\b|\b(?:shake hands|pose for (?:a )?(?:photo|photographs|pictures|cameras))\b",
    )
});
static WEEKDAY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(
        r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+(?:19|20)\d{2}\b",
    )
});

/// Whether `t` may match [`URLISH`]: every alternative needs a '.' or "://".
fn may_be_url(t: &str) -> bool {
    memchr::memchr2(b'.', b':', t.as_bytes()).is_some()
}

fn is_separator_line(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| !c.is_alphanumeric()) && t.chars().count() <= 3
}

/// Ends like a sentence (or an abbreviation that can end a headline, like "Sept.").
fn ends_sentence(t: &str) -> bool {
    t.trim_end_matches(['"', '”', '’', '\'', ')', '»', ' '])
        .ends_with(['.', '!', '?', '。', '！', '？', '…'])
}

/// Ends in a clock time's "a.m." / "p.m." (also spaced, "2: 47 p. m."): a timestamp line
/// ("Aug. 05, 2013 | 2:47 p.m."), not a sentence.
fn ends_with_clock_suffix(t: &str) -> bool {
    let mut tail = t
        .trim_end()
        .bytes()
        .rev()
        .filter(|&b| b != b' ')
        .map(|b| b.to_ascii_lowercase());
    let last4: [Option<u8>; 4] = std::array::from_fn(|_| tail.next());
    matches!(
        last4,
        [Some(b'.'), Some(b'm'), Some(b'.'), Some(b'a' | b'p')]
    ) && tail.next().is_some_and(|b| b.is_ascii_digit())
}

fn ends_with_abbreviation(t: &str) -> bool {
    let last = last_word(t);
    let core = last.trim_end_matches('.');
    last.ends_with('.')
        && (is_month_name(core)
            || matches!(
                core,
                "U.S" | "U.K" | "U.N" | "Jr" | "Sr" | "Inc" | "Co" | "Ltd" | "St" | "Corp"
            )
            || (core.len() <= 2 && core.chars().all(|c| c.is_uppercase())))
}

/// The last whitespace-separated word of `t` (`split_whitespace().next_back()`, or ""). Cleaned
/// lines end in a word after a single ASCII space, found by one byte search; other texts take
/// the general path.
fn last_word(t: &str) -> &str {
    let tail = match memchr::memrchr(b' ', t.as_bytes()) {
        Some(p) => t.get(p + 1..).unwrap_or_default(),
        None => t,
    };
    // A non-empty tail without whitespace (a byte in 0x09..=0x0d or a non-ASCII char) after
    // the last space, or making up the whole text, is the last word.
    if !tail.is_empty()
        && !tail
            .bytes()
            .any(|b| (0x09..=0x0d).contains(&b) || b >= 0x80)
    {
        return tail;
    }
    t.split_whitespace().next_back().unwrap_or_default()
}

/// [`dates::month_number`] of the lowercased word is some; short ASCII words are lowercased
/// on the stack.
fn is_month_name(word: &str) -> bool {
    let mut buf = [0u8; 16];
    match buf.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower)
                .ok()
                .and_then(dates::month_number)
                .is_some()
        }
        _ => dates::month_number(&word.to_lowercase()).is_some(),
    }
}

/// A line that reads like prose.
fn is_prose(t: &str, words: usize) -> bool {
    (words >= 8 && (ends_sentence(t) && !ends_with_abbreviation(t) || words >= 16))
        || (words >= 4 && ends_sentence(t) && !ends_with_abbreviation(t) && t.contains(' '))
        // 30 unspaced-script chars take at least 90 bytes (three each, all non-ASCII).
        || (t.len() >= 90
            && !t.is_ascii()
            && t.chars()
                .filter(|&c| super::clean::is_unspaced_script(c))
                .count()
                >= 30)
}

fn is_ticker(t: &str) -> bool {
    // '•' and '·' are encoded with a 0xE2 / 0xC2 lead byte: lines without these bytes and
    // without '|' skip the char scan.
    if memchr::memchr3(b'|', 0xE2, 0xC2, t.as_bytes()).is_none() || !t.contains(['•', '|', '·'])
    {
        return false;
    }
    let seps = t.matches(" • ").count() + t.matches(" | ").count() + t.matches(" · ").count();
    seps >= 2
}

fn is_breadcrumb(t: &str, words: usize) -> bool {
    words <= 10
        // '»' and '›' are encoded with a 0xC2 / 0xE2 lead byte.
        && memchr::memchr3(b'>', 0xC2, 0xE2, t.as_bytes()).is_some()
        && t.contains(['>', '»', '›'])
        && (t.contains("->") || t.contains(" > ") || t.contains(" » ") || t.contains(" › "))
}

/// Literals one of which every [`CAPTION_VERB`] match contains ("cent" for center/centre):
/// lines without any skip the regex. Separate SIMD substring searches cost less on prose than
/// one automaton over all of them.
static CAPTION_VERB_LITERALS: LazyLock<[memchr::memmem::Finder<'static>; 5]> =
    LazyLock::new(|| {
        ["left", "right", "cent", "shake hands", "pose for"].map(memchr::memmem::Finder::new)
    });

fn caption_verb(t: &str) -> bool {
    let maybe = CAPTION_VERB_LITERALS
        .iter()
        .any(|f| f.find(t.as_bytes()).is_some());
    maybe && CAPTION_VERB.is_match(t)
}

/// Whether `t` may match [`CAPTION`]: every branch needs '(', '/', "photo" or "getty".
fn may_be_caption(t: &str) -> bool {
    // Every [`CAPTION`] alternative needs "photo", "image", "getty" or '/', or else a
    // parenthesized position label. None of these letters has a non-ASCII case variant.
    let b = t.as_bytes();
    memchr::memchr(b'/', b).is_some()
        || has_caption_word(b)
        || t.match_indices('(').any(|(i, _)| {
            let after = b.get(i + 1..).unwrap_or_default();
            [
                "l)", "r)", "c)", "l-r)", "r-l)", "left)", "right)", "center)", "centre)", "file)",
            ]
            .iter()
            .any(|l| {
                after
                    .get(..l.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(l.as_bytes()))
            })
        })
}

/// Whether `b` holds "photo", "image" or "getty" in any ASCII case: lowercased once into a
/// stack buffer, then each 'p', 'i' or 'g' is looked at.
fn has_caption_word(b: &[u8]) -> bool {
    let mut buf = [0u8; 256];
    let Some(lower) = buf.get_mut(..b.len()) else {
        return contains_ignore_ascii_case(b, b"photo")
            || contains_ignore_ascii_case(b, b"image")
            || contains_ignore_ascii_case(b, b"getty");
    };
    lower.copy_from_slice(b);
    lower.make_ascii_lowercase();
    let lower = &*lower;
    memchr::memchr3_iter(b'p', b'i', b'g', lower)
        .any(|i| matches!(lower.get(i..i + 5), Some(b"photo" | b"image" | b"getty")))
}

/// `verb` is [`caption_verb`] of `t`, computed by the caller.
fn is_caption(t: &str, verb: impl FnOnce() -> bool) -> bool {
    may_be_caption(t) && CAPTION.is_match(t)
        || verb() && (WEEKDAY_DATE.is_match(t) || t.contains(" 20"))
}

/// A short credit line: a person's name followed by an agency or "Photo".
fn is_credit_line(t: &str, words: usize) -> bool {
    if words == 0 || words > 6 || ends_sentence(t) {
        return false;
    }
    let mut found = Vec::new();
    super::agencies::credits_in(t, &mut found);
    !found.is_empty()
}

/// Extract paragraphs, headline, dateline and credits from chrome-laden page text.
pub fn extract(body: &str) -> TextExtraction {
    // Every line is cleaned into one buffer (no string per line); lines are slices of it.
    // Its words are counted right after cleaning, while it is in cache.
    let mut cleaned = String::with_capacity(body.len());
    let n_lines = (memchr::memchr_iter(b'\n', body.as_bytes()).count() + 1).min(MAX_LINES);
    let mut spans: Vec<(usize, usize, bool, usize)> = Vec::with_capacity(n_lines);
    for raw in raw_lines(body).take(MAX_LINES) {
        let start = cleaned.len();
        let stable = clean::clean_whitespace_stable_into(raw, &mut cleaned);
        let words = count_words(cleaned.get(start..).unwrap_or_default());
        spans.push((start, cleaned.len(), stable, words));
    }
    let mut lines: Vec<Line> = spans
        .into_iter()
        .map(|(start, end, stable, words)| {
            let text = cleaned.get(start..end).unwrap_or_default();
            Line {
                kind: if text.is_empty() {
                    Kind::Blank
                } else {
                    Kind::Short
                },
                text,
                words,
                stable,
                date: None,
            }
        })
        .collect();
    classify_lines(&mut lines);
    assemble(lines)
}

/// Most lines of a body that are looked at.
const MAX_LINES: usize = 200_000;

/// The lines of `body` as [`str::lines`] gives them (split at '\n', a '\r' before it
/// dropped, no empty line after a final '\n'), found by the SIMD byte search.
fn raw_lines(body: &str) -> impl Iterator<Item = &str> {
    let mut rest = body;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(nl) = memchr::memchr(b'\n', rest.as_bytes()) else {
            return Some(std::mem::take(&mut rest));
        };
        let line = rest.get(..nl).unwrap_or_default();
        rest = rest.get(nl + 1..).unwrap_or_default();
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

fn classify_lines(lines: &mut [Line<'_>]) {
    let n = lines.len();
    for i in 0..n {
        let Some(line) = lines.get(i) else { continue };
        if line.kind == Kind::Blank {
            continue;
        }
        let t = line.text;
        let words = line.words;
        let kind = if is_separator_line(t)
            || is_ticker(t)
            || is_breadcrumb(t, words)
            || (words <= 30 && boilerplate::is_chrome_phrase(t))
            || (words <= 12 && t.contains('@') && EMAIL.is_match(t))
            || (!t.contains(' ') && may_be_url(t) && URLISH.is_match(t))
        {
            Kind::Chrome
        } else if is_caption_line(t, words) {
            Kind::Caption
        } else if is_prose(t, words) {
            Kind::Body
        } else {
            Kind::Short
        };
        if let Some(l) = lines.get_mut(i) {
            l.kind = kind;
        }
    }
    // Datelines: short non-prose lines holding a date.
    let mut order = None;
    for i in 0..n {
        let Some(l) = lines.get(i) else { continue };
        // A short line ending in "p.m." reads as a sentence but is a timestamp.
        let timestamp = l.kind == Kind::Body && l.words <= 8 && ends_with_clock_suffix(l.text);
        if !(matches!(l.kind, Kind::Short | Kind::Chrome) || timestamp) || l.words > 16 {
            continue;
        }
        // Every date found needs an ASCII digit.
        if !clean::has_ascii_digit(l.text) {
            continue;
        }
        let date = dates::find_first(l.text).or_else(|| numeric_dateline(lines, i, &mut order));
        if let (Some(d), Some(l)) = (date, lines.get_mut(i)) {
            l.kind = Kind::Dateline;
            l.date = Some(d);
        }
    }
    // Menus: short lines next to separator lines, and runs of ≥ 3 consecutive short lines.
    for i in 0..n {
        let is_short = lines
            .get(i)
            .is_some_and(|l| l.kind == Kind::Short && l.words <= 5);
        if !is_short {
            continue;
        }
        let near_sep = [i.wrapping_sub(1), i + 1].iter().any(|&j| {
            lines
                .get(j)
                .is_some_and(|l| l.kind == Kind::Chrome && is_separator_line(l.text))
        });
        if near_sep && let Some(l) = lines.get_mut(i) {
            l.kind = Kind::Chrome;
        }
    }
    let mut i = 0;
    while i < n {
        let start = i;
        while lines
            .get(i)
            .is_some_and(|l| l.kind == Kind::Short && l.words <= 5)
        {
            i += 1;
        }
        if i - start >= 3 {
            for l in lines.iter_mut().take(i).skip(start) {
                l.kind = Kind::Chrome;
            }
        }
        i = i.max(start + 1);
    }
    // Ticker headings ("Off the wire") and notes that introduce chrome ("…addresses:").
    for i in 0..n {
        let next_chrome = lines
            .iter()
            .skip(i + 1)
            .find(|l| l.kind != Kind::Blank)
            .is_some_and(|l| l.kind == Kind::Chrome);
        if let Some(l) = lines.get_mut(i)
            && l.kind == Kind::Short
            && next_chrome
            && (l.words <= 4 || l.text.ends_with(':'))
        {
            l.kind = Kind::Chrome;
        }
    }
    // A prose-looking note that ends with ':' right before chrome (mirror-address notes).
    for i in 0..n {
        let next_chrome = lines
            .iter()
            .skip(i + 1)
            .find(|l| l.kind != Kind::Blank)
            .is_none_or(|l| l.kind == Kind::Chrome);
        if let Some(l) = lines.get_mut(i)
            && matches!(l.kind, Kind::Body | Kind::Short)
            && l.text.ends_with(':')
            && next_chrome
        {
            l.kind = Kind::Chrome;
        }
    }
}

/// A photo caption or credit line.
/// A numeric dateline ("Posted at 3:21 PM ET, 01/5/2011") on line `i`; the page's day/month
/// order is read once, on the first line that needs it.
fn numeric_dateline(
    lines: &[Line<'_>],
    i: usize,
    order: &mut Option<Option<dateline::Order>>,
) -> Option<FoundDate> {
    let text = lines.get(i)?.text;
    if !text.contains('/') {
        return None;
    }
    let order = *order.get_or_insert_with(|| dateline::page_order(lines.iter().map(|l| l.text)));
    dateline::parse(text, order)
}

fn is_caption_line(t: &str, words: usize) -> bool {
    // caption_verb of the line's head; the whole line's is the same when it is short. The
    // verb only counts next to a date or " 20" (both need a digit) or "(L)"/"(R)" in the
    // head: other lines skip its literal scans.
    let head = caption_head(t);
    let verb_head = verb_may_count(t, head) && caption_verb(head);
    let verb = || {
        if head.len() == t.len() {
            verb_head
        } else {
            caption_verb(t)
        }
    };
    words <= 20 && is_caption(t, verb)
        || is_caption_long(head, verb_head)
        || is_credit_line(t, words)
}

/// Whether [`caption_verb`] can change the answer of [`is_caption_line`]: every test it is
/// combined with needs an ASCII digit in the line (a weekday date, a date [`dates::find_first`]
/// finds, " 20") or "(L)"/"(R)" in its head.
fn verb_may_count(t: &str, head: &str) -> bool {
    clean::has_ascii_digit(t)
        || (head.contains('(') && (head.contains("(L)") || head.contains("(R)")))
}

/// The first 220 characters of a line, where [`is_caption_long`] looks.
fn caption_head(t: &str) -> &str {
    clean::first_chars(t, 220)
}

/// Long captions: "X (L) and Y shake hands …", "X left speaks with Y … Tuesday Dec. 15 2015."
/// `head` is [`caption_head`] of the line, `verb_head` its [`caption_verb`].
fn is_caption_long(head: &str, verb_head: bool) -> bool {
    verb_head
        && (WEEKDAY_DATE.is_match(head)
            || dates::find_first(head).is_some()
            || head.contains("(L)")
            || head.contains("(R)"))
}

fn assemble(lines: Vec<Line<'_>>) -> TextExtraction {
    let mut out = TextExtraction::default();
    let first_body = lines
        .iter()
        .position(|l| l.kind == Kind::Body && l.words >= 12)
        .or_else(|| lines.iter().position(|l| l.kind == Kind::Body));
    let last_body = lines.iter().rposition(|l| l.kind == Kind::Body);
    let (Some(first_body), Some(last_body)) = (first_body, last_body) else {
        // No prose: keep the short lines that are not chrome, flagged later as a non-article.
        for l in &lines {
            if l.kind == Kind::Short {
                out.paragraphs.push(l.text.to_string());
                out.paragraph_words.push(l.stable.then_some(l.words));
            }
        }
        return out;
    };
    // Headline: the last headline-like line before the first prose line.
    let mut title_idx = None;
    for (i, l) in lines.iter().enumerate().take(first_body) {
        let headline_like = (2..=30).contains(&l.words)
            && (!ends_sentence(l.text)
                || ends_with_abbreviation(l.text)
                || (l.text.ends_with(['?', '!']) && l.words <= 20 && dateline_follows(&lines, i)))
            && !l.text.ends_with(':');
        if matches!(l.kind, Kind::Short | Kind::Body) && headline_like {
            title_idx = Some(i);
        }
    }
    // A short first line ending in '.' can still be the headline ("…talks by Sept.").
    out.title = title_idx
        .and_then(|i| lines.get(i))
        .map(|l| l.text.to_string());
    let mut dateline_label = None;
    for (i, l) in lines.iter().enumerate() {
        match l.kind {
            Kind::Dateline => {
                if out.dateline.is_none() && i <= first_body + 2 {
                    out.dateline = l.date;
                    out.site_name = site_from_dateline(l.text);
                    dateline_label = dateline::label_of(l.text);
                } else if i <= first_body + 2
                    && dateline_label == Some(dateline::Label::Update)
                    && dateline::label_of(l.text) == Some(dateline::Label::Publish)
                {
                    // "Last updated …" then "Posted …": the publish date wins.
                    out.dateline = l.date;
                    dateline_label = Some(dateline::Label::Publish);
                } else if out.text_date.is_none() {
                    out.text_date = l.date;
                }
                out.credit_lines.push(l.text.to_string());
            }
            Kind::Caption => {
                if out.text_date.is_none() {
                    out.text_date = dates::find_first(l.text);
                }
                out.credit_lines.push(l.text.to_string());
            }
            Kind::Chrome if l.words <= 8 && i > last_body => {
                // Trailing short lines may be credits ("Alexander Scherbak TASS").
                out.credit_lines.push(l.text.to_string());
            }
            _ => {}
        }
        if Some(i) == title_idx || i < first_body.min(title_idx.map_or(first_body, |t| t + 1)) {
            continue;
        }
        if i < first_body && l.kind != Kind::Body {
            continue;
        }
        if i > last_body {
            if l.kind == Kind::Short && l.words <= 8 {
                out.credit_lines.push(l.text.to_string());
            }
            continue;
        }
        if matches!(l.kind, Kind::Body | Kind::Short) {
            out.paragraphs.push(l.text.to_string());
            out.paragraph_words.push(l.stable.then_some(l.words));
        }
    }
    out
}

/// The next non-blank line after line `i` is a dateline: a question or exclamation right
/// above it is the headline ("A return to tradition?" / "Aug. 05, 2013 | 2:47 p.m.").
fn dateline_follows(lines: &[Line<'_>], i: usize) -> bool {
    lines
        .iter()
        .skip(i + 1)
        .find(|l| l.kind != Kind::Blank)
        .is_some_and(|l| l.kind == Kind::Dateline)
}

/// "2015-December-16 08:53 Shenzhen Daily" → "Shenzhen Daily".
fn site_from_dateline(t: &str) -> Option<String> {
    let tail = t.rsplit(|c: char| c.is_ascii_digit()).next()?.trim();
    let tail = tail.trim_matches(|c: char| !c.is_alphanumeric());
    let words = tail.split_whitespace().count();
    let capitalized = tail
        .split_whitespace()
        .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    let mut agencies = Vec::new();
    super::agencies::credits_in(tail, &mut agencies);
    ((1..=4).contains(&words)
        && capitalized
        && agencies.is_empty()
        && !boilerplate::is_chrome_phrase(tail))
    .then(|| tail.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rounds` random strings of fewer than `max_pieces` of `pieces` (xorshift64 from `seed`),
    /// each with the generator state it was drawn from: the fast-path tests' inputs.
    fn random_texts<'a>(
        pieces: &'a [&'a str],
        mut seed: u64,
        rounds: usize,
        max_pieces: u64,
    ) -> impl Iterator<Item = (u64, String)> + 'a {
        (0..rounds).map(move |_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut t = String::new();
            for k in 0..(seed % max_pieces) {
                t.push_str(pieces[((seed >> (5 * k)) as usize) % pieces.len()]);
            }
            (seed, t)
        })
    }

    #[test]
    fn caption_words_match_the_case_insensitive_searches() {
        let pieces = [
            "photo",
            "PHOTO",
            "Photograph",
            "phot",
            "image",
            "IMAGES",
            "imag",
            "getty",
            "Getty",
            "gett",
            "p",
            "i",
            "g",
            " ",
            "’",
            "\u{a0}",
            "\u{301}",
            "\u{7}",
            "深",
            "ไทย",
            "\u{1f600}",
            "İ",
            "(L)",
            "/",
        ];
        for (seed, mut t) in random_texts(&pieces, 0x2545_f491_4f6c_dd1d, 20_000, 8) {
            if seed.is_multiple_of(5) {
                t = format!("{} {t}", "word ".repeat(60));
            }
            let b = t.as_bytes();
            let want = contains_ignore_ascii_case(b, b"photo")
                || contains_ignore_ascii_case(b, b"image")
                || contains_ignore_ascii_case(b, b"getty");
            assert_eq!(has_caption_word(b), want, "{t:?}");
        }
    }

    #[test]
    fn raw_lines_match_str_lines() {
        let pieces = [
            "a",
            "b c",
            "\n",
            "\r\n",
            "\r",
            "\n\n",
            "é",
            "深",
            "\u{1f600}",
            " ",
        ];
        for (_, t) in random_texts(&pieces, 0x9e37_79b9_7f4a_7c15, 5_000, 9) {
            assert_eq!(
                raw_lines(&t).collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>(),
                "{t:?}"
            );
        }
        for t in ["", "\n", "\r", "a\r", "a\r\n", "\r\n\r\n", "a\n\nb\n"] {
            assert_eq!(
                raw_lines(t).collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn a_timestamp_line_ending_in_pm_is_a_dateline_under_a_question_headline() {
        let body = "Is the old tradition of the harbour festival coming back?\n\nAug. 05, 2013 | 2: 47 p. m.\n\nThe harbour festival returns this summer after a break of nine years, the organisers said on Monday.\n\nTickets go on sale next week.\n";
        let e = extract(body);
        assert_eq!(
            e.title.as_deref(),
            Some("Is the old tradition of the harbour festival coming back?")
        );
        let d = e.dateline.map(|d| d.at.naive_local().to_string());
        assert_eq!(d.as_deref(), Some("2013-08-05 14:47:00"));
        assert!(e.paragraphs.iter().all(|p| !p.contains("p. m.")));
        // A sentence that ends in "p.m." stays prose.
        let e = extract(
            "The council met at the town hall on Aug. 5, 2013, until well after 9 p.m.\n\nThe harbour festival returns this summer after a break of nine years, the organisers said.\n",
        );
        assert!(e.dateline.is_none());
        assert_eq!(e.paragraphs.len(), 2, "{:?}", e.paragraphs);
        assert!(ends_with_clock_suffix("Aug. 05, 2013 | 2:47 P.M. "));
        assert!(!ends_with_clock_suffix("He said p.m."));
    }

    #[test]
    fn menus_and_share_lines_are_dropped() {
        let e = extract(
            "-\nNews\n-\nSports\nShare\n\nKerry meets Lavrov in Moscow today\n\nThe U.S. Secretary of State met his Russian counterpart on Tuesday to discuss Syria.\n\nAdvertisement\n",
        );
        assert_eq!(
            e.title.as_deref(),
            Some("Kerry meets Lavrov in Moscow today")
        );
        assert_eq!(e.paragraphs.len(), 1, "{:?}", e.paragraphs);
        assert!(e.paragraphs[0].starts_with("The U.S. Secretary"));
    }

    #[test]
    fn prose_only_text_is_kept_whole() {
        let e = extract(
            "One sentence here that is long enough to count as prose.\n\nAnother one that is also long enough to be prose.",
        );
        assert_eq!(e.paragraphs.len(), 2);
    }

    #[test]
    fn caption_prefilter_admits_every_caption_match() {
        for t in [
            "Kerry (L) and Lavrov shake hands",
            "X (r-l) Y",
            "(Centre) a",
            "(FILE) a",
            "(File Photo) a",
            "(Xinhua/Li Xin)",
            "AFP PHOTO / John",
            "Reuters Photo",
            "Photograph: Jane Doe",
            "a (stock IMAGES) b",
            "© Getty Images",
            "no caption (here) at all",
        ] {
            if CAPTION.is_match(t) {
                assert!(may_be_caption(t), "{t:?}");
            }
        }
        assert!(!may_be_caption("no caption (here) at all"));
        assert!(may_be_caption("Kerry (L) and Lavrov"));
    }

    #[test]
    fn month_names_on_the_stack_match_lowercasing() {
        for w in [
            "Sept",
            "DEC",
            "dec",
            "December",
            "Janu",
            "x",
            "",
            "Décembre",
            "MÄRZ",
            "Sept.x",
        ] {
            assert_eq!(
                is_month_name(w),
                dates::month_number(&w.to_lowercase()).is_some(),
                "{w:?}"
            );
        }
        assert!(is_month_name("Sept"));
        assert!(ends_with_abbreviation("talks by Sept."));
        assert!(!ends_with_abbreviation("He left yesterday."));
    }

    #[test]
    fn caption_head_is_the_first_220_chars() {
        for t in [
            "a".repeat(300),
            format!("{}é{}", "a".repeat(219), "b".repeat(50)),
            format!("{}é{}", "a".repeat(220), "b".repeat(50)),
            format!("é{}", "a".repeat(300)),
            "深".repeat(100),
            "x".repeat(220),
        ] {
            let head: String = t.chars().take(220).collect();
            assert_eq!(caption_head(&t), head, "{t:?}");
        }
    }

    #[test]
    fn last_word_matches_split_whitespace() {
        for t in [
            "",
            " ",
            "word",
            "two words",
            "ends with space ",
            "  lead",
            "tab\tsep",
            "a b\tc",
            "nbsp\u{a0}end",
            "é ü",
            "x \u{2003}y",
            "x y\u{3000}",
            "Sept.",
            "by Sept.",
            "a  b",
            "line\nbreak",
        ] {
            assert_eq!(
                last_word(t),
                t.split_whitespace().next_back().unwrap_or_default(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn url_prefilter_admits_every_url_match() {
        for t in [
            "http://x",
            "https://example",
            "www.example.com",
            "example.com",
            "szdaily.sznews.com/a",
            "Advertorial",
            "a:b",
            "foo.bar",
        ] {
            if URLISH.is_match(t) {
                assert!(may_be_url(t), "{t:?}");
            }
        }
        assert!(URLISH.is_match("http://x") && may_be_url("http://x"));
        assert!(!may_be_url("Advertorial"));
    }

    #[test]
    fn site_name_from_dateline() {
        assert_eq!(
            site_from_dateline("2015-December-16 08:53 Shenzhen Daily").as_deref(),
            Some("Shenzhen Daily")
        );
        assert_eq!(
            site_from_dateline("Xinhua, December 15, 2015 Adjust font size:"),
            None
        );
    }
}
