//! Passthrough baseline for the broker benchmark: consume the input topic and re-produce the
//! same bytes to `<input>.passthrough`, with the same client settings as `sift run` (group
//! consumer, idempotent producer, offsets committed after acknowledgement), no processing.
//! sift's processing cost is then a ratio to this, robust to machine noise.
//!
//! usage: SIFT__KAFKA__BROKERS=… cargo run --release --example passthrough -- COUNT
//! prints: `passthrough: COUNT messages in S s = R msg/s`

use anyhow::{Context, Result};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use sift::config::Settings;
use sift::kafka::client::{consumer_config, producer_config};
use std::collections::HashMap;
use std::time::{Duration, Instant};

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
    let mut started = None;
    let mut done = 0usize;
    let mut pending = Vec::new();
    let mut next: HashMap<(String, i32), i64> = HashMap::new();
    let mut last_commit = Instant::now();
    while done < count {
        if let Some(m) = consumer.poll(Duration::from_millis(100)) {
            let m = m?;
            started.get_or_insert_with(Instant::now);
            let payload = m.payload().unwrap_or_default();
            let fut = loop {
                let rec = FutureRecord::<[u8], [u8]>::to(&out_topic).payload(payload);
                match producer.send_result(rec) {
                    Ok(f) => break f,
                    Err(_) => std::thread::sleep(Duration::from_millis(1)),
                }
            };
            pending.push(fut);
            next.insert((m.topic().to_string(), m.partition()), m.offset() + 1);
        }
        if pending.len() >= 1000 || last_commit.elapsed() > Duration::from_millis(1000) {
            done += pending.len();
            for f in pending.drain(..) {
                rt.block_on(f)
                    .context("delivery report")?
                    .map_err(|(e, _)| e)?;
            }
            let mut tpl = TopicPartitionList::new();
            for ((t, p), o) in &next {
                tpl.add_partition_offset(t, *p, Offset::Offset(*o))?;
            }
            if tpl.count() > 0 {
                consumer.commit(&tpl, CommitMode::Sync)?;
            }
            last_commit = Instant::now();
        }
    }
    let secs = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    println!(
        "passthrough: {done} messages in {secs:.2} s = {:.1} msg/s",
        done as f64 / secs.max(1e-9)
    );
    Ok(())
}
