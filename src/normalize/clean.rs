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
/// space and trim. Fast path when nothing needs to change.
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

/// NFC, then [`collapse_whitespace`].
pub fn clean_whitespace(s: &str) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        collapse_whitespace(s)
    } else {
        let nfc: String = s.nfc().collect();
        collapse_whitespace(&nfc)
    }
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
/// as one word.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_collapsed_and_nfc() {
        assert_eq!(clean_whitespace("  a\u{a0}\t b\u{200b} e\u{301} "), "a b é");
        assert_eq!(collapse_whitespace("\n\n x \r\n y\u{7}"), "x y");
    }

    #[test]
    fn counts_words_across_scripts() {
        assert_eq!(count_words("Kerry's talks, in Moscow."), 4);
        assert_eq!(count_words("深圳报业 Shenzhen"), 5);
        assert_eq!(count_words(""), 0);
    }
}
