//! Compact JSON with the keys of every object in sorted order, written straight from a
//! `Serialize` value.
//!
//! Record values have always been published with sorted keys in file mode (they used to go
//! through `serde_json::Value`, whose map is a `BTreeMap`), and state values were built as
//! `serde_json::Value` trees before being written. This serializer gives the same bytes in one
//! pass: every value is written by serde_json's own compact serializer, structs and maps are
//! written field by field into the output and then put in key order (byte order of the keys; a
//! repeated key keeps its last value, as a map insert does) by one copy of the object's bytes.
//! Nothing is allocated per field: the entry table and the copy buffer are reused.
//!
//! [`Floats::AsF64`] prints `f32` values with the digits of the same number as `f64`, which is
//! what a `serde_json::Value` tree prints (it stores every float as `f64`); state values use it
//! so their bytes stay those of the old `to_value` encoding.

use serde::ser::{self, Serialize};
use std::cmp::Ordering;

/// How `f32` values are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floats {
    /// The shortest digits that read back as the same `f32` (serde_json's default).
    Shortest,
    /// The digits of the value widened to `f64` (what a `serde_json::Value` tree prints).
    AsF64,
}

/// Serialize `value` as compact JSON with sorted object keys, appended to `out`.
///
/// Map keys must serialize as strings (struct fields always do); anything else, or an error
/// of the value's own `Serialize`, is returned as an error with `out` left as it was.
pub fn write_sorted<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    floats: Floats,
) -> serde_json::Result<()> {
    let mark = out.len();
    let mut state = State {
        out,
        scratch: Vec::new(),
        entries: Vec::with_capacity(48),
        text: String::new(),
        wide: floats == Floats::AsF64,
    };
    let result = value.serialize(Ser { st: &mut state });
    if result.is_err() {
        state.out.truncate(mark);
    }
    result
}

/// [`write_sorted`] into a new vector.
pub fn to_vec_sorted<T: Serialize + ?Sized>(
    value: &T,
    floats: Floats,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    write_sorted(&mut out, value, floats)?;
    Ok(out)
}

/// Append `s` as a JSON string with serde_json's escapes (`\"`, `\\`, `\b`, `\f`, `\n`,
/// `\r`, `\t`, and `\u00xx` for the other control characters; nothing else is escaped).
/// Runs without escapes are found eight bytes at a time and copied whole.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    /// High bit set in each byte of `w` that is zero.
    fn zero_bytes(w: u64) -> u64 {
        w.wrapping_sub(ONES) & !w & HIGHS
    }
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time; the last few padded with a byte that needs no escape, so
        // short strings and tails take one step too.
        let mut word = [b'A'; 8];
        match bytes.get(i..i + 8) {
            Some(chunk) => word.copy_from_slice(chunk),
            None => {
                let tail = bytes.get(i..).unwrap_or_default();
                if let Some(head) = word.get_mut(..tail.len()) {
                    head.copy_from_slice(tail);
                }
            }
        }
        let w = u64::from_le_bytes(word);
        // Bytes < 0x20 (no high bit, and below 0x20 after the subtraction), '"', '\\'.
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let hits = control
            | zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')));
        if hits == 0 {
            i += 8;
            continue;
        }
        // Borrows in the subtraction can flag a byte after the first true hit, never
        // before it: skip to the first flagged byte and test it exactly.
        i += (hits.trailing_zeros() / 8) as usize;
        let Some(&b) = bytes.get(i) else { break };
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => &[],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        i += 1;
        run = i;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or_default());
    out.push(b'"');
}

/// One written `"key":value` of the object being built: byte offsets into the output.
#[derive(Clone, Copy)]
struct Entry {
    /// Start of the key's text (after its opening quote).
    key_start: usize,
    /// End of the key's text (before its closing quote).
    key_end: usize,
    /// Start of the entry (its key's opening quote).
    start: usize,
    /// End of the entry (after its value).
    end: usize,
}

struct State<'o> {
    out: &'o mut Vec<u8>,
    /// Copy of an object's bytes while they are put in order.
    scratch: Vec<u8>,
    /// Entries of the objects being written, innermost last.
    entries: Vec<Entry>,
    /// A value's `Display` text while it is written as a string.
    text: String,
    wide: bool,
}

impl State<'_> {
    fn json(&mut self) -> serde_json::Serializer<&mut Vec<u8>> {
        serde_json::Serializer::new(&mut *self.out)
    }

    /// Write `"key":` (escaped as serde_json escapes it) and open an entry.
    fn begin_entry(&mut self, key: &str) {
        let start = self.out.len();
        write_str(self.out, key);
        self.open_entry(start);
    }

    /// The key token `out[start..]` is written: record it and write the colon.
    fn open_entry(&mut self, start: usize) {
        let end = self.out.len();
        self.entries.push(Entry {
            key_start: start + 1,
            key_end: end.saturating_sub(1).max(start + 1),
            start,
            end,
        });
        self.out.push(b':');
    }

    fn close_entry(&mut self) {
        let end = self.out.len();
        if let Some(e) = self.entries.last_mut() {
            e.end = end;
        }
    }

    /// Put the entries of the object whose entries start at `base` and whose bytes start at
    /// `body` (after `{`) in key order, and close it.
    ///
    /// The order depends only on the sequence of keys, and a struct writes the same keys in the
    /// same order every time: the order found for a key sequence is kept in a small per-thread
    /// table ([`Schemas`]) and reused when the same keys (compared byte for byte) come again.
    fn finish_object(&mut self, base: usize, body: usize) {
        let n = self.entries.len().saturating_sub(base);
        if n > 1 {
            let fp = fingerprint(self.out, self.entries.get(base..).unwrap_or_default());
            let hit = SCHEMAS.with(|cell| {
                let schemas = cell.borrow();
                let entries = self.entries.get(base..).unwrap_or_default();
                match schemas.lookup(fp, self.out, entries) {
                    Some(Order::Sorted) => true,
                    Some(Order::Permuted(order)) => {
                        self.rewrite(base, body, order);
                        true
                    }
                    None => false,
                }
            });
            if !hit {
                let out: &[u8] = self.out;
                let entries = self.entries.get(base..).unwrap_or_default();
                let order = sort_order(out, entries);
                let identity =
                    order.len() == n && order.iter().enumerate().all(|(i, &j)| usize::from(j) == i);
                SCHEMAS.with(|cell| {
                    let kept = if identity {
                        Order::Sorted
                    } else {
                        Order::Permuted(order.clone())
                    };
                    cell.borrow_mut().insert(fp, out, entries, kept);
                });
                if !identity {
                    self.rewrite(base, body, &order);
                }
            }
        }
        self.entries.truncate(base);
        self.out.push(b'}');
    }

    /// Rewrite `out[body..]` as the entries from `base` on, in `order` (indices from `base`),
    /// comma separated.
    fn rewrite(&mut self, base: usize, body: usize, order: &[u16]) {
        self.scratch.clear();
        self.scratch
            .extend_from_slice(self.out.get(body..).unwrap_or_default());
        self.out.truncate(body);
        let entries = self.entries.get(base..).unwrap_or_default();
        for (n, &i) in order.iter().enumerate() {
            let Some(e) = entries.get(usize::from(i)) else {
                continue;
            };
            if n > 0 {
                self.out.push(b',');
            }
            let piece = self
                .scratch
                .get(e.start - body..e.end - body)
                .unwrap_or_default();
            self.out.extend_from_slice(piece);
        }
    }
}

/// The key text of an entry as written (escapes included).
fn key_of<'a>(out: &'a [u8], e: &Entry) -> &'a [u8] {
    out.get(e.key_start..e.key_end).unwrap_or_default()
}

/// A cheap digest of an object's key sequence (count, lengths, first and last bytes) that
/// picks the [`Schemas`] slot; a hit is confirmed by comparing the keys themselves.
fn fingerprint(out: &[u8], entries: &[Entry]) -> u64 {
    let mut h = entries.len() as u64;
    for e in entries {
        let k = key_of(out, e);
        let edge = u64::from(k.first().copied().unwrap_or(0))
            | u64::from(k.last().copied().unwrap_or(0)) << 8
            | (k.len() as u64) << 16;
        h = (h.rotate_left(7) ^ edge).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    h
}

/// The order in which the entries are written: indices into `entries` in key order (byte
/// order of the keys; keys with escapes compare by their text), a repeated key keeping only
/// its last value, as a map insert does.
fn sort_order(out: &[u8], entries: &[Entry]) -> Vec<u16> {
    // Keys with escapes compare by their text (rare; never a struct field).
    let escaped = entries.iter().any(|e| key_of(out, e).contains(&b'\\'));
    let text = |e: &Entry| -> Vec<u8> {
        let token = out.get(e.key_start - 1..e.key_end + 1).unwrap_or_default();
        serde_json::from_slice::<String>(token)
            .map(String::into_bytes)
            .unwrap_or_default()
    };
    let cmp = |a: &Entry, b: &Entry| {
        if escaped {
            text(a).cmp(&text(b))
        } else {
            key_of(out, a).cmp(key_of(out, b))
        }
    };
    let mut order: Vec<u16> = (0..entries.len().min(usize::from(u16::MAX)) as u16).collect();
    let at = |i: u16| entries.get(usize::from(i));
    // Stable: of equal keys the last written comes last, and is the one kept.
    order.sort_by(|&a, &b| match (at(a), at(b)) {
        (Some(a), Some(b)) => cmp(a, b),
        _ => Ordering::Equal,
    });
    let mut kept = Vec::with_capacity(order.len());
    for (n, &i) in order.iter().enumerate() {
        let last = match (at(i), order.get(n + 1).and_then(|&j| at(j))) {
            (Some(a), Some(b)) => cmp(a, b) != Ordering::Equal,
            _ => true,
        };
        if last {
            kept.push(i);
        }
    }
    kept
}

/// How an object's entries are put in key order.
enum Order {
    /// Already in order, no repeated key: nothing to do.
    Sorted,
    /// Entry indices in output order.
    Permuted(Vec<u16>),
}

/// One remembered key sequence and its order.
struct Schema {
    fp: u64,
    /// The keys, concatenated.
    keys: Vec<u8>,
    /// End of each key in `keys`.
    ends: Vec<u32>,
    order: Order,
}

/// Key sequences seen on this thread and their orders: a direct-mapped table of
/// [`SCHEMA_SLOTS`] slots (a new sequence replaces the one in its slot), so memory stays
/// bounded whatever keys maps bring.
struct Schemas {
    slots: Vec<Option<Schema>>,
}

/// Slots of the schema table.
const SCHEMA_SLOTS: usize = 256;

/// Longest key sequence remembered (entries, and key bytes).
const SCHEMA_MAX_ENTRIES: usize = 256;
const SCHEMA_MAX_KEY_BYTES: usize = 8192;

thread_local! {
    static SCHEMAS: std::cell::RefCell<Schemas> = const {
        std::cell::RefCell::new(Schemas { slots: Vec::new() })
    };
}

impl Schemas {
    fn lookup(&self, fp: u64, out: &[u8], entries: &[Entry]) -> Option<&Order> {
        let s = self
            .slots
            .get((fp % SCHEMA_SLOTS as u64) as usize)?
            .as_ref()?;
        if s.fp != fp || s.ends.len() != entries.len() {
            return None;
        }
        let mut from = 0usize;
        for (e, &end) in entries.iter().zip(&s.ends) {
            let end = end as usize;
            if s.keys.get(from..end)? != key_of(out, e) {
                return None;
            }
            from = end;
        }
        Some(&s.order)
    }

    fn insert(&mut self, fp: u64, out: &[u8], entries: &[Entry], order: Order) {
        if entries.len() > SCHEMA_MAX_ENTRIES {
            return;
        }
        let mut keys = Vec::new();
        let mut ends = Vec::with_capacity(entries.len());
        for e in entries {
            keys.extend_from_slice(key_of(out, e));
            if keys.len() > SCHEMA_MAX_KEY_BYTES {
                return;
            }
            ends.push(keys.len() as u32);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SCHEMA_SLOTS, || None);
        }
        if let Some(slot) = self.slots.get_mut((fp % SCHEMA_SLOTS as u64) as usize) {
            *slot = Some(Schema {
                fp,
                keys,
                ends,
                order,
            });
        }
    }
}

/// Digits of `f32` values printed as `f64`, per thread: a direct-mapped table keyed by the bit
/// pattern (state values repeat the same rounded weights page after page).
struct WideDigits {
    /// Bit pattern, digit count (0 = empty) and digits of each slot.
    slots: Vec<(u32, u8, [u8; 32])>,
}

/// Slots of the [`WideDigits`] table.
const WIDE_SLOTS: usize = 512;

thread_local! {
    static WIDE_DIGITS: std::cell::RefCell<WideDigits> =
        const { std::cell::RefCell::new(WideDigits { slots: Vec::new() }) };
}

/// Append `v` widened to `f64` as serde_json prints it (`null` when not finite).
fn write_wide_f32(out: &mut Vec<u8>, v: f32) {
    use serde::Serializer;
    let bits = v.to_bits();
    let slot = (bits.wrapping_mul(0x9e37_79b1) >> 23) as usize % WIDE_SLOTS;
    WIDE_DIGITS.with(|cell| {
        let mut table = cell.borrow_mut();
        if let Some((b, len, digits)) = table.slots.get(slot)
            && *len > 0
            && *b == bits
        {
            out.extend_from_slice(digits.get(..usize::from(*len)).unwrap_or_default());
            return;
        }
        let start = out.len();
        // Writing a number into a vector cannot fail.
        let _ = serde_json::Serializer::new(&mut *out).serialize_f64(f64::from(v));
        let written = out.get(start..).unwrap_or_default();
        if written.len() <= 32 {
            if table.slots.is_empty() {
                table.slots.resize(WIDE_SLOTS, (0, 0, [0; 32]));
            }
            if let Some(entry) = table.slots.get_mut(slot) {
                entry.0 = bits;
                entry.1 = written.len() as u8;
                if let Some(head) = entry.2.get_mut(..written.len()) {
                    head.copy_from_slice(written);
                }
            }
        }
    });
}

/// The serializer: a handle on the shared state.
struct Ser<'s, 'o> {
    st: &'s mut State<'o>,
}

fn key_error() -> serde_json::Error {
    ser::Error::custom("sorted JSON: map keys must be strings")
}

impl<'s, 'o> ser::Serializer for Ser<'s, 'o> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Seq<'s, 'o>;
    type SerializeTuple = Seq<'s, 'o>;
    type SerializeTupleStruct = Seq<'s, 'o>;
    type SerializeTupleVariant = Seq<'s, 'o>;
    type SerializeMap = Object<'s, 'o>;
    type SerializeStruct = Object<'s, 'o>;
    type SerializeStructVariant = Object<'s, 'o>;

    fn serialize_bool(self, v: bool) -> serde_json::Result<()> {
        self.st.json().serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> serde_json::Result<()> {
        self.st.json().serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> serde_json::Result<()> {
        self.st.json().serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> serde_json::Result<()> {
        self.st.json().serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> serde_json::Result<()> {
        self.st.json().serialize_i64(v)
    }
    fn serialize_i128(self, v: i128) -> serde_json::Result<()> {
        self.st.json().serialize_i128(v)
    }
    fn serialize_u8(self, v: u8) -> serde_json::Result<()> {
        self.st.json().serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> serde_json::Result<()> {
        self.st.json().serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> serde_json::Result<()> {
        self.st.json().serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> serde_json::Result<()> {
        self.st.json().serialize_u64(v)
    }
    fn serialize_u128(self, v: u128) -> serde_json::Result<()> {
        self.st.json().serialize_u128(v)
    }
    fn serialize_f32(self, v: f32) -> serde_json::Result<()> {
        if self.st.wide {
            write_wide_f32(self.st.out, v);
            Ok(())
        } else {
            self.st.json().serialize_f32(v)
        }
    }
    fn serialize_f64(self, v: f64) -> serde_json::Result<()> {
        self.st.json().serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> serde_json::Result<()> {
        self.st.json().serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> serde_json::Result<()> {
        write_str(self.st.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> serde_json::Result<()> {
        self.st.json().serialize_bytes(v)
    }
    fn serialize_none(self) -> serde_json::Result<()> {
        self.st.json().serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> serde_json::Result<()> {
        self.st.json().serialize_unit()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<()> {
        self.st.json().serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<()> {
        write_str(self.st.out, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.st.out.push(b'{');
        self.st.json().serialize_str(variant)?;
        self.st.out.push(b':');
        value.serialize(Ser { st: &mut *self.st })?;
        self.st.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> serde_json::Result<Seq<'s, 'o>> {
        self.st.out.push(b'[');
        Ok(Seq {
            st: self.st,
            first: true,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> serde_json::Result<Seq<'s, 'o>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> serde_json::Result<Seq<'s, 'o>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Seq<'s, 'o>> {
        self.st.out.push(b'{');
        self.st.json().serialize_str(variant)?;
        self.st.out.extend_from_slice(b":[");
        Ok(Seq {
            st: self.st,
            first: true,
            variant: true,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> serde_json::Result<Object<'s, 'o>> {
        Ok(Object::open(self.st, false))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<Object<'s, 'o>> {
        Ok(Object::open(self.st, false))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Object<'s, 'o>> {
        self.st.out.push(b'{');
        self.st.json().serialize_str(variant)?;
        self.st.out.push(b':');
        Ok(Object::open(self.st, true))
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        // Formatted whole into a reused buffer, then escaped once (serde_json escapes every
        // piece the formatter hands it: dates come in a dozen pieces).
        use std::fmt::Write;
        let mut text = std::mem::take(&mut self.st.text);
        text.clear();
        let written = write!(text, "{value}");
        if written.is_ok() {
            write_str(self.st.out, &text);
        }
        self.st.text = text;
        written.map_err(|_| ser::Error::custom("sorted JSON: a value failed to format"))
    }
}

/// Arrays (and tuple variants, closed with `]}`).
struct Seq<'s, 'o> {
    st: &'s mut State<'o>,
    first: bool,
    variant: bool,
}

impl Seq<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        if !self.first {
            self.st.out.push(b',');
        }
        self.first = false;
        value.serialize(Ser { st: &mut *self.st })
    }

    fn close(self) -> serde_json::Result<()> {
        self.st.out.push(b']');
        if self.variant {
            self.st.out.push(b'}');
        }
        Ok(())
    }
}

/// The four sequence-like serde traits all write elements the same way.
macro_rules! seq_like {
    ($($trait_:ident :: $method:ident),+) => {$(
        impl ser::$trait_ for Seq<'_, '_> {
            type Ok = ();
            type Error = serde_json::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
                self.element(value)
            }
            fn end(self) -> serde_json::Result<()> {
                self.close()
            }
        }
    )+};
}

seq_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Objects (maps, structs, struct variants): entries written as they come, sorted at the end.
struct Object<'s, 'o> {
    st: &'s mut State<'o>,
    /// Index of this object's first entry in the entry table.
    base: usize,
    /// Offset of the first byte after `{`.
    body: usize,
    /// A struct variant: one more `}` to close.
    variant: bool,
}

impl<'s, 'o> Object<'s, 'o> {
    fn open(st: &'s mut State<'o>, variant: bool) -> Self {
        st.out.push(b'{');
        Object {
            base: st.entries.len(),
            body: st.out.len(),
            st,
            variant,
        }
    }

    fn separator(&mut self) {
        if self.st.entries.len() > self.base {
            self.st.out.push(b',');
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> serde_json::Result<()> {
        self.separator();
        self.st.begin_entry(key);
        value.serialize(Ser { st: &mut *self.st })?;
        self.st.close_entry();
        Ok(())
    }

    fn close(self) -> serde_json::Result<()> {
        self.st.finish_object(self.base, self.body);
        if self.variant {
            self.st.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeMap for Object<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> serde_json::Result<()> {
        self.separator();
        let start = self.st.out.len();
        key.serialize(KeySer {
            out: &mut *self.st.out,
        })?;
        self.st.open_entry(start);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        value.serialize(Ser { st: &mut *self.st })?;
        self.st.close_entry();
        Ok(())
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeStruct for Object<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.field(key, value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Object<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.field(key, value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

/// Map keys: strings only (written as JSON strings); anything else is an error.
struct KeySer<'a> {
    out: &'a mut Vec<u8>,
}

impl ser::Serializer for KeySer<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = ser::Impossible<(), serde_json::Error>;
    type SerializeTuple = ser::Impossible<(), serde_json::Error>;
    type SerializeTupleStruct = ser::Impossible<(), serde_json::Error>;
    type SerializeTupleVariant = ser::Impossible<(), serde_json::Error>;
    type SerializeMap = ser::Impossible<(), serde_json::Error>;
    type SerializeStruct = ser::Impossible<(), serde_json::Error>;
    type SerializeStructVariant = ser::Impossible<(), serde_json::Error>;

    fn serialize_str(self, v: &str) -> serde_json::Result<()> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> serde_json::Result<()> {
        serde_json::Serializer::new(self.out).serialize_char(v)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        value.serialize(self)
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        serde_json::Serializer::new(self.out).collect_str(value)
    }
    fn serialize_bool(self, _v: bool) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_i8(self, _v: i8) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_i16(self, _v: i16) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_i32(self, _v: i32) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_i64(self, _v: i64) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_u8(self, _v: u8) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_u16(self, _v: u16) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_u32(self, _v: u32) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_u64(self, _v: u64) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_f32(self, _v: f32) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_f64(self, _v: f64) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_bytes(self, _v: &[u8]) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_none(self) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_unit(self) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> serde_json::Result<()> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> serde_json::Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> serde_json::Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> serde_json::Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::{BTreeMap, HashMap};

    /// The old encodings: through a `serde_json::Value` tree (keys sorted, floats as f64).
    fn via_value<T: Serialize>(v: &T) -> String {
        serde_json::to_value(v).unwrap().to_string()
    }

    fn sorted<T: Serialize>(v: &T, floats: Floats) -> String {
        String::from_utf8(to_vec_sorted(v, floats).unwrap()).unwrap()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Wrapped(u8),
        Pair(i32, String),
        Shaped { zed: bool, abc: Option<f32> },
    }

    #[derive(Serialize)]
    struct Inner {
        zeta: f32,
        alpha: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        gone: Option<u8>,
        mid: (i64, f32, Kind),
    }

    #[derive(Serialize)]
    struct Flat {
        title: &'static str,
        beta: u32,
        /// Same name as a field of the outer struct: the later one wins, as in a map.
        z: &'static str,
    }

    #[derive(Serialize)]
    struct Outer {
        z: u32,
        m: Option<String>,
        inner: Inner,
        #[serde(flatten)]
        flat: Flat,
        a: f64,
        kinds: Vec<Kind>,
        empty: Vec<Inner>,
        map: HashMap<String, u8>,
        tree: BTreeMap<&'static str, ()>,
        nothing: (),
        bytes: &'static [u8],
    }

    fn sample() -> Outer {
        Outer {
            z: 1,
            m: Some("line\n\"q\" \u{1} é😀 </script>".into()),
            inner: Inner {
                zeta: 4.197_2,
                alpha: vec!["x".into(), String::new()],
                gone: None,
                mid: (
                    -7,
                    0.1,
                    Kind::Shaped {
                        zed: true,
                        abc: Some(0.3),
                    },
                ),
            },
            flat: Flat {
                title: "T",
                beta: 2,
                z: "flat z",
            },
            a: 0.300_000_000_000_000_04,
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped(3),
                Kind::Pair(-1, "p".into()),
                Kind::Shaped {
                    zed: false,
                    abc: None,
                },
            ],
            empty: Vec::new(),
            map: [("b\"q", 1), ("a\\", 2), ("é", 3), ("a", 4), ("", 5)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            tree: [("y", ()), ("x", ())].into_iter().collect(),
            nothing: (),
            bytes: &[1, 2, 255],
        }
    }

    #[test]
    fn wide_floats_give_the_bytes_of_a_value_tree() {
        let s = sample();
        assert_eq!(sorted(&s, Floats::AsF64), via_value(&s));
        // f32 digits as f64 (what a tree prints), not the shortest f32 digits.
        assert!(sorted(&0.1f32, Floats::AsF64).starts_with("0.10000000149"));
        for v in [f32::NAN, f32::INFINITY] {
            assert_eq!(sorted(&v, Floats::AsF64), "null");
        }
    }

    #[test]
    fn shortest_floats_give_the_old_sorted_record_bytes() {
        // The old file writer: serde_json's bytes, keys re-sorted, numbers copied verbatim.
        let s = sample();
        let plain = serde_json::to_string(&s).unwrap();
        let mut old = Vec::new();
        crate::file_source::sorted_json::write_sorted(&plain, &mut old).unwrap();
        assert_eq!(
            sorted(&s, Floats::Shortest),
            String::from_utf8(old).unwrap()
        );
        assert_eq!(sorted(&0.1f32, Floats::Shortest), "0.1");
        // Sorted at every level, last of a repeated key kept.
        let v: serde_json::Value = serde_json::from_str(&sorted(&s, Floats::Shortest)).unwrap();
        assert_eq!(v["z"], "flat z");
        let text = sorted(&s, Floats::Shortest);
        assert!(text.starts_with(r#"{"a":0.30000000000000004,"beta":2,"bytes":[1,2,255],"empty":[],"inner":{"alpha":["x",""],"mid":[-7,0.1,{"shaped":{"abc":0.3,"zed":true}}],"zeta":4.1972},"kinds":["plain",{"wrapped":3},{"pair":[-1,"p"]},{"shaped":{"abc":null,"zed":false}}],"m":"#), "{text}");
        assert!(
            text.contains(r#""map":{"":5,"a":4,"a\\":2,"b\"q":1,"é":3}"#),
            "{text}"
        );
    }

    #[test]
    fn non_string_map_keys_are_an_error_and_leave_the_output_alone() {
        let m: BTreeMap<u32, u32> = [(1, 2)].into_iter().collect();
        let mut out = b"keep".to_vec();
        assert!(write_sorted(&mut out, &m, Floats::Shortest).is_err());
        assert_eq!(out, b"keep");
        assert!(write_sorted(&mut out, &"x", Floats::Shortest).is_ok());
        assert_eq!(out, b"keep\"x\"");
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let mut cases: Vec<String> = vec![String::new(), "é😀 plain ascii text".into()];
        for b in 0u8..0x80 {
            for len in [0usize, 1, 7, 8, 9, 15, 16, 17] {
                for at in [0, len / 2, len] {
                    let mut s: String = "abcdefghijklmnopq".chars().take(len).collect();
                    s.insert(at.min(s.len()), char::from(b));
                    s.push_str("ü\u{2028}");
                    cases.push(s);
                }
            }
        }
        // Runs of several escapes, and escapes after non-ASCII within a word.
        cases.push("\"\"\\\n\u{1}\u{1f}é\"x\u{7f}\t".into());
        for s in cases {
            let mut out = b"<".to_vec();
            write_str(&mut out, &s);
            let expected = format!("<{}", serde_json::to_string(&s).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{s:?}");
        }
    }

    /// SplitMix64 step for test data.
    fn next_random(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    #[test]
    fn remembered_wide_floats_print_as_serde_json_prints_them() {
        let mut seed = 21u64;
        let mut values = vec![
            0.0f32,
            -0.0,
            2.0,
            -1.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            f32::MAX,
            f32::MIN,
            1e-45,
            -1e-45,
            0.969,
            24.9326,
        ];
        for _ in 0..5000 {
            seed = next_random(seed);
            values.push(f32::from_bits(seed as u32));
            values.push(((seed % 1_000_000) as f32 / 10_000.0 * 10_000.0).round() / 10_000.0);
        }
        // Twice: the second pass reads the table (and colliding slots are overwritten).
        for _ in 0..2 {
            for &v in &values {
                let mut out = Vec::new();
                write_wide_f32(&mut out, v);
                let expected = serde_json::to_vec(&f64::from(v)).unwrap();
                assert_eq!(out, expected, "{v:?}");
            }
        }
    }

    #[test]
    fn mixed_strings_are_escaped_as_serde_json_escapes_them() {
        let pieces = [
            "plain words ",
            "’",
            "\u{a0}",
            "e\u{301}",
            "東京",
            "😀",
            "\n\n",
            "\"",
            "\\",
            "\t",
            "\r",
            "\u{8}",
            "\u{c}",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{2028}",
            "x",
            "AAAAAAA",
        ];
        let mut seed = 3u64;
        for n in 0..400 {
            let mut s = String::new();
            for _ in 0..n % 37 {
                seed = next_random(seed);
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let mut out = Vec::new();
            write_str(&mut out, &s);
            assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    #[derive(Serialize)]
    struct Twins {
        /// Same length and first and last bytes as `ayb`: one fingerprint, other keys.
        axb: u8,
        ayb: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        maybe: Option<u8>,
        a: u8,
    }

    #[test]
    fn remembered_key_orders_are_only_reused_for_the_same_keys() {
        // Every value twice (the second time from the schema table), interleaved with values
        // whose key sequences share a fingerprint, compared with the value-tree encoding.
        let mut maps: Vec<BTreeMap<String, u8>> = Vec::new();
        for keys in [["axb", "ayb"], ["ayb", "axb"], ["a\\", "a"], ["b", "b\"q"]] {
            maps.push(keys.iter().map(|k| (k.to_string(), 1)).collect());
        }
        let mut seed = 9u64;
        for round in 0..300 {
            seed = next_random(seed);
            let t = Twins {
                axb: round as u8,
                ayb: 2,
                maybe: (seed & 1 == 0).then_some(3),
                a: 4,
            };
            let map: HashMap<String, u8> = (0..seed % 6)
                .map(|i| {
                    (
                        ["axb", "ayb", "a", "b", "é", ""][i as usize].to_string(),
                        i as u8,
                    )
                })
                .collect();
            let m = &maps[(seed >> 8) as usize % maps.len()];
            for _ in 0..2 {
                assert_eq!(sorted(&t, Floats::AsF64), via_value(&t));
                assert_eq!(sorted(&map, Floats::AsF64), via_value(&map));
                assert_eq!(sorted(m, Floats::AsF64), via_value(m));
                assert_eq!(sorted(&sample(), Floats::AsF64), via_value(&sample()));
            }
        }
        // Repeated keys keep the last value, from the table too.
        let mut out = Vec::new();
        for _ in 0..3 {
            out.clear();
            let mut st = State {
                out: &mut out,
                scratch: Vec::new(),
                entries: Vec::new(),
                text: String::new(),
                wide: false,
            };
            let mut obj = Object::open(&mut st, false);
            for (k, val) in [("z", 1), ("k", 2), ("z", 3), ("a", 4)] {
                ser::SerializeStruct::serialize_field(&mut obj, k, &val).unwrap();
            }
            ser::SerializeStruct::end(obj).unwrap();
            assert_eq!(out, br#"{"a":4,"k":2,"z":3}"#);
        }
    }

    #[test]
    fn deep_nesting_and_many_keys() {
        let mut v = serde_json::json!(1);
        for i in 0..100 {
            v = serde_json::json!({ format!("k{}", 99 - i): [v], "a": i });
        }
        assert_eq!(sorted(&v, Floats::Shortest), v.to_string());
        let big: HashMap<String, u32> = (0..500)
            .map(|i| (format!("{}", i * 7919 % 1000), i))
            .collect();
        assert_eq!(sorted(&big, Floats::AsF64), via_value(&big));
    }
}
