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
        let (mut centroid, mut label, mut descriptors) = (0, 0, 0);
        for ev in self.slots.iter().flatten() {
            centroid += chunk(ev.centroid.heap_len());
            label += ev.label.as_ref().map_or(0, |l| chunk(l.len()));
            descriptors += chunk(ev.descriptors.heap_len());
        }
        slots += vec_bytes(&self.acc) + vec_bytes(&self.acc_stamp);
        let (postings_table, postings_slab, postings_lists) = self.postings.heap_bytes();
        let mut v = vec![
            ("event slots (Event structs, gens, scratch)", slots),
            ("event centroids (terms, mass, weight)", centroid),
            ("event labels", label),
            ("event sources, entities, keywords (packed)", descriptors),
            ("postings table", postings_table),
            ("postings list slab", postings_slab),
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
        let terms: usize = self.slots.iter().flatten().map(|e| e.centroid.len()).sum();
        let entries = self.postings.entries();
        out.push(("count: centroid terms".into(), terms));
        out.push(("count: postings entries".into(), entries));
        out.push(("count: distinct terms".into(), self.postings.len()));
        let (lists, two, in_long) = self.postings.list_shape(400);
        out.push(("count: postings lists".into(), lists));
        out.push(("count: postings lists of two events".into(), two));
        out.push(("count: entries in lists over 400".into(), in_long));
        out
    }
}
