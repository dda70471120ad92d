//! The bounded document memory: a ring of slots plus chained hash lanes, sized at start.
//!
//! Every remembered document gets a 32-bit sequence number; its slot is `seq mod capacity`
//! (capacity is a power of two, so this survives wrap-around). Per slot we keep a 24-byte
//! [`Meta`], an 8-bit-per-bin signature and one packed link per lane. A lane (an LSH band, the
//! exact-text hash, or the document id) owns a table of bucket heads, each the newest `seq + 1`
//! whose key hashed to the bucket; a slot's link in that lane holds the distance back to the next
//! older document of the same bucket (`log2(capacity)` bits: a live chain never spans more than
//! the ring) plus [`FP_BITS`] bits of the slot's own key, so walks skip most unrelated entries
//! without touching their slot. Keys are not stored otherwise: callers verify each candidate. A
//! link is followed only while it points to a live document, so eviction is just advancing the
//! ring's front — stale heads and links die by themselves, nothing is unlinked, and the tables
//! never need cleaning or rehashing. Each lane has its own head table, so a document linked in
//! one lane never cuts another lane's chain.
//!
//! The **id lane** chains every remembered document under a hash of its id. A redelivered page
//! finds its own slot in a step or two however many copies of its text the exact and band lanes
//! chain (those walks stop after the `MAX_CHAIN` newest entries).
//!
//! Document ids live in one byte arena in ring order (`[len][id][len][duplicate_of]`, lengths
//! as 1–2 byte varints); evicting from the front frees a prefix, which is compacted away once it
//! reaches an eighth of the arena, and the arena grows by an eighth at a time.

use super::sketch::BINS;
use xxhash_rust::xxh3::xxh3_64;

/// Longest id (or `duplicate_of` id) remembered, in bytes. Pages with longer ids are decided but
/// not remembered.
pub const MAX_ID_BYTES: usize = 1024;

/// Longest chain walked per lane and lookup; bounds the work of a hot bucket.
const MAX_CHAIN: usize = 64;

/// Key bits kept in every link, so a walk recognizes most entries of other keys from the link
/// alone (one memory access instead of three).
pub const FP_BITS: u32 = 4;

/// Ring slots per bucket head in every lane: chains average this many live documents.
const SLOTS_PER_HEAD: usize = 4;

/// Slot flags.
pub const KIND_UNIQUE: u8 = 0;
/// A remembered exact duplicate (its verdict is kept for redelivery).
pub const KIND_EXACT: u8 = 1;
/// A remembered near duplicate.
pub const KIND_NEAR: u8 = 2;
/// The id bytes are packed (prefix + binary form of a hex tail).
const FLAG_PACKED: u16 = 1 << 12;
const KIND_SHIFT: u32 = 10;
const MILLI_MASK: u16 = (1 << KIND_SHIFT) - 1;

/// Fixed-size facts about one remembered document (24 bytes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    /// Hash of the normalized text, low and high halves (two `u32` keep the struct 4-aligned).
    hash_lo: u32,
    hash_hi: u32,
    /// Arena offset of the id record (logical, wrapping).
    id_off: u32,
    /// Event time, seconds since the epoch (clamped to u32).
    pub time_s: u32,
    /// Hash of the article's URL key (0 when none).
    pub url: u32,
    /// Distinct shingles, [`pack_count`] form (0: not indexed for near lookups).
    shingles: u16,
    /// Similarity in thousandths (10 bits), `KIND_*` above it, then `FLAG_PACKED`.
    bits: u16,
}

impl Meta {
    /// `KIND_UNIQUE`, `KIND_EXACT` or `KIND_NEAR`.
    pub fn kind(&self) -> u8 {
        ((self.bits >> KIND_SHIFT) & 3) as u8
    }

    /// Hash of the normalized text.
    pub fn text_hash(&self) -> u64 {
        (u64::from(self.hash_hi) << 32) | u64::from(self.hash_lo)
    }

    /// Distinct shingles (exact below 32,768, within 1 % above).
    pub fn shingles(&self) -> u32 {
        unpack_count(self.shingles)
    }

    /// Similarity of a copy, in thousandths.
    pub fn sim_milli(&self) -> u16 {
        self.bits & MILLI_MASK
    }

    fn packed(&self) -> bool {
        self.bits & FLAG_PACKED != 0
    }
}

/// Shingle counts in 16 bits: exact below 2^15, in steps of 256 above (up to ≈ 8.4 million).
pub fn pack_count(n: u32) -> u16 {
    if n < 0x8000 {
        n as u16
    } else {
        0x8000 | ((n - 0x8000) >> 8).min(0x7fff) as u16
    }
}

fn unpack_count(v: u16) -> u32 {
    if v < 0x8000 {
        u32::from(v)
    } else {
        0x8000 + (u32::from(v & 0x7fff) << 8)
    }
}

/// What to remember about a new document.
pub struct NewDoc<'a> {
    /// Document id.
    pub id: &'a str,
    /// Id of the original, for duplicates.
    pub duplicate_of: Option<&'a str>,
    /// `KIND_*`.
    pub kind: u8,
    /// Text hash (exact lane key).
    pub text_hash: u64,
    /// Event time in seconds.
    pub time_s: u32,
    /// Distinct shingles (0 when not indexed for near lookups).
    pub shingles: u32,
    /// Similarity of a copy, in thousandths.
    pub sim_milli: u16,
    /// URL key hash.
    pub url: u32,
    /// Signature (zero for duplicates).
    pub sig: [u8; BINS],
    /// Band keys to index, one per band lane (empty: exact lane only).
    pub bands: &'a [u32],
    /// Bit i set: leave band lane i unlinked (hot key).
    pub hot: u64,
}

/// The ring of remembered documents and its lanes.
pub struct Store {
    mask: u32,
    /// Band lanes, then the exact lane, then the id lane.
    lanes: usize,
    next_seq: u32,
    len: u32,
    metas: Vec<Meta>,
    sigs: Vec<[u8; BINS]>,
    /// Packed links: `lanes` fields of `link_bits` per slot, little-endian bit order.
    links: Vec<u8>,
    /// Bits of the distance part of a link (`log2(capacity)`).
    dist_bits: u32,
    /// Bits per link (distance + fingerprint).
    link_bits: u32,
    /// Bucket heads, `heads_per_lane` per lane.
    heads: Vec<u32>,
    heads_per_lane: usize,
    ids: Vec<u8>,
    ids_base: u32,
}

/// The hash a lane key is bucketed and fingerprinted by.
#[inline]
fn lane_hash(lane: usize, key: u64) -> u64 {
    super::sketch::mix64(key ^ (lane as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The key fingerprint kept in links (bits the bucket index does not use).
#[inline]
fn fingerprint(h: u64) -> u32 {
    (h as u32) & ((1 << FP_BITS) - 1)
}

impl Store {
    /// A store for up to `max_docs` documents with `bands` band lanes plus the exact and id
    /// lanes. Bucket heads and links are allocated zeroed up front (pages are mapped lazily by
    /// the OS); metas and signatures grow as documents arrive.
    pub fn new(max_docs: usize, bands: usize) -> Self {
        let cap = (max_docs.clamp(1, 1 << 30) + 1).next_power_of_two();
        let lanes = bands + 2;
        let dist_bits = cap.trailing_zeros().max(1);
        let link_bits = dist_bits + FP_BITS;
        let heads_per_lane = (cap / SLOTS_PER_HEAD).max(64);
        let link_bytes = (cap * lanes * link_bits as usize).div_ceil(8) + 8;
        Self {
            mask: (cap - 1) as u32,
            lanes,
            next_seq: 0,
            len: 0,
            metas: Vec::new(),
            sigs: Vec::new(),
            links: vec![0; link_bytes],
            dist_bits,
            link_bits,
            heads: vec![0; heads_per_lane * lanes],
            heads_per_lane,
            ids: Vec::new(),
            ids_base: 0,
        }
    }

    /// Documents remembered.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// The slot of a sequence number.
    #[inline]
    fn pos(&self, seq: u32) -> usize {
        (seq & self.mask) as usize
    }

    /// Is `seq` in the ring?
    #[inline]
    pub fn is_live(&self, seq: u32) -> bool {
        let age = self.next_seq.wrapping_sub(seq);
        age >= 1 && age <= self.len
    }

    /// Age of a live sequence number (1 = newest); larger is older.
    #[inline]
    pub fn age(&self, seq: u32) -> u32 {
        self.next_seq.wrapping_sub(seq)
    }

    /// The sequence number of age `age` (inverse of [`Store::age`]).
    #[inline]
    pub fn age_to_seq(&self, age: u32) -> u32 {
        self.next_seq.wrapping_sub(age)
    }

    /// Oldest document, if any.
    pub fn front(&self) -> Option<(u32, &Meta)> {
        if self.len == 0 {
            return None;
        }
        let seq = self.next_seq.wrapping_sub(self.len);
        self.metas.get(self.pos(seq)).map(|m| (seq, m))
    }

    /// Facts about a live document.
    #[inline]
    pub fn meta(&self, seq: u32) -> Option<&Meta> {
        self.metas.get(self.pos(seq))
    }

    /// Signature of a live document.
    #[inline]
    pub fn sig(&self, seq: u32) -> Option<&[u8; BINS]> {
        self.sigs.get(self.pos(seq))
    }

    /// The head slot of a lane's bucket for a lane hash.
    #[inline]
    fn bucket(&self, lane: usize, h: u64) -> usize {
        // Multiply-shift range reduction onto the lane's table (uses the high bits of `h`).
        lane * self.heads_per_lane + ((u128::from(h) * self.heads_per_lane as u128) >> 64) as usize
    }

    #[inline]
    fn link_at(&self, pos: usize, lane: usize) -> (u32, u32) {
        let bit = (pos * self.lanes + lane) * self.link_bits as usize;
        let byte = bit / 8;
        let raw = self
            .links
            .get(byte..byte + 8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes);
        let v = (raw >> (bit % 8)) & ((1u64 << self.link_bits) - 1);
        ((v >> FP_BITS) as u32, v as u32 & ((1 << FP_BITS) - 1))
    }

    #[inline]
    fn set_link(&mut self, pos: usize, lane: usize, dist: u32, fp: u32) {
        let bit = (pos * self.lanes + lane) * self.link_bits as usize;
        let byte = bit / 8;
        let shift = bit % 8;
        let field_mask = ((1u64 << self.link_bits) - 1) << shift;
        let v = ((u64::from(dist) << FP_BITS) | u64::from(fp)) << shift;
        if let Some(b) = self.links.get_mut(byte..byte + 8)
            && let Ok(arr) = <&mut [u8; 8]>::try_from(b)
        {
            let raw = u64::from_le_bytes(*arr);
            *arr = ((raw & !field_mask) | (v & field_mask)).to_le_bytes();
        }
    }

    /// Visit the live documents chained under `key` in `lane` (and, rarely, others whose key
    /// shares its bucket and fingerprint), newest first. Returning `false` from `f` stops the
    /// walk.
    #[inline]
    pub fn walk(&self, lane: usize, key: u64, f: impl FnMut(u32) -> bool) {
        let _ = self.walk_hash(lane, lane_hash(lane, key), f);
    }

    /// Follow the chain of lane hash `h` for at most [`MAX_CHAIN`] entries, newest first,
    /// visiting those whose fingerprint matches; stops at the first dead entry. Returns `false`
    /// when the walk was cut at [`MAX_CHAIN`] entries (older live entries may be left unvisited),
    /// `true` when it reached the end of the chain or `f` stopped it.
    #[inline]
    fn walk_hash(&self, lane: usize, h: u64, mut f: impl FnMut(u32) -> bool) -> bool {
        let head = self.heads.get(self.bucket(lane, h)).copied().unwrap_or(0);
        if head == 0 {
            return true;
        }
        let fp = fingerprint(h);
        let mut seq = head.wrapping_sub(1);
        for _ in 0..MAX_CHAIN {
            if !self.is_live(seq) {
                return true;
            }
            let (dist, entry_fp) = self.link_at(self.pos(seq), lane);
            if entry_fp == fp && !f(seq) {
                return true;
            }
            if dist == 0 {
                return true;
            }
            seq = seq.wrapping_sub(dist);
        }
        false
    }

    /// Live documents chained in the bucket of `key` in `lane` with its fingerprint, counted up
    /// to `limit`.
    pub fn chained(&self, lane: usize, key: u64, limit: usize) -> usize {
        let mut n = 0;
        self.walk(lane, key, |_| {
            n += 1;
            n < limit
        });
        n
    }

    #[inline]
    fn id_hash(&self, id: &str) -> u64 {
        xxh3_64(id.as_bytes())
    }

    /// The id lane.
    fn id_lane(&self) -> usize {
        self.lanes - 1
    }

    /// The live document with this id, if any (newest first when several share it). The id
    /// lane's chains hold only id-hash collisions; the walk is bounded by [`MAX_CHAIN`] anyway.
    pub fn find_id(&self, id: &str, accept: impl FnMut(u32) -> bool) -> Option<u32> {
        self.lookup_id(id, accept).0
    }

    /// [`Store::find_id`], and whether a live document may carry this id although none was
    /// accepted: one that `accept` refused, or one beyond the walk's bound. When nothing was
    /// found, `false` proves that no live document has this id (every document is chained in
    /// the id lane, and a walk that reached the end of its chain saw them all).
    pub fn lookup_id(&self, id: &str, mut accept: impl FnMut(u32) -> bool) -> (Option<u32>, bool) {
        let mut found = None;
        let mut refused = false;
        let complete = self.walk_hash(self.id_lane(), self.id_hash(id), |seq| {
            if self.id_eq(seq, id) {
                if accept(seq) {
                    found = Some(seq);
                    return false;
                }
                refused = true;
            }
            true
        });
        (found, refused || !complete)
    }

    /// Remember a document (the caller evicts afterwards). Returns its sequence number, or
    /// `None` when its ids are too long to remember.
    pub fn push(&mut self, doc: &NewDoc<'_>) -> Option<u32> {
        let of = doc.duplicate_of.unwrap_or("");
        if doc.id.len() > MAX_ID_BYTES || of.len() > MAX_ID_BYTES {
            return None;
        }
        if self.len > self.mask {
            // Full ring: the caller's count limit is above capacity; drop the oldest.
            self.pop_front();
        }
        let seq = self.next_seq;
        let pos = self.pos(seq);
        let id_off = self.ids_base.wrapping_add(self.ids.len() as u32);
        let need = doc.id.len() + of.len() + 4;
        if self.ids.capacity() - self.ids.len() < need {
            // Grow by an eighth, not double: the arena is a large share of the memory.
            self.ids
                .reserve_exact(need.max(self.ids.len() / 8).max(4096));
        }
        let packed = pack_id(doc.id, &mut self.ids);
        push_len(&mut self.ids, of.len());
        self.ids.extend_from_slice(of.as_bytes());
        let meta = Meta {
            hash_lo: doc.text_hash as u32,
            hash_hi: (doc.text_hash >> 32) as u32,
            id_off,
            time_s: doc.time_s,
            url: doc.url,
            shingles: pack_count(doc.shingles),
            bits: doc.sim_milli.min(MILLI_MASK)
                | (u16::from(doc.kind & 3) << KIND_SHIFT)
                | if packed { FLAG_PACKED } else { 0 },
        };
        let sig = doc.sig;
        if pos == self.metas.len() {
            self.metas.push(meta);
            self.sigs.push(sig);
        } else {
            if let Some(m) = self.metas.get_mut(pos) {
                *m = meta;
            }
            if let Some(s) = self.sigs.get_mut(pos) {
                *s = sig;
            }
        }
        self.next_seq = seq.wrapping_add(1);
        self.len += 1;
        let band_lanes = self.lanes - 2;
        for lane in 0..band_lanes {
            match doc.bands.get(lane) {
                Some(key) if doc.hot & (1 << lane) == 0 => {
                    self.link(pos, lane, lane_hash(lane, u64::from(*key)), seq);
                }
                // Not linked: a zero distance ends any walk that reaches this slot.
                _ => self.set_link(pos, lane, 0, 0),
            }
        }
        self.link(pos, band_lanes, lane_hash(band_lanes, doc.text_hash), seq);
        let id_lane = self.id_lane();
        self.link(pos, id_lane, self.id_hash(doc.id), seq);
        Some(seq)
    }

    fn link(&mut self, pos: usize, lane: usize, h: u64, seq: u32) {
        let b = self.bucket(lane, h);
        let Some(head) = self.heads.get_mut(b) else {
            return;
        };
        let prev = std::mem::replace(head, seq.wrapping_add(1));
        // Distance back to the previous head; 0 (end of chain) when none, or when it is too
        // far back to be live anyway.
        let dist = if prev == 0 {
            0
        } else {
            seq.wrapping_sub(prev.wrapping_sub(1))
        };
        let dist = if dist >> self.dist_bits == 0 { dist } else { 0 };
        self.set_link(pos, lane, dist, fingerprint(h));
    }

    /// The lane index of the exact-text hash.
    pub fn exact_lane(&self) -> usize {
        self.lanes - 2
    }

    /// Forget the oldest document.
    pub fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        self.len -= 1;
        match self.front() {
            Some((_, m)) => {
                let start = m.id_off;
                let dead = start.wrapping_sub(self.ids_base) as usize;
                if dead > 4096 && dead > self.ids.len() / 8 {
                    self.ids.drain(..dead.min(self.ids.len()));
                    self.ids_base = start;
                }
            }
            None => {
                self.ids_base = self.ids_base.wrapping_add(self.ids.len() as u32);
                self.ids.clear();
            }
        }
    }

    /// The stored id and `duplicate_of` of a live document (id in stored form).
    fn stored(&self, m: &Meta) -> (&[u8], &[u8]) {
        let start = m.id_off.wrapping_sub(self.ids_base) as usize;
        let rest = self.ids.get(start..).unwrap_or(&[]);
        let (id, rest) = take_len(rest);
        let (of, _) = take_len(rest);
        (id, of)
    }

    /// Does the live document `seq` have this id?
    pub fn id_eq(&self, seq: u32, id: &str) -> bool {
        let Some(m) = self.meta(seq) else {
            return false;
        };
        let (stored, _) = self.stored(m);
        if m.packed() {
            unpacked_eq(stored, id)
        } else {
            stored == id.as_bytes()
        }
    }

    /// Is `id` the earliest document the live document `seq` stands for (itself when unique, the
    /// id it copies otherwise)?
    pub fn root_is(&self, seq: u32, id: &str) -> bool {
        let Some(m) = self.meta(seq) else {
            return false;
        };
        if m.kind() == KIND_UNIQUE {
            return self.id_eq(seq, id);
        }
        self.stored(m).1 == id.as_bytes()
    }

    /// The id of a live document.
    pub fn id(&self, seq: u32) -> String {
        let Some(m) = self.meta(seq) else {
            return String::new();
        };
        let (stored, _) = self.stored(m);
        if m.packed() {
            unpack_id(stored)
        } else {
            String::from_utf8_lossy(stored).into_owned()
        }
    }

    /// The `duplicate_of` id kept with a duplicate.
    pub fn duplicate_of(&self, seq: u32) -> String {
        let Some(m) = self.meta(seq) else {
            return String::new();
        };
        String::from_utf8_lossy(self.stored(m).1).into_owned()
    }

    /// Bytes held by the store's buffers (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        self.metas.capacity() * std::mem::size_of::<Meta>()
            + self.sigs.capacity() * BINS
            + self.links.capacity()
            + self.heads.capacity() * 4
            + self.ids.capacity()
    }
}

/// Append a length as a 1–2 byte varint (lengths are at most [`MAX_ID_BYTES`]).
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.push(0x80 | (len & 0x7f) as u8);
        out.push((len >> 7).min(0xff) as u8);
    }
}

/// Split a length-prefixed record off the front of `buf`: (record, rest).
fn take_len(buf: &[u8]) -> (&[u8], &[u8]) {
    let (len, rest) = match buf {
        [b, rest @ ..] if b & 0x80 == 0 => (usize::from(*b), rest),
        [lo, hi, rest @ ..] => (usize::from(lo & 0x7f) | (usize::from(*hi) << 7), rest),
        _ => return (&[], &[]),
    };
    if len > rest.len() {
        return (&[], &[]);
    }
    rest.split_at(len)
}

/// Append `id` to `out` as a length-prefixed record, packing a lowercase-hex tail of ≥ 16 even
/// digits into bytes (`p-<32 hex>` takes 19 bytes instead of 34). Returns whether packed.
fn pack_id(id: &str, out: &mut Vec<u8>) -> bool {
    let bytes = id.as_bytes();
    let tail = bytes
        .iter()
        .rev()
        .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .count();
    let tail = tail & !1;
    let prefix = bytes.len() - tail;
    if tail < 16 || prefix > 255 {
        push_len(out, bytes.len());
        out.extend_from_slice(bytes);
        return false;
    }
    push_len(out, 1 + prefix + tail / 2);
    out.push(prefix as u8);
    out.extend_from_slice(&bytes[..prefix]);
    for pair in bytes[prefix..].chunks_exact(2) {
        out.push((hex_val(pair[0]) << 4) | hex_val(pair[1]));
    }
    true
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => 0,
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn unpack_id(stored: &[u8]) -> String {
    let Some((&plen, rest)) = stored.split_first() else {
        return String::new();
    };
    let plen = usize::from(plen).min(rest.len());
    let (prefix, packed) = rest.split_at(plen);
    let mut s = String::with_capacity(plen + packed.len() * 2);
    s.push_str(&String::from_utf8_lossy(prefix));
    for b in packed {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

fn unpacked_eq(stored: &[u8], id: &str) -> bool {
    let Some((&plen, rest)) = stored.split_first() else {
        return false;
    };
    let plen = usize::from(plen);
    let id = id.as_bytes();
    if plen > rest.len() || id.len() != plen + (rest.len() - plen) * 2 {
        return false;
    }
    let (prefix, packed) = rest.split_at(plen);
    if id.get(..plen) != Some(prefix) {
        return false;
    }
    packed
        .iter()
        .zip(id[plen..].chunks_exact(2))
        .all(|(b, pair)| pair[0] == HEX[usize::from(b >> 4)] && pair[1] == HEX[usize::from(b & 15)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, hash: u64) -> NewDoc<'_> {
        NewDoc {
            id,
            duplicate_of: None,
            kind: KIND_UNIQUE,
            text_hash: hash,
            time_s: 0,
            shingles: 10,
            sim_milli: 0,
            url: 0,
            sig: [0; BINS],
            bands: &[1, 2],
            hot: 0,
        }
    }

    #[test]
    fn ids_round_trip_packed_and_plain() {
        let mut s = Store::new(8, 2);
        let ids = [
            "p-0123456789abcdef0123456789abcdef",
            "plain id",
            "x-abc",
            "ffffffffffffffffff",
        ];
        let seqs: Vec<u32> = ids.iter().map(|id| s.push(&doc(id, 7)).unwrap()).collect();
        for (id, seq) in ids.iter().zip(seqs) {
            assert_eq!(s.id(seq), *id);
            assert!(s.id_eq(seq, id));
            assert!(!s.id_eq(seq, "p-0123456789abcdef0123456789abcdee"));
        }
    }

    #[test]
    fn other_lanes_never_cut_a_chain() {
        let mut s = Store::new(1 << 12, 16);
        let first = s.push(&doc("first", 1)).unwrap();
        // Thousands of later documents in every lane, none with band key 1 in lane 0.
        for i in 0..3000u32 {
            let bands: Vec<u32> = (0..16).map(|l| 1000 + i * 16 + l).collect();
            let mut d = doc("filler", u64::from(i) + 10);
            d.bands = &bands;
            s.push(&d);
        }
        let mut seen = Vec::new();
        s.walk(0, 1, |q| {
            seen.push(q);
            true
        });
        assert!(seen.contains(&first), "{seen:?}");
        // Lane 1 key 2 likewise; the exact and id lanes find it too.
        let mut found = false;
        s.walk(1, 2, |q| {
            found |= q == first;
            true
        });
        assert!(found);
        assert_eq!(s.find_id("first", |_| true), Some(first));
    }

    #[test]
    fn meta_round_trips_counts_and_verdicts() {
        for n in [0u32, 1, 25, 32_767, 32_768, 40_000, 1 << 20] {
            let back = unpack_count(pack_count(n));
            assert!(back <= n && n - back <= n / 100, "{n} -> {back}");
        }
        assert!(unpack_count(pack_count(u32::MAX)) > 8_000_000);
        let mut s = Store::new(8, 2);
        let mut d = doc("p-0123456789abcdef0123456789abcdef", 0x0123_4567_89ab_cdef);
        d.kind = KIND_NEAR;
        d.sim_milli = 734;
        d.duplicate_of = Some("orig id");
        d.shingles = 40_000;
        let seq = s.push(&d).unwrap();
        let m = s.meta(seq).unwrap();
        assert_eq!(m.text_hash(), 0x0123_4567_89ab_cdef);
        assert_eq!((m.kind(), m.sim_milli()), (KIND_NEAR, 734));
        assert_eq!(m.shingles(), unpack_count(pack_count(40_000)));
        assert_eq!(s.duplicate_of(seq), "orig id");
        assert!(s.root_is(seq, "orig id"));
        assert!(s.id_eq(seq, "p-0123456789abcdef0123456789abcdef"));
        let long = "x".repeat(MAX_ID_BYTES);
        d.id = &long;
        let seq = s.push(&d).unwrap();
        assert_eq!(s.id(seq), long);
    }

    #[test]
    fn age_to_seq_inverts_age_across_wrap() {
        let mut s = Store::new(4, 2);
        s.next_seq = u32::MAX - 1;
        for seq in [u32::MAX - 3, u32::MAX - 2, 0, 1, 5] {
            assert_eq!(s.age_to_seq(s.age(seq)), seq);
        }
        assert!(s.age(u32::MAX - 3) > s.age(u32::MAX - 2));
    }

    #[test]
    fn eviction_cuts_chains_and_ring_wraps() {
        let mut s = Store::new(4, 2);
        for i in 0..1000u32 {
            s.push(&doc(&format!("d{i}"), 7));
            while s.len() > 3 {
                s.pop_front();
            }
            let mut seen = Vec::new();
            s.walk(s.exact_lane(), 7, |q| {
                seen.push(s.id(q));
                true
            });
            let want: Vec<String> = (i.saturating_sub(2)..=i)
                .rev()
                .map(|k| format!("d{k}"))
                .collect();
            assert_eq!(seen, want);
        }
        assert!(s.heap_bytes() < 64 * 1024);
    }
}
