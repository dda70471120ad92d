//! The straightforward sketch implementation the optimized one must reproduce bit for bit
//! (state entries written by either are interchangeable). Test-only.

use super::{BINS, COUNT_BITS, MAX_SHINGLE_WORDS, STOP_WORDS, Sketch, densify, distinct, mix64};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Word hashes, one character at a time.
pub fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut h = FNV_OFFSET;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                h = (h ^ u64::from(u32::from(l))).wrapping_mul(FNV_PRIME);
            }
            in_word = true;
        } else if in_word {
            out.push(mix64(h));
            h = FNV_OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(mix64(h));
    }
    out
}

fn shingle(words: &[u64]) -> u64 {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    for wh in words {
        s = (s.rotate_left(23) ^ wh).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    mix64(s)
}

/// The sketch as specified: every `w`-word shingle with a content word feeds the signature,
/// every `w + 1`-word shingle with `min(w + 1, 3) - 1` content words feeds the band keys.
pub fn sketch(text: &str, w: usize) -> Sketch {
    let w = w.clamp(1, MAX_SHINGLE_WORDS);
    let stop: Vec<u64> = STOP_WORDS.iter().copied().flat_map(word_hashes).collect();
    let words = word_hashes(text);
    let is_stop: Vec<bool> = words.iter().map(|h| stop.contains(h)).collect();
    let mut text_hash = 0x5151_5151_5151_5151u64;
    for (i, wh) in words.iter().enumerate() {
        text_hash = mix64(text_hash ^ wh).wrapping_add(i as u64);
    }
    let mut mins = [u32::MAX; BINS];
    let mut keys = [u32::MAX; BINS];
    let (mut filled, mut keys_filled) = (0u64, 0u64);
    let mut n = 0u32;
    let mut bitmap = [0u64; COUNT_BITS / 64];
    for end in 1..=words.len() {
        if end >= w && is_stop[end - w..end].iter().any(|s| !s) {
            let s = shingle(&words[end - w..end]);
            let bin = (s >> 58) as usize;
            mins[bin] = mins[bin].min(s as u32);
            filled |= 1 << bin;
            n += 1;
            let bit = (s >> 32) as usize % COUNT_BITS;
            bitmap[bit / 64] |= 1 << (bit % 64);
        }
        let content = (w + 1).min(3) - 1;
        if end > w && is_stop[end - w - 1..end].iter().filter(|s| !**s).count() >= content {
            let s = shingle(&words[end - w - 1..end]);
            let bin = (s >> 58) as usize;
            keys[bin] = keys[bin].min(s as u32);
            keys_filled |= 1 << bin;
        }
    }
    for (arr, f) in [(&mut mins, filled), (&mut keys, keys_filled)] {
        if f == 0 {
            *arr = [0; BINS];
        } else if f != u64::MAX {
            densify(arr, f);
        }
    }
    Sketch {
        text_hash,
        shingles: distinct(n, &bitmap),
        mins,
        keys: (keys_filled != 0).then_some(keys),
    }
}
