//! Inverted index of event centroid terms: per term, the slots of the active events indexing it
//! (in indexing order); their number is the term's document frequency.
//!
//! Most terms of a large window are held by a single event (names, rare words), so the table
//! maps a term to one `u32`: either that event's slot (no list at all) or the number of a list
//! of slots in a slab. Entries are removed when their event drops the term or closes (a scan of
//! the term's list, which stays short for the terms that matter: a common term's list is long
//! but its events are few next to the window's), so every entry is live and needs no
//! generation. Lists grow by a quarter and shrink when emptied below half.

use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry as MapEntry;

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
    table: FxHashMap<u32, u32>,
    /// Slot lists of terms held by several events; freed lists are empty and numbered in `free`.
    lists: Vec<Vec<u32>>,
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
                .map_or(0, |l| l.len() as u32),
        }
    }

    /// The events indexing `term`.
    pub fn get(&self, term: u32) -> Option<Hits<'_>> {
        let v = *self.table.get(&term)?;
        if v & MANY == 0 {
            return Some(Hits::One(v));
        }
        Some(Hits::Many(self.lists.get((v & !MANY) as usize)?))
    }

    /// Index `term` under the event in `slot` (which must not hold it yet).
    pub fn insert(&mut self, term: u32, slot: u32) {
        match self.table.entry(term) {
            MapEntry::Vacant(v) => {
                if slot < MANY {
                    v.insert(slot);
                } else {
                    v.insert(MANY | new_list(&mut self.lists, &mut self.free, vec![slot]));
                }
            }
            MapEntry::Occupied(mut o) => {
                let v = *o.get();
                if v & MANY == 0 {
                    let list = new_list(&mut self.lists, &mut self.free, vec![v, slot]);
                    o.insert(MANY | list);
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
        let Some(&v) = self.table.get(&term) else {
            return;
        };
        if v & MANY == 0 {
            if v == slot {
                self.table.remove(&term);
            }
            return;
        }
        let id = v & !MANY;
        let Some(list) = self.lists.get_mut(id as usize) else {
            self.table.remove(&term);
            return;
        };
        if let Some(pos) = list.iter().position(|&s| s == slot) {
            list.remove(pos);
        }
        match list.as_slice() {
            [] => {
                self.free.push(id);
                self.table.remove(&term);
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
        use super::event::memory::{chunk, table_bytes};
        (
            table_bytes(self.table.capacity(), size_of::<(u32, u32)>()),
            chunk(self.lists.capacity() * size_of::<Vec<u32>>()) + chunk(self.free.capacity() * 4),
            self.lists.iter().map(|l| chunk(l.capacity() * 4)).sum(),
        )
    }

    /// Entries over all terms (diagnostics).
    pub fn entries(&self) -> usize {
        self.table.keys().map(|&t| self.df(t) as usize).sum()
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

fn new_list(lists: &mut Vec<Vec<u32>>, free: &mut Vec<u32>, list: Vec<u32>) -> u32 {
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
