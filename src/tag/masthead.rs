//! Masthead matching: name the publisher of a page without a URL from its chrome lines —
//! a masthead or dateline line ("2015-December-16 08:53 Shenzhen Daily", "Xinhua, December 15"),
//! a copyright footer ("深圳报业集团版权所有"), a "Press TV's website" line or a bare domain.
//!
//! A publisher merely named in a sentence is not a masthead, and a wire agency on a credit line
//! is a credit, not the publisher: agencies count only with copyright, website, domain or
//! dateline cues.

use super::registry::Registry;
use super::source::SourceKind;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Score a publisher needs before it is named from text alone.
const MIN_SCORE: u32 = 2;

/// `text.split("\n\n")` collected, finding the newlines with memchr.
fn split_paragraphs(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(off) = bytes.get(from..).and_then(|b| memchr::memchr(b'\n', b)) {
        let i = from + off;
        if bytes.get(i + 1) == Some(&b'\n') {
            out.push(text.get(start..i).unwrap_or(""));
            start = i + 2;
            from = start;
        } else {
            from = i + 1;
        }
    }
    out.push(text.get(start..).unwrap_or(""));
    out
}

#[derive(Debug, Clone)]
struct Pattern {
    entry: usize,
    is_domain: bool,
    /// Multi-word, non-Latin, acronym or dotted: safe to accept on a line of its own.
    distinctive: bool,
    single_word: bool,
}

/// Finds publishers' mastheads in chrome lines.
#[derive(Debug, Clone)]
pub struct MastheadMatcher {
    ac: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    texts: Vec<String>,
    agency: Vec<bool>,
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon",
    "tue", "wed", "thu", "fri", "sat", "sun",
];

impl MastheadMatcher {
    /// Build from the registry's names, aliases and domains.
    pub fn new(registry: &Registry) -> Self {
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        for (i, e) in registry.entries().iter().enumerate() {
            for n in std::iter::once(&e.name).chain(&e.aliases) {
                let n = n.trim();
                if n.chars().count() < 2 {
                    continue;
                }
                let words = n.split_whitespace().count();
                let non_latin = n.chars().any(|c| c.is_alphabetic() && !c.is_ascii());
                let acronym = n.chars().filter(|c| c.is_alphabetic()).count() >= 3
                    && !n.chars().any(char::is_lowercase);
                let dotted = n.contains('.');
                texts.push(n.to_string());
                patterns.push(Pattern {
                    entry: i,
                    is_domain: false,
                    distinctive: words >= 2 || non_latin || acronym || dotted,
                    single_word: words == 1,
                });
            }
            for d in &e.domains {
                let d = d.trim().to_ascii_lowercase();
                if d.contains('.') {
                    texts.push(d);
                    patterns.push(Pattern {
                        entry: i,
                        is_domain: true,
                        distinctive: true,
                        single_word: true,
                    });
                }
            }
        }
        // A DFA: several times fewer instructions per byte than the default NFA for this many
        // patterns, at a few MB built once per resolver.
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&texts)
            .ok();
        let agency = registry
            .entries()
            .iter()
            .map(|e| e.kind == SourceKind::WireAgency)
            .collect();
        Self {
            ac,
            patterns,
            texts,
            agency,
        }
    }

    /// The registry index of the publisher whose masthead the page carries, if any.
    pub fn find(&self, chrome: &[String], title: Option<&str>, text: &str) -> Option<usize> {
        let ac = self.ac.as_ref()?;
        let mut scores: Vec<(usize, u32)> = Vec::new();
        let paragraphs = split_paragraphs(text);
        let n = paragraphs.len();
        let edge_paragraphs = paragraphs
            .iter()
            .enumerate()
            .filter(|(i, p)| (*i < 2 || *i + 3 >= n) && p.split_whitespace().take(31).count() <= 30)
            .map(|(_, p)| *p);
        let title = title.map(str::trim).unwrap_or("");
        for line in chrome.iter().map(String::as_str).chain(edge_paragraphs) {
            let line = line.trim();
            if line.is_empty() || line == title {
                continue;
            }
            for m in ac.find_iter(line) {
                let Some(p) = self.patterns.get(m.pattern().as_usize()) else {
                    continue;
                };
                let pat = self
                    .texts
                    .get(m.pattern().as_usize())
                    .map_or("", String::as_str);
                let score = self.score(line, m.start(), m.end(), p, pat);
                if score > 0 {
                    match scores.iter_mut().find(|(e, _)| *e == p.entry) {
                        Some((_, s)) => *s += score,
                        None => scores.push((p.entry, score)),
                    }
                }
            }
        }
        scores
            .into_iter()
            .filter(|(_, s)| *s >= MIN_SCORE)
            .max_by_key(|(e, s)| (*s, !self.agency.get(*e).copied().unwrap_or(false)))
            .map(|(e, _)| e)
    }

    fn score(&self, line: &str, s: usize, e: usize, p: &Pattern, pat: &str) -> u32 {
        let matched = &line[s..e];
        let before = line[..s].chars().next_back();
        let after = line[e..].chars().next();
        let ascii_edges = matched
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            || matched
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        if ascii_edges
            && (before.is_some_and(char::is_alphanumeric)
                || after.is_some_and(char::is_alphanumeric))
        {
            return 0;
        }
        if p.is_domain {
            // A domain must not be the tail of a longer host name of someone else.
            return if before == Some('.') && !line[..s].ends_with("www.") {
                0
            } else {
                3
            };
        }
        let case_ok = matched == pat
            || (matched.chars().any(char::is_alphabetic)
                && !matched.chars().any(char::is_lowercase))
            || (!p.single_word && matched.chars().next().is_some_and(char::is_uppercase));
        if !case_ok {
            return 0;
        }
        let is_agency = self.agency.get(p.entry).copied().unwrap_or(false);
        let lower = line.to_lowercase();
        let rest = line[e..].trim_start_matches([' ', '\u{a0}']);
        let rest_l = rest.to_lowercase();
        if lower.contains("copyright")
            || line.contains('©')
            || line.contains("版权所有")
            || line.contains("版權所有")
            || lower.contains("all rights reserved")
        {
            return 3;
        }
        if [
            "'s website",
            "’s website",
            "'s web site",
            "’s web site",
            "website",
            "e-mail",
            "email",
            "online edition",
        ]
        .iter()
        .any(|w| rest_l.starts_with(w))
        {
            return 3;
        }
        if line[..s].trim().is_empty() {
            let r = rest
                .trim_start_matches([',', '|', '-', '–', '—', ':'])
                .trim_start();
            if r.len() != rest.len() {
                let low = r.to_lowercase();
                if r.starts_with(|c: char| c.is_ascii_digit())
                    || MONTHS.iter().any(|m| low.starts_with(m))
                {
                    return 3;
                }
            }
        }
        if is_agency || !p.distinctive {
            return 0;
        }
        let ratio = letters(matched) as f32 / residual_letters(line).max(1) as f32;
        let at_edge = line[..s].trim().is_empty() || line[e..].trim().is_empty();
        if ratio >= 0.5 {
            2
        } else if ratio >= 0.3 && at_edge {
            1
        } else {
            0
        }
    }
}

fn letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphabetic()).count()
}

/// Letters of a line without dates, times, e-mail addresses and URLs.
fn residual_letters(line: &str) -> usize {
    line.split(|c: char| c.is_whitespace() || matches!(c, '-' | '|' | ',' | '/'))
        .filter(|t| !t.is_empty())
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit()))
        .filter(|t| !(t.contains('@') || t.contains("www.") || t.contains("http")))
        .filter(|t| {
            let low = t.to_lowercase();
            let low = low.trim_end_matches('.');
            let calendar =
                low.len() <= 9 && low.is_ascii() && MONTHS.iter().any(|m| low.starts_with(m));
            !calendar && !matches!(low, "am" | "pm" | "gmt" | "utc" | "updated" | "published")
        })
        .map(letters)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_paragraphs_matches_str_split() {
        for t in [
            "",
            "\n",
            "\n\n",
            "\n\n\n",
            "\n\n\n\n\n",
            "a\n\nb",
            "a\nb\n\n\nc\n",
            "a\n\n\n\nb\n\n",
            "Überschrift\n\n深圳报业\n集团\n\n",
        ] {
            assert_eq!(
                split_paragraphs(t),
                t.split("\n\n").collect::<Vec<_>>(),
                "{t:?}"
            );
        }
    }

    fn find(lines: &[&str]) -> Option<String> {
        let reg = Registry::builtin().unwrap();
        let m = MastheadMatcher::new(&reg);
        let chrome: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        m.find(&chrome, None, "")
            .map(|i| reg.entries()[i].id.clone())
    }

    #[test]
    fn mastheads_and_footers_name_the_publisher() {
        assert_eq!(
            find(&["2015-December-16  08:53    Shenzhen Daily"]).as_deref(),
            Some("shenzhen-daily")
        );
        assert_eq!(
            find(&["深圳报业集团版权所有, 未经授权禁止复制"]).as_deref(),
            Some("shenzhen-daily")
        );
        assert_eq!(
            find(&["Xinhua, December 15, 2015 Adjust font size:"]).as_deref(),
            Some("xinhua")
        );
        assert_eq!(
            find(&[
                "Press TV’s website can also be accessed at the following alternate addresses:"
            ])
            .as_deref(),
            Some("presstv")
        );
        assert_eq!(find(&["www.presstv.ir"]).as_deref(), Some("presstv"));
        assert_eq!(
            find(&["© 2024 The New York Times Company"]).as_deref(),
            Some("nytimes")
        );
    }

    #[test]
    fn mentions_and_credits_are_not_mastheads() {
        assert_eq!(find(&["Alexander Scherbak  TASS"]), None);
        assert_eq!(find(&["People", "Fun", "Campus", "News"]), None);
        assert_eq!(
            find(&["He told the New York Times that talks would go on for weeks."]),
            None
        );
        assert_eq!(find(&["Reuters"]), None);
        assert_eq!(find(&["see www.notpresstv.ir.example.com"]), None);
    }
}
