//! Small Kafka tools for local setups and operators: `sift produce` (JSON-lines envelopes onto
//! the input topic) and `sift tail` (print records of a topic as JSON lines).

use super::client::{producer_config, reader_config};
use crate::config::Settings;
use anyhow::{Context, Result};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer};
use rdkafka::statistics::Statistics;
use rdkafka::{Offset, TopicPartitionList};
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Produce each non-blank line of `input` as one message to `topic`, at most `rate` messages
/// per second when `rate > 0`; returns the count.
pub async fn produce_lines(
    settings: &Settings,
    topic: &str,
    input: impl BufRead,
    rate: f64,
) -> Result<u64> {
    let ready = Arc::new(AtomicBool::new(false));
    // Statistics tell when the idempotent producer has its producer id (below).
    let producer: FutureProducer<WarmUp> = producer_config(&settings.kafka)
        .set("statistics.interval.ms", "50")
        .create_with_context(WarmUp {
            ready: Arc::clone(&ready),
        })
        .context("creating producer")?;
    // Be ready before the first record: a record's timestamp is taken when it is handed to
    // the producer, and an idempotent producer holds records until it has a producer id —
    // which librdkafka, finding no broker up yet right after start, asks for again only 500 ms
    // later. Without this wait the first records of every run carry ~0.5 s of client start-up
    // as end-to-end latency, which no long-running producer (a crawler) has.
    let warm = producer.clone();
    let warm_topic = topic.to_string();
    let partitions = tokio::task::spawn_blocking(move || {
        warm.client()
            .fetch_metadata(Some(&warm_topic), Duration::from_secs(10))
            .map(|m| m.topics().first().map_or(0, |t| t.partitions().len()))
    })
    .await
    .context("producer warm-up")?
    .context("fetching topic metadata")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready.load(Ordering::Relaxed) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Deliveries are awaited by a task of their own, so sending never pauses for them (a pause
    // would turn a steady rate into bursts); it also measures each record's delivery time.
    let (tx, rx) = tokio::sync::mpsc::channel::<(Instant, DeliveryFuture)>(10_000);
    let confirmer = tokio::spawn(confirm_all(rx));
    let started = Instant::now();
    let mut count = 0u64;
    for line in input.lines() {
        let line = line.context("reading input")?;
        if line.trim().is_empty() {
            continue;
        }
        if rate > 0.0 {
            let due = started + Duration::from_secs_f64(count as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        // Lines go round-robin over the partitions (keyless records would stick to one
        // partition for a burst, leaving others empty in a short run).
        let partition = i32::try_from(count % partitions.max(1) as u64)
            .ok()
            .filter(|_| partitions > 0);
        let fut = loop {
            let record = FutureRecord::<(), _>::to(topic).payload(line.as_bytes());
            let record = match partition {
                Some(p) => record.partition(p),
                None => record,
            };
            match producer.send_result(record) {
                Ok(f) => break f,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    tracing::debug!("producer queue full; waiting");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                // Anything else (a record over `message.max.bytes`, an unknown topic) will not
                // succeed by waiting: stop and say which record it was.
                Err((e, _)) => {
                    return Err(e).with_context(|| {
                        format!(
                            "producing input record {} ({} bytes)",
                            count + 1,
                            line.len()
                        )
                    });
                }
            }
        };
        count += 1;
        if tx.send((Instant::now(), fut)).await.is_err() {
            break; // the confirmer stopped on a failed delivery: its error is returned below
        }
    }
    drop(tx);
    let times = confirmer.await.context("delivery task")??;
    if let Some(first) = times.first() {
        let mut sorted = times.clone();
        sorted.sort_unstable();
        let q = |p: f64| {
            let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
            sorted.get(i).copied().unwrap_or_default().as_secs_f64()
        };
        tracing::info!(
            records = times.len(),
            first_s = first.as_secs_f64(),
            p50_s = q(0.5),
            p99_s = q(0.99),
            max_s = q(1.0),
            "delivery time (handed to the producer → acknowledged)"
        );
    }
    Ok(count)
}

/// Await every delivery handed over on `rx`, concurrently; the delivery time of each record in
/// the order they were sent, or the first failure.
async fn confirm_all(
    mut rx: tokio::sync::mpsc::Receiver<(Instant, DeliveryFuture)>,
) -> Result<Vec<Duration>> {
    let mut times = Vec::new();
    let mut inflight = FuturesUnordered::new();
    let mut n = 0usize;
    let mut open = true;
    while open || !inflight.is_empty() {
        tokio::select! {
            item = rx.recv(), if open => match item {
                Some((sent, f)) => {
                    let i = n;
                    n += 1;
                    inflight.push(async move {
                        let r = confirm(f).await;
                        (i, sent.elapsed(), r)
                    });
                }
                None => open = false,
            },
            Some((i, took, r)) = inflight.next(), if !inflight.is_empty() => {
                r?;
                if times.len() <= i {
                    times.resize(i + 1, Duration::ZERO);
                }
                if let Some(t) = times.get_mut(i) {
                    *t = took;
                }
            }
        }
    }
    Ok(times)
}

/// Producer context of `sift produce`: learns from the statistics whether the producer can
/// send yet (an idempotent producer needs its producer id first).
struct WarmUp {
    ready: Arc<AtomicBool>,
}

impl ClientContext for WarmUp {
    fn stats(&self, stats: Statistics) {
        // Without idempotence there is no producer id to wait for.
        let ready = stats.eos.is_none_or(|e| e.idemp_state == "Assigned");
        self.ready.store(ready, Ordering::Relaxed);
    }
}

async fn confirm(f: DeliveryFuture) -> Result<()> {
    match f.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err((e, _))) => Err(anyhow::anyhow!("delivery failed: {e}")),
        Err(_) => Err(anyhow::anyhow!("delivery report lost")),
    }
}

/// Print records of `topic` from the beginning as JSON lines
/// (`{"topic","partition","offset","key","value","headers"}`), stopping after `max` records or
/// when nothing new arrived for `idle`.
pub fn tail(
    settings: &Settings,
    topic: &str,
    max: Option<u64>,
    idle: Duration,
    out: &mut impl Write,
) -> Result<u64> {
    let consumer: BaseConsumer = reader_config(&settings.kafka, "tail")
        .create()
        .context("creating consumer")?;
    let md = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .context("metadata")?;
    let mut tpl = TopicPartitionList::new();
    for t in md.topics().iter().filter(|t| t.name() == topic) {
        for p in t.partitions() {
            tpl.add_partition_offset(topic, p.id(), Offset::Beginning)?;
        }
    }
    consumer.assign(&tpl)?;
    let mut n = 0u64;
    let mut last = Instant::now();
    while max.is_none_or(|m| n < m) && last.elapsed() < idle {
        let Some(msg) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let msg = msg?;
        last = Instant::now();
        let value = msg.payload().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_slice(value)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(value).into()));
        let headers: serde_json::Map<String, serde_json::Value> = msg
            .headers()
            .map(|h| {
                h.iter()
                    .map(|hd| {
                        (
                            hd.key.to_string(),
                            hd.value
                                .map(|v| String::from_utf8_lossy(v).into_owned().into())
                                .unwrap_or(serde_json::Value::Null),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let line = serde_json::json!({
            "topic": msg.topic(),
            "partition": msg.partition(),
            "offset": msg.offset(),
            "key": msg.key().map(|k| String::from_utf8_lossy(k).into_owned()),
            "value": value,
            "headers": headers,
        });
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}
