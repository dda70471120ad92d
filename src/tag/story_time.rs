//! The clock written in a story: the years a page mentions, and whether a page and an event can
//! be about the same happening given the years each side is known or likely to date from.
//!
//! A page without a trusted publish date (and without a real fetch time) still tells roughly when
//! it was written: news mentions the current year, the last one, or the next one far more often
//! than years long past. The latest year a page mentions is therefore a soft estimate of its own
//! year: it rarely lies more than a year after the page (plans, contracts), and usually not many
//! years before it. Two pages that clearly disagree on their years cover two happenings (TDT: two
//! meetings of the same ministers months apart are two events).

/// Lowest and highest year taken as a year mention.
const MIN_YEAR: u16 = 1980;
const MAX_YEAR: u16 = 2100;
/// Most bytes of text looked at.
const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Words before a four-digit number that make it a quantity, not a year ("more than 2000").
const QUANTITY_WORDS: &[&str] = &[
    "than",
    "about",
    "some",
    "nearly",
    "over",
    "around",
    "almost",
    "approximately",
    "roughly",
    "least",
    "only",
    "just",
    "total",
    "were",
    "are",
    "had",
    "has",
    "killed",
    "estimated",
];

/// Words after a four-digit number that make it a quantity ("2000 people", "1999 booths" is
/// caught by the plural rule).
const COUNTED_WORDS: &[&str] = &[
    "people", "percent", "per", "feet", "meters", "metres", "km", "miles", "children", "police",
    "staff", "men", "women",
];

/// The latest plausible year mentioned in a title and text (`None` when none).
pub fn latest_year(title: Option<&str>, text: &str) -> Option<u16> {
    let a = title.and_then(|t| latest_in(cut(t, 1024)));
    let b = latest_in(cut(text, MAX_TEXT_BYTES));
    a.max(b)
}

/// `s` cut to at most `max` bytes, at a character boundary.
pub(super) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

fn latest_in(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    let mut best: Option<u16> = None;
    let mut i = 0;
    while i < b.len() {
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            continue;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i - start != 4 {
            continue;
        }
        let Some(year) = text.get(start..i).and_then(|s| s.parse::<u16>().ok()) else {
            continue;
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || best.is_some_and(|y| y >= year) {
            continue;
        }
        if is_year_context(text, start, i) {
            best = Some(year);
        }
    }
    best
}

/// Whether the four digits at `start..end` read as a year, not an amount, a time or a code.
fn is_year_context(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let before = start.checked_sub(1).and_then(|j| b.get(j)).copied();
    let after = b.get(end).copied();
    let after2 = b.get(end + 1).copied();
    // "2,000", "1.2000", "$2000", "#2010", "2000.5", "2000%", "2000-strong" stay amounts.
    if matches!(before, Some(b'.' | b',' | b'$' | b'#' | b':' | b'+')) {
        return false;
    }
    if matches!(after, Some(b'%'))
        || (matches!(after, Some(b'.' | b',' | b':')) && after2.is_some_and(|c| c.is_ascii_digit()))
    {
        return false;
    }
    if after.is_some_and(|c| c.is_ascii_alphabetic()) && !matches!(after, Some(b's')) {
        // "2000m", "2010th" (but "1990s" is a decade, still a year mention).
        return false;
    }
    let prev = text
        .get(..start)
        .unwrap_or("")
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    if prev.len() <= 14 && QUANTITY_WORDS.iter().any(|w| prev.eq_ignore_ascii_case(w)) {
        return false;
    }
    let next = text
        .get(end..)
        .unwrap_or("")
        .trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    if next.len() <= 12 && COUNTED_WORDS.iter().any(|w| next.eq_ignore_ascii_case(w)) {
        return false;
    }
    true
}

/// What one side (a page or an event) tells about its year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearEvidence {
    /// Years of trusted publish dates (first and last), when known.
    pub dated: Option<(u16, u16)>,
    /// Latest year mentioned in the text (for an event: the latest over its pages).
    pub mentioned: Option<u16>,
}

/// How far the two sides' years may disagree before they count as two happenings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearMargins {
    /// Years a page's latest mention may lag behind its own year (old background years only).
    pub lag: u16,
    /// Years a page may mention ahead of its own year (plans, contracts, next season).
    pub lead: u16,
    /// Between two undated sides: years apart their latest mentions may be (0 = not compared).
    pub undated_gap: u16,
}

/// Whether the year evidence of a page and an event clearly disagrees. Dated against dated is
/// left to the time decay (which measures days); this covers the cases where one side only has
/// year mentions.
pub fn years_conflict(page: YearEvidence, event: YearEvidence, m: YearMargins) -> bool {
    match (page.dated, event.dated) {
        (Some(_), Some(_)) => false,
        (Some((lo, hi)), None) => event
            .mentioned
            .is_some_and(|y| mention_conflicts(y, (lo, hi), m)),
        (None, Some(range)) => page
            .mentioned
            .is_some_and(|y| mention_conflicts(y, range, m)),
        (None, None) => match (page.mentioned, event.mentioned) {
            (Some(a), Some(b)) if m.undated_gap > 0 => a.abs_diff(b) > m.undated_gap,
            _ => false,
        },
    }
}

/// A latest mention `y` against dates in years `lo..=hi`: too old to be from then, or naming a
/// year too far ahead of them.
fn mention_conflicts(y: u16, (lo, hi): (u16, u16), m: YearMargins) -> bool {
    y.saturating_add(m.lag) < lo || y > hi.saturating_add(m.lead)
}

/// Calendar year of a time in ms since the epoch (UTC), clamped to `u16`.
pub fn year_of_ms(ms: i64) -> u16 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or(0, |d| d.year().clamp(0, i32::from(u16::MAX)) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_latest_year_mention() {
        assert_eq!(
            latest_year(
                Some("Saints place Thomas on injured reserve"),
                "Posted January 5, 2011. He was the 2006 draft pick."
            ),
            Some(2011)
        );
        assert_eq!(latest_year(None, "No year here, 12 or 123 or 12345."), None);
        assert_eq!(latest_year(None, "the 1990s were different"), Some(1990));
        assert_eq!(latest_year(None, "Published 2013-09-26 10:00"), Some(2013));
        assert_eq!(latest_year(None, "Posted 01/05/2011 at noon"), Some(2011));
    }

    #[test]
    fn amounts_are_not_years() {
        for s in [
            "more than 2000 booths",
            "2,000 booths",
            "a $2010 fee",
            "2000 people fled",
            "1.2010 ratio",
            "2010.5 points",
            "2010% rise",
            "the 2000m race",
            "at 20:15 local",
            "some 2030 soldiers",
        ] {
            assert_eq!(latest_year(None, s), None, "{s}");
        }
        assert_eq!(latest_year(None, "a 1850 law"), None);
        assert_eq!(latest_year(None, "in 2009, then in 2004"), Some(2009));
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        let long = "é".repeat(40_000) + " 2015";
        assert_eq!(latest_year(None, &long), None);
        assert_eq!(latest_year(Some(&"ü".repeat(700)), "in 2012"), Some(2012));
    }

    const M: YearMargins = YearMargins {
        lag: 1,
        lead: 2,
        undated_gap: 0,
    };

    fn dated(y: u16) -> YearEvidence {
        YearEvidence {
            dated: Some((y, y)),
            mentioned: Some(y),
        }
    }

    fn mentions(y: u16) -> YearEvidence {
        YearEvidence {
            dated: None,
            mentioned: Some(y),
        }
    }

    #[test]
    fn undated_side_conflicts_when_its_years_are_far_off() {
        // A page mentioning nothing after 2009 is not about a January 2011 happening.
        assert!(years_conflict(mentions(2009), dated(2011), M));
        assert!(!years_conflict(mentions(2010), dated(2011), M));
        // Mentions ahead: next year's plans are fine, three years ahead is not.
        assert!(!years_conflict(mentions(2013), dated(2011), M));
        assert!(years_conflict(mentions(2014), dated(2011), M));
        // Symmetric for a dated page against an undated event.
        assert!(years_conflict(dated(2013), mentions(2008), M));
        assert!(!years_conflict(dated(2009), mentions(2008), M));
        // Dated against dated is the time decay's business; no evidence is no conflict.
        assert!(!years_conflict(dated(2013), dated(2008), M));
        assert!(!years_conflict(YearEvidence::default(), dated(2008), M));
        assert!(!years_conflict(dated(2008), YearEvidence::default(), M));
    }

    #[test]
    fn undated_pairs_compare_only_when_enabled() {
        assert!(!years_conflict(mentions(2013), mentions(2001), M));
        let m = YearMargins {
            undated_gap: 5,
            ..M
        };
        assert!(years_conflict(mentions(2013), mentions(2001), m));
        assert!(!years_conflict(mentions(2006), mentions(2001), m));
    }

    #[test]
    fn year_of_ms_is_utc() {
        assert_eq!(year_of_ms(1_293_840_000_000), 2011);
        assert_eq!(year_of_ms(1_293_839_999_999), 2010);
    }
}
