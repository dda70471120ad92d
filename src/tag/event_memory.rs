//! Where the event tracker's memory goes: heap bytes per structure, estimated from lengths and
//! capacities with the allocator's chunk rounding (glibc: 8 bytes of header, 16-byte granules,
//! 32-byte minimum). Used by `examples/window_rss.rs` to split the resident total.

use super::EventTracker;
use std::mem::size_of;

/// Bytes a heap block of `bytes` takes in the allocator.
pub(crate) fn chunk(bytes: usize) -> usize {
    if bytes == 0 {
        0
    } else {
        ((bytes + 8 + 15) & !15).max(32)
    }
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    chunk(v.capacity() * size_of::<T>())
}

fn string_bytes(s: &String) -> usize {
    chunk(s.capacity())
}

/// Bytes of a hashbrown table with `capacity` usable slots of `entry` bytes each.
pub(crate) fn table_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two().max(4)
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    chunk(buckets * entry + buckets + 16)
}

impl EventTracker {
    /// Estimated heap bytes per structure, largest first, and counts (diagnostics).
    #[doc(hidden)]
    pub fn memory_breakdown(&self) -> Vec<(String, usize)> {
        let mut slots = vec_bytes(&self.slots) + vec_bytes(&self.gens) + vec_bytes(&self.free);
        let (mut centroid, mut id, mut label, mut sources, mut entities, mut keywords) =
            (0, 0, 0, 0, 0, 0);
        for ev in self.slots.iter().flatten() {
            centroid += vec_bytes(&ev.terms) + vec_bytes(&ev.mass) + vec_bytes(&ev.weight);
            id += string_bytes(&ev.id);
            label += ev.label.as_ref().map_or(0, string_bytes);
            sources += vec_bytes(&ev.sources) + ev.sources.iter().map(string_bytes).sum::<usize>();
            entities += vec_bytes(&ev.entities)
                + ev.entities
                    .iter()
                    .map(|e| string_bytes(&e.0))
                    .sum::<usize>();
            keywords += vec_bytes(&ev.keywords)
                + ev.keywords
                    .iter()
                    .map(|k| string_bytes(&k.0))
                    .sum::<usize>();
        }
        slots += vec_bytes(&self.acc) + vec_bytes(&self.acc_stamp);
        let postings_table = table_bytes(
            self.postings.capacity(),
            size_of::<(u32, super::Postings)>(),
        );
        let postings_lists: usize = self.postings.values().map(|p| chunk(p.heap_bytes())).sum();
        let mut v = vec![
            ("event slots (Event structs, gens, scratch)", slots),
            ("event centroids (terms, mass, weight)", centroid),
            ("event ids", id),
            ("event labels", label),
            ("event sources", sources),
            ("event entities", entities),
            ("event keywords", keywords),
            ("postings table", postings_table),
            ("postings lists", postings_lists),
            (
                "event key map",
                table_bytes(self.by_key.capacity(), size_of::<(u64, u32)>()),
            ),
            (
                "lru queue",
                chunk(self.lru.capacity() * size_of::<(u32, u32, u64)>()),
            ),
            ("page map", self.docs.heap_bytes()),
        ];
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        let mut out: Vec<(String, usize)> =
            v.into_iter().map(|(k, b)| (k.to_string(), b)).collect();
        let terms: usize = self.slots.iter().flatten().map(|e| e.terms.len()).sum();
        let entries: usize = self.postings.values().map(|p| p.entries().len()).sum();
        out.push(("count: centroid terms".into(), terms));
        out.push(("count: postings entries".into(), entries));
        out.push(("count: distinct terms".into(), self.postings.len()));
        out
    }
}
