//! The Kafka worker (`sift run`). Knows Kafka, not news: it moves [`InputMessage`]s into the
//! pipeline and [`OutputRecord`]s out, and decides when input offsets may be committed.
//!
//! Threads and tasks, in the order a message meets them:
//! 1. **poll thread** ([`consumer::PollLoop`]): polls the group consumer, records the offset as
//!    taken, hands the message to the CPU pool and a [`consumer::Work`] to the sequencer, in
//!    consumption order. Serves rebalance callbacks (drain, commit, release) and commits.
//! 2. **CPU pool** (rayon): decode + normalize, in parallel across pages and partitions.
//! 3. **sequencer thread** ([`sequencer`]): applies state entries from the state log, takes
//!    prepared pages in consumption order per partition (a slow page holds back only its own
//!    partition), runs dedup + tag, and enqueues the state entries in that order on the state
//!    producer (a producer and broker connection of their own, `kafka.state_linger_ms`: a
//!    broker answers one connection's requests in order, so on a shared producer a page's state
//!    entries would wait behind whole requests of other pages' output records).
//! 4. **acknowledger task** (tokio): in sequencer order, awaits each message's state entries,
//!    then enqueues its output records (write-ahead: no output is visible before the state it
//!    depends on is durable, see [`Produced`]); awaits delivery reports, re-sends failures, turns
//!    too-large records into dead letters, then marks the input offset complete and frees its
//!    in-flight slot.
//! 5. **state thread** ([`state_log`]): replays, then tails, the shared state topic.

pub mod admin;
pub mod client;
pub mod consumer;
pub mod group_watch;
pub mod offsets;
pub mod sched;
pub mod sequencer;
pub mod sink;
pub mod startup;
pub mod state_log;
pub mod timing;
pub mod tools;
pub mod transactional;

use crate::config::Settings;
use crate::message::InputMessage;
use crate::metrics::Metrics;
use crate::ops::Health;
use crate::pipeline::{OutputRecord, StatefulStages, StatelessStages};
use anyhow::{Context, Result};
use consumer::{InFlightGate, PollLoop, SharedOffsets, Work, WorkerContext};
use futures::StreamExt;
use futures::stream::{FuturesOrdered, FuturesUnordered};
use offsets::PartitionKey;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, Producer};
use sink::{Enqueued, Sink};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// What the sequencer hands the acknowledger for one input message: its state entries, already
/// enqueued, and its output records, held back until those entries (and the entries of every
/// message sequenced before it) are acknowledged.
///
/// Why outputs wait: the verdict and event of a page depend on the state entries of the pages
/// sequenced before it, which may sit on other state partitions. If an output could become
/// visible before those entries were durable, a crash could leave a duplicate on
/// `pages.duplicates` while the state log lacks its original; after the restart the
/// redelivered inputs (in another order across partitions) would be judged differently. With
/// the write-ahead order, every visible output is backed by durable state, so a redelivered
/// page finds itself (and its original) and comes out as it did the first time.
struct Produced {
    key: PartitionKey,
    epoch: u64,
    offset: i64,
    timestamp_ms: Option<i64>,
    timing: timing::PageTiming,
    msg: InputMessage,
    state: Vec<Enqueued>,
    outputs: Vec<OutputRecord>,
}

/// Run the worker until `stop` resolves (SIGTERM/SIGINT) or a fatal error; then stop
/// consuming, drain, commit and return.
pub async fn run(
    settings: Settings,
    metrics: Metrics,
    health: Arc<Health>,
    stop: impl Future<Output = ()>,
) -> Result<()> {
    if settings.delivery.mode == crate::config::DeliveryMode::ExactlyOnce {
        return transactional::run(settings, metrics, health, stop).await;
    }
    let shutdown = Arc::new(AtomicBool::new(false));
    let fatal = Arc::new(Notify::new());
    let short_slices = startup::short_hand_off_slices(&settings.kafka);
    let (pool, threads) = startup::cpu_pool(&settings.pipeline, short_slices)?;
    let pool = Arc::new(pool);
    let stateless = Arc::new(StatelessStages::new(&settings.stages, metrics.clone()));
    let stateful = StatefulStages::new(&settings.stages, metrics.clone());

    let producer: FutureProducer = client::producer_config(&settings.kafka)
        .create()
        .context("creating producer")?;
    let state_producer: FutureProducer = client::state_producer_config(&settings.kafka)
        .create()
        .context("creating state producer")?;
    let sink = Sink::with_state_producer(
        producer.clone(),
        state_producer.clone(),
        settings.topics.clone(),
        metrics.clone(),
    );

    let (state_thread, state_rx) = startup::start_state_log(
        &settings.kafka,
        &settings.topics.state,
        metrics.clone(),
        &health,
        &shutdown,
    )?;

    let (work_tx, work_rx) = crossbeam_channel::unbounded::<Work>();
    let (ack_tx, ack_rx) = tokio::sync::mpsc::unbounded_channel::<Produced>();
    let seq_sink = sink.clone();
    let seq_fatal = Arc::clone(&fatal);
    let sequencer = std::thread::Builder::new()
        .name("sift-sequencer".into())
        .spawn(move || sequencer::run(stateful, work_rx, state_rx, seq_sink, ack_tx, seq_fatal))
        .context("spawning sequencer")?;

    tokio::pin!(stop);
    // Not ready, and not consuming, until the state log has been replayed (the sequencer
    // applies the entries meanwhile).
    if !startup::state_replayed(&health, &shutdown, stop.as_mut()).await {
        return Ok(());
    }

    let offsets = Arc::new(SharedOffsets::default());
    let gate = Arc::new(InFlightGate::new(
        settings.pipeline.max_in_flight,
        metrics.clone(),
    ));
    let ctx = WorkerContext {
        offsets: Arc::clone(&offsets),
        metrics: metrics.clone(),
        health: Arc::clone(&health),
        drain_timeout: Duration::from_millis(settings.pipeline.drain_timeout_ms),
        closing: Arc::new(AtomicBool::new(false)),
    };
    let consumer: BaseConsumer<WorkerContext> = startup::connect_consumer(
        &client::consumer_config(&settings.kafka),
        ctx,
        &settings.topics.input,
        &health,
    )?;
    consumer
        .subscribe(&[&settings.topics.input])
        .context("subscribing")?;
    tracing::info!(topic = %settings.topics.input, group = %settings.kafka.group_id, threads, "consuming");

    let rejoin = Arc::new(AtomicBool::new(false));
    let watch = group_watch::GroupWatch::new(
        &settings.kafka,
        &settings.topics.input,
        Arc::clone(&offsets),
        Arc::clone(&rejoin),
        Arc::clone(&shutdown),
        metrics.clone(),
    )?
    .map(group_watch::GroupWatch::spawn)
    .transpose()?;
    // Not joined on shutdown: it stops at its next check of the shutdown flag, and a check in
    // progress against a slow broker must not delay the exit.
    drop(watch);

    let poll = PollLoop {
        consumer,
        input_topic: settings.topics.input.clone(),
        rejoin,
        rejoin_timeout: Duration::from_millis(settings.pipeline.drain_timeout_ms)
            + Duration::from_secs(5),
        offsets: Arc::clone(&offsets),
        gate: Arc::clone(&gate),
        stages: stateless,
        pool,
        work_tx,
        shutdown: Arc::clone(&shutdown),
        commit_interval: Duration::from_millis(settings.kafka.commit_interval_ms),
        shutdown_timeout: Duration::from_millis(settings.pipeline.shutdown_timeout_ms),
        metrics: metrics.clone(),
    };
    let poll_thread = std::thread::Builder::new()
        .name("sift-poll".into())
        .spawn(move || poll.run())
        .context("spawning poll thread")?;

    let acker = tokio::spawn(acknowledge(
        ack_rx,
        sink,
        offsets,
        gate,
        metrics.clone(),
        Arc::clone(&fatal),
    ));
    let depth_metrics = metrics.clone();
    let depth_producers = [producer.clone(), state_producer.clone()];
    let sampler = tokio::spawn(async move {
        loop {
            let depth: i64 = depth_producers
                .iter()
                .map(|p| i64::from(p.in_flight_count()))
                .sum();
            depth_metrics.producer_queue_depth.set(depth);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });

    let failed = tokio::select! {
        _ = &mut stop => false,
        _ = fatal.notified() => true,
    };
    tracing::info!(failed, "stopping");
    health.draining.store(true, Ordering::Relaxed);
    shutdown.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let _ = tokio::task::spawn_blocking(move || {
        let _ = poll_thread.join();
        let _ = sequencer.join();
        let _ = state_thread.join();
    })
    .await;
    let _ = acker.await;
    sampler.abort();
    let _ = tokio::task::spawn_blocking(move || {
        let _ = state_producer.flush(Duration::from_secs(5));
        producer.flush(Duration::from_secs(5))
    })
    .await;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "stopped");
    if failed {
        health.failed.store(true, Ordering::Relaxed);
        anyhow::bail!("producer failed fatally; uncommitted input will be redelivered");
    }
    Ok(())
}

/// The acknowledger: in sequencer order, awaits each input's state entries, then enqueues its
/// output records; completes the input offset once those are delivered too.
async fn acknowledge(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Produced>,
    sink: Sink,
    offsets: Arc<SharedOffsets>,
    gate: Arc<InFlightGate>,
    metrics: Metrics,
    fatal: Arc<Notify>,
) {
    // Inputs whose state entries are being written; yields them in sequencer order.
    let mut writing_state = FuturesOrdered::new();
    // Inputs whose output records are being delivered.
    let mut delivering = FuturesUnordered::new();
    let mut open = true;
    loop {
        tokio::select! {
            item = rx.recv(), if open => match item {
                Some(mut p) => {
                    let sink = sink.clone();
                    writing_state.push_back(async move {
                        let state = std::mem::take(&mut p.state);
                        let result = sink.confirm_all(&p.msg, state).await;
                        (p, result)
                    });
                }
                None => open = false,
            },
            Some((p, result)) = writing_state.next(), if !writing_state.is_empty() => {
                if let Err(e) = result {
                    tracing::error!(error = ?e, offset = p.offset, "state write failed fatally; outputs held back, offset stays uncommitted");
                    fatal.notify_one();
                    continue;
                }
                let Produced { key, epoch, offset, timestamp_ms, mut timing, msg, outputs, .. } = p;
                timing.state_acked = Instant::now();
                let mut enqueued = Vec::with_capacity(outputs.len());
                for record in outputs {
                    enqueued.push(sink.enqueue(record).await);
                }
                let sink = sink.clone();
                delivering.push(async move {
                    let result = sink.confirm_all(&msg, enqueued).await;
                    let done = (timing, Instant::now(), msg.payload.len());
                    (key, epoch, offset, timestamp_ms, done, result)
                });
            },
            Some((key, epoch, offset, ts, done, result)) = delivering.next(), if !delivering.is_empty() => {
                match result {
                    Ok(()) => {
                        offsets.complete(&key, epoch, offset);
                        gate.release();
                        let (timing, at, bytes) = done;
                        timing.observe(&metrics, at, key.partition, bytes);
                        if let Some(ts) = ts {
                            let ms = chrono::Utc::now().timestamp_millis() - ts;
                            metrics.end_to_end_latency.observe(ms.max(0) as f64 / 1000.0);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = ?e, offset, "delivery failed fatally; offset stays uncommitted");
                        fatal.notify_one();
                    }
                }
            },
            else => break,
        }
    }
}
