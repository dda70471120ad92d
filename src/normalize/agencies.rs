//! Wire-agency credits: "(SD-Agencies)", "BEIJING, Dec. 15 (Xinhua) --", "Xinhua, December 15,
//! 2015", "Alexander Scherbak TASS", "(AFP photo)", "AP Photo/Evan Vucci", "— Reuters".
//!
//! Only credit positions count (parentheses, the start of a dateline, the end of a short credit
//! line, "Source:"/"Photo:" labels, bylines); an agency merely mentioned in a sentence ("he told
//! Reuters") is not a credit.

use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::LazyLock;

/// Canonical agency name and the spellings that credit it. Acronyms match case-sensitively.
const AGENCIES: &[(&str, &[&str])] = &[
    ("SD-Agencies", &["SD-Agencies"]),
    ("Xinhua", &["Xinhua News Agency", "Xinhua", "XINHUA"]),
    ("TASS", &["ITAR-TASS", "TASS"]),
    (
        "AFP",
        &["Agence France-Presse", "Agence France Presse", "AFP"],
    ),
    ("Reuters", &["Thomson Reuters", "Reuters", "REUTERS"]),
    ("AP", &["The Associated Press", "Associated Press", "AP"]),
    ("UPI", &["United Press International", "UPI"]),
    ("dpa", &["Deutsche Presse-Agentur", "dpa", "DPA"]),
    ("EFE", &["EFE"]),
    ("ANSA", &["ANSA"]),
    ("Kyodo", &["Kyodo News", "Kyodo", "KYODO"]),
    ("Jiji", &["Jiji Press", "Jiji"]),
    ("Yonhap", &["Yonhap", "YONHAP"]),
    ("PTI", &["Press Trust of India", "PTI"]),
    ("IANS", &["IANS"]),
    ("ANI", &["ANI"]),
    ("Interfax", &["Interfax", "INTERFAX"]),
    ("RIA Novosti", &["RIA Novosti"]),
    ("Sputnik", &["Sputnik"]),
    ("Anadolu", &["Anadolu Agency", "Anadolu"]),
    ("Bloomberg", &["Bloomberg"]),
    ("AAP", &["Australian Associated Press", "AAP"]),
    ("Canadian Press", &["The Canadian Press", "Canadian Press"]),
    ("PA", &["Press Association", "PA Media"]),
    ("Bernama", &["Bernama", "BERNAMA"]),
    ("Antara", &["Antara"]),
    ("KCNA", &["KCNA"]),
    ("IRNA", &["IRNA"]),
    ("WAM", &["WAM"]),
    ("MENA", &["MENA"]),
    ("Belga", &["Belga"]),
    ("ANP", &["ANP"]),
    ("Lusa", &["Lusa"]),
    ("Europa Press", &["Europa Press"]),
    ("EPA", &["EPA"]),
    ("China News Service", &["China News Service"]),
    ("CNA", &["CNA"]),
    ("Agencies", &["Agencies", "agencies", "AGENCIES"]),
];

/// Agencies credited in `text`, canonical names, in order of first credit, added to `out`
/// without duplicates.
pub fn credits_in(text: &str, out: &mut Vec<String>) {
    for line in text.lines() {
        let line = line.trim();
        // Every credit form names an agency: skip lines that spell none (most of them).
        if line.is_empty() || !may_spell_agency(line) || !MATCHER.0.is_match(line) {
            continue;
        }
        credits_in_line(line, out);
    }
}

/// [`credits_in`] of each text in turn, with one automaton scan over all of them instead of
/// one per text (the scan's set-up cost dominates on short paragraphs).
pub fn credits_in_all<'a, I>(texts: I, out: &mut Vec<String>)
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let texts = texts.into_iter();
    let mut joined = String::with_capacity(texts.clone().map(|t| t.len() + 1).sum());
    for t in texts {
        joined.push_str(t);
        joined.push('\n');
    }
    // Patterns hold no line break, so every line spelling an agency holds a match of the
    // leftmost-longest scan; lines are visited in order, each once.
    let mut done_until = 0;
    for m in MATCHER.0.find_iter(&joined) {
        if m.start() < done_until {
            continue;
        }
        let bytes = joined.as_bytes();
        let head = bytes.get(..m.start()).unwrap_or_default();
        let start = memchr::memrchr(b'\n', head).map_or(0, |p| p + 1);
        let tail = bytes.get(m.end()..).unwrap_or_default();
        let end = memchr::memchr(b'\n', tail).map_or(joined.len(), |p| m.end() + p);
        credits_in_line(joined.get(start..end).unwrap_or_default().trim(), out);
        done_until = end + 1;
    }
}

/// The credits of one trimmed line that spells an agency.
fn credits_in_line(line: &str, out: &mut Vec<String>) {
    // Parenthesized credits anywhere.
    let mut rest = line;
    while let Some(open) = rest.find('(') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find(')') else { break };
        let inside = after.get(..close).unwrap_or_default();
        if inside.len() <= 60 {
            add_found(inside, out, true);
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    // Only compared with 40 and less: counting stops at 41.
    let words = line.split_whitespace().take(41).count();
    // Dateline start: "Xinhua, December 15, 2015", "MOSCOW, Dec 15 /TASS/".
    let head: String = line.chars().take(40).collect();
    if let Some(idx) = head.find([',', '|', '—', '–']) {
        add_found(head.get(..idx).unwrap_or_default(), out, false);
    }
    if let Some(slash) = head.find(" /") {
        let inner = head.get(slash + 2..).unwrap_or_default();
        if let Some(end) = inner.find('/') {
            add_found(inner.get(..end).unwrap_or_default(), out, true);
        }
    }
    // Labels: all but "Photo by" hold a ':'.
    let colon = line.contains(':');
    for label in [
        "Source:", "Sources:", "Photo:", "Photo by", "Photos:", "Credit:", "Via:",
    ] {
        if !colon && label != "Photo by" {
            continue;
        }
        if let Some(pos) = line.find(label) {
            let tail: String = line
                .get(pos + label.len()..)
                .unwrap_or_default()
                .chars()
                .take(60)
                .collect();
            add_found(&tail, out, true);
        }
    }
    // "AP Photo/Name", "Name/AFP", "AFP/Getty Images".
    if line.contains('/') && words <= 40 {
        for part in line.split(['(', ')', ' ']) {
            if part.contains('/') && !part.contains("//") {
                for piece in part.split('/') {
                    add_exact(piece, out);
                }
            }
        }
    }
    // Short credit line ending with an agency: "Alexander Scherbak  TASS", "— AFP".
    if words <= 8 {
        let tail = line
            .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != ')')
            .rsplit(|c: char| c.is_whitespace() || matches!(c, '—' | '–' | '-'))
            .next()
            .unwrap_or_default();
        add_exact(tail, out);
        if words <= 4 {
            add_found(line, out, false);
        }
    }
    // A paragraph ending with a dashed credit: "... the fight. — AFP"
    // '—' and '–' are encoded with a 0xE2 lead byte.
    let (long_dash, hyphen) = (
        memchr::memchr(0xe2, line.as_bytes()).is_some(),
        line.contains('-'),
    );
    for dash in [" — ", " – ", " - "] {
        if !(if dash == " - " { hyphen } else { long_dash }) {
            continue;
        }
        if let Some(pos) = line.rfind(dash) {
            let tail = line.get(pos + dash.len()..).unwrap_or_default();
            if tail.split_whitespace().count() <= 3 {
                add_found(tail, out, false);
            }
        }
    }
}

/// Agencies credited as an author ("Reuters", "By Associated Press", "AFP staff").
pub fn credits_in_byline(author: &str, out: &mut Vec<String>) {
    if author.split_whitespace().count() <= 6 {
        add_found(author, out, true);
    }
}

/// Whether `line` may spell an agency: it holds the first two bytes of some spelling. Far
/// cheaper than the automaton on the short lines most credit tests see.
fn may_spell_agency(line: &str) -> bool {
    /// Bit `a << 8 | b` is set when some spelling starts with the bytes `a`, `b`.
    static PAIRS: LazyLock<Box<[u64; 1024]>> = LazyLock::new(|| {
        let mut bits = Box::new([0u64; 1024]);
        for (_, spellings) in AGENCIES {
            for s in *spellings {
                if let [a, b, ..] = s.as_bytes() {
                    let pair = (usize::from(*a) << 8) | usize::from(*b);
                    if let Some(word) = bits.get_mut(pair >> 6) {
                        *word |= 1 << (pair & 63);
                    }
                }
            }
        }
        bits
    });
    let pairs = &**PAIRS;
    line.as_bytes().windows(2).any(|w| {
        let &[a, b] = w else { return false };
        let pair = (usize::from(a) << 8) | usize::from(b);
        pairs
            .get(pair >> 6)
            .is_some_and(|word| word & (1 << (pair & 63)) != 0)
    })
}

/// All spellings in one automaton (leftmost-longest), with the canonical name of each pattern.
static MATCHER: LazyLock<(AhoCorasick, Vec<&'static str>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut names = Vec::new();
    for (canonical, spellings) in AGENCIES {
        for s in *spellings {
            patterns.push(*s);
            names.push(*canonical);
        }
    }
    #[allow(clippy::expect_used)]
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .expect("constant patterns build");
    (ac, names)
});

/// Add every agency spelled (as a whole word) in a short credit span.
fn add_found(span: &str, out: &mut Vec<String>, any_position: bool) {
    let span = span.trim();
    if span.is_empty() {
        return;
    }
    let (ac, names) = &*MATCHER;
    for m in ac.find_iter(span) {
        let (start, end) = (m.start(), m.end());
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
        let before = span.get(..start).and_then(|h| h.chars().next_back());
        let after = span.get(end..).and_then(|h| h.chars().next());
        if !boundary(before) || !boundary(after) {
            continue;
        }
        let Some(canonical) = names.get(m.pattern().as_usize()) else {
            continue;
        };
        // Outside explicit credit positions the agency must be the whole span or its start.
        let ok = if *canonical == "Agencies" {
            any_position
        } else {
            any_position || start == 0 || end == span.len()
        };
        if ok {
            push(out, canonical);
        }
    }
}

fn add_exact(word: &str, out: &mut Vec<String>) {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    if w.is_empty() {
        return;
    }
    for (canonical, spellings) in AGENCIES {
        if *canonical != "Agencies" && spellings.contains(&w) {
            push(out, canonical);
        }
    }
}

fn push(out: &mut Vec<String>, name: &str) {
    // "SD-Agencies" already implies the generic credit.
    if name == "Agencies" && out.iter().any(|a| a.ends_with("Agencies")) {
        return;
    }
    if !out.iter().any(|a| a == name) {
        out.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credits(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        credits_in(text, &mut out);
        out
    }

    #[test]
    fn credit_positions_are_found() {
        assert_eq!(
            credits("cease-fire in Syria.  (SD-Agencies)"),
            ["SD-Agencies"]
        );
        assert_eq!(
            credits("Xinhua, December 15, 2015 Adjust font size:"),
            ["Xinhua"]
        );
        assert_eq!(credits("Alexander Scherbak  TASS"), ["TASS"]);
        assert_eq!(
            credits("US Secretary of State John Kerry (AFP photo)"),
            ["AFP"]
        );
        assert_eq!(
            credits("BEIJING, Dec. 15 (Xinhua) -- China said"),
            ["Xinhua"]
        );
        assert_eq!(
            credits("Kerry speaks in Moscow. (AP Photo/Evan Vucci)"),
            ["AP"]
        );
        assert_eq!(
            credits("MOSCOW (Reuters) - Russia said on Tuesday"),
            ["Reuters"]
        );
        assert_eq!(
            credits("MOSCOW, December 15. /TASS/. Russia said"),
            ["TASS"]
        );
    }

    #[test]
    fn one_scan_over_many_texts_finds_what_one_scan_each_finds() {
        let texts = [
            "US Secretary of State John Kerry (AFP photo)",
            "",
            "The minister told Reuters on Tuesday.",
            "  MOSCOW, December 15. /TASS/. Russia said  \r",
            "two lines\nBEIJING, Dec. 15 (Xinhua) -- China said (AP) and (Reuters)",
            "Alexander Scherbak  TASS",
            "cease-fire in Syria.  (SD-Agencies) (Agencies)",
            "Kerry speaks in Moscow. (AP Photo/Evan Vucci) — Reuters",
            "An APPLE a day (APR) keeps",
            "ends with a credit — AFP",
        ];
        for n in 0..=texts.len() {
            let mut one_by_one = Vec::new();
            for t in texts.iter().take(n) {
                credits_in(t, &mut one_by_one);
            }
            let mut all = Vec::new();
            credits_in_all(texts.iter().take(n).copied(), &mut all);
            assert_eq!(all, one_by_one, "first {n} texts");
        }
        let mut rev = Vec::new();
        credits_in_all(texts.iter().rev().copied(), &mut rev);
        let mut expected = Vec::new();
        for t in texts.iter().rev() {
            credits_in(t, &mut expected);
        }
        assert_eq!(rev, expected);
        assert!(expected.len() >= 5);
    }

    #[test]
    fn label_and_dash_prefilters_keep_every_credit() {
        let long = "word ".repeat(50);
        for (line, want) in [
            ("the fight went on. — AFP", vec!["AFP"]),
            ("the fight went on. – TASS", vec!["TASS"]),
            ("the fight went on - Reuters", vec!["Reuters"]),
            ("Photo by Reuters", vec!["Reuters"]),
            ("Source: Xinhua", vec!["Xinhua"]),
            ("Credit:AFP", vec!["AFP"]),
            (
                "a Photo by Kyodo News here and more words follow",
                vec!["Kyodo"],
            ),
            ("he told Reuters on Monday that the talks went well", vec![]),
        ] {
            assert_eq!(credits(line), want, "{line:?}");
        }
        // Over 40 words: the '/' credit form is not read, as before the word count stopped.
        assert_eq!(
            credits(&format!("{long} AP Photo/Evan Vucci x")),
            Vec::<String>::new()
        );
        assert_eq!(credits(&format!("{long} — AFP")), vec!["AFP"]);
    }

    #[test]
    fn pair_prefilter_admits_every_spelling() {
        for (_, spellings) in AGENCIES {
            for sp in *spellings {
                for line in [
                    sp.to_string(),
                    format!("x {sp}"),
                    format!("({sp})"),
                    format!("a{sp}b"),
                ] {
                    assert!(may_spell_agency(&line), "{line:?}");
                }
            }
        }
        let lines = [
            "News",
            "Sports",
            "Tech and Science",
            "Photo Highlights",
            "Alexander Scherbak TASS",
            "(SD-Agencies)",
            "APlus",
            "— AFP",
            "dpa/xyz",
            "Kyodo",
            "ok",
            "",
            "é",
            "Xinhua, Dec",
        ];
        for line in lines {
            if MATCHER.0.is_match(line) {
                assert!(may_spell_agency(line), "{line:?}");
            }
        }
        assert!(!may_spell_agency("Tech and Science"));
        assert!(!may_spell_agency("x"));
    }

    #[test]
    fn mentions_are_not_credits() {
        assert!(
            credits("The minister told Reuters on Tuesday that the AP and AFP were wrong.")
                .is_empty()
        );
        assert!(
            credits("Xinhua Insight: \"Version 2.0\" of China's Internet governance and more")
                .is_empty()
        );
        assert!(credits("An APPLE a day (APR) keeps").is_empty());
    }
}
