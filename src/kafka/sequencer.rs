//! The sequencer thread: applies state entries from the state log, then runs the stateful
//! stages (dedup + tag) on each prepared page, in input order **per partition**.
//!
//! Pages of one partition are resolved in offset order (so the earlier copy of a page is the
//! original, and compacted keys keep the latest value). Across partitions there is no order to
//! keep — the consumer's interleaving of partitions already depends on fetch timing, and a
//! redelivery after a crash interleaves them differently anyway (write-ahead state makes the
//! verdicts repeatable, see `Produced` in `kafka/mod.rs`). So the sequencer takes the oldest
//! page whose preparation is done among the partition heads: a slow page (a megabyte of HTML)
//! delays the pages behind it in its own partition only, not every page taken after it.

use super::Produced;
use super::consumer::{PreparedAt, Work};
use super::offsets::PartitionKey;
use super::sink::Sink;
use crate::pipeline::{OutputKind, OutputRecord, Prepared, StatefulStages};
use crate::state::StateEntry;
use crossbeam_channel::{Receiver, Select, TryRecvError};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::Notify;

/// Items waiting in one FIFO per partition, each stamped with its arrival number.
#[derive(Debug)]
pub struct PartitionQueues<T> {
    queues: HashMap<PartitionKey, VecDeque<(u64, T)>>,
    arrivals: u64,
    len: usize,
}

impl<T> Default for PartitionQueues<T> {
    fn default() -> Self {
        Self {
            queues: HashMap::new(),
            arrivals: 0,
            len: 0,
        }
    }
}

impl<T> PartitionQueues<T> {
    /// Queue `item` behind the earlier items of its partition.
    pub fn push(&mut self, key: PartitionKey, item: T) {
        self.queues
            .entry(key)
            .or_default()
            .push_back((self.arrivals, item));
        self.arrivals += 1;
        self.len += 1;
    }

    /// Items queued.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first item of every partition, oldest arrival first.
    pub fn heads(&self) -> Vec<(&PartitionKey, &T)> {
        let mut heads: Vec<(u64, &PartitionKey, &T)> = self
            .queues
            .iter()
            .filter_map(|(k, q)| q.front().map(|(n, item)| (*n, k, item)))
            .collect();
        heads.sort_unstable_by_key(|(n, _, _)| *n);
        heads.into_iter().map(|(_, k, item)| (k, item)).collect()
    }

    /// Remove and return the first item of `key`'s partition.
    pub fn pop_front(&mut self, key: &PartitionKey) -> Option<T> {
        let q = self.queues.get_mut(key)?;
        let (_, item) = q.pop_front()?;
        if q.is_empty() {
            self.queues.remove(key);
        }
        self.len -= 1;
        Some(item)
    }

    /// Remove and return the oldest partition head for which `ready` holds (`ready` may
    /// update the item, e.g. to take a value that has arrived for it).
    pub fn pop_ready(&mut self, mut ready: impl FnMut(&mut T) -> bool) -> Option<T> {
        let order: Vec<PartitionKey> = self.heads().into_iter().map(|(k, _)| k.clone()).collect();
        let key = order.into_iter().find(|k| {
            self.queues
                .get_mut(k)
                .and_then(|q| q.front_mut())
                .is_some_and(|(_, item)| ready(item))
        })?;
        self.pop_front(&key)
    }
}

/// A page taken from the input, and its prepared form once the CPU pool has sent it.
struct Waiting {
    work: Work,
    /// `Some(Err)` when the pool dropped the page without preparing it.
    prepared: Option<Result<PreparedAt, ()>>,
}

impl Waiting {
    /// Whether the prepared page (or the news that it never comes) is here.
    fn arrived(&mut self) -> bool {
        if self.prepared.is_none() {
            self.prepared = match self.work.prepared.try_recv() {
                Ok(p) => Some(Ok(p)),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(Err(())),
            };
        }
        self.prepared.is_some()
    }
}

/// Run the sequencer until the poll thread hangs up (or the acknowledger is gone).
pub(super) fn run(
    mut stages: StatefulStages,
    work_rx: Receiver<Work>,
    state_rx: Receiver<StateEntry>,
    sink: Sink,
    ack_tx: tokio::sync::mpsc::UnboundedSender<Produced>,
    fatal: Arc<Notify>,
) {
    let mut state_rx = Some(state_rx);
    let mut work_open = true;
    let mut waiting: PartitionQueues<Waiting> = PartitionQueues::default();
    loop {
        // State entries first: a page is judged against everything the log holds so far.
        if let Some(rx) = &state_rx {
            loop {
                match rx.try_recv() {
                    Ok(entry) => stages.apply_state(&entry),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        state_rx = None;
                        break;
                    }
                }
            }
        }
        while work_open {
            match work_rx.try_recv() {
                Ok(work) => waiting.push(
                    work.key.clone(),
                    Waiting {
                        work,
                        prepared: None,
                    },
                ),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => work_open = false,
            }
        }
        if let Some(w) = waiting.pop_ready(Waiting::arrived) {
            let Waiting {
                work,
                prepared: Some(Ok(prepared)),
            } = w
            else {
                tracing::error!("CPU pool dropped a page; stopping");
                fatal.notify_one();
                return;
            };
            if !resolve(&mut stages, work, prepared, &sink, &ack_tx) {
                return;
            }
            continue;
        }
        if !work_open && waiting.is_empty() {
            return;
        }
        // Nothing ready: sleep until a state entry, new work or a head's prepared page arrives
        // (a spurious wake-up only costs one more round).
        let heads = waiting.heads();
        let mut sel = Select::new();
        if let Some(rx) = &state_rx {
            sel.recv(rx);
        }
        if work_open {
            sel.recv(&work_rx);
        }
        for (_, w) in &heads {
            sel.recv(&w.work.prepared);
        }
        sel.ready();
    }
}

/// Dedup + tag one page, enqueue its state entries and hand it to the acknowledger. `false`
/// when the acknowledger is gone.
fn resolve(
    stages: &mut StatefulStages,
    work: Work,
    prepared: PreparedAt,
    sink: &Sink,
    ack_tx: &tokio::sync::mpsc::UnboundedSender<Produced>,
) -> bool {
    let PreparedAt {
        prepared: Prepared { msg, outcome },
        start,
        end,
    } = prepared;
    let records: Vec<OutputRecord> = stages.resolve(&msg, outcome, chrono::Utc::now());
    let (state, outputs): (Vec<_>, Vec<_>) = records
        .into_iter()
        .partition(|r| r.kind == OutputKind::State);
    let state = state
        .into_iter()
        .map(|r| sink.enqueue_blocking(r))
        .collect();
    let mut timing = work.timing;
    timing.prepare_start = start;
    timing.prepare_end = end;
    timing.resolved = std::time::Instant::now();
    let produced = Produced {
        key: work.key,
        epoch: work.epoch,
        offset: work.offset,
        timestamp_ms: work.timestamp_ms,
        timing,
        msg,
        state,
        outputs,
    };
    ack_tx.send(produced).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: i32) -> PartitionKey {
        PartitionKey {
            topic: Arc::from("in"),
            partition: p,
        }
    }

    #[test]
    fn a_ready_page_of_another_partition_passes_a_slow_one() {
        let mut q = PartitionQueues::default();
        q.push(key(0), ("p0-slow", false));
        q.push(key(1), ("p1-a", true));
        q.push(key(1), ("p1-b", true));
        q.push(key(0), ("p0-next", true));
        let ready = |item: &mut (&str, bool)| item.1;
        assert_eq!(q.pop_ready(ready).map(|i| i.0), Some("p1-a"));
        assert_eq!(q.pop_ready(ready).map(|i| i.0), Some("p1-b"));
        // p0-next is ready but stays behind the slow page of its own partition.
        assert!(q.pop_ready(ready).is_none());
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn ready_heads_come_out_in_arrival_order() {
        let mut q = PartitionQueues::default();
        for (i, p) in [2, 0, 1, 0, 2].into_iter().enumerate() {
            q.push(key(p), i);
        }
        let mut out = Vec::new();
        while let Some(i) = q.pop_ready(|_| true) {
            out.push(i);
        }
        assert_eq!(out, vec![0, 1, 2, 3, 4]);
        assert!(q.is_empty());
    }

    #[test]
    fn pop_ready_may_update_the_item_it_inspects() {
        let mut q = PartitionQueues::default();
        q.push(key(0), 0u32);
        let mut polls = 0;
        let got = q.pop_ready(|n| {
            polls += 1;
            *n += 1;
            *n >= 2
        });
        assert!(got.is_none());
        let got = q.pop_ready(|n| {
            *n += 1;
            *n >= 2
        });
        assert_eq!(got, Some(2));
        assert_eq!(polls, 1);
    }
}
