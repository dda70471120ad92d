//! Re-emit compact JSON with every object's keys in sorted order, copying strings and numbers
//! verbatim.
//!
//! File mode has always printed record values through `serde_json::Value` (a `BTreeMap`
//! without the `preserve_order` feature), so its output lists keys sorted at every level.
//! Building and dropping that tree cost more than the record serialization itself; this walks
//! the record bytes with borrowed [`RawValue`]s instead and gives the same bytes for the
//! compact JSON that serde_json writes (no whitespace, canonical string escapes, shortest
//! round-trip floats).

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Nesting depth past which values are copied as they are (serde_json itself refuses to parse
/// more than 128 levels, so records never get here).
const MAX_DEPTH: usize = 128;

/// An object's entries in input order, keys unescaped (borrowed when they hold no escape).
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Self::Value, M::Error> {
                let mut v = Vec::with_capacity(m.size_hint().unwrap_or(8));
                while let Some(k) = m.next_key::<Key<'de>>()? {
                    v.push((k.0, m.next_value::<&'de RawValue>()?));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A key, borrowed from the input unless it had to be unescaped.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(Visit)
    }
}

/// Append the compact JSON `text` to `out` with the keys of every object sorted (byte order
/// of the unescaped keys; a repeated key keeps its last value, as a map would). Objects and
/// arrays holding objects are parsed (so invalid JSON there is an error); other values are
/// copied as they are.
pub fn write_sorted(text: &str, out: &mut Vec<u8>) -> serde_json::Result<()> {
    write_value(text, out, 0)
}

fn write_value(text: &str, out: &mut Vec<u8>, depth: usize) -> serde_json::Result<()> {
    let text = text.trim_matches([' ', '\t', '\n', '\r']);
    match text.as_bytes().first() {
        Some(b'{') if depth < MAX_DEPTH => {
            let mut entries = serde_json::from_str::<Entries>(text)?.0;
            // Stable sort, then keep the last of equal keys (what a BTreeMap insert does).
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push(b'{');
            let mut first = true;
            for (i, (key, value)) in entries.iter().enumerate() {
                if entries.get(i + 1).is_some_and(|next| next.0 == *key) {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                serde_json::to_writer(&mut *out, key.as_ref())?;
                out.push(b':');
                write_value(value.get(), out, depth + 1)?;
            }
            out.push(b'}');
        }
        Some(b'[') if depth < MAX_DEPTH && text.contains('{') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item.get(), out, depth + 1)?;
            }
            out.push(b']');
        }
        _ => out.extend_from_slice(text.as_bytes()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via_value(json: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        serde_json::to_string(&v).unwrap()
    }

    fn sorted(json: &str) -> String {
        let mut out = Vec::new();
        write_sorted(json, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_bytes_as_a_value_round_trip() {
        let cases = [
            r#"{"b":1,"a":{"z":[1,2,{"y":null,"x":true}],"c":"s\"q\\\n\u0001é😀"},"é":2.5,"e":-0.0}"#,
            r#"{"n":1e300,"f":0.1,"g":123456789012345678,"h":-9223372036854775808,"i":18446744073709551615}"#,
            r#"[{"b":1,"a":2},[],{},"x",[[{"d":1,"c":2}]]]"#,
            r#"{"dup":1,"dup":2,"a\u0062":3,"ab":4,"B":5,"a":6}"#,
            r#"{"x":"</script>\u2028\u007f","y":[1.5,2,3e-7]}"#,
            r#""plain""#,
            "17",
            "null",
        ];
        for c in cases {
            let compact = via_value(c);
            // The record writer only ever sees compact serde_json output.
            let reserialized = {
                let v: serde_json::Value = serde_json::from_str(c).unwrap();
                let mut s = Vec::new();
                serde_json::to_writer(&mut s, &v).unwrap();
                String::from_utf8(s).unwrap()
            };
            assert_eq!(sorted(&reserialized), compact, "{c}");
        }
    }

    #[test]
    fn struct_output_is_sorted_like_before() {
        #[derive(serde::Serialize)]
        struct Inner {
            zeta: f32,
            alpha: Vec<String>,
        }
        #[derive(serde::Serialize)]
        struct Rec {
            z: u32,
            m: Option<String>,
            inner: Inner,
            a: f64,
        }
        let r = Rec {
            z: 1,
            m: Some("line\n\"q\"".into()),
            inner: Inner {
                zeta: 4.197_2,
                alpha: vec!["x".into()],
            },
            a: 0.30000000000000004,
        };
        let bytes = serde_json::to_vec(&r).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert_eq!(sorted(text), via_value(text));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(sorted(&deep), deep);
    }
}
