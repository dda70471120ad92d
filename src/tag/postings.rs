//! Inverted index of event centroid terms: per term, the slots of the active events indexing it
//! (in indexing order); their number is the term's document frequency.
//!
//! Most terms of a large window are held by a single event (names, rare words), so the table
//! maps a term to one `u32`: either that event's slot (no list at all) or the number of a list
//! of slots in a slab. Entries are removed when their event drops the term or closes (a scan of
//! the term's list, which stays short for the terms that matter: a common term's list is long
//! but its events are few next to the window's), so every entry is live and needs no
//! generation. Lists grow by a quarter and shrink when emptied below half.
//!
//! The table is a flat open-addressing array of `(term, value)` pairs (linear probing,
//! backward-shift deletion). With 100,000 active events it holds millions of terms, so nearly
//! every lookup is a cache miss; a flat array lets [`PostingsIndex::dfs`] touch the buckets of
//! all of a page's terms in one branch-free pass first, so their misses overlap instead of
//! queueing one behind the other.

/// Table values with this bit set are list numbers; others are the slot of the single holder.
const MANY: u32 = 1 << 31;

/// The events indexing one term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Hits<'a> {
    /// The single active event holding the term.
    One(u32),
    /// The slots of the active events holding the term, in indexing order.
    Many(&'a [u32]),
}

/// Term → slots of the events holding it (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct PostingsIndex {
    table: TermTable,
    /// Slot lists of terms held by several events; freed lists are empty and numbered in `free`.
    lists: Vec<Vec<u32>>,
    free: Vec<u32>,
}

impl PostingsIndex {
    /// Distinct terms indexed.
    pub fn len(&self) -> usize {
        self.table.len
    }

    /// Active events holding `term`.
    pub fn df(&self, term: u32) -> u32 {
        self.df_of_value(self.table.get(term))
    }

    #[inline]
    fn df_of_value(&self, v: Option<u32>) -> u32 {
        match v {
            None => 0,
            Some(v) if v & MANY == 0 => 1,
            Some(v) => self
                .lists
                .get((v & !MANY) as usize)
                .map_or(0, |l| l.len() as u32),
        }
    }

    /// [`PostingsIndex::df`] of every term, appended to `out` in order. The buckets of all the
    /// terms are read first in a pass without branches, so their cache misses overlap.
    pub fn dfs(&self, terms: impl Iterator<Item = u32> + Clone, out: &mut Vec<u32>) {
        self.table.touch(terms.clone());
        out.extend(terms.map(|t| self.df(t)));
    }

    /// Read the buckets of `terms` so that lookups right after find them in cache.
    pub fn touch(&self, terms: impl Iterator<Item = u32>) {
        self.table.touch(terms);
    }

    /// The events indexing `term`.
    pub fn get(&self, term: u32) -> Option<Hits<'_>> {
        let v = self.table.get(term)?;
        if v & MANY == 0 {
            return Some(Hits::One(v));
        }
        Some(Hits::Many(self.lists.get((v & !MANY) as usize)?))
    }

    /// Index `term` under the event in `slot` (which must not hold it yet).
    pub fn insert(&mut self, term: u32, slot: u32) {
        match self.table.get(term) {
            None => {
                if slot < MANY {
                    self.table.insert(term, slot);
                } else if let Some(list) = new_list(&mut self.lists, &mut self.free, vec![slot]) {
                    self.table.insert(term, MANY | list);
                }
            }
            Some(v) => {
                if v & MANY == 0 {
                    if let Some(list) = new_list(&mut self.lists, &mut self.free, vec![v, slot]) {
                        self.table.insert(term, MANY | list);
                    }
                    return;
                }
                if let Some(list) = self.lists.get_mut((v & !MANY) as usize) {
                    if list.len() == list.capacity() {
                        list.reserve_exact((list.len() / 4).max(2));
                    }
                    list.push(slot);
                }
            }
        }
    }

    /// Remove the event in `slot` from `term`; the term goes when no event holds it any more.
    pub fn remove(&mut self, term: u32, slot: u32) {
        let Some(v) = self.table.get(term) else {
            return;
        };
        if v & MANY == 0 {
            if v == slot {
                self.table.remove(term);
            }
            return;
        }
        let id = v & !MANY;
        let Some(list) = self.lists.get_mut(id as usize) else {
            self.table.remove(term);
            return;
        };
        if let Some(pos) = list.iter().position(|&s| s == slot) {
            list.remove(pos);
        }
        match list.as_slice() {
            [] => {
                self.free.push(id);
                self.table.remove(term);
            }
            &[only] if only < MANY => {
                *list = Vec::new();
                self.free.push(id);
                self.table.insert(term, only);
            }
            _ => {
                if list.capacity() > 2 * list.len() + 2 {
                    list.shrink_to(list.len() + list.len() / 4);
                }
            }
        }
    }

    /// Heap bytes: table, slab, lists (diagnostics).
    pub fn heap_bytes(&self) -> (usize, usize, usize) {
        use super::event::memory::chunk;
        (
            chunk(self.table.buckets.len() * size_of::<(u32, u32)>()),
            chunk(self.lists.capacity() * size_of::<Vec<u32>>()) + chunk(self.free.capacity() * 4),
            self.lists.iter().map(|l| chunk(l.capacity() * 4)).sum(),
        )
    }

    /// Entries over all terms (diagnostics).
    pub fn entries(&self) -> usize {
        self.table
            .buckets
            .iter()
            .filter(|&&(_, v)| v != EMPTY)
            .map(|&(_, v)| self.df_of_value(Some(v)) as usize)
            .sum()
    }

    /// Shape of the lists (diagnostics): lists, lists of two events, entries in lists longer
    /// than `long`.
    pub fn list_shape(&self, long: usize) -> (usize, usize, usize) {
        let used = self.lists.iter().filter(|l| !l.is_empty());
        let (mut n, mut two, mut in_long) = (0, 0, 0);
        for l in used {
            n += 1;
            two += usize::from(l.len() == 2);
            if l.len() > long {
                in_long += l.len();
            }
        }
        (n, two, in_long)
    }
}

/// A slab number for `list` (`None` only when the slab is full: ids stay below `EMPTY & !MANY`).
fn new_list(lists: &mut Vec<Vec<u32>>, free: &mut Vec<u32>, list: Vec<u32>) -> Option<u32> {
    if let Some(id) = free.pop()
        && let Some(l) = lists.get_mut(id as usize)
    {
        *l = list;
        return Some(id);
    }
    if lists.len() >= (EMPTY & !MANY) as usize {
        return None;
    }
    if lists.len() == lists.capacity() {
        // Grow by a quarter: the slab holds a list per shared term.
        lists.reserve_exact((lists.len() / 4).max(16));
    }
    lists.push(list);
    Some((lists.len() - 1) as u32)
}

/// The value of a free bucket (never a slot: slots are below [`MANY`]; never a list: list
/// numbers stay below `EMPTY & !MANY`).
const EMPTY: u32 = u32::MAX;

/// Term → value map: open addressing over a power-of-two array of `(term, value)` pairs,
/// linear probing, at most 3/4 full, backward-shift deletion (no tombstones).
#[derive(Debug, Default)]
struct TermTable {
    buckets: Vec<(u32, u32)>,
    len: usize,
    /// `64 - log2(buckets.len())`: the home bucket is the top bits of a multiplicative hash.
    shift: u32,
}

impl TermTable {
    #[inline]
    fn home(&self, term: u32) -> usize {
        (u64::from(term).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    /// Bucket of `term` (`Ok`) or the free bucket where it would go (`Err`); `None` when the
    /// table has no buckets.
    #[inline]
    fn find(&self, term: u32) -> Option<Result<usize, usize>> {
        if self.buckets.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut i = self.home(term);
        // At most 3/4 full, so a free bucket ends every probe run.
        for _ in 0..self.buckets.len() {
            let &(k, v) = self.buckets.get(i)?;
            if v == EMPTY {
                return Some(Err(i));
            }
            if k == term {
                return Some(Ok(i));
            }
            i = (i + 1) & mask;
        }
        None
    }

    #[inline]
    fn get(&self, term: u32) -> Option<u32> {
        let i = self.find(term)?.ok()?;
        self.buckets.get(i).map(|b| b.1)
    }

    /// Read the home bucket of every term (no branches on the data, so the loads overlap).
    #[inline]
    fn touch(&self, terms: impl Iterator<Item = u32>) {
        if self.buckets.is_empty() {
            return;
        }
        let mut sink = 0u32;
        for t in terms {
            sink ^= self.buckets.get(self.home(t)).map_or(0, |b| b.1);
        }
        std::hint::black_box(sink);
    }

    /// Set the value of `term` (`value != EMPTY`).
    fn insert(&mut self, term: u32, value: u32) {
        if (self.len + 1) * 4 > self.buckets.len() * 3 {
            self.grow();
        }
        match self.find(term) {
            Some(Ok(i)) => {
                if let Some(b) = self.buckets.get_mut(i) {
                    b.1 = value;
                }
            }
            Some(Err(i)) => {
                if let Some(b) = self.buckets.get_mut(i) {
                    *b = (term, value);
                    self.len += 1;
                }
            }
            None => {}
        }
    }

    fn remove(&mut self, term: u32) {
        let Some(Ok(mut hole)) = self.find(term) else {
            return;
        };
        let mask = self.mask();
        self.len -= 1;
        // Backward shift: move later members of the probe run into the hole when their home
        // bucket does not lie cyclically in (hole, j].
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let Some(&(k, v)) = self.buckets.get(j) else {
                break;
            };
            if v == EMPTY {
                break;
            }
            let h = self.home(k);
            let stays = if hole <= j {
                hole < h && h <= j
            } else {
                hole < h || h <= j
            };
            if stays {
                continue;
            }
            if let Some(b) = self.buckets.get_mut(hole) {
                *b = (k, v);
            }
            hole = j;
        }
        if let Some(b) = self.buckets.get_mut(hole) {
            *b = (0, EMPTY);
        }
    }

    fn grow(&mut self) {
        let size = (self.buckets.len() * 2).max(16);
        let old = std::mem::replace(&mut self.buckets, vec![(0, EMPTY); size]);
        self.shift = 64 - size.trailing_zeros();
        self.len = 0;
        for (k, v) in old {
            if v != EMPTY {
                self.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(p: &PostingsIndex, t: u32) -> Vec<u32> {
        match p.get(t) {
            None => Vec::new(),
            Some(Hits::One(s)) => vec![s],
            Some(Hits::Many(v)) => v.to_vec(),
        }
    }

    #[test]
    fn single_holder_is_inline_and_lists_keep_order_and_df() {
        let mut p = PostingsIndex::default();
        p.insert(7, 1);
        assert_eq!(
            (p.df(7), p.get(7), p.heap_bytes().2),
            (1, Some(Hits::One(1)), 0)
        );
        p.insert(7, 2);
        p.insert(7, 3);
        assert_eq!((p.df(7), slots(&p, 7)), (3, vec![1, 2, 3]));
        p.remove(7, 2);
        assert_eq!((p.df(7), slots(&p, 7)), (2, vec![1, 3]));
        p.remove(7, 9);
        assert_eq!(p.df(7), 2, "removing a non-holder changes nothing");
        p.remove(7, 1);
        assert_eq!(p.get(7), Some(Hits::One(3)));
        assert_eq!(p.free.len(), 1, "the list went back to the slab");
        // A new shared term reuses the freed list.
        p.insert(9, 4);
        p.insert(9, 5);
        assert_eq!((p.lists.len(), p.free.len()), (1, 0));
        p.remove(7, 4);
        assert_eq!(p.df(7), 1, "a single holder is removed only by itself");
        p.remove(7, 3);
        assert_eq!((p.df(7), p.get(7), p.len()), (0, None, 1));
        assert_eq!(p.entries(), 2);
    }

    #[test]
    fn term_table_matches_a_hash_map_under_churn() {
        // Clustered keys (small range) make long probe runs, so backward shifts wrap around.
        let mut t = TermTable::default();
        let mut m = std::collections::HashMap::new();
        let mut x = 12345u64;
        for step in 0..200_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = if step % 3 == 0 {
                (x >> 33) as u32
            } else {
                ((x >> 50) as u32 % 3000) | (u32::from(step % 2 == 0) << 31)
            };
            if (x >> 20) % 5 < 2 {
                t.remove(key);
                m.remove(&key);
            } else {
                let v = (x >> 7) as u32 & 0x7fff_ffff;
                t.insert(key, v);
                m.insert(key, v);
            }
            if step % 9_973 == 0 {
                assert_eq!(t.len, m.len());
                for (&k, &v) in &m {
                    assert_eq!(t.get(k), Some(v), "{k}");
                }
            }
        }
        assert_eq!(t.len, m.len());
        for (&k, &v) in &m {
            assert_eq!(t.get(k), Some(v));
        }
        for k in 0..3000u32 {
            assert_eq!(t.get(k), m.get(&k).copied());
        }
        assert!(t.len * 4 <= t.buckets.len() * 3);
    }

    #[test]
    fn dfs_match_df() {
        let mut p = PostingsIndex::default();
        for s in 0..50u32 {
            for term in 0..(s % 7) {
                p.insert(term * 1_000_003, s);
            }
        }
        let terms: Vec<u32> = (0..10).map(|t| t * 1_000_003).collect();
        let mut out = vec![99];
        p.dfs(terms.iter().copied(), &mut out);
        let want: Vec<u32> = std::iter::once(99)
            .chain(terms.iter().map(|&t| p.df(t)))
            .collect();
        assert_eq!(out, want);
        assert_eq!(out.get(1), Some(&42));
        assert_eq!(out.get(7), Some(&0));
    }

    #[test]
    fn long_lists_stay_exact_and_bounded_under_churn() {
        let mut p = PostingsIndex::default();
        let mut live = std::collections::BTreeSet::new();
        for s in 0..10_000u32 {
            p.insert(5, s);
            live.insert(s);
            if s % 2 == 1 {
                p.remove(5, s);
                live.remove(&s);
            }
            if s % 3 == 0 && s > 3_000 {
                p.remove(5, s - 3_000);
                live.remove(&(s - 3_000));
            }
        }
        assert_eq!(p.df(5) as usize, live.len());
        // Entries are exactly the live events, in indexing order.
        assert_eq!(slots(&p, 5), live.iter().copied().collect::<Vec<_>>());
        assert!(p.heap_bytes().2 <= 4 * 2 * live.len() + 64);
        for &s in &live {
            p.remove(5, s);
        }
        assert_eq!((p.len(), p.heap_bytes().2), (0, 0));
    }
}
