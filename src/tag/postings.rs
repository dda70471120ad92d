//! Inverted index of event centroid terms: per term, the active events indexing it (as
//! `(slot, generation)`, entries of closed events cleaned lazily) and how many they are (the
//! document frequency).
//!
//! Most terms of a large window are held by a single event (names, rare words), so the table
//! maps a term to one `u32`: either that event's slot (no list at all) or the number of a list
//! in a slab whose first element is the header `(document frequency, length after the last
//! cleanup)`. A single holder is always live (it is removed eagerly), so it needs no generation.
//! Lists grow by half, not double, and shrink when emptied below half.

use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry as MapEntry;

/// One index entry: event slot and the slot's generation when the entry was made.
pub(crate) type Entry = (u32, u32);

/// Table values with this bit set are list numbers; others are the slot of the single holder.
const MANY: u32 = 1 << 31;

/// The events indexing one term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Hits<'a> {
    /// The single active event holding the term (always live).
    One(u32),
    /// Index entries, possibly including entries of closed events (check the generation).
    Many(&'a [Entry]),
}

impl Hits<'_> {
    /// Number of entries (live or not).
    pub fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Many(v) => v.len(),
        }
    }
}

/// Term → events holding it (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct PostingsIndex {
    table: FxHashMap<u32, u32>,
    /// Lists of terms held by several events: `[(df, clean_len), entries...]`; freed lists
    /// are empty and numbered in `free`.
    lists: Vec<Vec<Entry>>,
    free: Vec<u32>,
}

impl PostingsIndex {
    /// Distinct terms indexed.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Active events holding `term`.
    pub fn df(&self, term: u32) -> u32 {
        match self.table.get(&term) {
            None => 0,
            Some(&v) if v & MANY == 0 => 1,
            Some(&v) => self
                .lists
                .get((v & !MANY) as usize)
                .and_then(|l| l.first())
                .map_or(0, |h| h.0),
        }
    }

    /// The events indexing `term`.
    pub fn get(&self, term: u32) -> Option<Hits<'_>> {
        let v = *self.table.get(&term)?;
        if v & MANY == 0 {
            return Some(Hits::One(v));
        }
        let list = self.lists.get((v & !MANY) as usize)?;
        Some(Hits::Many(list.get(1..).unwrap_or(&[])))
    }

    /// Index `term` under event `e`; `gens` are the current slot generations (an entry is live
    /// when its generation is its slot's).
    pub fn insert(&mut self, term: u32, e: Entry, gens: &[u32]) {
        let live = |(s, g): Entry| gens.get(s as usize) == Some(&g);
        match self.table.entry(term) {
            MapEntry::Vacant(v) => {
                if e.0 < MANY {
                    v.insert(e.0);
                } else {
                    v.insert(MANY | new_list(&mut self.lists, &mut self.free, vec![(1, 1), e]));
                }
            }
            MapEntry::Occupied(mut o) => {
                let v = *o.get();
                if v & MANY == 0 {
                    let first = (v, gens.get(v as usize).copied().unwrap_or(0));
                    let list = Vec::from([(2, 2), first, e]);
                    o.insert(MANY | new_list(&mut self.lists, &mut self.free, list));
                    return;
                }
                let Some(list) = self.lists.get_mut((v & !MANY) as usize) else {
                    return;
                };
                push(list, e, live);
            }
        }
    }

    /// Remove the entry of an event that no longer holds `term` (eagerly from short lists,
    /// lazily from long ones); the term goes when no active event holds it any more.
    pub fn remove(&mut self, term: u32, e: Entry) {
        let Some(&v) = self.table.get(&term) else {
            return;
        };
        if v & MANY == 0 {
            self.table.remove(&term);
            return;
        }
        let id = v & !MANY;
        let Some(list) = self.lists.get_mut(id as usize) else {
            self.table.remove(&term);
            return;
        };
        let (df, clean) = list.first().copied().unwrap_or((0, 0));
        let df = df.saturating_sub(1);
        if df == 0 {
            *list = Vec::new();
            self.free.push(id);
            self.table.remove(&term);
            return;
        }
        if list.len() - 1 <= 64 {
            let mut first = true;
            list.retain(|&x| std::mem::take(&mut first) || x != e);
            shrink(list);
        }
        if let Some(h) = list.first_mut() {
            *h = (df, clean);
        }
        if let ([_, only], 1) = (list.as_slice(), df)
            && only.0 < MANY
        {
            let slot = only.0;
            *list = Vec::new();
            self.free.push(id);
            self.table.insert(term, slot);
        }
    }

    /// Heap bytes: table, slab, lists (diagnostics).
    pub fn heap_bytes(&self) -> (usize, usize, usize) {
        use super::event::memory::{chunk, table_bytes};
        (
            table_bytes(self.table.capacity(), size_of::<(u32, u32)>()),
            chunk(self.lists.capacity() * size_of::<Vec<Entry>>())
                + chunk(self.free.capacity() * 4),
            self.lists
                .iter()
                .map(|l| chunk(l.capacity() * size_of::<Entry>()))
                .sum(),
        )
    }

    /// Entries over all terms (live or not; diagnostics).
    pub fn entries(&self) -> usize {
        self.table
            .keys()
            .filter_map(|&t| self.get(t))
            .map(|h| h.len())
            .sum()
    }

    /// Shape of the lists (diagnostics): lists, lists of two events, entries in lists longer
    /// than `long`.
    pub fn list_shape(&self, long: usize) -> (usize, usize, usize) {
        let used = self.lists.iter().filter(|l| !l.is_empty());
        let (mut n, mut two, mut in_long) = (0, 0, 0);
        for l in used {
            n += 1;
            two += usize::from(l.first().is_some_and(|h| h.0 == 2));
            if l.len() - 1 > long {
                in_long += l.len() - 1;
            }
        }
        (n, two, in_long)
    }

    /// Sum of the document frequencies (tests).
    #[cfg(test)]
    pub fn df_sum(&self) -> usize {
        self.table.keys().map(|&t| self.df(t) as usize).sum()
    }
}

fn new_list(lists: &mut Vec<Vec<Entry>>, free: &mut Vec<u32>, list: Vec<Entry>) -> u32 {
    if let Some(id) = free.pop()
        && let Some(l) = lists.get_mut(id as usize)
    {
        *l = list;
        return id;
    }
    if lists.len() == lists.capacity() {
        // Grow by a quarter: the slab holds a list per shared term.
        lists.reserve_exact((lists.len() / 4).max(16));
    }
    lists.push(list);
    (lists.len() - 1) as u32
}

/// Add an entry to a list; `live` tells whether an entry still belongs to an active event (for
/// the amortized cleanup of entries of closed events).
fn push(v: &mut Vec<Entry>, e: Entry, live: impl Fn(Entry) -> bool) {
    let (df, clean) = v.first().copied().unwrap_or((0, 0));
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 2).max(1));
    }
    v.push(e);
    let mut header = (df + 1, clean);
    // Amortized cleanup of entries of closed events (growth by a factor keeps it O(1) per push).
    if v.len() - 1 > 2 * clean as usize + 32 {
        let mut first = true;
        v.retain(|&x| std::mem::take(&mut first) || live(x));
        header.1 = (v.len() - 1) as u32;
        shrink(v);
    }
    if let Some(h) = v.first_mut() {
        *h = header;
    }
}

fn shrink(v: &mut Vec<Entry>) {
    if v.capacity() > 2 * v.len() + 2 {
        v.shrink_to(v.len() + v.len() / 4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(p: &PostingsIndex, t: u32) -> Vec<Entry> {
        match p.get(t) {
            None => Vec::new(),
            Some(Hits::One(s)) => vec![(s, u32::MAX)],
            Some(Hits::Many(v)) => v.to_vec(),
        }
    }

    #[test]
    fn single_holder_is_inline_and_lists_keep_order_and_df() {
        let gens = vec![1u32; 8];
        let mut p = PostingsIndex::default();
        p.insert(7, (1, 1), &gens);
        assert_eq!(
            (p.df(7), p.get(7), p.heap_bytes().2),
            (1, Some(Hits::One(1)), 0)
        );
        p.insert(7, (2, 1), &gens);
        p.insert(7, (3, 1), &gens);
        assert_eq!((p.df(7), entries(&p, 7)), (3, vec![(1, 1), (2, 1), (3, 1)]));
        p.remove(7, (2, 1));
        assert_eq!((p.df(7), entries(&p, 7)), (2, vec![(1, 1), (3, 1)]));
        p.remove(7, (1, 1));
        assert_eq!(p.get(7), Some(Hits::One(3)));
        assert_eq!(p.free.len(), 1, "the list went back to the slab");
        // A new shared term reuses the freed list.
        p.insert(9, (4, 1), &gens);
        p.insert(9, (5, 1), &gens);
        assert_eq!((p.lists.len(), p.free.len()), (1, 0));
        p.remove(7, (3, 1));
        assert_eq!((p.df(7), p.get(7), p.len()), (0, None, 1));
        assert_eq!(p.df_sum(), 2);
    }

    #[test]
    fn long_lists_are_cleaned_lazily_and_stay_bounded() {
        // Events in slots 0..n; only even slots are live after the first 100.
        let gens: Vec<u32> = (0..10_000u32)
            .map(|s| u32::from(s < 100 || s.is_multiple_of(2)))
            .collect();
        let mut p = PostingsIndex::default();
        for s in 0..100 {
            p.insert(5, (s, 1), &gens);
        }
        // Removal from a long list only lowers the count.
        for s in 0..50 {
            p.remove(5, (s, 1));
        }
        assert_eq!((p.df(5), entries(&p, 5).len()), (50, 100));
        let mut df = 50;
        for s in 100..10_000 {
            p.insert(5, (s, 1), &gens);
            df += 1;
            if s % 2 == 1 {
                p.remove(5, (s, 1));
                df -= 1;
            }
            assert_eq!(p.df(5), df);
            assert!(entries(&p, 5).len() <= 2 * df as usize + 64 + 64, "{s}");
        }
        assert!(p.heap_bytes().2 <= 3 * 8 * entries(&p, 5).len() + 64);
        // Entries of live events are all still there, in order.
        let kept: Vec<u32> = entries(&p, 5)
            .iter()
            .map(|e| e.0)
            .filter(|&s| gens[s as usize] == 1)
            .collect();
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        assert!(kept.len() >= 4_950);
    }
}
