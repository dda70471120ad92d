//! Text cleanup shared by both page shapes: whitespace, Unicode NFC, word counts.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Whitespace-like characters that HTML text uses besides `char::is_whitespace`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}'
        )
}

/// Collapse runs of whitespace (including NBSP, zero-width spaces, soft hyphens) into one
/// space and trim; control characters are dropped. Runs of printable ASCII are copied in bulk;
/// other characters go through the Unicode checks one by one.
pub fn collapse_whitespace(s: &str) -> String {
    collapse_whitespace_flagged(s).0
}

/// [`collapse_whitespace`], and whether it dropped a character (a control character that is
/// not whitespace).
fn collapse_whitespace_flagged(s: &str) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    let dropped = collapse_whitespace_into(s, &mut out);
    (out, dropped)
}

/// [`collapse_whitespace_flagged`] appending to `out` (which may hold earlier text).
fn collapse_whitespace_into(s: &str, out: &mut String) -> bool {
    let base = out.len();
    let mut dropped = false;
    let mut pending_space = false;
    let mut rest = s;
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        let printable = |b: &u8| (0x21..=0x7e).contains(b);
        let mut run = 0;
        loop {
            let from = bytes.get(run..).unwrap_or_default();
            run += from
                .iter()
                .position(|b| !printable(b))
                .unwrap_or(from.len());
            // A single space between printable bytes stays inside the run.
            if run > 0 && bytes.get(run) == Some(&b' ') && bytes.get(run + 1).is_some_and(printable)
            {
                run += 1;
            } else {
                break;
            }
        }
        if run > 0 {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(rest.get(..run).unwrap_or_default());
        }
        rest = rest.get(run..).unwrap_or_default();
        let Some(c) = rest.chars().next() else {
            break;
        };
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
        if is_space(c) {
            pending_space = out.len() > base;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            if c.is_control() {
                dropped = true;
            } else {
                out.push(c);
            }
        }
    }
    dropped
}

/// NFC, then [`collapse_whitespace`]. ASCII text is NFC already and skips the check.
pub fn clean_whitespace(s: &str) -> String {
    clean_whitespace_stable(s).0
}

/// [`clean_whitespace`], and whether cleaning its output again leaves it unchanged. It does
/// unless a control character that is not whitespace was dropped (which can leave double
/// spaces or a base letter next to a combining mark): whitespace runs become one space, which
/// never composes or reorders under NFC.
pub fn clean_whitespace_stable(s: &str) -> (String, bool) {
    let (out, dropped) = if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        collapse_whitespace_flagged(s)
    } else {
        let nfc: String = s.nfc().collect();
        collapse_whitespace_flagged(&nfc)
    };
    (out, !dropped)
}

/// [`clean_whitespace_stable`] appending the cleaned text to `out` (which may hold earlier
/// text): returns whether cleaning the appended text again leaves it unchanged.
pub fn clean_whitespace_stable_into(s: &str, out: &mut String) -> bool {
    let dropped = if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        collapse_whitespace_into(s, out)
    } else {
        let nfc: String = s.nfc().collect();
        collapse_whitespace_into(&nfc, out)
    };
    !dropped
}

/// Whether a char is written without spaces between words (CJK, Thai, …): each counts as a word.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff   // kana
        | 0x3400..=0x4dbf // CJK ext A
        | 0x4e00..=0x9fff // CJK unified
        | 0xf900..=0xfaff
        | 0x0e00..=0x0e7f // Thai
        | 0x0e80..=0x0eff // Lao
        | 0x1000..=0x109f // Myanmar
        | 0x1780..=0x17ff // Khmer
        | 0x20000..=0x2fa1f)
}

/// Words in a text: runs of letters/digits, every CJK (or other unspaced-script) char counting
/// as one word. ASCII bytes are judged without decoding.
pub fn count_words(s: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    let mut rest = s;
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        let ascii = bytes.iter().position(|&b| b >= 0x80).unwrap_or(bytes.len());
        let mut state = usize::from(in_word);
        for &b in bytes.get(..ascii).unwrap_or_default() {
            // In bounds: the index is below 256 by construction.
            #[allow(clippy::indexing_slicing)]
            let t = WORD_STEP[((state << 7) | usize::from(b)) & 0xff];
            n += usize::from(t >> 1);
            state = usize::from(t & 1);
        }
        in_word = state == 1;
        rest = rest.get(ascii..).unwrap_or_default();
        let Some(c) = rest.chars().next() else {
            break;
        };
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
        if is_unspaced_script(c) {
            n += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            n += usize::from(!in_word);
            in_word = true;
        } else if !(in_word && c == '’') {
            in_word = false;
        }
    }
    n
}

/// Word-count step for an ASCII byte, indexed by `in_word << 7 | byte`: bit 0 is the next
/// `in_word`, bit 1 is set when a word starts here.
static WORD_STEP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let in_word = i >= 128;
        let b = (i & 0x7f) as u8;
        let word = b.is_ascii_alphanumeric() || b == b'_';
        let next = word || (in_word && b == b'\'');
        t[i] = (next as u8) | (((word && !in_word) as u8) << 1);
        i += 1;
    }
    t
};

/// Reference implementations the fast paths must agree with.
#[cfg(test)]
mod reference {
    use super::*;

    pub fn collapse_whitespace(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut pending_space = false;
        for c in s.chars() {
            if is_space(c) {
                pending_space = !out.is_empty();
            } else {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                if !c.is_control() {
                    out.push(c);
                }
            }
        }
        out
    }

    pub fn count_words(s: &str) -> usize {
        let mut n = 0;
        let mut in_word = false;
        for c in s.chars() {
            if is_unspaced_script(c) {
                n += 1;
                in_word = false;
            } else if c.is_alphanumeric() || c == '_' {
                if !in_word {
                    n += 1;
                    in_word = true;
                }
            } else if !(in_word && (c == '\'' || c == '’')) {
                in_word = false;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_collapsed_and_nfc() {
        assert_eq!(clean_whitespace("  a\u{a0}\t b\u{200b} e\u{301} "), "a b é");
        assert_eq!(collapse_whitespace("\n\n x \r\n y\u{7}"), "x y");
    }

    #[test]
    fn fast_paths_match_the_reference() {
        let samples = [
            "",
            " ",
            "plain ascii text",
            "  lead\t\ttabs \r\n and\x07bell\x7f del  ",
            "\x01\x02 ctrl first",
            "caf\u{e9} \u{a0}nbsp\u{200b}zw\u{ad}shy \u{3000}ideo",
            "深圳报业 Shenzhen’s don't it's_ok x__y '' ’’",
            "e\u{301} \u{85}nel\u{2028}ls \u{1c}fs \u{feff}bom",
            "Kerry's talks, in Moscow. 2015-12-16 08:53",
            "a b  c   d \t e",
            " a b ",
            "a \u{e9} b\u{a0} c",
            "x ' y 'z' _a_ 9'9",
        ];
        for s in samples {
            assert_eq!(
                collapse_whitespace(s),
                reference::collapse_whitespace(s),
                "{s:?}"
            );
            assert_eq!(count_words(s), reference::count_words(s), "{s:?}");
        }
    }

    #[test]
    fn cleaning_is_stable_unless_it_drops_chars() {
        let samples = [
            "",
            " ",
            "a",
            "plain ascii text",
            "a  b",
            " a ",
            "a\tb\r",
            "a \x07 b",
            "\x07 x \x07",
            "a\x7fb",
            "e\x01\u{301}",
            "caf\u{e9} na\u{ef}ve",
            "cafe\u{301} \u{301}x",
            "a\u{a0}b",
            "a\u{200b}\u{301}",
            "\u{200b}\u{301}a",
            "a\u{ad}\u{ad}\u{308}b",
            "a \u{85}b\u{86}c",
            "深圳报业 Shenzhen’s",
            "x\u{3000}\u{2028}y\u{feff}",
            "\u{1e0a}\u{323} \u{2000}",
        ];
        for s in samples {
            let (once, stable) = clean_whitespace_stable(s);
            let drops = s.chars().any(|c| c.is_control() && !is_space(c));
            assert_eq!(stable, !drops, "{s:?}");
            if stable {
                assert_eq!(clean_whitespace(&once), once, "{s:?}");
            }
        }
        // Appending into a buffer gives the same text and flag, whatever the buffer holds.
        for s in samples {
            for prefix in ["", "x", "x "] {
                let mut buf = prefix.to_string();
                let stable = clean_whitespace_stable_into(s, &mut buf);
                assert_eq!(
                    (&buf[prefix.len()..], stable),
                    (
                        clean_whitespace_stable(s).0.as_str(),
                        clean_whitespace_stable(s).1
                    ),
                    "{prefix:?} {s:?}"
                );
            }
        }
        assert!(!clean_whitespace_stable("a \x07 b").1);
        assert!(!clean_whitespace_stable("a\u{86}b").1);
        assert!(clean_whitespace_stable("a\tb \u{85}c\u{a0}d").1);
        // Dropping a control character can leave a result that cleans differently.
        let once = clean_whitespace("e\x01\u{301}");
        assert_ne!(clean_whitespace(&once), once);
    }

    #[test]
    fn counts_words_across_scripts() {
        assert_eq!(count_words("Kerry's talks, in Moscow."), 4);
        assert_eq!(count_words("深圳报业 Shenzhen"), 5);
        assert_eq!(count_words(""), 0);
    }
}
