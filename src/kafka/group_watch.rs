//! Group progress watchdog: re-joins the consumer group when input partitions that this replica
//! does not own have lag but nobody's committed offset on them has moved for
//! `kafka.stall_rejoin_ms`.
//!
//! Why: a group coordinator can lose track of partitions. tansu 0.6 is the case we met: when a
//! member dies, the first heartbeat after its session expires answers `REBALANCE_IN_PROGRESS` but
//! leaves the group "formed" with the old assignment (the dead member's partitions still assigned
//! to it); the survivors re-join with unchanged metadata, get the old assignment back (librdkafka
//! logs an incremental assign of 0 partitions) and the dead member's partitions are consumed by
//! nobody, with no further rebalance, until membership changes again. Whatever the cause, a
//! partition with lag, no owner here and no commit progress is only fixed by a new rebalance; a
//! replica cannot tell from the inside whether another live member owns it, so the watchdog looks
//! at the group's committed offsets (OffsetFetch) and the partitions' end offsets (ListOffsets)
//! through a client of its own that never joins the group, and asks the poll thread to leave and
//! re-join (unsubscribe, drain, subscribe) — which forces the coordinator to form a new
//! generation. Repeated stalls back off (the bound doubles up to 16×) so a stuck peer (for
//! example one whose outputs are failing) does not cause a rebalance every period.

use super::client::consumer_config;
use super::consumer::SharedOffsets;
use crate::config::KafkaSettings;
use crate::metrics::Metrics;
use anyhow::{Context, Result};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What the watchdog knows of one input partition at one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionView {
    /// Partition id.
    pub partition: i32,
    /// Owned by this replica now.
    pub owned: bool,
    /// The group's committed offset (next to read), if any.
    pub committed: Option<i64>,
    /// Log start offset.
    pub low: i64,
    /// End offset (high watermark).
    pub high: i64,
}

impl PartitionView {
    /// Where consumption of this partition stands: the committed offset, or the log start when
    /// nothing valid is committed.
    fn position(&self) -> i64 {
        self.committed.unwrap_or(self.low).max(self.low)
    }
}

/// Decides, from successive [`PartitionView`]s, when the group has stalled. Pure.
#[derive(Debug)]
pub struct StallDetector {
    timeout: Duration,
    /// Per unowned lagging partition: the position last seen and since when it has not moved.
    since: HashMap<i32, (i64, Instant)>,
    /// Re-joins in the current stall episode (backoff exponent).
    rejoins: u32,
    /// No re-join before this instant.
    quiet_until: Option<Instant>,
}

/// Most doublings of the bound between re-joins of one stall episode.
const MAX_BACKOFF_SHIFT: u32 = 4;

impl StallDetector {
    /// A detector that calls a partition stalled after `timeout` without progress.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            since: HashMap::new(),
            rejoins: 0,
            quiet_until: None,
        }
    }

    /// Feed one check. Returns the partitions stalled for at least the bound (for the gauge)
    /// and whether to re-join now.
    pub fn observe(&mut self, now: Instant, views: &[PartitionView]) -> (Vec<i32>, bool) {
        let mut watched = BTreeSet::new();
        for v in views {
            if v.owned || v.high <= v.position() {
                continue;
            }
            watched.insert(v.partition);
            let pos = v.position();
            let entry = self.since.entry(v.partition).or_insert((pos, now));
            if entry.0 != pos {
                *entry = (pos, now);
            }
        }
        self.since.retain(|p, _| watched.contains(p));
        let mut stalled: Vec<i32> = self
            .since
            .iter()
            .filter(|(_, (_, t))| now.saturating_duration_since(*t) >= self.timeout)
            .map(|(p, _)| *p)
            .collect();
        stalled.sort_unstable();
        if stalled.is_empty() {
            // Healthy again (or still within the bound): a new episode starts from scratch.
            if self.since.is_empty() {
                self.rejoins = 0;
            }
            return (stalled, false);
        }
        if self.quiet_until.is_some_and(|q| now < q) {
            return (stalled, false);
        }
        let shift = self.rejoins.min(MAX_BACKOFF_SHIFT);
        self.rejoins = self.rejoins.saturating_add(1);
        self.quiet_until = Some(now + self.timeout * (1u32 << shift));
        (stalled, true)
    }
}

/// Everything the watchdog thread needs.
pub struct GroupWatch {
    /// Client of its own (same group id, never subscribes): OffsetFetch and ListOffsets only.
    consumer: BaseConsumer,
    topic: String,
    offsets: Arc<SharedOffsets>,
    rejoin: Arc<AtomicBool>,
    shutdown: Arc<AtomicBool>,
    metrics: Metrics,
    detector: StallDetector,
    interval: Duration,
}

impl GroupWatch {
    /// Prepare a watchdog of `topic` for the group of `kafka`; `rejoin` is raised for the poll
    /// thread. `None` when `kafka.stall_rejoin_ms` is 0 (disabled).
    pub fn new(
        kafka: &KafkaSettings,
        topic: &str,
        offsets: Arc<SharedOffsets>,
        rejoin: Arc<AtomicBool>,
        shutdown: Arc<AtomicBool>,
        metrics: Metrics,
    ) -> Result<Option<Self>> {
        if kafka.stall_rejoin_ms == 0 {
            return Ok(None);
        }
        let mut config = consumer_config(kafka);
        config
            .set("client.id", format!("{}-watch", kafka.client_id))
            .set("statistics.interval.ms", "0");
        let consumer: BaseConsumer = config.create().context("creating group watchdog")?;
        let timeout = Duration::from_millis(kafka.stall_rejoin_ms);
        Ok(Some(Self {
            consumer,
            topic: topic.to_string(),
            offsets,
            rejoin,
            shutdown,
            metrics,
            detector: StallDetector::new(timeout),
            interval: (timeout / 4).clamp(Duration::from_millis(250), Duration::from_secs(5)),
        }))
    }

    /// Run on a thread of its own until shutdown.
    pub fn spawn(self) -> Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("sift-group-watch".into())
            .spawn(move || self.run())
            .context("spawning group watchdog")
    }

    fn run(mut self) {
        let mut next = Instant::now() + self.interval;
        while !self.shutdown.load(Ordering::Relaxed) {
            if Instant::now() < next {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            next = Instant::now() + self.interval;
            match self.views() {
                Ok(views) => self.check(&views),
                Err(e) => tracing::debug!(error = %e, "group watchdog: check failed"),
            }
        }
    }

    fn check(&mut self, views: &[PartitionView]) {
        let (stalled, rejoin) = self.detector.observe(Instant::now(), views);
        self.metrics
            .group_stalled_partitions
            .set(stalled.len() as i64);
        if rejoin {
            let owned: Vec<i32> = views
                .iter()
                .filter(|v| v.owned)
                .map(|v| v.partition)
                .collect();
            let lag: i64 = views
                .iter()
                .filter(|v| stalled.contains(&v.partition))
                .map(|v| v.high - v.position())
                .sum();
            tracing::warn!(
                topic = %self.topic,
                ?stalled,
                ?owned,
                lag,
                "group watchdog: partitions with lag have had no owner progress; re-joining the consumer group"
            );
            self.metrics.group_rejoins.inc();
            self.rejoin.store(true, Ordering::Relaxed);
        }
    }

    fn views(&self) -> Result<Vec<PartitionView>> {
        let timeout = Duration::from_secs(5);
        let md = self
            .consumer
            .fetch_metadata(Some(&self.topic), timeout)
            .context("metadata")?;
        let partitions: Vec<i32> = md
            .topics()
            .iter()
            .find(|t| t.name() == self.topic)
            .map(|t| t.partitions().iter().map(|p| p.id()).collect())
            .unwrap_or_default();
        let mut tpl = TopicPartitionList::new();
        for &p in &partitions {
            tpl.add_partition(&self.topic, p);
        }
        let committed = self
            .consumer
            .committed_offsets(tpl, timeout)
            .context("committed offsets")?;
        let owned: BTreeSet<i32> = self
            .offsets
            .lock()
            .owned()
            .into_iter()
            .filter(|k| *k.topic == *self.topic)
            .map(|k| k.partition)
            .collect();
        let mut views = Vec::with_capacity(partitions.len());
        for p in partitions {
            let (low, high) = self
                .consumer
                .fetch_watermarks(&self.topic, p, timeout)
                .with_context(|| format!("watermarks of partition {p}"))?;
            let committed =
                committed
                    .find_partition(&self.topic, p)
                    .and_then(|e| match e.offset() {
                        Offset::Offset(o) if o >= 0 => Some(o),
                        _ => None,
                    });
            views.push(PartitionView {
                partition: p,
                owned: owned.contains(&p),
                committed,
                low,
                high,
            });
        }
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(partition: i32, owned: bool, committed: i64, high: i64) -> PartitionView {
        PartitionView {
            partition,
            owned,
            committed: Some(committed),
            low: 0,
            high,
        }
    }

    const T: Duration = Duration::from_secs(10);

    #[test]
    fn an_unowned_lagging_partition_without_progress_triggers_one_rejoin_after_the_bound() {
        let mut d = StallDetector::new(T);
        let t0 = Instant::now();
        let views = [view(0, true, 5, 10), view(1, false, 3, 10)];
        assert_eq!(d.observe(t0, &views), (vec![], false));
        assert_eq!(
            d.observe(t0 + Duration::from_secs(9), &views),
            (vec![], false)
        );
        assert_eq!(d.observe(t0 + T, &views), (vec![1], true));
        // Still stalled right after: no second re-join inside the quiet period.
        assert_eq!(
            d.observe(t0 + T + Duration::from_secs(1), &views),
            (vec![1], false)
        );
    }

    #[test]
    fn progress_owned_partitions_and_no_lag_never_trigger() {
        let mut d = StallDetector::new(T);
        let t0 = Instant::now();
        for i in 0..10u32 {
            let t = t0 + T * i;
            let views = [
                view(0, true, 0, 100),             // ours, however slow
                view(1, false, i64::from(i), 100), // someone else's, moving
                view(2, false, 50, 50),            // no lag
                PartitionView {
                    partition: 3,
                    owned: false,
                    committed: None,
                    low: 7,
                    high: 7,
                },
            ];
            assert_eq!(d.observe(t, &views), (vec![], false), "check {i}");
        }
    }

    #[test]
    fn nothing_committed_counts_from_the_log_start() {
        let mut d = StallDetector::new(T);
        let t0 = Instant::now();
        let v = [PartitionView {
            partition: 0,
            owned: false,
            committed: None,
            low: 4,
            high: 9,
        }];
        assert!(!d.observe(t0, &v).1);
        assert!(d.observe(t0 + T, &v).1);
    }

    #[test]
    fn repeated_stalls_back_off_and_a_healthy_group_resets_the_backoff() {
        let mut d = StallDetector::new(T);
        let t0 = Instant::now();
        let stuck = [view(0, false, 1, 10)];
        assert!(!d.observe(t0, &stuck).1);
        assert!(d.observe(t0 + T, &stuck).1); // 1st: then quiet for T
        assert!(!d.observe(t0 + T * 2 - Duration::from_secs(1), &stuck).1);
        assert!(d.observe(t0 + T * 2, &stuck).1); // 2nd: then quiet for 2T
        assert!(!d.observe(t0 + T * 3, &stuck).1);
        assert!(d.observe(t0 + T * 4, &stuck).1); // 3rd: then quiet for 4T
        assert!(!d.observe(t0 + T * 7, &stuck).1);
        assert!(d.observe(t0 + T * 8, &stuck).1);
        // The partition is consumed again: the next stall starts a fresh episode.
        let healthy = [view(0, false, 10, 10)];
        assert!(!d.observe(t0 + T * 9, &healthy).1);
        let t1 = t0 + T * 30;
        assert!(!d.observe(t1, &stuck).1);
        assert!(d.observe(t1 + T, &stuck).1);
        assert!(!d.observe(t1 + T + Duration::from_secs(1), &stuck).1);
        assert!(d.observe(t1 + T * 2, &stuck).1);
    }

    #[test]
    fn a_partition_that_becomes_owned_stops_counting() {
        let mut d = StallDetector::new(T);
        let t0 = Instant::now();
        assert!(!d.observe(t0, &[view(0, false, 1, 10)]).1);
        assert!(
            !d.observe(t0 + Duration::from_secs(5), &[view(0, true, 1, 10)])
                .1
        );
        // Unowned again later: the clock starts over.
        assert!(!d.observe(t0 + T, &[view(0, false, 1, 10)]).1);
        assert!(d.observe(t0 + T * 2, &[view(0, false, 1, 10)]).1);
    }
}
