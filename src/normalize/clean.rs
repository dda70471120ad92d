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
        let run = printable_run(rest.as_bytes());
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

/// Length of the longest prefix of `bytes` made of printable ASCII bytes (`0x21..=0x7e`) and
/// single spaces between them: 0 unless it starts with a printable byte. Eight bytes are
/// judged at once (SWAR).
fn printable_run(bytes: &[u8]) -> usize {
    if !bytes.first().is_some_and(|b| (0x21..=0x7e).contains(b)) {
        return 0;
    }
    // End of the longest prefix of bytes in 0x20..=0x7e without two spaces in a row.
    let mut end = 0;
    let mut space_before = false;
    loop {
        if let Some(chunk) = bytes
            .get(end..end + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
        {
            let x = u64::from_le_bytes(chunk);
            let in_range = ascii_in_range(x & !HIGH, 0x20, 0x7e) & !x;
            let spaces = zero_bytes(x ^ (u64::from(b' ') * LOW));
            let double = spaces & ((spaces << 8) | if space_before { 0x80 } else { 0 });
            let bad = (!in_range | double) & HIGH;
            if bad == 0 {
                space_before = spaces >> 63 != 0;
                end += 8;
                continue;
            }
            end += (bad.trailing_zeros() / 8) as usize;
            break;
        }
        while let Some(&b) = bytes.get(end) {
            if b == b' ' {
                if space_before {
                    break;
                }
                space_before = true;
            } else if (0x21..=0x7e).contains(&b) {
                space_before = false;
            } else {
                break;
            }
            end += 1;
        }
        break;
    }
    // A space at the end is not between two printable bytes.
    if bytes.get(end.wrapping_sub(1)) == Some(&b' ') {
        end -= 1;
    }
    end
}

/// The first `n` chars of `s` (all of it when it has fewer). Chars are counted by their
/// first bytes, eight bytes at a time while the count stays within `n`.
pub fn first_chars(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s; // at most `n` chars
    }
    let bytes = s.as_bytes();
    // `n` ASCII bytes are `n` chars (and the byte after them starts a char).
    if bytes.get(..n).is_some_and(<[u8]>::is_ascii) {
        return s.get(..n).unwrap_or(s);
    }
    // Chars that start in `bytes[..i]`.
    let (mut chars, mut i) = (0usize, 0usize);
    while let Some(chunk) = bytes
        .get(i..i + 8)
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
    {
        let x = u64::from_le_bytes(chunk);
        // Continuation bytes: high bit set, bit 6 clear.
        let starts = 8 - ones_in_high_bits(x & !(x << 1) & HIGH);
        if chars + starts > n {
            break;
        }
        chars += starts;
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b & 0xc0 != 0x80 {
            if chars == n {
                return s.get(..i).unwrap_or(s);
            }
            chars += 1;
        }
        i += 1;
    }
    s
}

/// Whether `s` holds an ASCII digit (eight bytes at a time).
pub fn has_ascii_digit(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        if ascii_in_range(x & !HIGH, b'0', b'9') & !x != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(u8::is_ascii_digit)
}

/// `0x80` in each byte of `y` that is zero, 0 in the others (exact for any bytes: no sum
/// below carries into the next byte).
const fn zero_bytes(y: u64) -> u64 {
    !(((y & !HIGH) + !HIGH) | y) & HIGH
}

/// Whether `s` is in NFC by the quick check ([`is_nfc_quick`] answers `Yes`). Chars below
/// U+0300, general punctuation (U+2010..=U+205F) and CJK unified ideographs all have quick
/// check `Yes` and combining class 0, so text made only of them is NFC without table lookups;
/// other text takes the full quick check.
fn is_nfc_quick_yes(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes
            .get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            && u64::from_le_bytes(chunk) & HIGH == 0
        {
            i += 8;
            continue;
        }
        let Some(&b) = bytes.get(i) else { break };
        match b {
            0..=0x7f => i += 1,
            // Two-byte chars up to U+02FF.
            0xc2..=0xcb => i += 2,
            0xe2 | 0xe4..=0xe9 => {
                let cp = s
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(0, u32::from);
                if !matches!(cp, 0x2010..=0x205f | 0x4e00..=0x9fff) {
                    return is_nfc_quick(s.chars()) == IsNormalized::Yes;
                }
                i += 3;
            }
            _ => return is_nfc_quick(s.chars()) == IsNormalized::Yes,
        }
    }
    true
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
    let (out, dropped) = if is_nfc_quick_yes(s) {
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
    let dropped = if is_nfc_quick_yes(s) {
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
/// as one word. Eight ASCII bytes without an apostrophe are judged at once (SWAR); other bytes
/// go through [`WORD_STEP`], other chars through the Unicode checks.
pub fn count_words(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes
            .get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
        {
            let x = u64::from_le_bytes(chunk);
            if x & HIGH == 0 && !has_byte(x, b'\'') {
                let w = ascii_word_bytes(x);
                let before = (w << 8) | if in_word { 0x80 } else { 0 };
                n += ones_in_high_bits(w & !before);
                in_word = w >> 63 != 0;
                i += 8;
                continue;
            }
        }
        // The next eight bytes one by one (a char may run past them).
        let stop = (i + 8).min(bytes.len());
        while i < stop {
            let Some(&b) = bytes.get(i) else { break };
            if b < 0x80 {
                // In bounds: the index is below 256 by construction.
                #[allow(clippy::indexing_slicing)]
                let t = WORD_STEP[((usize::from(in_word) << 7) | usize::from(b)) & 0xff];
                n += usize::from(t >> 1);
                in_word = t & 1 == 1;
                i += 1;
                continue;
            }
            let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
                break; // not reached: `i` is a char boundary
            };
            i += c.len_utf8();
            if is_general_punctuation(c) {
                // Neither a letter nor a digit nor an unspaced-script char.
                in_word = in_word && c == '’';
            } else if is_unspaced_script(c) {
                n += 1;
                in_word = false;
            } else if c.is_alphanumeric() {
                n += usize::from(!in_word);
                in_word = true;
            } else if !(in_word && c == '’') {
                in_word = false;
            }
        }
    }
    n
}

/// Chars of the General Punctuation block (U+2000..=U+206F: spaces, dashes, quotes, bullets):
/// none is alphanumeric, so callers skip the Unicode tables for them.
pub fn is_general_punctuation(c: char) -> bool {
    ('\u{2000}'..='\u{206f}').contains(&c)
}

/// Number of bytes of `x` whose high bit is set, when no other bit is (a multiply sums
/// them into the top byte; `count_ones` is slow without the POPCNT instruction).
const fn ones_in_high_bits(x: u64) -> usize {
    ((x >> 7).wrapping_mul(LOW) >> 56) as usize
}

/// `0x01` in every byte of a `u64`.
const LOW: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a `u64`.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `0x80` in each byte of `x` (all bytes ASCII) that lies in `lo..=hi`, 0 in the others.
/// No byte sum carries into the next byte since every byte is below `0x80`.
const fn ascii_in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = x + (0x80 - lo as u64) * LOW;
    let above_hi = x + (0x7f - hi as u64) * LOW;
    at_least_lo & !above_hi & HIGH
}

/// Whether some byte of `x` (all bytes ASCII) equals `b` (ASCII).
const fn has_byte(x: u64, b: u8) -> bool {
    zero_bytes(x ^ (b as u64 * LOW)) != 0
}

/// `0x80` in each byte of `x` (all bytes ASCII) that is part of a word: an ASCII letter,
/// digit or '_'.
const fn ascii_word_bytes(x: u64) -> u64 {
    let letters = ascii_in_range(x | (0x20 * LOW), b'a', b'z');
    let digits = ascii_in_range(x, b'0', b'9');
    letters | digits | ascii_in_range(x, b'_', b'_')
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
    fn first_chars_matches_char_indices() {
        let pieces = [
            "a",
            "bc",
            " ",
            "’",
            "\u{a0}",
            "\u{301}",
            "\u{7}",
            "深圳",
            "ไทย",
            "\u{1f600}",
            "é",
            "abcdefgh",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut t = String::new();
            for k in 0..(seed % 40) {
                t.push_str(pieces[((seed >> (k % 60)) as usize) % pieces.len()]);
            }
            for n in [0, 1, 2, 7, 8, 9, 15, 16, 17, (seed % 50) as usize] {
                let want = t.char_indices().nth(n).map_or(t.as_str(), |(i, _)| &t[..i]);
                assert_eq!(first_chars(&t, n), want, "{t:?} {n}");
            }
        }
    }

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

    /// Random strings over an alphabet that mixes word bytes, apostrophes, separators and
    /// multi-byte chars of every class `count_words` distinguishes.
    fn random_texts(count: usize) -> Vec<String> {
        const ALPHABET: &[&str] = &[
            "a",
            "Z",
            "q",
            "7",
            "0",
            "_",
            "'",
            "'",
            " ",
            " ",
            "  ",
            ".",
            ",",
            "-",
            "@",
            "`",
            "[",
            "{",
            "/",
            ":",
            "\t",
            "\n",
            "\x7f",
            "\x01",
            "’",
            "é",
            "É",
            "深",
            "圳",
            "ก",
            "\u{301}",
            "\u{a0}",
            "½",
            "²",
            "—",
            "“",
            "\u{10000}",
            "𠀀",
            "word",
            "Kerry's",
            "it’s",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = (next() % 40) as usize;
                (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn swar_word_count_matches_the_reference() {
        for s in random_texts(20_000) {
            assert_eq!(count_words(&s), reference::count_words(&s), "{s:?}");
        }
        // Every offset and length of a long ASCII text (chunks at every alignment).
        let text = "Kerry's talks_in Moscow, 2015-12-16 08:53; it's x'y ''z A9 b9a9 the end. ";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let s = &text[start..end];
                assert_eq!(count_words(s), reference::count_words(s), "{s:?}");
            }
        }
        for b in 0u8..0x80 {
            for c in [b'a', b' ', b'\''] {
                let s = String::from_utf8(vec![c, b, b, c, b, b'x', b, c, b, b]).unwrap();
                assert_eq!(count_words(&s), reference::count_words(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn swar_collapse_matches_the_reference() {
        let mut texts = random_texts(20_000);
        let spaced = "a b  c   d\t e ~ !x y\x7f z \u{a0}w  q ".to_string();
        for (start, _) in spaced.char_indices() {
            texts.push(spaced[start..].to_string());
        }
        for s in &texts {
            assert_eq!(
                collapse_whitespace(s),
                reference::collapse_whitespace(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn nfc_quick_path_matches_the_quick_check() {
        // Every char the byte path admits is NFC-quick-check Yes with combining class 0.
        let admitted = (0x80..0x300).chain(0x2010..=0x205f).chain(0x4e00..=0x9fff);
        for c in admitted.filter_map(char::from_u32) {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "{c:?}"
            );
        }
        let mut texts = random_texts(20_000);
        texts.extend(
            [
                "e\u{301}",
                "\u{2000}",
                "\u{212b}",
                "a\u{300}\u{316}",
                "\u{f900}",
                "\u{304b}\u{3099}",
                "\u{2126}x",
                "\u{1e0a}\u{323}",
                "ok \u{201c}quoted\u{201d} \u{2014} \u{2026} 深圳",
            ]
            .map(String::from),
        );
        for s in &texts {
            assert_eq!(
                is_nfc_quick_yes(s),
                is_nfc_quick(s.chars()) == IsNormalized::Yes,
                "{s:?}"
            );
        }
    }

    #[test]
    fn digit_scan_matches_the_byte_test() {
        for s in random_texts(5_000) {
            assert_eq!(
                has_ascii_digit(&s),
                s.bytes().any(|b| b.is_ascii_digit()),
                "{s:?}"
            );
        }
        for pos in 0..20 {
            let mut s = "abcdefghijklmnopqrst".to_string();
            s.replace_range(pos..pos + 1, "5");
            assert!(has_ascii_digit(&s), "{s:?}");
            s.replace_range(pos..pos + 1, "\u{b0}");
            assert!(!has_ascii_digit(&s), "{s:?}");
        }
    }

    #[test]
    fn general_punctuation_is_not_alphanumeric() {
        for c in ('\u{2000}'..='\u{206f}').chain(['a', '’', 'é']) {
            assert_eq!(
                is_general_punctuation(c),
                ('\u{2000}'..='\u{206f}').contains(&c)
            );
            if is_general_punctuation(c) {
                assert!(!c.is_alphanumeric() && !is_unspaced_script(c), "{c:?}");
            }
        }
        assert_eq!(ones_in_high_bits(HIGH), 8);
        assert_eq!(ones_in_high_bits(0x80), 1);
        assert_eq!(ones_in_high_bits(0), 0);
    }

    #[test]
    fn counts_words_across_scripts() {
        assert_eq!(count_words("Kerry's talks, in Moscow."), 4);
        assert_eq!(count_words("深圳报业 Shenzhen"), 5);
        assert_eq!(count_words(""), 0);
    }
}
