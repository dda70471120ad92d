//! The bounded document memory: a ring of slots plus chained hash lanes, sized at start.
//!
//! Every remembered document gets a 32-bit sequence number; its slot is `seq mod capacity`
//! (capacity is a power of two, so this survives wrap-around). Per slot we keep a 32-byte
//! [`Meta`], an 8-bit-per-bin signature and one link per lane. A lane (an LSH band, or the
//! exact-text hash) is a table of bucket heads, each the newest `seq + 1` whose key hashed to the
//! bucket; a slot's link in that lane points to the next older one. Keys are not stored: the
//! chain of a bucket holds every document whose key landed in it, and callers verify each. A link
//! is followed only while it points to a live, strictly older document, so eviction is just
//! advancing the ring's front — stale heads and links die by themselves, nothing is unlinked,
//! and the tables never need cleaning or rehashing.
//!
//! The **id lane** chains every remembered document under a hash of its id, in a bucket table
//! of its own (half a head per slot). Its chains only hold hash collisions (two live documents
//! on average), so a redelivered page finds its own slot in a step or two however many copies of
//! its text the exact and band lanes chain (those walks stop after the `MAX_CHAIN` newest
//! entries).
//!
//! Document ids live in one byte arena in ring order; evicting from the front frees a prefix,
//! which is compacted away once it reaches a quarter of the arena.

use super::sketch::BINS;
use xxhash_rust::xxh3::xxh3_64;

/// Longest id (or `duplicate_of` id) remembered, in bytes. Pages with longer ids are decided but
/// not remembered.
pub const MAX_ID_BYTES: usize = 1024;

/// Longest chain walked per lane and lookup; bounds the work of a hot bucket.
const MAX_CHAIN: usize = 64;

/// Slot flags.
pub const KIND_UNIQUE: u8 = 0;
/// A remembered exact duplicate (its verdict is kept for redelivery).
pub const KIND_EXACT: u8 = 1;
/// A remembered near duplicate.
pub const KIND_NEAR: u8 = 2;
/// The id bytes are packed (prefix + binary form of a hex tail).
const FLAG_PACKED: u8 = 0x80;

/// Fixed-size facts about one remembered document.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    /// Hash of the normalized text.
    pub text_hash: u64,
    /// Arena offset of the id (logical, wrapping).
    id_off: u32,
    /// Event time, seconds since the epoch (clamped to u32).
    pub time_s: u32,
    /// Distinct shingles (0: not indexed for near lookups).
    pub shingles: u32,
    /// Hash of the article's URL key (0 when none).
    pub url: u32,
    /// Stored id length in the arena (packed form when `FLAG_PACKED`).
    id_len: u16,
    /// Stored length of the `duplicate_of` id that follows the id.
    of_len: u16,
    /// Similarity of a copy, in thousandths.
    pub sim_milli: u16,
    /// `KIND_*` in the low bits, `FLAG_PACKED` on top.
    flags: u8,
}

impl Meta {
    /// `KIND_UNIQUE`, `KIND_EXACT` or `KIND_NEAR`.
    pub fn kind(&self) -> u8 {
        self.flags & 0x7f
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
    lanes: usize,
    next_seq: u32,
    len: u32,
    metas: Vec<Meta>,
    sigs: Vec<[u8; BINS]>,
    links: Vec<u32>,
    heads: Vec<u32>,
    /// Id lane: bucket heads (own table, so its chains hold id collisions only)…
    id_heads: Vec<u32>,
    /// …and one link per slot.
    id_links: Vec<u32>,
    ids: Vec<u8>,
    ids_base: u32,
}

impl Store {
    /// A store for up to `max_docs` documents with `bands` band lanes plus the exact lane.
    /// Bucket heads are allocated zeroed up front (pages are mapped lazily by the OS); per-slot
    /// arrays grow as documents arrive.
    pub fn new(max_docs: usize, bands: usize) -> Self {
        let cap = (max_docs.clamp(1, 1 << 30) + 1).next_power_of_two();
        let lanes = bands + 1;
        // Half a bucket per lane entry: chains average two live entries.
        let heads = (cap * lanes / 2).max(64);
        Self {
            mask: (cap - 1) as u32,
            lanes,
            next_seq: 0,
            len: 0,
            metas: Vec::new(),
            sigs: Vec::new(),
            links: Vec::new(),
            heads: vec![0; heads],
            id_heads: vec![0; (cap / 2).max(64)],
            id_links: Vec::new(),
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

    #[inline]
    fn bucket(&self, lane: usize, key: u64) -> usize {
        let h = super::sketch::mix64(key ^ (lane as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        // Multiply-shift range reduction onto the table.
        ((u128::from(h) * self.heads.len() as u128) >> 64) as usize
    }

    /// Visit the live documents chained in the bucket of `key` in `lane`, newest first.
    /// Returning `false` from `f` stops the walk.
    #[inline]
    pub fn walk(&self, lane: usize, key: u64, f: impl FnMut(u32) -> bool) {
        let head = self.heads.get(self.bucket(lane, key)).copied().unwrap_or(0);
        self.walk_chain(
            head,
            |seq| {
                self.links
                    .get(self.pos(seq) * self.lanes + lane)
                    .copied()
                    .unwrap_or(0)
            },
            f,
        );
    }

    #[inline]
    fn id_bucket(&self, id: &str) -> usize {
        let h = xxh3_64(id.as_bytes());
        ((u128::from(h) * self.id_heads.len() as u128) >> 64) as usize
    }

    /// The live document with this id, if any (newest first when several share it). The id
    /// lane's chains hold only id-hash collisions; the walk is bounded by [`MAX_CHAIN`] anyway.
    pub fn find_id(&self, id: &str, mut accept: impl FnMut(u32) -> bool) -> Option<u32> {
        let head = self.id_heads.get(self.id_bucket(id)).copied().unwrap_or(0);
        let mut found = None;
        self.walk_chain(
            head,
            |seq| self.id_links.get(self.pos(seq)).copied().unwrap_or(0),
            |seq| {
                if self.id_eq(seq, id) && accept(seq) {
                    found = Some(seq);
                    return false;
                }
                true
            },
        );
        found
    }

    /// Follow a chain from the link `head` (`next` gives each entry's next link), newest first,
    /// for at most [`MAX_CHAIN`] entries; stops at the first dead entry or one not older than
    /// its predecessor (a link left over from a reused slot). Returning `false` from `f` stops.
    #[inline]
    fn walk_chain(&self, head: u32, next: impl Fn(u32) -> u32, mut f: impl FnMut(u32) -> bool) {
        let mut link = head;
        let mut prev_age = 0u32;
        for _ in 0..MAX_CHAIN {
            if link == 0 {
                break;
            }
            let seq = link.wrapping_sub(1);
            let age = self.age(seq);
            if !self.is_live(seq) || age <= prev_age || !f(seq) {
                break;
            }
            prev_age = age;
            link = next(seq);
        }
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
        let (id_len, packed) = pack_id(doc.id, &mut self.ids);
        self.ids.extend_from_slice(of.as_bytes());
        let meta = Meta {
            text_hash: doc.text_hash,
            id_off,
            time_s: doc.time_s,
            shingles: doc.shingles,
            sim_milli: doc.sim_milli,
            url: doc.url,
            id_len: id_len as u16,
            of_len: of.len() as u16,
            flags: doc.kind | if packed { FLAG_PACKED } else { 0 },
        };
        if pos == self.metas.len() {
            self.metas.push(meta);
            self.sigs.push(doc.sig);
            self.links.extend(std::iter::repeat_n(0, self.lanes));
            self.id_links.push(0);
        } else {
            if let Some(m) = self.metas.get_mut(pos) {
                *m = meta;
            }
            if let Some(s) = self.sigs.get_mut(pos) {
                *s = doc.sig;
            }
        }
        self.next_seq = seq.wrapping_add(1);
        self.len += 1;
        let link_base = pos * self.lanes;
        let band_lanes = self.lanes - 1;
        for (lane, key) in doc.bands.iter().take(band_lanes).enumerate() {
            if doc.hot & (1 << lane) == 0 {
                self.link(link_base, lane, u64::from(*key), seq);
            } else if let Some(l) = self.links.get_mut(link_base + lane) {
                *l = 0;
            }
        }
        for lane in doc.bands.len().min(band_lanes)..band_lanes {
            if let Some(l) = self.links.get_mut(link_base + lane) {
                *l = 0;
            }
        }
        self.link(link_base, band_lanes, doc.text_hash, seq);
        let b = self.id_bucket(doc.id);
        if let Some(head) = self.id_heads.get_mut(b) {
            let prev = std::mem::replace(head, seq.wrapping_add(1));
            if let Some(l) = self.id_links.get_mut(pos) {
                *l = prev;
            }
        }
        Some(seq)
    }

    fn link(&mut self, link_base: usize, lane: usize, key: u64, seq: u32) {
        let b = self.bucket(lane, key);
        if let Some(head) = self.heads.get_mut(b) {
            let prev = std::mem::replace(head, seq.wrapping_add(1));
            if let Some(l) = self.links.get_mut(link_base + lane) {
                *l = prev;
            }
        }
    }

    /// The lane index of the exact-text hash.
    pub fn exact_lane(&self) -> usize {
        self.lanes - 1
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
                if dead > 4096 && dead > self.ids.len() / 4 {
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

    fn stored(&self, off: u32, len: usize) -> &[u8] {
        let start = off.wrapping_sub(self.ids_base) as usize;
        self.ids.get(start..start + len).unwrap_or(&[])
    }

    /// Does the live document `seq` have this id?
    pub fn id_eq(&self, seq: u32, id: &str) -> bool {
        let Some(m) = self.meta(seq) else {
            return false;
        };
        let stored = self.stored(m.id_off, usize::from(m.id_len));
        if m.flags & FLAG_PACKED != 0 {
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
        let off = m.id_off.wrapping_add(u32::from(m.id_len));
        self.stored(off, usize::from(m.of_len)) == id.as_bytes()
    }

    /// The id of a live document.
    pub fn id(&self, seq: u32) -> String {
        let Some(m) = self.meta(seq) else {
            return String::new();
        };
        let stored = self.stored(m.id_off, usize::from(m.id_len));
        if m.flags & FLAG_PACKED != 0 {
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
        let off = m.id_off.wrapping_add(u32::from(m.id_len));
        String::from_utf8_lossy(self.stored(off, usize::from(m.of_len))).into_owned()
    }

    /// Bytes held by the store's buffers (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        self.metas.capacity() * std::mem::size_of::<Meta>()
            + self.sigs.capacity() * BINS
            + self.links.capacity() * 4
            + self.heads.capacity() * 4
            + self.id_heads.capacity() * 4
            + self.id_links.capacity() * 4
            + self.ids.capacity()
    }
}

/// Append `id` to `out`, packing a lowercase-hex tail of ≥ 16 even digits into bytes
/// (`p-<32 hex>` takes 19 bytes instead of 34). Returns the stored length and whether packed.
fn pack_id(id: &str, out: &mut Vec<u8>) -> (usize, bool) {
    let bytes = id.as_bytes();
    let tail = bytes
        .iter()
        .rev()
        .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .count();
    let tail = tail & !1;
    let prefix = bytes.len() - tail;
    if tail < 16 || prefix > 255 {
        out.extend_from_slice(bytes);
        return (bytes.len(), false);
    }
    let start = out.len();
    out.push(prefix as u8);
    out.extend_from_slice(&bytes[..prefix]);
    for pair in bytes[prefix..].chunks_exact(2) {
        out.push((hex_val(pair[0]) << 4) | hex_val(pair[1]));
    }
    (out.len() - start, true)
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
