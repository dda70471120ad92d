//! Passthrough baseline for the broker benchmark: consume the input topic and re-produce the
//! same bytes to `<input>.passthrough`, with the same client settings as `sift run` (group
//! consumer, idempotent producer, offsets committed about every second once acknowledged), no
//! processing. sift's processing cost is then a ratio to this, robust to machine noise; its
//! latency is the floor the broker and client settings impose.
//!
//! usage: SIFT__KAFKA__BROKERS=… cargo run --release --example passthrough -- COUNT
//! prints: `passthrough: COUNT messages in S s = R msg/s; cpu C s; latency p50 A s p99 B s`
//! (latency: input message timestamp to delivery report of its copy, for messages created after
//! the first one was consumed, so a backlog does not count).

use anyhow::{Context, Result};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use sift::config::Settings;
use sift::kafka::client::{consumer_config, producer_config};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Next offsets to commit, per (topic, partition).
type Offsets = Vec<((String, i32), i64)>;

fn main() -> Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .context("usage: passthrough COUNT")?;
    let mut settings = Settings::load(None)?;
    settings.kafka.group_id = format!("{}-passthrough", settings.kafka.group_id);
    let out_topic = format!("{}.passthrough", settings.topics.input);
    let consumer: BaseConsumer = consumer_config(&settings.kafka).create()?;
    let producer: FutureProducer = producer_config(&settings.kafka).create()?;
    consumer.subscribe(&[&settings.topics.input])?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let acked = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(parking_lot::Mutex::new(Vec::with_capacity(count)));
    // Every message's latency, the ones created before the first was consumed included.
    let all_latencies = Arc::new(parking_lot::Mutex::new(Vec::with_capacity(count)));
    let mut started = None;
    let mut live_from_ms = i64::MAX;
    let mut sent = 0usize;
    let mut next: HashMap<(String, i32), i64> = HashMap::new();
    // Offsets consumed up to the last tick and how many messages had been sent then: committed
    // once that many are acknowledged.
    let mut snapshot: Option<(usize, Offsets)> = None;
    let mut last_tick = Instant::now();
    let commit = |offsets: &Offsets| -> Result<()> {
        let mut tpl = TopicPartitionList::new();
        for ((t, p), o) in offsets {
            tpl.add_partition_offset(t, *p, Offset::Offset(*o))?;
        }
        if tpl.count() > 0 {
            consumer.commit(&tpl, CommitMode::Sync)?;
        }
        Ok(())
    };
    while acked.load(Ordering::Relaxed) < count {
        if failed.load(Ordering::Relaxed) > 0 {
            anyhow::bail!("a delivery failed");
        }
        if sent < count
            && let Some(m) = consumer.poll(Duration::from_millis(10))
        {
            let m = m?;
            if started.is_none() {
                started = Some(Instant::now());
                live_from_ms = chrono::Utc::now().timestamp_millis();
            }
            let ts_all = m.timestamp().to_millis();
            let ts = ts_all.filter(|&ts| ts >= live_from_ms);
            let payload = m.payload().unwrap_or_default();
            let fut = loop {
                let rec = FutureRecord::<[u8], [u8]>::to(&out_topic).payload(payload);
                match producer.send_result(rec) {
                    Ok(f) => break f,
                    Err(_) => std::thread::sleep(Duration::from_millis(1)),
                }
            };
            sent += 1;
            next.insert((m.topic().to_string(), m.partition()), m.offset() + 1);
            let (acked, failed, latencies, all_latencies) = (
                Arc::clone(&acked),
                Arc::clone(&failed),
                Arc::clone(&latencies),
                Arc::clone(&all_latencies),
            );
            rt.spawn(async move {
                match fut.await {
                    Ok(Ok(_)) => {
                        let now = chrono::Utc::now().timestamp_millis();
                        if let Some(ts) = ts {
                            latencies.lock().push((now - ts).max(0) as f64 / 1000.0);
                        }
                        if let Some(ts) = ts_all {
                            all_latencies.lock().push((now - ts).max(0) as f64 / 1000.0);
                        }
                        acked.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        } else if sent >= count {
            std::thread::sleep(Duration::from_millis(1));
        }
        if last_tick.elapsed() >= Duration::from_millis(1000) {
            if let Some((due, offsets)) = &snapshot
                && acked.load(Ordering::Relaxed) >= *due
            {
                commit(offsets)?;
                snapshot = None;
            }
            if snapshot.is_none() {
                snapshot = Some((sent, next.iter().map(|(k, v)| (k.clone(), *v)).collect()));
            }
            last_tick = Instant::now();
        }
    }
    let secs = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let final_offsets: Vec<_> = next.into_iter().collect();
    commit(&final_offsets)?;
    let sorted = |v: &parking_lot::Mutex<Vec<f64>>| {
        let mut l = v.lock().clone();
        l.sort_by(f64::total_cmp);
        l
    };
    let quantile = |l: &[f64], p: f64| {
        let i = ((l.len() as f64 * p).ceil() as usize).saturating_sub(1);
        l.get(i).copied().unwrap_or(0.0)
    };
    let all = sorted(&all_latencies);
    println!(
        "passthrough: all {} messages (start-up included): latency p50 {:.4} s p99 {:.4} s",
        all.len(),
        quantile(&all, 0.5),
        quantile(&all, 0.99)
    );
    let l = sorted(&latencies);
    let q = |p: f64| quantile(&l, p);
    println!(
        "passthrough: {count} messages in {secs:.2} s = {:.1} msg/s; cpu {:.2} s; latency p50 {:.4} s p99 {:.4} s",
        count as f64 / secs.max(1e-9),
        process_cpu_seconds(),
        q(0.5),
        q(0.99)
    );
    Ok(())
}

/// User + system CPU seconds of this process.
fn process_cpu_seconds() -> f64 {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes into the rusage we own; RUSAGE_SELF is valid.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    if rc != 0 {
        return 0.0;
    }
    // SAFETY: initialized by the successful call above.
    let ru = unsafe { ru.assume_init() };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}
