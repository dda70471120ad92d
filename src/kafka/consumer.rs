//! The input side: a dedicated polling thread over an rdkafka `BaseConsumer`.
//!
//! Why a thread of its own: rebalance callbacks run inside `poll`, and on revoke we must block
//! until in-flight work of the revoked partitions drains (with a deadline below the session
//! timeout), commit it synchronously, and only then let librdkafka release the partitions.
//! Blocking like that is fine on this thread and would be wrong on an async executor.

use super::offsets::{OffsetTracker, PartitionKey};
use super::timing::PageTiming;
use crate::message::{InputCoords, InputMessage};
use crate::metrics::Metrics;
use crate::ops::Health;
use parking_lot::{Condvar, Mutex};
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaResult;
use rdkafka::message::{Headers, Message};
use rdkafka::statistics::Statistics;
use rdkafka::{Offset, TopicPartitionList};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The offset tracker shared by the polling thread (take, commit) and the acknowledger
/// (complete), with a condition variable signalled on every completion.
#[derive(Default)]
pub struct SharedOffsets {
    inner: Mutex<OffsetTracker>,
    changed: Condvar,
}

impl SharedOffsets {
    /// Lock the tracker.
    pub fn lock(&self) -> parking_lot::MutexGuard<'_, OffsetTracker> {
        self.inner.lock()
    }

    /// Mark an offset complete and wake waiters.
    pub fn complete(&self, key: &PartitionKey, epoch: u64, offset: i64) {
        self.inner.lock().complete(key, epoch, offset);
        self.changed.notify_all();
    }

    /// Wait until `done` holds for the tracker or the deadline passes; true if it held.
    pub fn wait_until(&self, deadline: Instant, done: impl Fn(&OffsetTracker) -> bool) -> bool {
        let mut guard = self.inner.lock();
        loop {
            if done(&guard) {
                return true;
            }
            if self.changed.wait_until(&mut guard, deadline).timed_out() {
                return done(&guard);
            }
        }
    }
}

/// Bound on input messages in flight: the polling thread waits while it is full.
pub struct InFlightGate {
    count: Mutex<usize>,
    freed: Condvar,
    max: usize,
    metrics: Metrics,
}

impl InFlightGate {
    /// A gate admitting `max` messages.
    pub fn new(max: usize, metrics: Metrics) -> Self {
        Self {
            count: Mutex::new(0),
            freed: Condvar::new(),
            max,
            metrics,
        }
    }

    /// Wait up to `timeout` for a free slot; true when one was taken.
    pub fn acquire(&self, timeout: Duration) -> bool {
        let mut count = self.count.lock();
        if *count >= self.max {
            let _ = self.freed.wait_for(&mut count, timeout);
        }
        if *count >= self.max {
            return false;
        }
        *count += 1;
        self.metrics.in_flight.set(*count as i64);
        true
    }

    /// Free a slot.
    pub fn release(&self) {
        let mut count = self.count.lock();
        *count = count.saturating_sub(1);
        self.metrics.in_flight.set(*count as i64);
        self.freed.notify_one();
    }

    /// Messages in flight now.
    pub fn current(&self) -> usize {
        *self.count.lock()
    }
}

/// Consumer callbacks: rebalances, commits, statistics.
pub struct WorkerContext {
    /// Shared offsets.
    pub offsets: Arc<SharedOffsets>,
    /// Metrics.
    pub metrics: Metrics,
    /// Readiness flags.
    pub health: Arc<Health>,
    /// Deadline for draining revoked partitions.
    pub drain_timeout: Duration,
    /// Set once shutdown has drained: revokes then commit without waiting again.
    pub closing: Arc<AtomicBool>,
}

impl ClientContext for WorkerContext {
    fn stats(&self, stats: Statistics) {
        if stats.brokers.values().any(|b| b.state == "UP") {
            self.health.connected.store(true, Ordering::Relaxed);
        }
        let owned = self.offsets.lock().owned();
        for key in owned {
            let lag = stats
                .topics
                .get(&*key.topic)
                .and_then(|t| t.partitions.get(&key.partition))
                .map(|p| p.consumer_lag)
                .unwrap_or(-1);
            // librdkafka reports -1 until it knows both the end offset and our position.
            if lag >= 0 {
                self.metrics
                    .consumer_lag
                    .with_label_values(&[&*key.topic, &key.partition.to_string()])
                    .set(lag);
            }
        }
    }
}

impl ConsumerContext for WorkerContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                self.metrics.rebalances.with_label_values(&["assign"]).inc();
                let mut offsets = self.offsets.lock();
                for e in tpl.elements() {
                    offsets.assign(PartitionKey {
                        topic: Arc::from(e.topic()),
                        partition: e.partition(),
                    });
                }
                let owned = offsets.owned().len();
                self.health.assigned.store(owned > 0, Ordering::Relaxed);
                tracing::info!(added = tpl.count(), owned, "partitions assigned");
            }
            Rebalance::Revoke(tpl) => {
                self.metrics.rebalances.with_label_values(&["revoke"]).inc();
                let keys: Vec<PartitionKey> = tpl
                    .elements()
                    .iter()
                    .map(|e| PartitionKey {
                        topic: Arc::from(e.topic()),
                        partition: e.partition(),
                    })
                    .collect();
                let wait = if self.closing.load(Ordering::Relaxed) {
                    Duration::ZERO
                } else {
                    self.drain_timeout
                };
                let deadline = Instant::now() + wait;
                let drained = self
                    .offsets
                    .wait_until(deadline, |t| keys.iter().all(|k| t.pending(k) == 0));
                let final_offsets = self.offsets.lock().committable_of(&keys);
                commit(
                    consumer,
                    &self.offsets,
                    &self.metrics,
                    &final_offsets,
                    CommitMode::Sync,
                );
                let mut offsets = self.offsets.lock();
                for k in &keys {
                    offsets.revoke(k);
                    let _ = self
                        .metrics
                        .consumer_lag
                        .remove_label_values(&[&*k.topic, &k.partition.to_string()]);
                }
                let owned = offsets.owned().len();
                self.health.assigned.store(owned > 0, Ordering::Relaxed);
                tracing::info!(revoked = keys.len(), drained, owned, "partitions revoked");
            }
            Rebalance::Error(e) => {
                self.metrics.rebalances.with_label_values(&["error"]).inc();
                tracing::warn!(error = %e, "rebalance error");
            }
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, _offsets: &TopicPartitionList) {
        match result {
            Ok(()) => self.metrics.commits.inc(),
            Err(e) => {
                self.metrics.commit_failures.inc();
                tracing::warn!(error = %e, "offset commit failed");
            }
        }
    }
}

/// Commit `offsets` (next offset to read) and remember them as committed on success.
pub fn commit(
    consumer: &BaseConsumer<WorkerContext>,
    shared: &SharedOffsets,
    metrics: &Metrics,
    offsets: &[(PartitionKey, i64)],
    mode: CommitMode,
) {
    if offsets.is_empty() {
        return;
    }
    let mut tpl = TopicPartitionList::new();
    for (k, o) in offsets {
        if tpl
            .add_partition_offset(&k.topic, k.partition, Offset::Offset(*o))
            .is_err()
        {
            return;
        }
    }
    match consumer.commit(&tpl, mode) {
        Ok(()) => {
            if matches!(mode, CommitMode::Sync) {
                metrics.commits.inc();
                shared.lock().mark_committed(offsets);
            }
        }
        Err(e) => {
            metrics.commit_failures.inc();
            tracing::warn!(error = %e, "offset commit failed");
        }
    }
}

/// Copy a consumed message into a transport-neutral [`InputMessage`].
pub fn to_input<M: Message>(m: &M) -> InputMessage {
    let headers = m
        .headers()
        .map(|h| {
            h.iter()
                .map(|hd| (hd.key.to_string(), hd.value.map(<[u8]>::to_vec)))
                .collect()
        })
        .unwrap_or_default();
    InputMessage {
        payload: m.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        headers,
        coords: InputCoords {
            topic: m.topic().to_string(),
            partition: m.partition(),
            offset: m.offset(),
        },
        timestamp_ms: m.timestamp().to_millis(),
        format: crate::message::PayloadFormat::Auto,
    }
}

/// One input message handed from the polling thread to the sequencer.
pub struct Work {
    /// Its partition.
    pub key: PartitionKey,
    /// Ownership epoch when it was taken.
    pub epoch: u64,
    /// Its offset.
    pub offset: i64,
    /// Its timestamp (ms), for end-to-end latency.
    pub timestamp_ms: Option<i64>,
    /// When it passed each hand-off so far (taken; the sequencer fills in the rest).
    pub timing: PageTiming,
    /// Receives the prepared page from the CPU pool.
    pub prepared: crossbeam_channel::Receiver<PreparedAt>,
}

/// A prepared page and when a pool thread started and finished preparing it.
pub struct PreparedAt {
    /// The page.
    pub prepared: crate::pipeline::Prepared,
    /// Preparation started.
    pub start: Instant,
    /// Preparation finished.
    pub end: Instant,
}

/// Everything the polling loop needs.
pub struct PollLoop {
    /// The consumer, already subscribed.
    pub consumer: BaseConsumer<WorkerContext>,
    /// The subscribed input topic (to subscribe again after a forced re-join).
    pub input_topic: String,
    /// Raised by the group watchdog: leave the group and join it again.
    pub rejoin: Arc<AtomicBool>,
    /// Longest wait for the revoke of a forced re-join before subscribing again.
    pub rejoin_timeout: Duration,
    /// Shared offsets.
    pub offsets: Arc<SharedOffsets>,
    /// In-flight bound.
    pub gate: Arc<InFlightGate>,
    /// Stateless stages, run on the pool.
    pub stages: Arc<crate::pipeline::StatelessStages>,
    /// CPU pool.
    pub pool: Arc<rayon::ThreadPool>,
    /// Work to the sequencer, in consumption order.
    pub work_tx: crossbeam_channel::Sender<Work>,
    /// Set to stop consuming.
    pub shutdown: Arc<AtomicBool>,
    /// Commit period.
    pub commit_interval: Duration,
    /// Drain limit on shutdown.
    pub shutdown_timeout: Duration,
    /// Metrics.
    pub metrics: Metrics,
}

impl PollLoop {
    /// Run until shutdown, then drain, commit and leave the group.
    pub fn run(self) {
        let mut last_commit = Instant::now();
        while !self.shutdown.load(Ordering::Relaxed) {
            if self.rejoin.swap(false, Ordering::Relaxed) {
                self.rejoin_group();
            }
            if last_commit.elapsed() >= self.commit_interval {
                let due = self.offsets.lock().committable();
                commit(
                    &self.consumer,
                    &self.offsets,
                    &self.metrics,
                    &due,
                    CommitMode::Async,
                );
                last_commit = Instant::now();
            }
            if !self.gate.acquire(Duration::from_millis(100)) {
                continue;
            }
            match self.consumer.poll(Duration::from_millis(100)) {
                None => self.gate.release(),
                Some(Err(e)) => {
                    self.gate.release();
                    tracing::warn!(error = %e, "consumer error");
                }
                Some(Ok(m)) => {
                    let key = PartitionKey {
                        topic: Arc::from(m.topic()),
                        partition: m.partition(),
                    };
                    let Some(epoch) = self.offsets.lock().take(&key, m.offset()) else {
                        self.gate.release();
                        continue;
                    };
                    self.metrics.consumed.inc();
                    let msg = to_input(&m);
                    let work = Work {
                        key,
                        epoch,
                        offset: m.offset(),
                        timestamp_ms: msg.timestamp_ms,
                        timing: PageTiming::taken_now(msg.timestamp_ms),
                        prepared: self.spawn_prepare(msg),
                    };
                    if self.work_tx.send(work).is_err() {
                        tracing::error!("sequencer is gone; stopping");
                        break;
                    }
                }
            }
        }
        self.drain_and_close();
    }

    /// Leave the consumer group and join it again (the group watchdog asked): unsubscribe, serve
    /// the revoke (drain and commit owned partitions as in any rebalance), subscribe. The
    /// coordinator must then form a new generation and hand out every partition again.
    fn rejoin_group(&self) {
        let owned = self.offsets.lock().owned().len();
        tracing::warn!(owned, "leaving and re-joining the consumer group");
        self.consumer.unsubscribe();
        let until = Instant::now() + self.rejoin_timeout;
        while Instant::now() < until && !self.offsets.lock().owned().is_empty() {
            // Messages polled here are not taken: their offsets stay uncommitted and are
            // delivered again to whoever owns the partition next.
            let _ = self.consumer.poll(Duration::from_millis(50));
        }
        match self.consumer.subscribe(&[&self.input_topic]) {
            Ok(()) => tracing::info!(topic = %self.input_topic, "subscribed again"),
            Err(e) => {
                // Try again on the next turn of the loop.
                tracing::error!(error = %e, "subscribing again failed");
                self.rejoin.store(true, Ordering::Relaxed);
            }
        }
    }

    fn spawn_prepare(&self, msg: InputMessage) -> crossbeam_channel::Receiver<PreparedAt> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let stages = Arc::clone(&self.stages);
        self.pool.spawn(move || {
            let start = Instant::now();
            let prepared = stages.prepare(msg);
            let _ = tx.send(PreparedAt {
                prepared,
                start,
                end: Instant::now(),
            });
        });
        rx
    }

    fn drain_and_close(self) {
        tracing::info!(in_flight = self.gate.current(), "draining");
        let deadline = Instant::now() + self.shutdown_timeout;
        let drained = self
            .offsets
            .wait_until(deadline, |t| t.total_pending() == 0);
        let due = self.offsets.lock().committable();
        commit(
            &self.consumer,
            &self.offsets,
            &self.metrics,
            &due,
            CommitMode::Sync,
        );
        tracing::info!(drained, committed = due.len(), "drained; leaving the group");
        self.consumer
            .context()
            .closing
            .store(true, Ordering::Relaxed);
        self.consumer.unsubscribe();
        // Serve the revoke callback that unsubscribe triggers.
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until && !self.offsets.lock().owned().is_empty() {
            let _ = self.consumer.poll(Duration::from_millis(50));
        }
    }
}
