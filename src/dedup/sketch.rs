//! Content sketches: the normalized-text hash and a one-permutation MinHash signature over
//! case-folded word shingles, computed in one pass without allocating.
//!
//! Words are maximal runs of alphanumeric characters, lowercased (so punctuation, quote styles
//! and whitespace never matter). The exact-text hash chains the word hashes in order. Each
//! `w`-word shingle is hashed once; its top 6 bits pick one of [`BINS`] bins and the low 32 bits
//! compete for that bin's minimum (one-permutation hashing, Li, Owen & Zhang 2012). Bins left
//! empty by short texts borrow from a filled bin chosen by a fixed probe sequence (optimal
//! densification, Shrivastava 2017), so two sketches agree in a bin with probability equal to the
//! Jaccard similarity of their shingle sets — the MinHash property LSH banding relies on.
//!
//! Two sketches are taken in the same pass: `w`-word shingles for the signature that estimates
//! similarity, and `w + 1`-word shingles for the LSH band keys. Longer shingles are rarer, so
//! unrelated documents share band keys far less often (short chains, few candidates), while a
//! copy still shares at least one of 16 keys with near certainty (0.9987 at Jaccard 0.34). Band
//! shingles need two content words ("of the president" is skipped, "the president said" kept):
//! phrases of function words around one common noun are shared by thousands of documents.

/// Bins (= MinHash values) per sketch.
pub const BINS: usize = 64;

/// Longest shingle, in words.
pub const MAX_SHINGLE_WORDS: usize = 8;

/// The sketch of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// Hash of the normalized text (lowercased words in order).
    pub text_hash: u64,
    /// Number of distinct shingles (linear-counting estimate; 0 when the text has fewer words
    /// than a shingle).
    pub shingles: u32,
    /// Per-bin minimum shingle hash (densified; all zero when `shingles == 0`).
    pub mins: [u32; BINS],
    /// Per-bin minimum hash of the one-word-longer shingles: the LSH band keys (`None` when the
    /// text has no such shingle).
    pub keys: Option<[u32; BINS]>,
}

/// SplitMix64 finalizer: a fast, well-mixing 64-bit bijection.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Function words whose shingles carry no evidence of copying ("of the", "in a"): shingles made
/// only of these are skipped. Without this, the minimum of a bin is often such a phrase shared by
/// most documents, and its LSH bucket chains grow with the window.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has",
    "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "more",
    "most", "my", "no", "not", "now", "of", "on", "one", "only", "or", "other", "our", "out",
    "over", "s", "said", "she", "so", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "up", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "will", "with", "would", "you", "your",
    // German, French, Spanish, Italian, Portuguese, Dutch: the most frequent function words.
    "der", "die", "das", "und", "den", "dem", "des", "ein", "eine", "ist", "mit", "von", "zu",
    "auf", "le", "la", "les", "de", "du", "des", "et", "un", "une", "en", "au", "que", "qui", "el",
    "los", "las", "y", "del", "por", "con", "il", "di", "che", "e", "o", "da", "het", "van", "een",
];

/// Stop-word hashes in a small open-addressing table (512 slots, linear probing, 0 = empty).
struct StopSet {
    slots: Vec<u64>,
}

const STOP_SLOTS: usize = 512;

fn stop_set() -> &'static StopSet {
    static SET: std::sync::OnceLock<StopSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut slots = vec![0u64; STOP_SLOTS];
        for w in STOP_WORDS {
            for_each_word_hash(w, |h| {
                let mut i = (h >> 55) as usize;
                loop {
                    match slots.get_mut(i % STOP_SLOTS) {
                        Some(s) if *s == 0 || *s == h => {
                            *s = h;
                            break;
                        }
                        Some(_) => i += 1,
                        None => break,
                    }
                }
            });
        }
        StopSet { slots }
    })
}

impl StopSet {
    #[inline]
    fn contains(&self, h: u64) -> bool {
        let mut i = (h >> 55) as usize;
        // The table is at most a quarter full, so probe runs are short.
        for _ in 0..STOP_SLOTS {
            match self.slots.get(i % STOP_SLOTS) {
                Some(&s) if s == h => return true,
                Some(&0) | None => return false,
                Some(_) => i += 1,
            }
        }
        false
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Marks bytes of multi-byte UTF-8 characters in [`BYTE_FOLD`].
const NON_ASCII: u8 = 0xff;

/// Lowercased value of every ASCII alphanumeric byte, 0 for other ASCII bytes, [`NON_ASCII`]
/// for bytes ≥ 0x80.
const BYTE_FOLD: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphanumeric() {
            b.to_ascii_lowercase()
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Calls `f` with the hash of every word of `text` (alphanumeric runs, lowercased), in order.
#[inline]
pub fn for_each_word_hash(text: &str, mut f: impl FnMut(u64)) {
    for h in WordHashes::new(text) {
        f(h);
    }
}

/// The hash of every word of a text (alphanumeric runs, lowercased), in order: FNV-1a over the
/// lowercased characters, then [`mix64`]. Runs of ASCII letters and digits are hashed in a tight
/// loop through a fold table, runs of ASCII separators skipped in another; other characters are
/// decoded one at a time. An iterator (not a callback) so the sketch's per-word work is inlined
/// into its loop and its state stays in registers.
pub struct WordHashes<'a> {
    text: &'a str,
    /// Byte position of the next character to read (always a character boundary).
    pos: usize,
}

impl<'a> WordHashes<'a> {
    /// The words of `text`.
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }
}

/// General Punctuation (spaces, dashes, quotes, bullets, ellipsis): no letters or digits, so
/// they separate words without a Unicode table lookup (checked against `is_alphanumeric`).
const PUNCTUATION: std::ops::RangeInclusive<u32> = 0x2000..=0x206f;

/// CJK Unified Ideographs: letters without case, checked against `is_alphanumeric` and
/// `to_lowercase`.
const CJK_IDEOGRAPHS: std::ops::RangeInclusive<u32> = 0x4e00..=0x9fff;

impl Iterator for WordHashes<'_> {
    type Item = u64;

    // Inlined into the sketch loop: a call per word cost as much as hashing its letters.
    #[inline(always)]
    fn next(&mut self) -> Option<u64> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut h = FNV_OFFSET;
        let mut in_word = false;
        let mut i = self.pos;
        loop {
            // ASCII letters and digits: 1..=0x7a in the table (0 separator, 0xff non-ASCII).
            // Eight bytes per step while eight remain (one bounds check per step; most words
            // take one step), then one at a time.
            let start = i;
            while let Some(chunk) = bytes.get(i..i + 8) {
                let mut n = 0;
                for &b in chunk {
                    let v = BYTE_FOLD[usize::from(b)];
                    if v.wrapping_sub(1) >= NON_ASCII - 1 {
                        break;
                    }
                    h = (h ^ u64::from(v)).wrapping_mul(FNV_PRIME);
                    n += 1;
                }
                i += n;
                if n < 8 {
                    break;
                }
            }
            if bytes.len() - i < 8 {
                while let Some(&b) = bytes.get(i) {
                    let v = BYTE_FOLD[usize::from(b)];
                    if v.wrapping_sub(1) >= NON_ASCII - 1 {
                        break;
                    }
                    h = (h ^ u64::from(v)).wrapping_mul(FNV_PRIME);
                    i += 1;
                }
            }
            in_word |= i > start;
            let Some(&b) = bytes.get(i) else {
                break;
            };
            if b < 0x80 {
                // An ASCII separator ends the word; the next call skips the rest of the run.
                i += 1;
                if in_word {
                    self.pos = i;
                    return Some(mix64(h));
                }
                while let Some(&b) = bytes.get(i) {
                    if BYTE_FOLD[usize::from(b)] != 0 {
                        break;
                    }
                    i += 1;
                }
            } else {
                let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
                    break;
                };
                i += c.len_utf8();
                let code = u32::from(c);
                if CJK_IDEOGRAPHS.contains(&code) {
                    // Letters without case: hashed as they are (what `to_lowercase` gives).
                    h = (h ^ u64::from(code)).wrapping_mul(FNV_PRIME);
                    in_word = true;
                } else if !PUNCTUATION.contains(&code) && c.is_alphanumeric() {
                    for l in c.to_lowercase() {
                        h = (h ^ u64::from(u32::from(l))).wrapping_mul(FNV_PRIME);
                    }
                    in_word = true;
                } else if in_word {
                    self.pos = i;
                    return Some(mix64(h));
                }
            }
        }
        self.pos = bytes.len();
        in_word.then(|| mix64(h))
    }
}

/// Set bits of every 9-bit value (stop-word windows are at most [`RING`] bits).
const POPCOUNT_9: [u8; 512] = {
    let mut t = [0u8; 512];
    let mut i = 0;
    while i < 512 {
        t[i] = (i as u32).count_ones() as u8;
        i += 1;
    }
    t
};

/// Order-sensitive hash of a shingle's word hashes, oldest first.
#[inline(always)]
fn shingle_hash(words: &[u64]) -> u64 {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    for wh in words {
        s = (s.rotate_left(23) ^ wh).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    mix64(s)
}

/// Words kept for shingling: up to [`MAX_SHINGLE_WORDS`] plus one for the band shingles.
const RING: usize = MAX_SHINGLE_WORDS + 1;

impl Sketch {
    /// Sketch `text` with shingles of `w` words (clamped to 1..=[`MAX_SHINGLE_WORDS`]) for the
    /// signature, and of `w + 1` words for the LSH band keys.
    pub fn of_text(text: &str, w: usize) -> Self {
        match w.clamp(1, MAX_SHINGLE_WORDS) {
            1 => Self::of_text_w::<1>(text),
            2 => Self::of_text_w::<2>(text),
            3 => Self::of_text_w::<3>(text),
            4 => Self::of_text_w::<4>(text),
            5 => Self::of_text_w::<5>(text),
            6 => Self::of_text_w::<6>(text),
            7 => Self::of_text_w::<7>(text),
            _ => Self::of_text_w::<8>(text),
        }
    }

    /// [`Sketch::of_text`] for `W`-word shingles (compiled per size, so the shingle loops
    /// unroll and the word window is a fixed shift register).
    fn of_text_w<const W: usize>(text: &str) -> Self {
        let len = W + 1;
        let band_min_content = len.min(3) as u32 - 1;
        let ring_mask = (1u32 << len) - 1;
        let sig_mask = (1u32 << W) - 1;
        let stops = stop_set();
        // The last `W + 1` word hashes at the end of `last`, newest last.
        let mut last = [0u64; RING];
        // Bit i set: the word i places back from the newest is a stop word.
        let mut stop_bits = 0u32;
        let mut words = 0usize;
        let mut text_hash = 0x5151_5151_5151_5151u64;
        let mut mins = [u32::MAX; BINS];
        let mut keys = [u32::MAX; BINS];
        let mut filled = 0u64;
        let mut keys_filled = 0u64;
        let mut shingles = 0u32;
        // Linear counting of distinct shingles: repeated phrases must not inflate the set size
        // that containment divides by.
        let mut bitmap = [0u64; COUNT_BITS / 64];
        for wh in WordHashes::new(text) {
            text_hash = mix64(text_hash ^ wh).wrapping_add(words as u64);
            last.copy_within(RING - W.., RING - 1 - W);
            if let Some(x) = last.last_mut() {
                *x = wh;
            }
            stop_bits = ((stop_bits << 1) | u32::from(stops.contains(wh))) & ring_mask;
            words += 1;
            // Not all `W` words of the shingle are stop words.
            if words >= W && stop_bits & sig_mask != sig_mask {
                let s = shingle_hash(last.get(RING - W..).unwrap_or(&[]));
                let bin = (s >> 58) as usize;
                if let Some(m) = mins.get_mut(bin) {
                    *m = (*m).min(s as u32);
                    filled |= 1 << bin;
                }
                shingles = shingles.saturating_add(1);
                let bit = (s >> 32) as usize % COUNT_BITS;
                if let Some(word) = bitmap.get_mut(bit / 64) {
                    *word |= 1 << (bit % 64);
                }
            }
            let stops_in_band = u32::from(POPCOUNT_9[(stop_bits & 511) as usize]);
            if words > W && len as u32 - stops_in_band >= band_min_content {
                let s = shingle_hash(last.get(RING - 1 - W..).unwrap_or(&[]));
                let bin = (s >> 58) as usize;
                if let Some(m) = keys.get_mut(bin) {
                    *m = (*m).min(s as u32);
                    keys_filled |= 1 << bin;
                }
            }
        }
        let shingles = distinct(shingles, &bitmap);
        for (arr, f) in [(&mut mins, filled), (&mut keys, keys_filled)] {
            if f == 0 {
                *arr = [0; BINS];
            } else if f != u64::MAX {
                densify(arr, f);
            }
        }
        Sketch {
            text_hash,
            shingles,
            mins,
            keys: (keys_filled != 0).then_some(keys),
        }
    }

    /// The 8-bit (b-bit MinHash) signature kept in memory for candidate verification.
    pub fn signature(&self) -> [u8; BINS] {
        let mut sig = [0u8; BINS];
        for (s, m) in sig.iter_mut().zip(self.mins.iter()) {
            *s = (*m ^ (*m >> 8) ^ (*m >> 16) ^ (*m >> 24)) as u8;
        }
        sig
    }
}

/// Bits of the linear-counting bitmap.
const COUNT_BITS: usize = 8192;

/// Distinct count from the bitmap (`n` shingles seen in total): `−m·ln(zero bits / m)`, capped
/// by `n`; when the bitmap is nearly full, `n` itself.
fn distinct(n: u32, bitmap: &[u64; COUNT_BITS / 64]) -> u32 {
    let set: u32 = bitmap.iter().map(|w| w.count_ones()).sum();
    let zeros = COUNT_BITS as f64 - f64::from(set);
    if n == 0 || zeros < 64.0 {
        return n;
    }
    let m = COUNT_BITS as f64;
    let est = (-m * (zeros / m).ln()).round();
    (est as u32).clamp(1, n)
}

/// Fill empty bins: bin `j` probes bins `h(j, 0), h(j, 1), …` until it finds a filled one and
/// copies its value. Both sketches of a pair use the same probe sequence.
fn densify(mins: &mut [u32; BINS], filled: u64) {
    let src = *mins;
    for (j, m) in mins.iter_mut().enumerate() {
        if filled & (1 << j) != 0 {
            continue;
        }
        let mut attempt = 0u64;
        loop {
            let probe = (mix64(((j as u64) << 32) | attempt) >> 58) as usize;
            if filled & (1 << probe) != 0 {
                *m = src.get(probe).copied().unwrap_or(0);
                break;
            }
            attempt += 1;
            if attempt > 4096 {
                // Unreachable in practice (a filled bin exists); stay total anyway.
                let first = filled.trailing_zeros() as usize;
                *m = src.get(first).copied().unwrap_or(0);
                break;
            }
        }
    }
}

/// Estimated Jaccard similarity from two 8-bit signatures (b-bit MinHash, Li & König 2010):
/// unrelated bins agree by chance with probability 1/256, which is corrected for.
#[inline]
pub fn estimate_jaccard(a: &[u8; BINS], b: &[u8; BINS]) -> f32 {
    let matches = a.iter().zip(b.iter()).filter(|(x, y)| x == y).count();
    let p = matches as f32 / BINS as f32;
    let chance = 1.0 / 256.0;
    ((p - chance) / (1.0 - chance)).clamp(0.0, 1.0)
}

/// Containment of the smaller shingle set in the larger, derived from a Jaccard estimate and the
/// two set sizes: |A∩B| = J·(|A|+|B|)/(1+J), divided by min(|A|,|B|).
#[inline]
pub fn containment(j: f32, na: u32, nb: u32) -> f32 {
    let small = na.min(nb).max(1) as f32;
    let inter = j * (na as f32 + nb as f32) / (1.0 + j);
    (inter / small).clamp(0.0, 1.0)
}

/// Query parameters that select the AMP or another output view of the same article; tracking
/// parameters are recognised by [`crate::normalize::url::is_tracking_param`].
const VIEW_PARAMS: &[&str] = &["amp", "outputtype", "output"];

/// A URL reduced to what identifies the article: host without `www.`, `m.`, `mobile.` or
/// `amp.`, path without a trailing `/amp` or `amp/` segment or `.amp`/`.html` variants, and no
/// query parameters that only track or select the AMP view. Returns its 32-bit hash, 0 for none.
pub fn url_key(url: Option<&str>) -> u32 {
    let Some(raw) = url else { return 0 };
    let Ok(u) = url::Url::parse(raw.trim()) else {
        return 0;
    };
    let Some(host) = u.host_str() else { return 0 };
    let mut host = host.to_ascii_lowercase();
    for prefix in ["www.", "m.", "mobile.", "amp."] {
        if let Some(rest) = host.strip_prefix(prefix)
            && rest.contains('.')
        {
            host = rest.to_string();
            break;
        }
    }
    let mut segs: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    segs.retain(|s| !s.eq_ignore_ascii_case("amp"));
    let mut path = segs.join("/");
    for suffix in [".amp", ".amp.html"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.to_string();
        }
    }
    let mut kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| {
            !(crate::normalize::url::is_tracking_param(k)
                || VIEW_PARAMS.contains(&k.to_ascii_lowercase().as_str()))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    kept.sort();
    let mut key = String::with_capacity(host.len() + path.len() + 16);
    key.push_str(&host);
    key.push('/');
    key.push_str(&path);
    for (k, v) in kept {
        key.push('&');
        key.push_str(&k);
        key.push('=');
        key.push_str(&v);
    }
    let h = xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32;
    h.max(1)
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimized_sketch_matches_the_reference() {
        let mut texts: Vec<String> = vec![
            String::new(),
            "one".into(),
            "of the".into(),
            "Kerry met Lavrov, in Moscow! The president said: \"no\".".into(),
            "Ünïcödé ÄÖÜ straße İstanbul ΣΊΣΥΦΟΣ 東京 株式会社 — naïve café's 3.5%".into(),
            "of the people of the people of the people and the said to".into(),
            "a\u{0}b\u{ff}c \u{10ffff} end".into(),
        ];
        let mut s = 7u64;
        let vocab = [
            "the", "of", "said", "minister", "Paris", "élan", "x1", "and", "über",
        ];
        for n in [5usize, 40, 400, 3000] {
            let mut t = String::new();
            for _ in 0..n {
                s = mix64(s);
                t.push_str(vocab[(s % vocab.len() as u64) as usize]);
                t.push(if s.is_multiple_of(7) { ',' } else { ' ' });
            }
            texts.push(t);
        }
        for t in &texts {
            for w in 1..=5 {
                assert_eq!(Sketch::of_text(t, w), reference::sketch(t, w), "{w} {t}");
            }
        }
    }

    #[test]
    fn word_hashes_match_the_reference() {
        let mut texts: Vec<String> = vec![
            String::new(),
            " ".into(),
            "a".into(),
            "  lead and trail  ".into(),
            "x—y–z…é".into(),
            "Ünïcödé ÄÖÜ straße İstanbul ΣΊΣΥΦΟΣ 東京 株式会社 — naïve café's 3.5%".into(),
            "\u{0}\u{7f}\u{80}\u{ff}ab\u{2028}cd\u{10ffff}".into(),
        ];
        let mut s = 11u64;
        let pieces = ["ab", " ", "É", "—", ",", "9", "ß", "\n\n", "x", "東"];
        for n in [1usize, 7, 60, 900] {
            let mut t = String::new();
            for _ in 0..n {
                s = mix64(s);
                t.push_str(pieces[(s % pieces.len() as u64) as usize]);
            }
            texts.push(t);
        }
        for t in &texts {
            let got: Vec<u64> = WordHashes::new(t).collect();
            assert_eq!(got, reference::word_hashes(t), "{t:?}");
            let mut via_callback = Vec::new();
            for_each_word_hash(t, |h| via_callback.push(h));
            assert_eq!(via_callback, got);
        }
    }

    #[test]
    fn fast_character_ranges_agree_with_the_unicode_tables() {
        for code in PUNCTUATION {
            let c = char::from_u32(code).unwrap();
            assert!(!c.is_alphanumeric(), "{code:x}");
        }
        for code in CJK_IDEOGRAPHS {
            let c = char::from_u32(code).unwrap();
            assert!(c.is_alphanumeric(), "{code:x}");
            assert_eq!(c.to_lowercase().collect::<Vec<_>>(), vec![c], "{code:x}");
        }
        // Mixed text through both paths: ASCII, apostrophes, NBSP, combining marks, CJK,
        // astral characters, quotes and dashes inside words.
        let mut s = 5u64;
        let pieces = [
            "Word",
            " ",
            "’",
            "‘",
            "“",
            "”",
            "\u{a0}",
            "e\u{301}",
            "東京",
            "中",
            "—",
            "–",
            "…",
            "•",
            "😀",
            "𝔘𝔫𝔦",
            "\u{2003}",
            "\u{2028}",
            "\u{206f}",
            "\u{2070}",
            "\u{2071}",
            "ß",
            "İ",
            "Σ",
            "9",
            "\n\n",
            "x",
            "\u{4dff}",
            "\u{a000}",
            "\u{9fff}",
        ];
        for n in [1usize, 3, 20, 200, 2000] {
            let mut t = String::new();
            for _ in 0..n {
                s = mix64(s);
                t.push_str(pieces[(s % pieces.len() as u64) as usize]);
            }
            let got: Vec<u64> = WordHashes::new(&t).collect();
            assert_eq!(got, reference::word_hashes(&t), "{t:?}");
            for w in 1..=4 {
                assert_eq!(
                    Sketch::of_text(&t, w),
                    reference::sketch(&t, w),
                    "{w} {t:?}"
                );
            }
        }
    }

    #[test]
    fn words_ignore_case_and_punctuation() {
        let a = Sketch::of_text("Kerry met Lavrov, in Moscow!", 3);
        let b = Sketch::of_text("kerry  MET “Lavrov” in moscow", 3);
        assert_eq!(a, b);
        let c = Sketch::of_text("Kerry met Putin in Moscow", 3);
        assert_ne!(a.text_hash, c.text_hash);
    }

    #[test]
    fn jaccard_estimate_tracks_overlap() {
        let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let full = words.join(" ");
        let half = words[..200].join(" ");
        let a = Sketch::of_text(&full, 3);
        let b = Sketch::of_text(&half, 3);
        let j = estimate_jaccard(&a.signature(), &b.signature());
        assert!((0.3..0.7).contains(&j), "{j}");
        let c = containment(j, a.shingles, b.shingles);
        assert!(c > 0.8, "{c}");
        let other: Vec<String> = (0..400).map(|i| format!("x{i}")).collect();
        let o = Sketch::of_text(&other.join(" "), 3);
        assert!(estimate_jaccard(&a.signature(), &o.signature()) < 0.1);
    }

    #[test]
    fn short_and_empty_texts_are_total() {
        let e = Sketch::of_text("", 3);
        assert_eq!(e.shingles, 0);
        let s = Sketch::of_text("one two three", 3);
        assert_eq!(s.shingles, 1);
        let repeated = "of the people of the people of the people of the people";
        assert_eq!(Sketch::of_text(repeated, 3).shingles, 3);
        // "of the" is skipped, "the people" and "people of" count.
        assert_eq!(Sketch::of_text(repeated, 2).shingles, 2);
        assert_eq!(Sketch::of_text("of the and to", 2).shingles, 0);
        let long: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
        let n = Sketch::of_text(&long.join(" "), 2).shingles;
        assert!((2850..3150).contains(&n), "{n}");
        assert!(s.mins.iter().all(|m| *m == s.mins[0]));
        let u = Sketch::of_text("Ünïcödé ÄÖÜ straße", 1);
        assert_eq!(u, Sketch::of_text("ünïcödé äöü STRAßE", 1));
    }

    #[test]
    fn url_variants_share_a_key() {
        let k = url_key(Some("https://www.example.com/news/story-1"));
        assert_ne!(k, 0);
        for v in [
            "https://m.example.com/news/story-1?utm_source=x",
            "http://example.com/news/story-1/amp/",
            "https://amp.example.com/news/story-1?amp=1#top",
            "https://example.com/amp/news/story-1",
        ] {
            assert_eq!(url_key(Some(v)), k, "{v}");
        }
        assert_ne!(url_key(Some("https://example.com/news/story-2")), k);
        assert_eq!(url_key(None), 0);
        assert_eq!(url_key(Some("not a url")), 0);
    }
}
