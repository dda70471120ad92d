//! The state topic as a shared, durable log of stage state.
//!
//! Every replica writes the [`StateEntry`]s of what it accepts to the state topic (through the
//! sink, before committing the input offset), and every replica reads the whole topic: first a
//! replay up to the end offsets seen at start (the worker is not ready until it catches up),
//! then a continuous tail, so what one replica has seen becomes known to the others.

use super::client::reader_config;
use crate::config::KafkaSettings;
use crate::metrics::Metrics;
use crate::ops::Health;
use crate::pipeline::parse_state_record;
use crate::state::StateEntry;
use anyhow::{Context, Result, bail};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Start replaying and tailing `topic` on a thread of its own; entries go to `tx` in log order
/// per partition. Sets `health.state_caught_up` once the replay reaches the start-time end.
pub fn spawn(
    kafka: &KafkaSettings,
    topic: &str,
    metrics: Metrics,
    health: Arc<Health>,
    tx: crossbeam_channel::Sender<StateEntry>,
    shutdown: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<()>> {
    let consumer: BaseConsumer = reader_config(kafka, "state")
        .set(
            "fetch.wait.max.ms",
            kafka.state_fetch_wait_max_ms.max(1).to_string(),
        )
        .create()
        .context("creating state-log reader")?;
    let timeout = Duration::from_secs(15);
    let md = consumer
        .fetch_metadata(Some(topic), timeout)
        .with_context(|| format!("metadata of state topic {topic}"))?;
    let partitions: Vec<i32> = md
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map(|t| t.partitions().iter().map(|p| p.id()).collect())
        .unwrap_or_default();
    if partitions.is_empty() {
        bail!("state topic {topic:?} does not exist (create it with `sift topics`)");
    }
    let mut targets = HashMap::new();
    let mut tpl = TopicPartitionList::new();
    // A partition whose leader is unreachable right now (a broker restarting) answers "unknown
    // partition" for a while: retry up to a minute rather than fail the start.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    for &p in &partitions {
        let (low, high) = loop {
            match consumer.fetch_watermarks(topic, p, timeout) {
                Ok(w) => break w,
                Err(e)
                    if std::time::Instant::now() < deadline
                        && !shutdown.load(Ordering::Relaxed) =>
                {
                    tracing::warn!(topic, partition = p, error = %e, "state topic end offset not available yet; retrying");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("watermarks of {topic}/{p}"));
                }
            }
        };
        if high > low {
            targets.insert(p, high);
        }
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .context("building state assignment")?;
    }
    consumer.assign(&tpl).context("assigning state topic")?;
    let total: i64 = targets.values().sum();
    tracing::info!(
        topic,
        partitions = partitions.len(),
        records = total,
        "replaying state"
    );
    let handle = std::thread::Builder::new()
        .name("sift-state".into())
        .spawn(move || tail(consumer, targets, metrics, health, tx, shutdown))
        .context("spawning state thread")?;
    Ok(handle)
}

fn tail(
    consumer: BaseConsumer,
    mut targets: HashMap<i32, i64>,
    metrics: Metrics,
    health: Arc<Health>,
    tx: crossbeam_channel::Sender<StateEntry>,
    shutdown: Arc<AtomicBool>,
) {
    let mut positions: HashMap<i32, i64> = HashMap::new();
    let mut caught_up = false;
    let mut applied = 0u64;
    let started = std::time::Instant::now();
    let check = |positions: &HashMap<i32, i64>, targets: &mut HashMap<i32, i64>| {
        targets.retain(|p, high| positions.get(p).is_none_or(|pos| pos < high));
        let left: i64 = targets
            .iter()
            .map(|(p, high)| high - positions.get(p).copied().unwrap_or(0))
            .sum();
        metrics.state_replay_lag.set(left.max(0));
        targets.is_empty()
    };
    while !shutdown.load(Ordering::Relaxed) {
        if !caught_up && check(&positions, &mut targets) {
            caught_up = true;
            health.state_caught_up.store(true, Ordering::Relaxed);
            tracing::info!(
                entries = applied,
                seconds = started.elapsed().as_secs_f64(),
                "state replay caught up"
            );
        }
        match consumer.poll(Duration::from_millis(100)) {
            // Idle: take the fetch position too, which moves past transaction markers that are
            // never delivered (a transactional state topic ends with a commit marker).
            None if !caught_up => advance_to_position(&consumer, &mut positions),
            None => {}
            Some(Err(e)) => tracing::warn!(error = %e, "state log read error"),
            Some(Ok(m)) => {
                positions.insert(m.partition(), m.offset() + 1);
                if let Some(entry) = m.payload().and_then(parse_state_record) {
                    applied += 1;
                    if caught_up && let Some(written) = m.timestamp().to_millis() {
                        metrics
                            .state_apply_lag
                            .observe(lag_seconds(written, chrono::Utc::now().timestamp_millis()));
                    }
                    if tx.send(entry).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Seconds from a record's timestamp to `now_ms` (both epoch milliseconds), never negative
/// (clocks of different hosts may disagree by a little).
fn lag_seconds(written_ms: i64, now_ms: i64) -> f64 {
    now_ms.saturating_sub(written_ms).max(0) as f64 / 1000.0
}

/// Raise recorded positions to the consumer's own position where that is further on.
fn advance_to_position(consumer: &BaseConsumer, positions: &mut HashMap<i32, i64>) {
    let Ok(tpl) = consumer.position() else { return };
    for e in tpl.elements() {
        if let Offset::Offset(o) = e.offset() {
            let p = positions.entry(e.partition()).or_insert(o);
            *p = (*p).max(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lag_seconds;

    #[test]
    fn apply_lag_is_seconds_since_the_record_timestamp_and_never_negative() {
        assert_eq!(lag_seconds(1_000, 1_250), 0.25);
        assert_eq!(lag_seconds(2_000, 1_000), 0.0);
        assert_eq!(lag_seconds(i64::MIN, 0), i64::MAX as f64 / 1000.0);
    }
}
