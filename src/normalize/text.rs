//! Page-text extraction: text that was already extracted from a page but still carries chrome.

use super::Extracted;
use unicode_normalization::UnicodeNormalization;

/// NFC, collapse runs of whitespace (including NBSP and zero-width spaces) into one space, trim.
pub fn clean_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfc() {
        if c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}') {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Extract paragraphs and a title from chrome-laden page text.
pub(crate) fn extract(body: &str) -> Extracted {
    let mut paragraphs = Vec::new();
    let mut title: Option<(usize, String)> = None;
    for line in body.lines() {
        let line = clean_whitespace(line);
        if line.is_empty() || is_chrome_line(&line) {
            continue;
        }
        let words = line.split_whitespace().count();
        let sentence_like = words >= 12 || line.ends_with(['.', '"', '”', '!', '?', '。']);
        if sentence_like {
            paragraphs.push(line);
        } else if paragraphs.is_empty()
            && (4..=25).contains(&words)
            && !line.starts_with(|c: char| c.is_ascii_digit())
            && title.as_ref().is_none_or(|(w, _)| words > *w)
        {
            // Headline candidate: the longest non-sentence line before the first paragraph.
            title = Some((words, line));
        }
    }
    let title = title.map(|(_, t)| t);
    Extracted {
        paragraphs,
        title,
        ..Extracted::default()
    }
}

fn is_chrome_line(line: &str) -> bool {
    const CHROME: &[&str] = &["share", "advertisement", "share this article", "-", "•"];
    let lower = line.to_lowercase();
    CHROME.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_collapsed_and_nfc() {
        assert_eq!(clean_whitespace("  a\u{a0}\t b\u{200b} e\u{301} "), "a b é");
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
        assert_eq!(e.paragraphs.len(), 1);
        assert!(e.paragraphs[0].starts_with("The U.S. Secretary"));
    }
}
