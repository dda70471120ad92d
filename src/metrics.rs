//! Prometheus metrics of the worker and its stages, registered in one [`Registry`].
//!
//! Label values are bounded: stage names, output kinds, reject reasons, verdict kinds and the
//! owned input partitions. Never a URL, page id or event id.

use crate::decode::RejectKind;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// All metrics of one worker process.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Input messages taken from the source.
    pub consumed: IntCounter,
    /// Records acknowledged by the sink, by output (`clean`, `duplicates`, `rejected`, `events`, `state`).
    pub produced: IntCounterVec,
    /// Dead letters by reason.
    pub rejected: IntCounterVec,
    /// Time spent in each stage per page.
    pub stage_duration: HistogramVec,
    /// Input message timestamp → output acknowledged.
    pub end_to_end_latency: Histogram,
    /// The end-to-end latency split into the worker's phases (`kafka::timing`).
    pub latency_phase: HistogramVec,
    /// Consumer lag per owned input partition (from librdkafka statistics).
    pub consumer_lag: IntGaugeVec,
    /// Rebalance callbacks by kind (`assign`, `revoke`, `error`).
    pub rebalances: IntCounterVec,
    /// Times the group watchdog made this replica leave and re-join the consumer group.
    pub group_rejoins: IntCounter,
    /// Input partitions this replica does not own that have lag and no commit progress for at
    /// least `kafka.stall_rejoin_ms` (group watchdog).
    pub group_stalled_partitions: IntGauge,
    /// Offset commits that succeeded.
    pub commits: IntCounter,
    /// Offset commits that failed.
    pub commit_failures: IntCounter,
    /// Records queued in the producer and not yet acknowledged.
    pub producer_queue_depth: IntGauge,
    /// Input messages taken but not yet fully acknowledged downstream.
    pub in_flight: IntGauge,
    /// Deliveries that failed and were retried or redirected, by reason.
    pub delivery_failures: IntCounterVec,
    /// Dedup verdicts by kind (`unique`, `exact`, `near`).
    pub dedup_verdicts: IntCounterVec,
    /// Documents remembered by the dedup window.
    pub dedup_documents: IntGauge,
    /// Documents evicted from the dedup window.
    pub dedup_evictions: IntCounter,
    /// Events created by the tag stage.
    pub events_created: IntCounter,
    /// Events held in the active window.
    pub events_active: IntGauge,
    /// State entries applied from the state log (replay and tail).
    pub state_entries_applied: IntCounter,
    /// State-log records still to read before the replay catches up (−1 before it starts).
    pub state_replay_lag: IntGauge,
    /// Propagation delay of state entries while tailing: the state record's timestamp (when a
    /// replica wrote it) to the moment this replica hands it to its sequencer, which applies it
    /// before its next page. The consistency window of dedup between replicas.
    pub state_apply_lag: Histogram,
    /// 1 when the worker reports ready.
    pub ready: IntGauge,
}

fn counter(reg: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect("valid metric");
    reg.register(Box::new(c.clone())).expect("unique metric");
    c
}

fn counter_vec(reg: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    reg.register(Box::new(c.clone())).expect("unique metric");
    c
}

fn gauge(reg: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect("valid metric");
    reg.register(Box::new(g.clone())).expect("unique metric");
    g
}

impl Metrics {
    /// Create and register every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let r = &registry;
        let stage_duration = HistogramVec::new(
            HistogramOpts::new(
                "sift_stage_duration_seconds",
                "Time spent in a stage per page",
            )
            .buckets(vec![
                0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05,
                0.1, 0.25, 1.0,
            ]),
            &["stage"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(stage_duration.clone()))
            .expect("unique metric");
        let end_to_end_latency = Histogram::with_opts(
            HistogramOpts::new(
                "sift_end_to_end_latency_seconds",
                "Input message timestamp to output records acknowledged",
            )
            .buckets(vec![
                0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
                0.75, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            ]),
        )
        .expect("valid metric");
        registry
            .register(Box::new(end_to_end_latency.clone()))
            .expect("unique metric");
        let latency_phase = HistogramVec::new(
            HistogramOpts::new(
                "sift_latency_phase_seconds",
                "End-to-end latency by phase: broker, pool_wait, prepare, sequencer_wait, state_ack, output_ack",
            )
            .buckets(vec![
                0.000_1, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
                0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 10.0,
            ]),
            &["phase"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(latency_phase.clone()))
            .expect("unique metric");
        let state_apply_lag = Histogram::with_opts(
            HistogramOpts::new(
                "sift_state_apply_lag_seconds",
                "State record timestamp (written by any replica) to applied by this replica, while tailing",
            )
            .buckets(vec![
                0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75,
                1.0, 2.0, 5.0, 10.0, 30.0,
            ]),
        )
        .expect("valid metric");
        registry
            .register(Box::new(state_apply_lag.clone()))
            .expect("unique metric");
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                "sift_consumer_lag",
                "Consumer lag per owned input partition",
            ),
            &["topic", "partition"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(consumer_lag.clone()))
            .expect("unique metric");
        let build_info = IntGaugeVec::new(
            Opts::new("sift_build_info", "Build information"),
            &["version"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(build_info.clone()))
            .expect("unique metric");
        build_info.with_label_values(&[crate::VERSION]).set(1);
        // Resource use of this process (process_cpu_seconds_total, process_resident_memory_bytes,
        // process_open_fds, ...), read from /proc on every scrape.
        #[cfg(target_os = "linux")]
        registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("unique metric");

        let m = Self {
            consumed: counter(r, "sift_records_consumed_total", "Input messages consumed"),
            produced: counter_vec(
                r,
                "sift_records_produced_total",
                "Records acknowledged by the sink, by output",
                &["output"],
            ),
            rejected: counter_vec(
                r,
                "sift_records_rejected_total",
                "Dead letters by reason",
                &["reason"],
            ),
            stage_duration,
            end_to_end_latency,
            latency_phase,
            consumer_lag,
            rebalances: counter_vec(r, "sift_rebalances_total", "Rebalance callbacks", &["kind"]),
            group_rejoins: counter(
                r,
                "sift_group_rejoins_total",
                "Consumer-group re-joins forced by the group watchdog",
            ),
            group_stalled_partitions: gauge(
                r,
                "sift_group_stalled_partitions",
                "Unowned input partitions with lag and no commit progress past kafka.stall_rejoin_ms",
            ),
            commits: counter(r, "sift_commits_total", "Offset commits that succeeded"),
            commit_failures: counter(
                r,
                "sift_commit_failures_total",
                "Offset commits that failed",
            ),
            producer_queue_depth: gauge(
                r,
                "sift_producer_queue_depth",
                "Records queued in the producer, not yet acknowledged",
            ),
            in_flight: gauge(r, "sift_in_flight_records", "Input messages in flight"),
            delivery_failures: counter_vec(
                r,
                "sift_delivery_failures_total",
                "Failed deliveries (retried or redirected), by reason",
                &["reason"],
            ),
            dedup_verdicts: counter_vec(
                r,
                "sift_dedup_verdicts_total",
                "Dedup verdicts by kind",
                &["kind"],
            ),
            dedup_documents: gauge(r, "sift_dedup_documents", "Documents in the dedup window"),
            dedup_evictions: counter(
                r,
                "sift_dedup_evictions_total",
                "Documents evicted from the dedup window",
            ),
            events_created: counter(r, "sift_events_created_total", "Events created"),
            events_active: gauge(r, "sift_events_active", "Events in the active window"),
            state_entries_applied: counter(
                r,
                "sift_state_entries_applied_total",
                "State entries applied from the state log",
            ),
            state_replay_lag: gauge(
                r,
                "sift_state_replay_lag",
                "State-log records left to replay before ready",
            ),
            state_apply_lag,
            ready: gauge(r, "sift_ready", "1 when the worker is ready"),
            registry,
        };
        for kind in RejectKind::ALL {
            m.rejected.with_label_values(&[kind.as_str()]);
        }
        for out in ["clean", "duplicates", "rejected", "events", "state"] {
            m.produced.with_label_values(&[out]);
        }
        for kind in ["unique", "exact", "near"] {
            m.dedup_verdicts.with_label_values(&[kind]);
        }
        for reason in [
            "timed_out",
            "unknown_topic",
            "broker_down",
            "queue_full",
            "other",
        ] {
            m.delivery_failures.with_label_values(&[reason]);
        }
        for kind in ["assign", "revoke", "error"] {
            m.rebalances.with_label_values(&[kind]);
        }
        for stage in ["decode", "normalize", "dedup", "tag"] {
            m.stage_duration.with_label_values(&[stage]);
        }
        m.state_replay_lag.set(-1);
        m
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let families = self.registry.gather();
        // Encoding into a Vec cannot fail for well-formed families.
        let _ = TextEncoder::new().encode(&families, &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_stage_and_kafka_metrics() {
        let text = Metrics::new().render();
        for name in [
            "sift_records_consumed_total",
            "sift_stage_duration_seconds_bucket",
            "sift_rebalances_total",
            "sift_build_info",
            "sift_state_apply_lag_seconds_bucket",
            "sift_dedup_verdicts_total",
            "sift_dedup_documents",
            "sift_dedup_evictions_total",
            "sift_state_entries_applied_total",
            "sift_state_replay_lag",
        ] {
            assert!(text.contains(name), "{name} missing from /metrics");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exports_process_resource_metrics() {
        let text = Metrics::new().render();
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_threads",
        ] {
            assert!(text.contains(name), "{name} missing from /metrics");
        }
    }
}
