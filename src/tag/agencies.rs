//! Wire-agency credits: which agencies a page credits ("MOSCOW, Dec. 15 (Xinhua) --",
//! "(SD-Agencies)", "Alexander Scherbak  TASS", "AP Photo/Evan Vucci", "Photo: AFP").
//!
//! An agency named in running text ("Reuters reported", "told the AP") is a mention, not a
//! credit: a token counts only in a credit position (parentheses, dateline, photo credit, a short
//! credit line, "contributed to this report").

use super::registry::Registry;
use super::source::SourceKind;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Finds agency credits in text.
#[derive(Debug, Clone)]
pub struct CreditDetector {
    ac: Option<AhoCorasick>,
    /// Pattern index → (agency display name, allowed on a bare credit line).
    patterns: Vec<(String, bool)>,
    /// Lowercased alias → agency name, to canonicalize names given by the normalize stage.
    canonical: Vec<(String, String)>,
    reuters: Option<String>,
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

impl CreditDetector {
    /// Build from the wire agencies of the registry.
    pub fn new(registry: &Registry) -> Self {
        let mut tokens: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        let mut canonical = Vec::new();
        let mut reuters = None;
        for e in registry.entries() {
            if e.kind != SourceKind::WireAgency {
                continue;
            }
            if e.id == "reuters" {
                reuters = Some(e.name.clone());
            }
            let all = std::iter::once(&e.name).chain(&e.credits).chain(&e.aliases);
            for tok in all {
                let tok = tok.trim();
                if tok.is_empty() || tokens.iter().any(|t| t == tok) {
                    continue;
                }
                canonical.push((tok.to_lowercase(), e.name.clone()));
                // Bare credit lines need a token that is not an ordinary short word.
                let line_ok = tok.chars().count() >= 3;
                tokens.push(tok.to_string());
                patterns.push((e.name.clone(), line_ok));
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&tokens)
            .ok();
        Self {
            ac,
            patterns,
            canonical,
            reuters,
        }
    }

    /// The display name of an agency given by name or alias, if it is a known agency.
    pub fn canonical_name(&self, name: &str) -> Option<&str> {
        let key = name.trim().to_lowercase();
        self.canonical
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Agencies credited in `text` (article text or chrome lines), in order of first credit,
    /// added to `out` without repeats.
    pub fn detect(&self, text: &str, out: &mut Vec<String>) {
        generic_agencies(text, out);
        if let Some(name) = &self.reuters
            && text.contains("Reporting by")
            && text.contains("Editing by")
        {
            push_unique(out, name);
        }
        let Some(ac) = &self.ac else {
            return;
        };
        for line in text.lines() {
            for m in ac.find_iter(line) {
                let (s, e) = (m.start(), m.end());
                let Some((name, line_ok)) = self.patterns.get(m.pattern().as_usize()) else {
                    continue;
                };
                if !word_boundary(line, s, e) {
                    continue;
                }
                if is_credit(line, s, e, *line_ok) {
                    push_unique(out, name);
                }
            }
        }
    }
}

fn push_unique(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|n| n == name) {
        out.push(name.to_string());
    }
}

fn word_boundary(line: &str, s: usize, e: usize) -> bool {
    let before = line[..s].chars().next_back();
    let after = line[e..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Is the token at `s..e` of `line` in a credit position?
fn is_credit(line: &str, s: usize, e: usize, line_ok: bool) -> bool {
    let before = &line[..s];
    let after = &line[e..];
    let b = before.trim_end();
    let a = after.trim_start();
    // "(Xinhua)", "(AFP photo)", "(AP Photo/Evan Vucci)", "(Reuters) -"
    if b.ends_with('(') {
        let rest = a.to_lowercase();
        let rest = rest.trim_start_matches(['/', ',', ';']).trim_start();
        let inner = rest.split(')').next().unwrap_or("");
        if rest.contains(')')
            && (inner.trim().is_empty()
                || inner.len() <= 60
                    && [
                        "photo", "file", "image", "video", "tv", "/", "via", "graphic",
                    ]
                    .iter()
                    .any(|w| inner.trim_start().starts_with(w) || inner.contains('/')))
        {
            return true;
        }
    }
    // "MOSCOW, December 15. /TASS/."
    if b.ends_with('/') && a.starts_with('/') {
        return true;
    }
    // "Reuters/Kevin Lamarque", "AFP/Getty Images", "AP Photo", "Xinhua Photo"
    if let Some(rest) = after
        .strip_prefix('/')
        .or_else(|| after.strip_prefix(" / "))
        && rest.trim_start().starts_with(char::is_uppercase)
    {
        return true;
    }
    if [
        "Photo",
        "PHOTO",
        "Images",
        "photo",
        "file photo",
        "Video",
        "/",
    ]
    .iter()
    .any(|w| after.strip_prefix(' ').is_some_and(|r| r.starts_with(w)))
    {
        return true;
    }
    // "Photo: AFP", "Source: Xinhua", "Credit: Reuters/..."
    let tail = before
        .get(before.len().saturating_sub(48)..)
        .unwrap_or(before);
    let tail_l = tail.to_lowercase();
    if [
        "photo", "picture", "image", "credit", "source", "foto", "bild", "quelle",
    ]
    .iter()
    .any(|w| {
        tail_l.rfind(w).is_some_and(|p| {
            tail_l[p + w.len()..]
                .trim_start_matches(['s', ')'])
                .trim_start()
                .starts_with(':')
        })
    }) {
        return true;
    }
    // "... contributed to this report", "with inputs from PTI"
    if after.starts_with(" contributed")
        || tail_l.trim_end().ends_with("inputs from")
        || tail_l.trim_end().ends_with("input from")
    {
        return true;
    }
    // Dateline source line at the start: "Xinhua, December 15, 2015", "AFP | 12 May"
    if b.is_empty() {
        let rest = a
            .trim_start_matches([',', '|', '-', '–', '—', ':'])
            .trim_start();
        if a.len() != rest.len() {
            let low = rest.to_lowercase();
            if rest.starts_with(|c: char| c.is_ascii_digit())
                || MONTHS.iter().any(|m| low.starts_with(m))
                || low.starts_with("updated")
            {
                return true;
            }
        }
    }
    // A short credit line: "Alexander Scherbak  TASS", "— Reuters", "By Jane Roe, AFP", "TASS".
    if line_ok {
        let a_end = a.trim_end_matches(['.', ')', ' ']);
        let end_ok = a_end.is_empty() || a_end.starts_with('/');
        let words: Vec<&str> = b
            .trim_start_matches(['-', '–', '—', '|', '•', ' '])
            .trim_end_matches([',', ';', '|', '-', '–', '—', ' '])
            .split_whitespace()
            .collect();
        let names_only = words.len() <= 4
            && words.iter().enumerate().all(|(i, w)| {
                (i == 0 && (*w == "By" || *w == "Source:"))
                    || w.starts_with(char::is_uppercase)
                    || *w == "and"
            });
        if end_ok && names_only && line.split_whitespace().count() <= 8 {
            return true;
        }
    }
    false
}

/// "(SD-Agencies)", "(Agencies)", "— Agencies": generic agency credits, kept literally.
fn generic_agencies(text: &str, out: &mut Vec<String>) {
    for (i, _) in text.match_indices("gencies") {
        let Some(start) = i.checked_sub(1) else {
            continue;
        };
        if !matches!(text.as_bytes().get(start), Some(b'A' | b'a')) {
            continue;
        }
        let end = i + "gencies".len();
        let before = &text[..start];
        let after = text[end..].trim_start();
        // Token: optional uppercase prefix with a hyphen ("SD-").
        let prefix_len = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_uppercase() || *c == '-')
            .map(char::len_utf8)
            .sum::<usize>();
        let prefix = &before[before.len() - prefix_len..];
        if !(prefix.is_empty() || prefix.ends_with('-') && prefix.len() <= 6) {
            continue;
        }
        let lead = before[..before.len() - prefix_len].trim_end();
        let parenthesized = lead.ends_with('(') && after.starts_with(')');
        let line_credit =
            (lead.is_empty() || lead.ends_with('\n') || lead.ends_with(['—', '–', '-']))
                && (after.is_empty() || after.starts_with('\n'));
        if parenthesized || line_credit {
            let token = &text[before.len() - prefix_len..end];
            if token.starts_with(|c: char| c.is_uppercase()) {
                push_unique(out, token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> Vec<String> {
        let reg = Registry::builtin().unwrap();
        let d = CreditDetector::new(&reg);
        let mut out = Vec::new();
        d.detect(text, &mut out);
        out
    }

    #[test]
    fn credit_positions_are_found() {
        assert_eq!(
            detect("MOSCOW, Dec. 15 (Xinhua) -- Russia said."),
            ["Xinhua"]
        );
        assert_eq!(detect("talks in Syria. (SD-Agencies)"), ["SD-Agencies"]);
        assert_eq!(detect("Alexander Scherbak  TASS"), ["TASS"]);
        assert_eq!(detect("WASHINGTON (AP) — The Senate voted."), ["AP"]);
        assert_eq!(detect("LONDON (Reuters) - Shares fell."), ["Reuters"]);
        assert_eq!(
            detect("US Secretary of State John Kerry (AFP photo)"),
            ["AFP"]
        );
        assert_eq!(detect("President Biden. (AP Photo/Evan Vucci)"), ["AP"]);
        assert_eq!(detect("Photo: Reuters/Kevin Lamarque"), ["Reuters"]);
        assert_eq!(
            detect("MOSCOW, December 15. /TASS/. Talks began."),
            ["TASS"]
        );
        assert_eq!(
            detect("Xinhua, December 15, 2015 Adjust font size:"),
            ["Xinhua"]
        );
        assert_eq!(detect("— Agence France-Presse"), ["AFP"]);
        assert_eq!(
            detect("The Associated Press contributed to this report."),
            ["AP"]
        );
        assert_eq!(
            detect("Reporting by Jane Roe; Editing by John Doe"),
            ["Reuters"]
        );
        assert_eq!(detect("With inputs from PTI"), ["PTI"]);
        assert_eq!(
            detect("BEIJING, Jan 2 (Xinhua) -- x\nGAZA (AFP) - y"),
            ["Xinhua", "AFP"]
        );
    }

    #[test]
    fn mentions_are_not_credits() {
        assert!(detect("Reuters reported on Tuesday that the talks had failed.").is_empty());
        assert!(detect("He told the AP that he would resign.").is_empty());
        assert!(detect("AP and AFP tests: MAP of the APs.").is_empty());
        assert!(detect("an AP exam in the AP class").is_empty());
        assert!(detect("Lavrov told TASS").is_empty());
        assert!(detect("the travel agencies said (and others)").is_empty());
        assert!(detect("Mass-transit agencies (Agencies\n").is_empty());
        assert!(detect("Taxation (TASSIE) rules").is_empty());
        assert!(detect("The dpa reported the coach was fired.").is_empty());
    }
}
