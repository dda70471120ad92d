//! Numbers that identify a happening: final scores ("beat the Jaguars 31-24") and deal or damage
//! amounts ("$334 million", "$5.4 billion"). Two stories of the same kind whose scores or amounts
//! all differ (the Colts clinching a playoff berth against the Jaguars 31-24 vs against the Chiefs
//! 20-13) are two events, however many words they share.
//!
//! Facts are kept as small hashes whose top two bits hold the kind, so an event stores a handful
//! of `u32`s.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Most facts kept per page and per event.
pub const MAX_FACTS: usize = 8;
/// Most bytes of text looked at.
const MAX_TEXT_BYTES: usize = 16 * 1024;

const KIND_AGE: u32 = 0;
const KIND_SCORE: u32 = 1;
const KIND_AMOUNT: u32 = 2;
/// Bytes of the text's lead in which ages count (the subject of a story is introduced there:
/// "A 36-year-old Australian climber died…"; later ages are of other people).
const LEAD_BYTES: usize = 500;

/// Words near a score that make "31-24" a result (not a record, a ratio or a range).
const SCORE_CUES: &[&str] = &[
    "win", "wins", "won", "victory", "loss", "lost", "lose", "beat", "beats", "defeat", "defeated",
    "defeats", "top", "tops", "topped", "edge", "edged", "rout", "routed", "score", "final",
    "downed", "drubbing", "thrash", "thrashed",
];

/// Facts of a title and text (scores and amounts): sorted, deduplicated, at most
/// [`MAX_FACTS`].
pub fn facts(title: Option<&str>, text: &str) -> Vec<u32> {
    collect(title, text, false)
}

/// [`facts`] plus the ages stated in the title and the lead ("a 36-year-old climber").
pub fn facts_and_ages(title: Option<&str>, text: &str) -> Vec<u32> {
    collect(title, text, true)
}

fn collect(title: Option<&str>, text: &str, ages: bool) -> Vec<u32> {
    let mut out = Vec::new();
    if let Some(t) = title {
        scan(super::story_time::cut(t, 1024), &mut out);
    }
    scan(super::story_time::cut(text, MAX_TEXT_BYTES), &mut out);
    if ages {
        if let Some(t) = title {
            scan_ages(super::story_time::cut(t, 1024), &mut out);
        }
        scan_ages(super::story_time::cut(text, LEAD_BYTES), &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out.truncate(MAX_FACTS);
    out
}

/// A run of ASCII digits at `i`: its value (saturating) and end.
fn number_at(b: &[u8], mut i: usize) -> (u64, usize) {
    let mut v: u64 = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(u64::from(c - b'0'));
        i += 1;
    }
    (v, i)
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| c == b' ') {
        i += 1;
    }
    i
}

fn scan(text: &str, out: &mut Vec<u32>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < 4 * MAX_FACTS {
        let Some(&c) = b.get(i) else { break };
        let found = if c == b'$' {
            amount(text, i + 1)
        } else if c.is_ascii_digit() && !after_number_char(b, i) {
            score(text, i)
        } else {
            None
        };
        if let Some((fact, end)) = found {
            out.push(fact);
            i = end;
            continue;
        }
        i += 1;
    }
}

/// Whether the byte before `i` continues a number or a word ("a1", "1.5", "2,000", "$5").
fn after_number_char(b: &[u8], i: usize) -> bool {
    i.checked_sub(1).and_then(|j| b.get(j)).is_some_and(|p| {
        p.is_ascii_alphanumeric() || matches!(p, b'.' | b',' | b'/' | b':' | b'-' | b'$')
    })
}

/// "31-24", "20 - 13", "31–24" next to a result word.
fn score(text: &str, start: usize) -> Option<(u32, usize)> {
    let b = text.as_bytes();
    let (a, end_a) = number_at(b, start);
    if end_a - start > 3 {
        return None;
    }
    let mut j = skip_spaces(b, end_a);
    if b.get(j) == Some(&b'-') {
        j += 1;
    } else if text.get(j..).is_some_and(|s| s.starts_with('\u{2013}')) {
        j += '\u{2013}'.len_utf8();
    } else {
        return None;
    }
    j = skip_spaces(b, j);
    let (c, end_c) = number_at(b, j);
    if end_c == j || end_c - j > 3 {
        return None;
    }
    // "2013-09-26", "1-2-3", "31-24.5": not a score.
    if matches!(b.get(end_c), Some(b'-' | b'/' | b'.' | b':'))
        && b.get(end_c + 1).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    if a > 200 || c > 200 || !near_cue(text, start, end_c) {
        return None;
    }
    let (hi, lo) = (a.max(c), a.min(c));
    Some((fact_hash(KIND_SCORE, hi * 1000 + lo), end_c))
}

/// Whether a result word is within a few words before or after `start..end`.
fn near_cue(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).unwrap_or("");
    let after = text.get(end..).unwrap_or("");
    let words_before = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(3);
    let words_after = after
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(3);
    words_before
        .chain(words_after)
        .any(|w| SCORE_CUES.iter().any(|c| w.eq_ignore_ascii_case(c)))
}

/// "$334 million", "$5.4 billion", "$1,200,000" (at least a million): value in units of
/// $100,000, so spellings of one amount agree.
fn amount(text: &str, start: usize) -> Option<(u32, usize)> {
    let b = text.as_bytes();
    let (mut whole, mut i) = number_at(b, start);
    if i == start {
        return None;
    }
    // Thousands separators.
    while b.get(i) == Some(&b',')
        && b.get(i + 1..i + 4)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
    {
        let (part, end) = number_at(b, i + 1);
        whole = whole.saturating_mul(1000).saturating_add(part);
        i = end;
    }
    let mut frac = 0u64;
    let mut frac_digits = 0u32;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        let (f, end) = number_at(b, i + 1);
        frac_digits = (end - i - 1).min(6) as u32;
        frac = f;
        i = end;
    }
    let j = skip_spaces(b, i);
    let rest = text.get(j..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let scale: u64 = match word.as_str() {
        "million" | "mln" | "m" => 1_000_000,
        "billion" | "bn" | "b" => 1_000_000_000,
        "trillion" => 1_000_000_000_000,
        _ => 1,
    };
    let end = if scale > 1 { j + word.len() } else { i };
    let frac_value = if frac_digits > 0 {
        scale.saturating_mul(frac) / 10u64.saturating_pow(frac_digits)
    } else {
        0
    };
    let value = whole.saturating_mul(scale).saturating_add(frac_value);
    if value < 1_000_000 {
        return None;
    }
    Some((fact_hash(KIND_AMOUNT, value / 100_000), end))
}

/// Ages ("26-year-old") in a title or a lead.
fn scan_ages(text: &str, out: &mut Vec<u32>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < 4 * MAX_FACTS {
        if b.get(i).is_some_and(u8::is_ascii_digit)
            && !after_number_char(b, i)
            && let Some((fact, end)) = age(text, i)
        {
            out.push(fact);
            i = end;
            continue;
        }
        i += 1;
    }
}

/// Whether `s` starts with `word` (ASCII case-insensitive) after optional spaces and hyphens;
/// the position after it.
fn word_after(s: &str, word: &str) -> Option<usize> {
    let skip = s.len() - s.trim_start_matches([' ', '-', '\u{2013}']).len();
    let head = s.get(skip..skip + word.len())?;
    head.eq_ignore_ascii_case(word).then_some(skip + word.len())
}

/// An age: "26-year-old", "26 - year - old" (a person's age identifies them across reports).
fn age(text: &str, start: usize) -> Option<(u32, usize)> {
    let b = text.as_bytes();
    let (n, end) = number_at(b, start);
    if end - start > 3 || !(1..=120).contains(&n) {
        return None;
    }
    let rest = text.get(end..)?;
    if !rest.starts_with(['-', ' ', '\u{2013}']) {
        return None;
    }
    let a = word_after(rest, "year")?;
    let o = word_after(rest.get(a..)?, "old")?;
    // Ages are kept as values (not hashes) so that a year apart still matches (the same
    // person at the crime and at the trial).
    Some(((KIND_AGE << 30) | n as u32, end + a + o))
}

fn fact_hash(kind: u32, value: u64) -> u32 {
    let h = xxh3_64_with_seed(&value.to_le_bytes(), u64::from(kind)) as u32;
    (kind << 30) | (h & 0x3FFF_FFFF)
}

/// Whether two fact sets clearly disagree: for some kind both sides state facts and share none
/// of that kind, and they share no fact of any kind.
pub fn facts_conflict(page: &[u32], event: &[u32]) -> bool {
    if page.is_empty() || event.is_empty() {
        return false;
    }
    if page.iter().any(|f| event.iter().any(|e| same_fact(*f, *e))) {
        return false;
    }
    let kinds = |s: &[u32]| s.iter().fold(0u8, |m, f| m | (1 << (f >> 30)));
    kinds(page) & kinds(event) != 0
}

/// Whether two facts agree: equal, or ages at most a year apart.
fn same_fact(a: u32, b: u32) -> bool {
    a == b || (a >> 30 == KIND_AGE && b >> 30 == KIND_AGE && a.abs_diff(b) <= 1)
}

/// Add a page's facts to an event's (bounded: the first [`MAX_FACTS`] distinct facts stay).
pub fn merge_facts(event: &mut Vec<u32>, page: &[u32]) {
    for f in page {
        if event.len() >= MAX_FACTS {
            break;
        }
        if !event.contains(f) {
            event.push(*f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_need_a_result_word() {
        let a = facts(None, "The Colts beat the Jaguars 31-24 on Thursday.");
        assert_eq!(a.len(), 1);
        assert_eq!(a, facts(Some("Colts top Jaguars, 24 - 31"), ""));
        assert_ne!(a, facts(None, "Colts win 20 - 13 at Kansas City"));
        assert_eq!(facts(None, "The Colts win 31\u{2013}24"), a);
        // Records, dates and ranges are not scores.
        assert!(facts(None, "The Saints are 7-7 this season.").is_empty());
        assert!(facts(None, "won on 2013-09-26 and 12-05-2012").is_empty());
        assert!(facts(None, "victory by 300-200 votes").is_empty());
    }

    #[test]
    fn amounts_agree_across_spellings() {
        let a = facts(None, "AMD will buy SeaMicro for $334 million.");
        assert_eq!(a.len(), 1);
        assert_eq!(a, facts(None, "a $334,000,000 deal"));
        assert_eq!(a, facts(None, "paid $334m"));
        let b = facts(None, "AMD to buy ATI for $5.4 billion");
        assert_eq!(b, facts(None, "the $5,400 million takeover"));
        assert_ne!(a, b);
        assert!(facts(None, "a $50 fine and $999,999").is_empty());
    }

    #[test]
    fn conflicts_need_the_same_kind_and_nothing_shared() {
        let jaguars = facts(None, "beat the Jaguars 31-24");
        let chiefs = facts(None, "beat the Chiefs 20-13");
        let deal = facts(None, "a $334 million deal");
        assert!(facts_conflict(&jaguars, &chiefs));
        assert!(!facts_conflict(&jaguars, &jaguars));
        assert!(!facts_conflict(&jaguars, &deal));
        assert!(!facts_conflict(&[], &chiefs));
        let mut event = chiefs.clone();
        merge_facts(&mut event, &jaguars);
        assert!(!facts_conflict(&jaguars, &event));
        for i in 0..20 {
            merge_facts(&mut event, &[fact_hash(KIND_SCORE, i)]);
        }
        assert_eq!(event.len(), MAX_FACTS);
    }

    #[test]
    fn ages_in_the_lead_are_facts() {
        let a = facts_and_ages(None, "A 36-year-old Australian climber died on Mount Cook.");
        assert_eq!(a.len(), 1);
        assert!(facts(None, "A 36-year-old Australian climber died on Mount Cook.").is_empty());
        assert_eq!(
            a,
            facts_and_ages(Some("Climber, 36 - year - old, dies"), "")
        );
        let b = facts_and_ages(None, "A 26-year-old climber died on Mount Cook.");
        assert!(facts_conflict(&a, &b));
        // A year later at the trial, the same person.
        assert!(!facts_conflict(
            &a,
            &facts_and_ages(None, "the 37-year-old climber")
        ));
        assert!(facts_and_ages(None, "in 26 years old habits die hard").is_empty());
        // Ages after the lead are other people's.
        let late = format!(
            "{} His 60-year-old father said.",
            "Lead sentence. ".repeat(40)
        );
        assert!(facts_and_ages(None, &late).is_empty());
    }

    #[test]
    fn hostile_text_is_bounded() {
        let s = "won 1-1 ".repeat(10_000) + "$9999999999999999999999999 trillion";
        assert!(facts(None, &s).len() <= MAX_FACTS);
        assert!(facts(None, "$").is_empty());
        assert!(facts(None, "é$1.5 billion").len() == 1);
    }
}
