//! Date parsing: machine formats (ISO 8601, RFC 2822, compact) and the human formats news
//! sites print ("2015-December-16 08:53", "December 15, 2015", "Dec. 15 2015",
//! "15 décembre 2015", "15. Dezember 2015", "2015年12月16日", "16.12.2015").
//!
//! A publish date must fall inside [1995-01-01, reference + 1 day], where the reference is the
//! fetch time (or now).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;
use std::sync::LazyLock;

/// A parsed date: the instant (in the page's offset when known, else UTC) and whether the
/// offset came from the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDate {
    /// The date-time.
    pub at: DateTime<FixedOffset>,
    /// The page stated the offset.
    pub tz_known: bool,
}

/// Earliest plausible publish date.
fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1995, 1, 1).unwrap_or_default()
}

/// Whether `d` can be a publish date given the reference time (fetch time or now).
pub fn plausible(d: &FoundDate, reference: DateTime<Utc>) -> bool {
    let day = d.at.date_naive();
    day >= min_date() && d.at.with_timezone(&Utc) <= reference + chrono::Duration::days(1)
}

/// Month number for a month name or abbreviation in English, French, German, Spanish,
/// Italian, Portuguese or Dutch (lowercase input, trailing '.' already stripped).
pub fn month_number(name: &str) -> Option<u32> {
    let m = match name {
        "jan" | "january" | "janvier" | "januar" | "jänner" | "enero" | "ene" | "gennaio"
        | "janeiro" | "januari" | "janv" => 1,
        "feb" | "february" | "février" | "fevrier" | "févr" | "fevr" | "februar" | "febrero"
        | "febbraio" | "fevereiro" | "februari" | "fév" | "fev" => 2,
        "mar" | "march" | "mars" | "märz" | "marz" | "marzo" | "março" | "marco" | "maart"
        | "mär" => 3,
        "apr" | "april" | "avril" | "avr" | "abril" | "abr" | "aprile" => 4,
        "may" | "mai" | "mayo" | "maggio" | "maio" | "mei" => 5,
        "jun" | "june" | "juin" | "juni" | "junio" | "giugno" | "junho" => 6,
        "jul" | "july" | "juillet" | "juil" | "juli" | "julio" | "luglio" | "julho" => 7,
        "aug" | "august" | "août" | "aout" | "agosto" | "ago" | "augustus" => 8,
        "sep" | "sept" | "september" | "septembre" | "septiembre" | "setiembre" | "settembre"
        | "setembro" | "set" => 9,
        "oct" | "october" | "octobre" | "oktober" | "octubre" | "ottobre" | "outubro" | "okt"
        | "out" => 10,
        "nov" | "november" | "novembre" | "noviembre" | "novembro" => 11,
        "dec" | "december" | "décembre" | "decembre" | "déc" | "dezember" | "diciembre" | "dic"
        | "dicembre" | "dezembro" | "dez" => 12,
        _ => return None,
    };
    Some(m)
}

/// The month a word names, also when an inline label was glued to it ("readDec" from
/// "7 min read" + "Dec 30, 2013" in adjacent spans): the capitalised part after a
/// lowercase-to-uppercase step is tried too.
fn month_in_word(word: &str) -> Option<u32> {
    month_number(&word.to_lowercase()).or_else(|| {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let step = chars
            .windows(2)
            .rev()
            .find(|w| matches!(w, [(_, a), (_, b)] if a.is_lowercase() && b.is_uppercase()))
            .and_then(|w| w.get(1))
            .map(|(i, _)| *i)?;
        month_number(&word.get(step..)?.to_lowercase())
    })
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?x)\b(\d{4})-(\d{1,2})-(\d{1,2})
        (?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?")
});
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(Z)?$"));
static Y_MONTHNAME_D: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(\d{4})[-/ ]([^\W\d_]{3,10})\.?[-/ ](\d{1,2})\b"));
static MONTHNAME_D_Y: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b([^\W\d_]{3,20})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"));
static D_MONTHNAME_Y: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(\d{1,2})(?:st|nd|rd|th|er|º|\.)?(?:\s+|-)(?:de\s+)?([^\W\d_]{3,10})\.?,?(?:\s+|-)(?:de\s+)?(\d{4})",
    )
});
static CJK: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"));
static Y_M_D: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{4})([./])(\d{1,2})[./](\d{1,2})\b"));
static D_M_Y: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{1,2})([./-])(\d{1,2})[./-](\d{4})\b"));
static TIME_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^[\s,|@at-]{0,6}(\d{1,2})[:h.] ?(\d{2})(?::(\d{2}))?\s*(am|pm|a\. ?m\.|p\. ?m\.)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?",
    )
});
static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:/|[_-]|\.|$)")
});
static URL_DATE_MONTH_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)/((?:19|20)\d{2})/([a-z]{3,9})/(0?[1-9]|[12]\d|3[01])/"));
static URL_DATE_SLASHED: LazyLock<Regex> =
    LazyLock::new(|| re(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/"));

/// Compile a constant pattern (checked by the tests; never input-dependent).
pub(crate) fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("constant regex is valid")
}

fn offset_from(tz: Option<&str>) -> Option<FixedOffset> {
    let tz = tz?.trim();
    if tz.eq_ignore_ascii_case("z")
        || tz.eq_ignore_ascii_case("utc")
        || tz.eq_ignore_ascii_case("gmt")
    {
        return FixedOffset::east_opt(0);
    }
    let sign = if tz.starts_with('-') { -1 } else { 1 };
    let digits: String = tz.chars().filter(|c| c.is_ascii_digit()).collect();
    let h: i32 = digits.get(0..2)?.parse().ok()?;
    let m: i32 = digits.get(2..4).and_then(|m| m.parse().ok()).unwrap_or(0);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn build(
    y: i32,
    mo: u32,
    d: u32,
    time: Option<(u32, u32, u32)>,
    tz: Option<FixedOffset>,
) -> Option<FoundDate> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let (h, mi, s) = time.unwrap_or((0, 0, 0));
    let t = NaiveTime::from_hms_opt(h, mi, s)?;
    let ndt = NaiveDateTime::new(date, t);
    let (offset, tz_known) = match tz {
        Some(o) => (o, true),
        None => (FixedOffset::east_opt(0)?, false),
    };
    let at = offset.from_local_datetime(&ndt).single()?;
    Some(FoundDate { at, tz_known })
}

fn num<T: std::str::FromStr>(m: Option<regex::Match<'_>>) -> Option<T> {
    m?.as_str().parse().ok()
}

/// A time right after a date match, e.g. " 08:53", ", 10:30 pm GMT".
fn time_after(rest: &str) -> (Option<(u32, u32, u32)>, Option<FixedOffset>) {
    let Some(c) = TIME_AFTER.captures(rest.get(..rest.len().min(40)).unwrap_or(rest)) else {
        return (None, None);
    };
    let (Some(mut h), Some(mi)) = (num::<u32>(c.get(1)), num::<u32>(c.get(2))) else {
        return (None, None);
    };
    let s = num::<u32>(c.get(3)).unwrap_or(0);
    if let Some(ampm) = c.get(4) {
        let pm = ampm.as_str().to_ascii_lowercase().starts_with('p');
        if h == 12 {
            h = 0;
        }
        if pm {
            h += 12;
        }
    }
    if h > 23 || mi > 59 {
        return (None, None);
    }
    (
        Some((h, mi, s.min(59))),
        offset_from(c.get(5).map(|m| m.as_str())),
    )
}

/// Parse a machine-readable date value (meta `content`, JSON-LD, `datetime` attribute):
/// ISO 8601 / RFC 3339, RFC 2822, compact `20151216`, epoch seconds, or any human format.
pub fn parse_value(s: &str) -> Option<FoundDate> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(FoundDate {
            at: dt,
            tz_known: true,
        });
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(FoundDate {
            at: dt,
            tz_known: true,
        });
    }
    if let Some(c) = COMPACT.captures(s) {
        let t = match (num(c.get(4)), num(c.get(5))) {
            (Some(h), Some(m)) => Some((h, m, num(c.get(6)).unwrap_or(0))),
            _ => None,
        };
        let tz = c.get(7).and_then(|_| FixedOffset::east_opt(0));
        return build(num(c.get(1))?, num(c.get(2))?, num(c.get(3))?, t, tz);
    }
    if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = s.parse().ok()?;
        let at = DateTime::from_timestamp(secs, 0)?.fixed_offset();
        return Some(FoundDate { at, tz_known: true });
    }
    find_first(s)
}

/// The first date written anywhere in `text` (human or ISO formats), by position.
pub fn find_first(text: &str) -> Option<FoundDate> {
    find_all(text, 1).into_iter().next().map(|(_, d)| d)
}

/// Up to `limit` dates found in `text`, ordered by position: `(byte offset, date)`.
pub fn find_all(text: &str, limit: usize) -> Vec<(usize, FoundDate)> {
    let mut found: Vec<(usize, FoundDate)> = Vec::new();
    // Every pattern below needs a year that parses as an integer: four ASCII digits in a row.
    // Most texts (lines, blocks) have none, and this scan is far cheaper than seven regexes.
    if !has_ascii_digit_run(text, 4) {
        return found;
    }
    let mut push = |pos: usize, d: Option<FoundDate>| {
        if let Some(d) = d {
            found.push((pos, d));
        }
    };
    let scan_limit = limit.saturating_mul(4).max(4);
    // A pattern runs only when the text holds a character every match of it needs.
    let (dash, dot_or_slash) = (text.contains('-'), text.contains(['.', '/']));
    let run_if = |needed: bool, re: &'static Regex| {
        needed
            .then(|| re.captures_iter(text))
            .into_iter()
            .flatten()
            .take(scan_limit)
    };
    for c in run_if(dash, &ISO) {
        let Some(m) = c.get(0) else { continue };
        let time = match (num(c.get(4)), num(c.get(5))) {
            (Some(h), Some(mi)) => Some((h, mi, num(c.get(6)).unwrap_or(0))),
            _ => None,
        };
        let tz = offset_from(c.get(7).map(|m| m.as_str()));
        push(
            m.start(),
            num(c.get(1)).and_then(|y| build(y, num(c.get(2))?, num(c.get(3))?, time, tz)),
        );
    }
    for c in Y_MONTHNAME_D.captures_iter(text).take(scan_limit) {
        let Some(m) = c.get(0) else { continue };
        let month = c
            .get(2)
            .and_then(|m| month_number(&m.as_str().to_lowercase()));
        let (t, tz) = time_after(text.get(m.end()..).unwrap_or_default());
        push(
            m.start(),
            month.and_then(|mo| build(num(c.get(1))?, mo, num(c.get(3))?, t, tz)),
        );
    }
    for c in MONTHNAME_D_Y.captures_iter(text).take(scan_limit) {
        let Some(m) = c.get(0) else { continue };
        if digit_follows(text, m.end()) {
            continue;
        }
        let month = c.get(1).and_then(|m| month_in_word(m.as_str()));
        let (t, tz) = time_after(text.get(m.end()..).unwrap_or_default());
        push(
            m.start(),
            month.and_then(|mo| build(num(c.get(3))?, mo, num(c.get(2))?, t, tz)),
        );
    }
    for c in D_MONTHNAME_Y.captures_iter(text).take(scan_limit) {
        let Some(m) = c.get(0) else { continue };
        if digit_follows(text, m.end()) {
            continue;
        }
        let month = c
            .get(2)
            .and_then(|m| month_number(&m.as_str().to_lowercase()));
        let (t, tz) = time_after(text.get(m.end()..).unwrap_or_default());
        push(
            m.start(),
            month.and_then(|mo| build(num(c.get(3))?, mo, num(c.get(1))?, t, tz)),
        );
    }
    for c in run_if(text.contains('年'), &CJK) {
        let Some(m) = c.get(0) else { continue };
        let (t, tz) = time_after(text.get(m.end()..).unwrap_or_default());
        push(
            m.start(),
            num(c.get(1)).and_then(|y| build(y, num(c.get(2))?, num(c.get(3))?, t, tz)),
        );
    }
    for c in run_if(dot_or_slash, &Y_M_D) {
        let Some(m) = c.get(0) else { continue };
        let (t, tz) = time_after(text.get(m.end()..).unwrap_or_default());
        push(
            m.start(),
            num(c.get(1)).and_then(|y| build(y, num(c.get(3))?, num(c.get(4))?, t, tz)),
        );
    }
    for c in run_if(dash || dot_or_slash, &D_M_Y) {
        let Some(m) = c.get(0) else { continue };
        let (Some(a), Some(b), Some(y)) =
            (num::<u32>(c.get(1)), num::<u32>(c.get(3)), num(c.get(4)))
        else {
            continue;
        };
        let sep = c.get(2).map_or("", |m| m.as_str());
        // "16.12.2015" is day-first; "12/16/2015" and "12-16-2015" are month-first unless the
        // first number cannot be a month.
        let (d, mo) = if (sep == "/" || sep == "-") && a <= 12 {
            (b, a)
        } else {
            (a, b)
        };
        let (t, tz) = time_after(text.get(m.end()..).unwrap_or_default());
        push(m.start(), build(y, mo, d, t, tz));
    }
    found.sort_by_key(|(pos, _)| *pos);
    // Overlapping matches at the same position: keep the first (ISO before the rest).
    found.dedup_by_key(|(pos, _)| *pos);
    found.truncate(limit);
    found
}

/// Whether an ASCII digit follows byte offset `end`: the year of a match ends there, and a
/// letter may follow it directly ("Dec 17, 2025Julian" where markup ran a byline into the
/// date), but a fifth digit means it was no year.
fn digit_follows(text: &str, end: usize) -> bool {
    text.as_bytes().get(end).is_some_and(u8::is_ascii_digit)
}

/// Whether `text` holds `n` consecutive ASCII digits.
fn has_ascii_digit_run(text: &str, n: usize) -> bool {
    let mut run = 0;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// A date in a URL path: `/2015/12/16/`, `/2015-12-16/`, `/20151216/`, `/2023/october/03/`.
pub fn from_url(url: &str) -> Option<FoundDate> {
    let path_start = url.find("://").map_or(0, |i| i + 3);
    let path = url.get(path_start..).unwrap_or_default();
    let path = path
        .get(path.find('/').unwrap_or(path.len())..)
        .unwrap_or_default();
    if let Some(c) = URL_DATE_MONTH_NAME.captures(path) {
        let month = c
            .get(2)
            .and_then(|m| month_number(&m.as_str().to_ascii_lowercase()));
        if let Some(month) = month {
            return build(num(c.get(1))?, month, num(c.get(3))?, None, None);
        }
    }
    let c = URL_DATE_SLASHED
        .captures(path)
        .or_else(|| URL_DATE.captures(path))?;
    build(num(c.get(1))?, num(c.get(2))?, num(c.get(3))?, None, None)
}

/// Year of a date, for tests and diagnostics.
pub fn ymd(d: &FoundDate) -> (i32, u32, u32) {
    (d.at.year(), d.at.month(), d.at.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Option<(i32, u32, u32)> {
        find_first(s).map(|d| ymd(&d))
    }

    #[test]
    fn dashed_dates() {
        assert_eq!(day("04-ago-2021 5:11"), Some((2021, 8, 4)));
        // Dashed numeric dates are month-first unless the first number cannot be a month.
        assert_eq!(day("Post time: 01-04-2024"), Some((2024, 1, 4)));
        assert_eq!(day("16-12-2015"), Some((2015, 12, 16)));
    }

    #[test]
    fn human_formats_parse() {
        assert_eq!(
            day("     2015-December-16  08:53    Shenzhen Daily"),
            Some((2015, 12, 16))
        );
        assert_eq!(
            day("Xinhua, December 15, 2015 Adjust font size:"),
            Some((2015, 12, 15))
        );
        assert_eq!(
            day("in Moscow Tuesday Dec. 15 2015. The"),
            Some((2015, 12, 15))
        );
        assert_eq!(day("le 15 décembre 2015 à Paris"), Some((2015, 12, 15)));
        assert_eq!(day("am 15. Dezember 2015"), Some((2015, 12, 15)));
        assert_eq!(day("15 de diciembre de 2015"), Some((2015, 12, 15)));
        assert_eq!(day("2015年12月16日 08:53"), Some((2015, 12, 16)));
        assert_eq!(day("16.12.2015"), Some((2015, 12, 16)));
        assert_eq!(day("12/16/2015"), Some((2015, 12, 16)));
        assert_eq!(day("June 4th, 2025"), Some((2025, 6, 4)));
        assert_eq!(day("no date here 2015"), None);
        // A byline run into the date by the markup; five digits are no year.
        assert_eq!(day("Dec 17, 2025Julian K. Arni"), Some((2025, 12, 17)));
        assert_eq!(day("3 March 2015Jane"), Some((2015, 3, 3)));
        assert_eq!(day("Dec 17, 20251"), None);
        assert_eq!(day("2023 Jan 7"), Some((2023, 1, 7)));
    }

    #[test]
    fn time_and_offset_are_kept() {
        let d = find_first("2015-December-16 08:53").unwrap();
        assert_eq!(d.at.format("%H:%M").to_string(), "08:53");
        assert!(!d.tz_known);
        let d = parse_value("2015-12-16T08:53:00+08:00").unwrap();
        assert!(d.tz_known);
        assert_eq!(d.at.offset().local_minus_utc(), 8 * 3600);
        let d = parse_value("Tue, 15 Dec 2015 10:00:00 GMT").unwrap();
        assert_eq!(ymd(&d), (2015, 12, 15));
        let d = parse_value("2015-12-16 08:53:00 +0100").unwrap();
        assert_eq!(d.at.offset().local_minus_utc(), 3600);
        assert_eq!(ymd(&parse_value("20151216").unwrap()), (2015, 12, 16));
    }

    #[test]
    fn implausible_dates_are_rejected() {
        let now = Utc::now();
        let old = parse_value("1994-12-31").unwrap();
        assert!(!plausible(&old, now));
        let future = parse_value("2999-01-01").unwrap();
        assert!(!plausible(&future, now));
        assert!(plausible(&parse_value("2015-12-16").unwrap(), now));
        assert!(parse_value("2015-02-30").is_none());
    }

    #[test]
    fn url_dates() {
        let d = from_url("https://ex.com/2019/04/16/story/").unwrap();
        assert_eq!(ymd(&d), (2019, 4, 16));
        let d = from_url("https://ex.com/news/2015-12-16-kerry.html").unwrap();
        assert_eq!(ymd(&d), (2015, 12, 16));
        assert!(from_url("https://ex.com/p/123456789").is_none());
        assert_eq!(day("7 min readDec 30, 2013"), Some((2013, 12, 30)));
        assert_eq!(day("readdec 30, 2013"), None);
        // A category link run into an upper-case date ("Mental HealthDECEMBER 22, 2022").
        assert_eq!(day("Mental HealthDECEMBER 22, 2022"), Some((2022, 12, 22)));
        let d = from_url("https://ex.com/blog/2023/october/03/wine-styles/").unwrap();
        assert_eq!(ymd(&d), (2023, 10, 3));
        assert!(from_url("https://ex.com/blog/2023/series/03/").is_none());
    }
}
