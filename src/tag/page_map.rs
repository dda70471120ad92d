//! Remembered pages (page key → event key), compact: a FIFO ring of 24-byte entries in arrival
//! order plus an open-addressing index of 4-byte ring positions, about 32 bytes per page (a hash
//! map of the pairs and a separate arrival queue take about 70).
//!
//! Pages are forgotten oldest first (by arrival), which is the only removal the tracker needs.

use std::collections::VecDeque;

const EMPTY: u32 = u32::MAX;

/// One remembered page.
#[derive(Debug, Clone, Copy)]
struct Entry {
    doc: u64,
    event: u64,
    /// Event time (ms) shifted left by one; the low bit says whether the page opened the event.
    t_opened: i64,
}

impl Entry {
    fn t(&self) -> i64 {
        self.t_opened >> 1
    }
    fn opened(&self) -> bool {
        self.t_opened & 1 == 1
    }
}

/// Page key → (event key, opened), forgotten in arrival order.
#[derive(Debug)]
pub(crate) struct PageMap {
    ring: VecDeque<Entry>,
    /// Sequence number (wrapping) of the ring's front entry.
    front: u32,
    /// Ring sequence numbers by page key (linear probing, [`EMPTY`] = free); its length is zero
    /// or a power of two.
    index: Vec<u32>,
    /// Most entries the ring will hold (its growth stops there).
    limit: usize,
}

impl PageMap {
    /// An empty map that will hold up to `limit` pages (more only grow its ring gradually).
    pub fn new(limit: usize) -> Self {
        Self {
            ring: VecDeque::new(),
            front: 0,
            index: Vec::new(),
            limit,
        }
    }

    /// Pages remembered.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// The event of a page and whether the page opened it.
    pub fn get(&self, doc: u64) -> Option<(u64, bool)> {
        let pos = self.find(doc).ok()?;
        let e = self.entry(*self.index.get(pos)?)?;
        Some((e.event, e.opened()))
    }

    /// Remember a page at event time `t` (ms). A page already remembered gets the new event
    /// but keeps its place (and time) in the arrival order. Returns whether the page was new.
    pub fn insert(&mut self, doc: u64, event: u64, opened: bool, t: i64) -> bool {
        if let Ok(pos) = self.find(doc) {
            let seq = self.index.get(pos).copied().unwrap_or(EMPTY);
            if let Some(e) = self.entry_mut(seq) {
                e.event = event;
                e.t_opened = (e.t_opened & !1) | i64::from(opened);
            }
            return false;
        }
        if (self.ring.len() + 1) * 4 > self.index.len() * 3 {
            self.grow();
        }
        let seq = self.front.wrapping_add(self.ring.len() as u32);
        let t = t.clamp(i64::MIN >> 1, i64::MAX >> 1);
        if self.ring.len() == self.ring.capacity() {
            // Grow by half rather than doubling: the ring is most of the page map's memory.
            let room = self.limit.saturating_sub(self.ring.len());
            self.ring
                .reserve_exact((self.ring.len() / 2).min(room).max(16));
        }
        self.ring.push_back(Entry {
            doc,
            event,
            t_opened: (t << 1) | i64::from(opened),
        });
        if let Err(pos) = self.find(doc)
            && let Some(slot) = self.index.get_mut(pos)
        {
            *slot = seq;
        }
        true
    }

    /// Event time of the oldest remembered page.
    pub fn oldest_time(&self) -> Option<i64> {
        self.ring.front().map(Entry::t)
    }

    /// Forget the oldest remembered page.
    pub fn pop_oldest(&mut self) {
        let Some(doc) = self.ring.front().map(|e| e.doc) else {
            return;
        };
        if let Ok(pos) = self.find(doc) {
            self.remove_at(pos);
        }
        self.ring.pop_front();
        self.front = self.front.wrapping_add(1);
        if self.ring.is_empty() {
            self.ring = VecDeque::new();
            self.index = Vec::new();
        }
    }

    /// Heap bytes held (capacities).
    pub fn heap_bytes(&self) -> usize {
        self.ring.capacity() * size_of::<Entry>() + self.index.capacity() * size_of::<u32>()
    }

    fn entry(&self, seq: u32) -> Option<&Entry> {
        self.ring.get(seq.wrapping_sub(self.front) as usize)
    }

    fn entry_mut(&mut self, seq: u32) -> Option<&mut Entry> {
        self.ring.get_mut(seq.wrapping_sub(self.front) as usize)
    }

    fn home(&self, doc: u64) -> usize {
        // Page keys are already hashes; mix once more so sequential keys spread.
        let h = doc.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 32) as usize & self.index.len().wrapping_sub(1)
    }

    /// `Ok(position)` of the page in the index, or `Err(free position)` where it would go.
    fn find(&self, doc: u64) -> Result<usize, usize> {
        let n = self.index.len();
        if n == 0 {
            return Err(usize::MAX);
        }
        let mask = n - 1;
        let mut pos = self.home(doc);
        for _ in 0..n {
            match self.index.get(pos).copied() {
                None | Some(EMPTY) => return Err(pos),
                Some(seq) => {
                    if self.entry(seq).is_some_and(|e| e.doc == doc) {
                        return Ok(pos);
                    }
                }
            }
            pos = (pos + 1) & mask;
        }
        Err(usize::MAX)
    }

    /// Empty position `pos` and shift later entries of its probe run back (no tombstones).
    fn remove_at(&mut self, mut hole: usize) {
        let n = self.index.len();
        if n == 0 {
            return;
        }
        let mask = n - 1;
        if let Some(s) = self.index.get_mut(hole) {
            *s = EMPTY;
        }
        let mut pos = (hole + 1) & mask;
        loop {
            let seq = match self.index.get(pos).copied() {
                None | Some(EMPTY) => return,
                Some(seq) => seq,
            };
            let Some(home) = self.entry(seq).map(|e| self.home(e.doc)) else {
                return;
            };
            // The entry may move back to the hole when its home is not cyclically in (hole, pos].
            let dist_home = pos.wrapping_sub(home) & mask;
            let dist_hole = pos.wrapping_sub(hole) & mask;
            if dist_home >= dist_hole {
                if let Some(s) = self.index.get_mut(hole) {
                    *s = seq;
                }
                if let Some(s) = self.index.get_mut(pos) {
                    *s = EMPTY;
                }
                hole = pos;
            }
            pos = (pos + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let n = (self.index.len() * 2).max(16);
        self.index = vec![EMPTY; n];
        for i in 0..self.ring.len() {
            let seq = self.front.wrapping_add(i as u32);
            let Some(doc) = self.ring.get(i).map(|e| e.doc) else {
                continue;
            };
            if let Err(pos) = self.find(doc)
                && let Some(s) = self.index.get_mut(pos)
            {
                *s = seq;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn remembers_and_forgets_in_arrival_order() {
        let mut m = PageMap::new(usize::MAX);
        assert_eq!(m.get(1), None);
        assert!(m.insert(1, 10, true, 100));
        assert!(m.insert(2, 10, false, 50));
        assert!(!m.insert(1, 11, false, 999));
        assert_eq!(m.get(1), Some((11, false)));
        assert_eq!(m.get(2), Some((10, false)));
        assert_eq!((m.len(), m.oldest_time()), (2, Some(100)));
        m.pop_oldest();
        assert_eq!(m.get(1), None);
        assert_eq!(m.get(2), Some((10, false)));
        assert_eq!(m.oldest_time(), Some(50));
        m.pop_oldest();
        assert_eq!((m.len(), m.oldest_time(), m.get(2)), (0, None, None));
        assert!(m.insert(i64::MAX as u64, 1, true, i64::MIN));
        assert_eq!(m.get(i64::MAX as u64), Some((1, true)));
        assert!(m.oldest_time().is_some_and(|t| t < -(1 << 60)));
    }

    #[test]
    fn matches_a_hash_map_under_churn_and_colliding_keys() {
        let mut m = PageMap::new(usize::MAX);
        let mut reference: HashMap<u64, (u64, bool)> = HashMap::new();
        let mut order = std::collections::VecDeque::new();
        let mut x = 1u64;
        for i in 0..50_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Half the keys share their low bits and high bits to stress probe runs.
            let doc = if i % 2 == 0 { x } else { (x >> 40) << 40 };
            let opened = i % 3 == 0;
            if m.insert(doc, i, opened, i as i64) {
                order.push_back(doc);
            }
            reference.insert(doc, (i, opened));
            if m.len() > 3_000 {
                let old = order.pop_front().unwrap();
                reference.remove(&old);
                m.pop_oldest();
            }
            if i % 997 == 0 {
                for (k, v) in &reference {
                    assert_eq!(m.get(*k), Some(*v));
                }
                assert_eq!(m.get(x ^ 0xdead), None);
            }
        }
        assert_eq!(m.len(), reference.len());
        // 4-byte index slots at most 3/4 full, 24-byte ring entries grown by half.
        assert!(
            m.heap_bytes() <= m.len() * (24 * 3 / 2 + 4 * 3),
            "{}",
            m.heap_bytes()
        );
    }
}
