//! Small Kafka tools for local setups and operators: `sift produce` (JSON-lines envelopes onto
//! the input topic) and `sift tail` (print records of a topic as JSON lines).

use super::client::{producer_config, reader_config};
use crate::config::Settings;
use anyhow::{Context, Result};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

/// Produce each non-blank line of `input` as one message to `topic`, at most `rate` messages
/// per second when `rate > 0`; returns the count.
pub async fn produce_lines(
    settings: &Settings,
    topic: &str,
    input: impl BufRead,
    rate: f64,
) -> Result<u64> {
    let started = Instant::now();
    let producer: FutureProducer = producer_config(&settings.kafka)
        .create()
        .context("creating producer")?;
    let mut pending = Vec::new();
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
        let fut = loop {
            match producer.send_result(FutureRecord::<(), _>::to(topic).payload(line.as_bytes())) {
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
        pending.push(fut);
        count += 1;
        if pending.len() >= 10_000 || (rate > 0.0 && pending.len() >= 100) {
            for f in pending.drain(..) {
                confirm(f).await?;
            }
        }
    }
    for f in pending {
        confirm(f).await?;
    }
    Ok(count)
}

async fn confirm(f: rdkafka::producer::DeliveryFuture) -> Result<()> {
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
