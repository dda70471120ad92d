//! Numeric datelines in page text: "Posted at 3:21 PM ET, 01/5/2011", "Last updated 13:26
//! 14/09/2013", "3/27/2012 @ 10:05AM", also with the spaced slashes and colons of tokenized
//! text ("01 / 5 / 2011", "13: 26").
//!
//! A slashed date counts only next to a posted/updated/published label or a clock time. Day and
//! month are told apart by a component above 12, else by the order of the page's other slashed
//! dates, else month-first only on a line with a US cue ("ET", "PM"); otherwise the line stays
//! undated (a wrong day is worse than none). A publish label wins over an update label.

use super::dates::{self, FoundDate};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;
use std::sync::LazyLock;

/// Day/month order of a page's slashed dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// "14/09/2013".
    DayFirst,
    /// "10/25/2011".
    MonthFirst,
}

/// What a dateline's label says the date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// "Posted", "Published", "First posted", "Date".
    Publish,
    /// "Updated", "Last updated", "Edited", "Modified".
    Update,
}

static SLASHED: LazyLock<Regex> =
    LazyLock::new(|| dates::re(r"\b(\d{1,2}) ?/ ?(\d{1,2}) ?/ ?(\d{4}|\d{2})\b"));
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(r"(?i)\b(\d{1,2}) ?: ?(\d{2})(?: ?: ?(\d{2}))?(?: ?([ap])\.? ?m\b\.?)?")
});
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(
        r"(?i)\b(?:(first posted|posted|published|date)|(last updated|updated|edited|modified))\b",
    )
});
static US_CUE: LazyLock<Regex> = LazyLock::new(|| {
    dates::re(r"\b(?:ET|E[SD]T|CT|C[SD]T|MT|M[SD]T|PT|P[SD]T)\b|(?i:\d ?[ap]\.? ?m\b)")
});
static UTC_CUE: LazyLock<Regex> = LazyLock::new(|| dates::re(r"\b(?:GMT|UTC)\b"));

/// The label nearest before byte offset `pos` in `line`, if any.
fn label_before(line: &str, pos: usize) -> Option<Label> {
    let head = line.get(..pos)?;
    LABEL.captures_iter(head).last().map(|c| {
        if c.get(1).is_some() {
            Label::Publish
        } else {
            Label::Update
        }
    })
}

/// The first label on `line` (None when it has none).
pub fn label_of(line: &str) -> Option<Label> {
    LABEL.captures(line).map(|c| {
        if c.get(1).is_some() {
            Label::Publish
        } else {
            Label::Update
        }
    })
}

/// The order the page's unambiguous slashed dates use (a component above 12), when they agree.
pub fn page_order<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<Order> {
    let (mut day_first, mut month_first) = (0usize, 0usize);
    for line in lines {
        if !line.contains('/') {
            continue;
        }
        for c in SLASHED.captures_iter(line).take(16) {
            let (Some(a), Some(b)) = (num(c.get(1)), num(c.get(2))) else {
                continue;
            };
            match (a > 12, b > 12) {
                (true, false) if b >= 1 => day_first += 1,
                (false, true) if a >= 1 => month_first += 1,
                _ => {}
            }
        }
    }
    match (day_first > 0, month_first > 0) {
        (true, false) => Some(Order::DayFirst),
        (false, true) => Some(Order::MonthFirst),
        _ => None,
    }
}

fn num(m: Option<regex::Match<'_>>) -> Option<u32> {
    m?.as_str().parse().ok()
}

/// The publish date a short numeric dateline states, or None (see the module docs).
/// `order` is the page's [`page_order`] when known.
pub fn parse(line: &str, order: Option<Order>) -> Option<FoundDate> {
    if !line.contains('/') || line.len() > 200 {
        return None;
    }
    let has_clock = CLOCK.is_match(line);
    let mut best: Option<(Option<Label>, FoundDate)> = None;
    for c in SLASHED.captures_iter(line).take(4) {
        let Some(m) = c.get(0) else { continue };
        let label = label_before(line, m.start());
        if label.is_none() && !has_clock {
            continue;
        }
        let (Some(a), Some(b), Some(y)) = (num(c.get(1)), num(c.get(2)), num(c.get(3))) else {
            continue;
        };
        let Some(d) = resolve(line, a, b, year(y, c.get(3)), order) else {
            continue;
        };
        let better = match &best {
            None => true,
            // A publish date beats an update date; otherwise the first one stands.
            Some((prev, _)) => prev != &Some(Label::Publish) && label == Some(Label::Publish),
        };
        if better {
            best = Some((label, d));
        }
    }
    best.map(|(_, d)| d)
}

/// A four-digit year as is; "11" → 2011, "98" → 1998.
fn year(y: u32, m: Option<regex::Match<'_>>) -> i32 {
    let y = i32::try_from(y).unwrap_or(0);
    if m.is_some_and(|m| m.as_str().len() == 4) {
        y
    } else if y >= 95 {
        1900 + y
    } else {
        2000 + y
    }
}

/// Day and month of "a/b/y", then the clock time of the line.
fn resolve(line: &str, a: u32, b: u32, y: i32, order: Option<Order>) -> Option<FoundDate> {
    let (mo, d) = match (a > 12, b > 12) {
        (true, true) => return None,
        (true, false) => (b, a),
        (false, true) => (a, b),
        (false, false) if a == b => (a, b),
        (false, false) => match order {
            Some(Order::DayFirst) => (b, a),
            Some(Order::MonthFirst) => (a, b),
            None if US_CUE.is_match(line) => (a, b),
            None => return None,
        },
    };
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let time = clock(line).unwrap_or_default();
    let ndt = NaiveDateTime::new(date, time);
    let (offset, tz_known) = if UTC_CUE.is_match(line) {
        (FixedOffset::east_opt(0)?, true)
    } else {
        (FixedOffset::east_opt(0)?, false)
    };
    let at = offset.from_local_datetime(&ndt).single()?;
    Some(FoundDate { at, tz_known })
}

/// The first clock time on the line ("3: 21 PM", "13:26", "10:05AM").
fn clock(line: &str) -> Option<NaiveTime> {
    let c = CLOCK.captures(line)?;
    let (mut h, mi) = (num(c.get(1))?, num(c.get(2))?);
    let s = num(c.get(3)).unwrap_or(0);
    if let Some(ap) = c.get(4) {
        if h == 0 || h > 12 {
            return None;
        }
        if h == 12 {
            h = 0;
        }
        if ap.as_str().eq_ignore_ascii_case("p") {
            h += 12;
        }
    }
    NaiveTime::from_hms_opt(h, mi, s.min(59))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str, order: Option<Order>) -> Option<(i32, u32, u32)> {
        parse(s, order).map(|d| dates::ymd(&d))
    }

    #[test]
    fn labelled_or_timed_slashed_dates_parse() {
        assert_eq!(
            ymd("Posted at 4: 10 PM ET, 02 / 7 / 2012", None),
            Some((2012, 2, 7))
        );
        assert_eq!(
            ymd("Last updated 09:41 23/08/2014", None),
            Some((2014, 8, 23))
        );
        assert_eq!(ymd("5/29/2010 @ 7:15AM", None), Some((2010, 5, 29)));
        assert_eq!(
            ymd("Posted 4 / 6 / 2008 9: 02 PM", None),
            Some((2008, 4, 6))
        );
        assert_eq!(ymd("Posted: 11/30/09", None), Some((2009, 11, 30)));
    }

    #[test]
    fn clock_time_is_kept() {
        let d = parse("Posted at 4: 10 PM ET, 02 / 7 / 2012", None).map(|d| d.at.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2012-02-07T16:10:00+00:00"));
    }

    #[test]
    fn ambiguous_dates_need_page_order_or_us_cue() {
        // Neither component above 12, no US cue: undated.
        assert_eq!(ymd("Last updated 09:41 03/08/2014", None), None);
        assert_eq!(
            ymd("Last updated 09:41 03/08/2014", Some(Order::DayFirst)),
            Some((2014, 8, 3))
        );
        assert_eq!(
            ymd("Last updated 09:41 03/08/2014", Some(Order::MonthFirst)),
            Some((2014, 3, 8))
        );
        assert_eq!(ymd("Updated 9:41 AM 03/08/2014", None), Some((2014, 3, 8)));
        assert_eq!(
            page_order(["See 23/08/2014 and more", "no dates"]),
            Some(Order::DayFirst)
        );
        assert_eq!(page_order(["12/25/2014", "30/01/2015"]), None);
    }

    #[test]
    fn bare_fractions_and_scores_are_not_dates() {
        assert_eq!(ymd("Shares rose 3/4 of a point to 1/2/2012", None), None);
        assert_eq!(ymd("Rated 4/5/10 by readers", None), None);
    }

    #[test]
    fn publish_label_beats_update_label() {
        assert_eq!(
            ymd(
                "Updated: 12 / 26 / 11 05: 12 AM ET First Posted: 10 / 24 / 11",
                None
            ),
            Some((2011, 10, 24))
        );
        assert_eq!(
            ymd(
                "First Posted: 10/24/11 06:44 PM ET Updated: 12/26/11 05:12 AM ET",
                None
            ),
            Some((2011, 10, 24))
        );
        assert_eq!(label_of("Last updated 13:26"), Some(Label::Update));
        assert_eq!(label_of("Posted on Friday"), Some(Label::Publish));
    }

    fn page_dateline(body: &str) -> Option<(i32, u32, u32)> {
        super::super::text::extract(body)
            .dateline
            .map(|d| dates::ymd(&d))
    }

    const PROSE: &str = "The council voted on Tuesday to close the old bridge to heavy traffic after \
        engineers found cracks in two of its supports, officials said in a statement.";

    #[test]
    fn text_pages_take_a_numeric_dateline() {
        let body =
            format!("Bridge closed to trucks\n\nPosted at 4: 10 PM ET, 02 / 7 / 2012\n\n{PROSE}");
        assert_eq!(page_dateline(&body), Some((2012, 2, 7)));
        // Day-first page: an unambiguous date elsewhere settles "03/08".
        let body = format!(
            "Bridge closed to trucks\n\nLast updated 09: 41 03 / 08 / 2014\n\n{PROSE}\n\n\
             Related: council minutes 23/07/2014"
        );
        assert_eq!(page_dateline(&body), Some((2014, 8, 3)));
    }

    #[test]
    fn text_pages_prefer_the_posted_line_over_the_updated_line() {
        let body = format!(
            "Bridge closed to trucks\n\nLast updated 09: 41 PM 04 / 09 / 2012\n\n\
             Posted 02 / 7 / 2012 4: 10 PM\n\n{PROSE}"
        );
        assert_eq!(page_dateline(&body), Some((2012, 2, 7)));
    }
}
