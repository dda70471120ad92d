//! The dedup state entry: a compact, versioned JSON value per remembered document.
//!
//! Unique document (≈ 270 bytes):
//! `{"v":1,"t":<event ms>,"x":"<text hash, 16 hex>","u":<url key>,"w":<shingle words>,"n":<shingles>,"m":"<base64: 64 signature bytes, then the band keys as u32 LE>"}`
//!
//! Copy (its verdict, so a redelivery anywhere returns it; near copies also carry `u`/`w`/`n`/`m`
//! so copies of them are found too):
//! `{"v":1,"t":<event ms>,"x":"<text hash>","k":"exact"|"near","of":"<original id>","s":<similarity>}`
//!
//! The entry key is the document id. The value holds exactly what the index keeps, so replay
//! needs no hashing and 1 million entries parse and apply in a few seconds.

use super::sketch::BINS;
use crate::state::StateValue;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Current value version.
pub const VERSION: u8 = 1;

/// A decoded dedup entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Event time, ms.
    pub time_ms: i64,
    /// Text hash.
    pub text_hash: u64,
    /// The document's sketch (unique documents and near copies).
    pub sketch: Option<SketchBody>,
    /// Its verdict, when it is a copy.
    pub dup: Option<DupBody>,
}

/// What near-duplicate lookups need of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct SketchBody {
    /// URL key hash.
    pub url: u32,
    /// Shingle size the mins were computed with.
    pub shingle_words: u8,
    /// Distinct shingles.
    pub shingles: u32,
    /// 8-bit signature.
    pub sig: [u8; BINS],
    /// LSH band keys (as many as bands).
    pub keys: Vec<u32>,
}

/// The verdict of a copy.
#[derive(Debug, Clone, PartialEq)]
pub struct DupBody {
    /// `true` for exact, `false` for near.
    pub exact: bool,
    /// Original's id.
    pub of: String,
    /// Similarity reported.
    pub similarity: f32,
}

#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    v: u8,
    t: i64,
    #[serde(borrow)]
    x: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    w: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<u32>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    m: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    k: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    of: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<f32>,
}

/// Encode an entry value: the bytes [`StateValue::of`] gives for the [`Wire`] struct (keys in
/// sorted order, `s` with the digits of the `f32` as `f64`), written directly.
pub fn encode(d: &Decoded) -> StateValue {
    let mut out = Vec::with_capacity(320);
    write_wire(&mut out, d);
    StateValue::from_json_bytes(out)
}

/// The JSON of [`encode`]: `k`, `m`, `n`, `of`, `s`, `t`, `u`, `v`, `w`, `x` (absent ones
/// left out), each value as serde_json writes it.
fn write_wire(out: &mut Vec<u8>, d: &Decoded) {
    use crate::pipeline::sorted_ser::write_str;
    use serde::Serializer;
    let mut sep = b'{';
    let mut key = |out: &mut Vec<u8>, name: &str| {
        out.push(sep);
        sep = b',';
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    // Writing numbers into a vector cannot fail.
    if let Some(dup) = &d.dup {
        key(out, "k");
        write_str(out, if dup.exact { "exact" } else { "near" });
    }
    if let Some(sk) = &d.sketch {
        let mut raw = [0u8; BINS * 5];
        let keys = sk.keys.len().min(BINS);
        if let Some(head) = raw.get_mut(..BINS) {
            head.copy_from_slice(&sk.sig);
        }
        for (chunk, k) in raw[BINS..].chunks_exact_mut(4).zip(sk.keys.iter()) {
            chunk.copy_from_slice(&k.to_le_bytes());
        }
        let mut text = [0u8; (BINS * 5).div_ceil(3) * 4];
        let n = STANDARD_NO_PAD
            .encode_slice(raw.get(..BINS + keys * 4).unwrap_or(&[]), &mut text)
            .unwrap_or(0);
        key(out, "m");
        out.push(b'"');
        out.extend_from_slice(text.get(..n).unwrap_or(&[]));
        out.push(b'"');
        key(out, "n");
        let _ = serde_json::Serializer::new(&mut *out).serialize_u32(sk.shingles);
    }
    if let Some(dup) = &d.dup {
        key(out, "of");
        write_str(out, &dup.of);
        key(out, "s");
        let _ = serde_json::Serializer::new(&mut *out).serialize_f64(f64::from(dup.similarity));
    }
    key(out, "t");
    let _ = serde_json::Serializer::new(&mut *out).serialize_i64(d.time_ms);
    if let Some(sk) = &d.sketch {
        key(out, "u");
        let _ = serde_json::Serializer::new(&mut *out).serialize_u32(sk.url);
    }
    key(out, "v");
    let _ = serde_json::Serializer::new(&mut *out).serialize_u8(VERSION);
    if let Some(sk) = &d.sketch {
        key(out, "w");
        let _ = serde_json::Serializer::new(&mut *out).serialize_u8(sk.shingle_words);
    }
    key(out, "x");
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for shift in (0..16).rev() {
        out.push(HEX[((d.text_hash >> (shift * 4)) & 0xf) as usize]);
    }
    out.push(b'"');
    out.push(b'}');
}

/// The general path [`encode`] replaced: the [`Wire`] struct through [`StateValue::of`].
#[cfg(test)]
fn encode_via_wire(d: &Decoded) -> StateValue {
    let x = format!("{:016x}", d.text_hash);
    let m = d.sketch.as_ref().map(|sk| {
        let mut raw = [0u8; BINS * 5];
        let keys = sk.keys.len().min(BINS);
        if let Some(head) = raw.get_mut(..BINS) {
            head.copy_from_slice(&sk.sig);
        }
        for (chunk, k) in raw[BINS..].chunks_exact_mut(4).zip(sk.keys.iter()) {
            chunk.copy_from_slice(&k.to_le_bytes());
        }
        STANDARD_NO_PAD.encode(raw.get(..BINS + keys * 4).unwrap_or(&[]))
    });
    let wire = Wire {
        v: VERSION,
        t: d.time_ms,
        x: Cow::Borrowed(&x),
        u: d.sketch.as_ref().map(|s| s.url),
        w: d.sketch.as_ref().map(|s| s.shingle_words),
        n: d.sketch.as_ref().map(|s| s.shingles),
        m: m.as_deref().map(Cow::Borrowed),
        k: d.dup
            .as_ref()
            .map(|d| Cow::Borrowed(if d.exact { "exact" } else { "near" })),
        of: d.dup.as_ref().map(|d| Cow::Borrowed(d.of.as_str())),
        s: d.dup.as_ref().map(|d| d.similarity),
    };
    StateValue::of(&wire)
}

/// Decode an entry value; `None` for malformed values or unknown versions.
pub fn decode(value: &StateValue) -> Option<Decoded> {
    let w: Wire = value.parse().ok()?;
    if w.v != VERSION {
        return None;
    }
    let text_hash = u64::from_str_radix(&w.x, 16).ok()?;
    let sketch = match w.m.as_deref() {
        Some(m) => {
            let mut raw = [0u8; BINS * 5];
            let n = STANDARD_NO_PAD.decode_slice(m, &mut raw).ok()?;
            if n < BINS || !(n - BINS).is_multiple_of(4) {
                return None;
            }
            let mut sig = [0u8; BINS];
            sig.copy_from_slice(raw.get(..BINS)?);
            let keys = raw
                .get(BINS..n)?
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            Some(SketchBody {
                url: w.u.unwrap_or(0),
                shingle_words: w.w.unwrap_or(0),
                shingles: w.n.unwrap_or(0),
                sig,
                keys,
            })
        }
        None => None,
    };
    let dup = w.of.map(|of| DupBody {
        exact: w.k.as_deref() == Some("exact"),
        of: of.into_owned(),
        similarity: w.s.unwrap_or(1.0),
    });
    if sketch.is_none() && dup.is_none() {
        return None;
    }
    Some(Decoded {
        time_ms: w.t,
        text_hash,
        sketch,
        dup,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_both_kinds() {
        let mut sig = [0u8; BINS];
        for (i, m) in sig.iter_mut().enumerate() {
            *m = (i as u8).wrapping_mul(37);
        }
        let sketch = SketchBody {
            url: 42,
            shingle_words: 2,
            shingles: 380,
            sig,
            keys: (0..16u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect(),
        };
        let u = Decoded {
            time_ms: 1_700_000_000_123,
            text_hash: 0xdead_beef_0123_4567,
            sketch: Some(sketch.clone()),
            dup: None,
        };
        let v = encode(&u);
        assert!(serde_json::to_string(&v).unwrap().len() < 300);
        assert_eq!(decode(&v), Some(u));
        let dup = DupBody {
            exact: false,
            // Escaped characters in the id: decoded from the text, not borrowed.
            of: "p-\"1\\ é".into(),
            similarity: 0.75,
        };
        for sketch in [None, Some(sketch)] {
            let d = Decoded {
                time_ms: 5,
                text_hash: 9,
                sketch,
                dup: Some(dup.clone()),
            };
            assert_eq!(decode(&encode(&d)), Some(d));
        }
    }

    #[test]
    fn direct_encoding_matches_the_wire_struct() {
        let mut seed = 0x1234_5678u64;
        let mut next = || {
            seed = crate::dedup::sketch::mix64(seed);
            seed
        };
        let ids = [
            "bench-1",
            "",
            "p-\"1\\ é",
            "tab\there\nnl \u{1}\u{1f}\u{7f}",
            "’NBSP\u{a0}combining e\u{301} 東京 😀",
            "a-much-longer-identifier-0123456789-with-many-bytes",
        ];
        let sims = [
            1.0f32,
            0.75,
            0.969,
            0.1,
            0.0,
            -0.0,
            1e-8,
            f32::NAN,
            f32::INFINITY,
        ];
        for round in 0..400 {
            let r = next();
            let mut sig = [0u8; BINS];
            for m in sig.iter_mut() {
                *m = next() as u8;
            }
            let sketch = (r & 1 == 0).then(|| SketchBody {
                url: next() as u32 >> (r % 33).min(31),
                shingle_words: (r >> 8) as u8,
                shingles: next() as u32 >> (r % 32),
                sig,
                keys: (0..(r >> 16) % (BINS as u64 + 3))
                    .map(|_| next() as u32)
                    .collect(),
            });
            let dup = (r & 2 == 0).then(|| DupBody {
                exact: r & 4 == 0,
                of: ids[(r >> 24) as usize % ids.len()].to_string(),
                similarity: sims[(r >> 32) as usize % sims.len()] * (round as f32 + 1.0) / 400.0,
            });
            let d = Decoded {
                time_ms: (next() as i64) >> (r % 64),
                text_hash: next() >> (r % 64),
                sketch,
                dup,
            };
            assert_eq!(encode(&d), encode_via_wire(&d), "{d:?}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for v in [
            serde_json::json!(null),
            serde_json::json!({"v": 2, "t": 0, "x": "00"}),
            serde_json::json!({"v": 1, "t": 0, "x": "zz", "m": ""}),
            serde_json::json!({"v": 1, "t": 0, "x": "00", "m": "AAAA"}),
            serde_json::json!({"v": 1, "t": 0, "x": "00", "m": "A".repeat(500)}),
            serde_json::json!({"v": 1, "t": 0, "x": "00"}),
        ] {
            assert_eq!(decode(&v.clone().into()), None, "{v}");
        }
    }
}
