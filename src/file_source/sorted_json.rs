//! Re-emit compact JSON with every object's keys in sorted order, copying strings and numbers
//! verbatim.
//!
//! File mode has always printed record values through `serde_json::Value` (a `BTreeMap`
//! without the `preserve_order` feature), so its output lists keys sorted at every level.
//! Building and dropping that tree cost more than the record serialization itself; this scans
//! the record bytes instead (strings skipped with `memchr`, values kept as slices) and gives
//! the same bytes for the compact JSON that serde_json writes (no whitespace, canonical string
//! escapes), except that floats keep their exact digits: the tree's float parser is not exact
//! and could change the last digit of a float.

use std::borrow::Cow;

/// Nesting depth past which values are copied as they are (serde_json itself refuses to parse
/// more than 128 levels, so records never get here).
const MAX_DEPTH: usize = 128;

/// Append the compact JSON `text` to `out` with the keys of every object sorted (byte order
/// of the unescaped keys; a repeated key keeps its last value, as a map would). Scalars are
/// copied as they are. Text that is not JSON as serde_json writes it (whitespace inside,
/// truncated) goes the old way, through `serde_json::Value`, which also reports invalid JSON.
pub fn write_sorted(text: &str, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mark = out.len();
    if write_value(text, out, 0, false).is_none() {
        out.truncate(mark);
        let value: serde_json::Value = serde_json::from_str(text)?;
        serde_json::to_writer(&mut *out, &value)?;
    }
    Ok(())
}

/// `None` when `text` is not compact JSON this scanner understands.
/// `nested`: `text` is one value cut out by [`value_end`] (so a scalar needs no second scan).
fn write_value(text: &str, out: &mut Vec<u8>, depth: usize, nested: bool) -> Option<()> {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'{') if depth < MAX_DEPTH => {
            let mut entries: Vec<(Cow<str>, &str)> = Vec::with_capacity(32);
            let mut i = 1;
            if bytes.get(i) != Some(&b'}') {
                loop {
                    let key_end = string_end(bytes, i)?;
                    let key = key_of(text.get(i..key_end)?)?;
                    if bytes.get(key_end) != Some(&b':') {
                        return None;
                    }
                    let value_end = value_end(bytes, key_end + 1)?;
                    entries.push((key, text.get(key_end + 1..value_end)?));
                    i = value_end + 1;
                    match bytes.get(value_end) {
                        Some(b',') => continue,
                        Some(b'}') => break,
                        _ => return None,
                    }
                }
            }
            if i != bytes.len() && !(entries.is_empty() && bytes.len() == 2) {
                return None;
            }
            // Stable sort, then keep the last of equal keys (what a map insert does).
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push(b'{');
            let mut first = true;
            for (n, (key, value)) in entries.iter().enumerate() {
                if entries.get(n + 1).is_some_and(|next| next.0 == *key) {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                serde_json::to_writer(&mut *out, key.as_ref()).ok()?;
                out.push(b':');
                write_value(value, out, depth + 1, true)?;
            }
            out.push(b'}');
        }
        Some(b'[') if depth < MAX_DEPTH && text.contains('{') => {
            out.push(b'[');
            let mut i = 1;
            if bytes.get(i) != Some(&b']') {
                loop {
                    let end = value_end(bytes, i)?;
                    if i > 1 {
                        out.push(b',');
                    }
                    write_value(text.get(i..end)?, out, depth + 1, true)?;
                    i = end + 1;
                    match bytes.get(end) {
                        Some(b',') => continue,
                        Some(b']') => break,
                        _ => return None,
                    }
                }
            } else {
                i = 2;
            }
            if i != bytes.len() {
                return None;
            }
            out.push(b']');
        }
        Some(b'{' | b'[') => {
            // No object inside, or past the depth limit: copied as it is.
            if !nested {
                value_end(bytes, 0).filter(|&e| e == bytes.len())?;
            }
            out.extend_from_slice(bytes);
        }
        Some(b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            if !nested {
                value_end(bytes, 0).filter(|&e| e == bytes.len())?;
            }
            out.extend_from_slice(bytes);
        }
        _ => return None,
    }
    Some(())
}

/// The unescaped text of a JSON string token (quotes included), borrowed when it has no
/// escape.
fn key_of(token: &str) -> Option<Cow<'_, str>> {
    let inner = token.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(token).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// End (one past the closing quote) of the string token starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    loop {
        let rest = bytes.get(i..)?;
        let at = memchr::memchr2(b'"', b'\\', rest)?;
        match rest.get(at) {
            Some(b'"') => return Some(i + at + 1),
            _ => i += at + 2,
        }
    }
}

/// End of the value starting at `start`: the index of the byte after it.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    b' ' | b'\t' | b'\n' | b'\r' => return None,
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let rest = bytes.get(start..)?;
            let len = rest
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            let token = rest.get(..len)?;
            let literal = matches!(token, b"true" | b"false" | b"null");
            let number = token
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'));
            (len > 0 && (literal || number)).then_some(start + len)
        }
    }
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
    fn other_json_goes_the_old_way_and_junk_is_an_error() {
        assert_eq!(
            sorted(r#"{ "b": 1, "a": [ {"d":1, "c":2} ] }"#),
            r#"{"a":[{"c":2,"d":1}],"b":1}"#
        );
        assert_eq!(sorted(r#"{"b":1,"a":2} "#), r#"{"a":2,"b":1}"#);
        for junk in [
            r#"{"a":1"#,
            r#"{"a":}"#,
            r#"{"a" 1}"#,
            "[{\"a\":1},",
            "{a:1}",
            "",
            "x",
        ] {
            let mut out = Vec::new();
            assert!(write_sorted(junk, &mut out).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(sorted(&deep), deep);
    }
}
