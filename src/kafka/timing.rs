//! Where one page's end-to-end latency goes: instants taken as the page passes each hand-off
//! of the worker, turned into the phases of `sift_latency_phase_seconds` when its outputs are
//! acknowledged. A page slower than [`SLOW_PAGE`] is also logged at debug level (target
//! `sift::latency`) with its phases, partition and size.
//!
//! Phases, in order (they add up to the end-to-end latency):
//! - `broker`: input timestamp (producer create time) → taken by the poll thread: producer
//!   batching, broker, consumer fetch (wall clock, so it includes clock skew between hosts);
//! - `pool_wait`: taken → a CPU-pool thread starts preparing it;
//! - `prepare`: decode + normalize;
//! - `sequencer_wait`: prepared → dedup + tag done and state entries enqueued (waits for the
//!   earlier pages of its partition and for the sequencer thread);
//! - `state_ack`: → its state entries, and those of every page sequenced before it, are
//!   acknowledged (write-ahead);
//! - `output_ack`: → its output records are acknowledged.

use crate::metrics::Metrics;
use std::time::{Duration, Instant};

/// Pages slower than this end to end are logged at debug level with their phases.
pub const SLOW_PAGE: Duration = Duration::from_millis(100);

/// Phase names, the `phase` label values of `sift_latency_phase_seconds`.
pub const PHASES: [&str; 6] = [
    "broker",
    "pool_wait",
    "prepare",
    "sequencer_wait",
    "state_ack",
    "output_ack",
];

/// Instants one page passed the worker's hand-offs (see the module doc).
#[derive(Debug, Clone, Copy)]
pub struct PageTiming {
    /// Input timestamp → taken, measured on the wall clock when taken.
    pub broker: Duration,
    /// Taken by the poll thread.
    pub taken: Instant,
    /// A pool thread started preparing it.
    pub prepare_start: Instant,
    /// Prepared.
    pub prepare_end: Instant,
    /// Resolved by the sequencer, state entries enqueued.
    pub resolved: Instant,
    /// State entries (its own and all earlier ones) acknowledged.
    pub state_acked: Instant,
}

impl PageTiming {
    /// Timing of a page taken now, with input timestamp `timestamp_ms` (ms since the epoch).
    pub fn taken_now(timestamp_ms: Option<i64>) -> Self {
        let now = Instant::now();
        let broker = timestamp_ms
            .map(|ts| chrono::Utc::now().timestamp_millis().saturating_sub(ts))
            .and_then(|ms| u64::try_from(ms).ok())
            .map_or(Duration::ZERO, Duration::from_millis);
        Self {
            broker,
            taken: now,
            prepare_start: now,
            prepare_end: now,
            resolved: now,
            state_acked: now,
        }
    }

    /// The phases, in [`PHASES`] order, for a page whose outputs were acknowledged at `done`.
    pub fn phases(&self, done: Instant) -> [Duration; 6] {
        let d = |a: Instant, b: Instant| b.saturating_duration_since(a);
        [
            self.broker,
            d(self.taken, self.prepare_start),
            d(self.prepare_start, self.prepare_end),
            d(self.prepare_end, self.resolved),
            d(self.resolved, self.state_acked),
            d(self.state_acked, done),
        ]
    }

    /// Record the phases of a page acknowledged at `done`; log it when slow.
    pub fn observe(&self, metrics: &Metrics, done: Instant, partition: i32, bytes: usize) {
        let phases = self.phases(done);
        for (name, d) in PHASES.iter().zip(phases) {
            metrics
                .latency_phase
                .with_label_values(&[name])
                .observe(d.as_secs_f64());
        }
        let total: Duration = phases.iter().sum();
        if total >= SLOW_PAGE {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            tracing::debug!(
                target: "sift::latency",
                total_ms = ms(total),
                broker_ms = ms(phases[0]),
                pool_wait_ms = ms(phases[1]),
                prepare_ms = ms(phases[2]),
                sequencer_wait_ms = ms(phases[3]),
                state_ack_ms = ms(phases[4]),
                output_ack_ms = ms(phases[5]),
                partition,
                bytes,
                "slow page"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_add_up_and_never_go_negative() {
        let mut t = PageTiming::taken_now(None);
        assert_eq!(t.broker, Duration::ZERO);
        let ms = Duration::from_millis;
        t.prepare_start = t.taken + ms(3);
        t.prepare_end = t.taken + ms(10);
        t.resolved = t.taken + ms(12);
        t.state_acked = t.taken + ms(30);
        let done = t.taken + ms(45);
        let p = t.phases(done);
        assert_eq!(p, [ms(0), ms(3), ms(7), ms(2), ms(18), ms(15)]);
        // An instant out of order (never expected) yields zero, not a panic.
        t.resolved = t.taken;
        assert_eq!(t.phases(done)[3], Duration::ZERO);
    }

    #[test]
    fn broker_phase_is_the_age_of_the_input_timestamp() {
        let ts = chrono::Utc::now().timestamp_millis() - 250;
        let t = PageTiming::taken_now(Some(ts));
        assert!(t.broker >= Duration::from_millis(250));
        assert!(t.broker < Duration::from_secs(5));
        // A timestamp from the future (clock skew) counts as zero.
        let t = PageTiming::taken_now(Some(ts + 60_000));
        assert_eq!(t.broker, Duration::ZERO);
    }

    #[test]
    fn observe_fills_every_phase() {
        let m = Metrics::new();
        let t = PageTiming::taken_now(None);
        t.observe(&m, t.taken + Duration::from_millis(150), 0, 10);
        let text = m.render();
        for p in PHASES {
            assert!(
                text.contains(&format!(
                    "sift_latency_phase_seconds_count{{phase=\"{p}\"}} 1"
                )),
                "{p} missing"
            );
        }
    }
}
