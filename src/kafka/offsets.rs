//! Per-partition offset bookkeeping: what may be committed when work completes out of order.
//!
//! An input offset is committable only when it and every earlier offset taken from the same
//! partition are complete. Each assignment of a partition gets a new epoch, so completions of
//! work taken under an earlier ownership never move the offsets of a later one.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A topic-partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartitionKey {
    /// Topic name.
    pub topic: Arc<str>,
    /// Partition number.
    pub partition: i32,
}

#[derive(Debug)]
struct PartitionOffsets {
    epoch: u64,
    pending: BTreeSet<i64>,
    /// One past the highest offset taken.
    next: Option<i64>,
    /// Last offset committed (the "next offset to read" convention).
    committed: Option<i64>,
}

impl PartitionOffsets {
    fn committable(&self) -> Option<i64> {
        match self.pending.first() {
            Some(&lowest) => Some(lowest),
            None => self.next,
        }
        .filter(|&c| self.committed.is_none_or(|done| c > done))
    }
}

/// Offsets of every owned partition.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: HashMap<PartitionKey, PartitionOffsets>,
    next_epoch: u64,
}

impl OffsetTracker {
    /// Start tracking a newly assigned partition; returns its epoch.
    pub fn assign(&mut self, key: PartitionKey) -> u64 {
        self.next_epoch += 1;
        let epoch = self.next_epoch;
        self.partitions.insert(
            key,
            PartitionOffsets {
                epoch,
                pending: BTreeSet::new(),
                next: None,
                committed: None,
            },
        );
        epoch
    }

    /// Stop tracking a revoked partition.
    pub fn revoke(&mut self, key: &PartitionKey) {
        self.partitions.remove(key);
    }

    /// The epoch of an owned partition.
    pub fn epoch(&self, key: &PartitionKey) -> Option<u64> {
        self.partitions.get(key).map(|p| p.epoch)
    }

    /// Record that `offset` was taken for processing. Returns the epoch, or `None` when the
    /// partition is not owned (the message must then be dropped unprocessed).
    pub fn take(&mut self, key: &PartitionKey, offset: i64) -> Option<u64> {
        let p = self.partitions.get_mut(key)?;
        p.pending.insert(offset);
        p.next = Some(p.next.map_or(offset + 1, |n| n.max(offset + 1)));
        Some(p.epoch)
    }

    /// Record that every record produced from `offset` was acknowledged.
    pub fn complete(&mut self, key: &PartitionKey, epoch: u64, offset: i64) {
        if let Some(p) = self.partitions.get_mut(key)
            && p.epoch == epoch
        {
            p.pending.remove(&offset);
        }
    }

    /// Work taken from this partition and not yet complete.
    pub fn pending(&self, key: &PartitionKey) -> usize {
        self.partitions.get(key).map_or(0, |p| p.pending.len())
    }

    /// Work in flight across all partitions.
    pub fn total_pending(&self) -> usize {
        self.partitions.values().map(|p| p.pending.len()).sum()
    }

    /// Offsets that may be committed now (next offset to read), for owned partitions whose
    /// committable offset moved since the last commit.
    pub fn committable(&self) -> Vec<(PartitionKey, i64)> {
        let mut out: Vec<_> = self
            .partitions
            .iter()
            .filter_map(|(k, p)| p.committable().map(|o| (k.clone(), o)))
            .collect();
        out.sort();
        out
    }

    /// Committable offsets of some partitions only.
    pub fn committable_of(&self, keys: &[PartitionKey]) -> Vec<(PartitionKey, i64)> {
        keys.iter()
            .filter_map(|k| {
                self.partitions
                    .get(k)
                    .and_then(|p| p.committable())
                    .map(|o| (k.clone(), o))
            })
            .collect()
    }

    /// Remember that these offsets were committed.
    pub fn mark_committed(&mut self, offsets: &[(PartitionKey, i64)]) {
        for (k, o) in offsets {
            if let Some(p) = self.partitions.get_mut(k) {
                p.committed = Some(p.committed.map_or(*o, |c| c.max(*o)));
            }
        }
    }

    /// Owned partitions.
    pub fn owned(&self) -> Vec<PartitionKey> {
        let mut v: Vec<_> = self.partitions.keys().cloned().collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: i32) -> PartitionKey {
        PartitionKey {
            topic: Arc::from("t"),
            partition: p,
        }
    }

    #[test]
    fn commits_only_contiguous_completed_prefix() {
        let mut t = OffsetTracker::default();
        let e = t.assign(key(0));
        for o in 10..15 {
            assert_eq!(t.take(&key(0), o), Some(e));
        }
        assert_eq!(t.committable(), vec![(key(0), 10)]);
        t.mark_committed(&[(key(0), 10)]);
        assert!(t.committable().is_empty(), "nothing new");
        t.complete(&key(0), e, 12);
        t.complete(&key(0), e, 13);
        assert!(t.committable().is_empty(), "10 still pending");
        t.complete(&key(0), e, 10);
        assert_eq!(t.committable(), vec![(key(0), 11)]);
        t.complete(&key(0), e, 11);
        assert_eq!(t.committable(), vec![(key(0), 14)]);
        t.complete(&key(0), e, 14);
        assert_eq!(t.committable(), vec![(key(0), 15)]);
        assert_eq!(t.total_pending(), 0);
    }

    #[test]
    fn revoked_partitions_are_never_committed_and_stale_epochs_ignored() {
        let mut t = OffsetTracker::default();
        let e1 = t.assign(key(1));
        t.take(&key(1), 5);
        t.revoke(&key(1));
        assert!(t.committable().is_empty());
        assert_eq!(t.take(&key(1), 6), None, "not owned");
        let e2 = t.assign(key(1));
        assert_ne!(e1, e2);
        t.take(&key(1), 100);
        t.complete(&key(1), e1, 100);
        assert_eq!(t.pending(&key(1)), 1, "stale completion ignored");
        t.complete(&key(1), e2, 100);
        assert_eq!(t.committable(), vec![(key(1), 101)]);
    }

    #[test]
    fn committable_of_filters_partitions() {
        let mut t = OffsetTracker::default();
        let a = t.assign(key(0));
        let b = t.assign(key(1));
        t.take(&key(0), 0);
        t.take(&key(1), 0);
        t.complete(&key(0), a, 0);
        t.complete(&key(1), b, 0);
        assert_eq!(t.committable_of(&[key(1)]), vec![(key(1), 1)]);
    }
}
