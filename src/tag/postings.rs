//! Inverted index of event centroid terms: per term, the active events indexing it (as
//! `(slot, generation)`, entries of closed events cleaned lazily) and how many they are (the
//! document frequency).
//!
//! Most terms of a large window are held by a single event (names, rare words), so a term's
//! postings are either that one entry inline (no heap block) or a list whose first element is
//! the header `(document frequency, length after the last cleanup)`. Lists grow by half, not
//! double, and shrink when emptied below half.

/// One index entry: event slot and the slot's generation when the entry was made.
pub(crate) type Entry = (u32, u32);

/// The postings of one term.
#[derive(Debug)]
pub(crate) enum Postings {
    /// The single active event indexing the term.
    One(Entry),
    /// `[(df, clean_len), entries...]`.
    Many(Vec<Entry>),
}

impl Postings {
    /// Postings of a term first indexed by `e`.
    pub fn new(e: Entry) -> Self {
        Self::One(e)
    }

    /// Active events holding the term.
    pub fn df(&self) -> u32 {
        match self {
            Self::One(_) => 1,
            Self::Many(v) => v.first().map_or(0, |h| h.0),
        }
    }

    /// Index entries, possibly including entries of closed events (check the generation).
    pub fn entries(&self) -> &[Entry] {
        match self {
            Self::One(e) => std::slice::from_ref(e),
            Self::Many(v) => v.get(1..).unwrap_or(&[]),
        }
    }

    /// Add an entry; `live` tells whether an entry still belongs to an active event (for the
    /// amortized cleanup of entries of closed events).
    pub fn push(&mut self, e: Entry, live: impl Fn(Entry) -> bool) {
        match self {
            Self::One(first) => {
                let mut v = Vec::with_capacity(3);
                v.extend([(2, 2), *first, e]);
                *self = Self::Many(v);
            }
            Self::Many(v) => {
                let (df, clean) = v.first().copied().unwrap_or((0, 0));
                if v.len() == v.capacity() {
                    v.reserve_exact((v.len() / 2).max(1));
                }
                v.push(e);
                let mut header = (df + 1, clean);
                // Amortized cleanup of entries of closed events (growth by a factor keeps it
                // O(1) per push).
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
        }
    }

    /// Remove the entry of an event that no longer holds the term (eagerly from short lists,
    /// lazily from long ones). Returns false when no active event holds the term any more.
    pub fn remove(&mut self, e: Entry) -> bool {
        match self {
            Self::One(_) => false,
            Self::Many(v) => {
                let (df, clean) = v.first().copied().unwrap_or((0, 0));
                let df = df.saturating_sub(1);
                if df == 0 {
                    return false;
                }
                if v.len() - 1 <= 64 {
                    let mut first = true;
                    v.retain(|&x| std::mem::take(&mut first) || x != e);
                    shrink(v);
                }
                if let Some(h) = v.first_mut() {
                    *h = (df, clean);
                }
                if let ([_, only], 1) = (v.as_slice(), df) {
                    *self = Self::One(*only);
                }
                true
            }
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::One(_) => 0,
            Self::Many(v) => v.capacity() * size_of::<Entry>(),
        }
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

    #[test]
    fn single_entry_is_inline_and_lists_keep_order_and_df() {
        assert!(size_of::<Postings>() <= 24);
        let all = |_: Entry| true;
        let mut p = Postings::new((1, 1));
        assert_eq!((p.df(), p.entries(), p.heap_bytes()), (1, &[(1, 1)][..], 0));
        p.push((2, 1), all);
        p.push((3, 1), all);
        assert_eq!((p.df(), p.entries()), (3, &[(1, 1), (2, 1), (3, 1)][..]));
        assert!(p.remove((2, 1)));
        assert_eq!((p.df(), p.entries()), (2, &[(1, 1), (3, 1)][..]));
        assert!(p.remove((1, 1)));
        assert!(matches!(p, Postings::One((3, 1))));
        assert!(!p.remove((3, 1)));
    }

    #[test]
    fn long_lists_are_cleaned_lazily_and_stay_bounded() {
        // Events in slots 0..n; only even slots are live after the first 100.
        let live = |e: Entry| e.0 < 100 || e.0.is_multiple_of(2);
        let mut p = Postings::new((0, 0));
        for s in 1..100 {
            p.push((s, 0), live);
        }
        // Removal from a long list only lowers the count.
        for s in 0..50 {
            assert!(p.remove((s, 0)));
        }
        assert_eq!((p.df(), p.entries().len()), (50, 100));
        let mut df = 50;
        for s in 100..10_000 {
            p.push((s, 0), live);
            df += 1;
            if s % 2 == 1 {
                p.remove((s, 0));
                df -= 1;
            }
            assert_eq!(p.df(), df);
            assert!(p.entries().len() <= 2 * df as usize + 64 + 64, "{s}");
        }
        assert!(p.heap_bytes() <= 3 * 8 * p.entries().len() + 64);
        // Entries of live events are all still there, in order.
        let kept: Vec<u32> = p
            .entries()
            .iter()
            .map(|e| e.0)
            .filter(|&s| live((s, 0)))
            .collect();
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        assert!(kept.len() >= 4_950);
    }
}
