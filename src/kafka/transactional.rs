//! Exactly-once mode (`[delivery] mode = "exactly_once"`): Kafka transactions around the
//! output records, the state-topic entries and the input offsets of a batch of input messages.
//!
//! One loop on a thread of its own:
//! 1. collect up to `max_batch_messages` input messages or `max_batch_ms` of input;
//! 2. decode + normalize them on the CPU pool (in parallel, order kept), apply state entries
//!    other replicas committed, then dedup + tag in input order;
//! 3. `begin_transaction`, enqueue every record (outputs and state entries),
//!    `send_offsets_to_transaction` (next offset of each input partition, with the consumer's
//!    group metadata, so a fenced zombie cannot commit) and `commit_transaction`.
//!
//! No transaction is open while the consumer polls, so a rebalance never finds one: messages of
//! a partition revoked while a batch was being collected are dropped from the batch unprocessed
//! (the new owner reads them from the committed offset). The consumer never commits by itself.
//!
//! Failure policy (simple and safe): a retriable commit error is retried; any other transaction
//! error aborts the open transaction (best effort) and stops the worker with an error (exit
//! code 1). The orchestrator restarts it; on start the producer's `init_transactions` fences the
//! previous incarnation and aborts whatever it left open, the consumer resumes from the offsets
//! committed in the last committed transaction, and the state log is re-read with
//! `read_committed`, so nothing of an aborted transaction survives anywhere.
//!
//! Every record carries a `sift.txn` header (`<transactional id>:<incarnation>:<sequence>`)
//! naming the transaction that wrote it, for audits.

use super::client;
use super::consumer::to_input;
use super::sink::{Refusal, Sink, too_large_dead_letters};
use super::startup;
use crate::config::{DeliverySettings, Settings};
use crate::message::InputMessage;
use crate::metrics::Metrics;
use crate::ops::Health;
use crate::pipeline::{OutputRecord, StatefulStages, StatelessStages};
use crate::state::StateEntry;
use anyhow::{Context, Result, anyhow, bail};
use parking_lot::Mutex;
use rayon::prelude::*;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Consumer callbacks in exactly-once mode: remember revoked partitions so the batch being
/// collected can drop their messages.
struct EosContext {
    revoked: Mutex<HashSet<(String, i32)>>,
    owned: Mutex<HashSet<(String, i32)>>,
    health: Arc<Health>,
    metrics: Metrics,
}

impl ClientContext for EosContext {}

impl ConsumerContext for EosContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                self.metrics.rebalances.with_label_values(&["assign"]).inc();
                let mut revoked = self.revoked.lock();
                let mut owned = self.owned.lock();
                for e in tpl.elements() {
                    let key = (e.topic().to_string(), e.partition());
                    revoked.remove(&key);
                    owned.insert(key);
                }
                self.health
                    .assigned
                    .store(!owned.is_empty(), Ordering::Relaxed);
                tracing::info!(
                    added = tpl.count(),
                    owned = owned.len(),
                    "partitions assigned"
                );
            }
            Rebalance::Revoke(tpl) => {
                self.metrics.rebalances.with_label_values(&["revoke"]).inc();
                let mut revoked = self.revoked.lock();
                let mut owned = self.owned.lock();
                for e in tpl.elements() {
                    let key = (e.topic().to_string(), e.partition());
                    owned.remove(&key);
                    revoked.insert(key);
                }
                self.health
                    .assigned
                    .store(!owned.is_empty(), Ordering::Relaxed);
                tracing::info!(
                    revoked = tpl.count(),
                    owned = owned.len(),
                    "partitions revoked"
                );
            }
            Rebalance::Error(e) => {
                self.metrics.rebalances.with_label_values(&["error"]).inc();
                tracing::warn!(error = %e, "rebalance error");
            }
        }
    }
}

/// Producer configuration of exactly-once mode: the idempotent producer plus a transactional id.
fn producer_config(settings: &Settings) -> rdkafka::ClientConfig {
    let d = &settings.delivery;
    let mut c = client::producer_config(&settings.kafka);
    c.set("transactional.id", &d.transactional_id).set(
        "transaction.timeout.ms",
        d.transaction_timeout_ms.to_string(),
    );
    c
}

/// Kafka settings with `isolation.level=read_committed` for every reader.
fn read_committed(settings: &Settings) -> crate::config::KafkaSettings {
    let mut k = settings.kafka.clone();
    k.consumer_properties
        .insert("isolation.level".into(), "read_committed".into());
    k
}

/// Run the exactly-once worker until `stop` resolves or a transaction fails.
pub async fn run(
    settings: Settings,
    metrics: Metrics,
    health: Arc<Health>,
    stop: impl Future<Output = ()>,
) -> Result<()> {
    let shutdown = Arc::new(AtomicBool::new(false));
    let (pool, _) = startup::cpu_pool(&settings.pipeline, false)?;
    let kafka = read_committed(&settings);
    let (state_thread, state_rx) = startup::start_state_log(
        &kafka,
        &settings.topics.state,
        metrics.clone(),
        &health,
        &shutdown,
    )?;
    tokio::pin!(stop);
    if !startup::state_replayed(&health, &shutdown, stop.as_mut()).await {
        return Ok(());
    }

    let producer: FutureProducer = producer_config(&settings)
        .create()
        .context("creating transactional producer")?;
    let ctx = EosContext {
        revoked: Mutex::new(HashSet::new()),
        owned: Mutex::new(HashSet::new()),
        health: Arc::clone(&health),
        metrics: metrics.clone(),
    };
    let mut consumer_cfg = client::consumer_config(&kafka);
    // Offsets are committed only inside transactions.
    consumer_cfg.set("isolation.level", "read_committed");
    let consumer: BaseConsumer<EosContext> =
        startup::connect_consumer(&consumer_cfg, ctx, &settings.topics.input, &health)?;

    let lp = EosLoop {
        sink: Sink::new(producer, settings.topics.clone(), metrics.clone()),
        consumer,
        stateless: StatelessStages::new(&settings.stages, metrics.clone()),
        stateful: StatefulStages::new(&settings.stages, metrics.clone()),
        pool,
        state_rx,
        delivery: settings.delivery.clone(),
        input: settings.topics.input.clone(),
        shutdown: Arc::clone(&shutdown),
        metrics,
        incarnation: format!(
            "{}:{:x}",
            settings.delivery.transactional_id,
            chrono::Utc::now().timestamp_micros()
        ),
        seq: 0,
    };
    let worker = tokio::task::spawn_blocking(move || lp.run());
    tokio::pin!(worker);
    let result = tokio::select! {
        _ = &mut stop => {
            tracing::info!("stopping: finishing the open batch");
            health.draining.store(true, Ordering::Relaxed);
            shutdown.store(true, Ordering::Relaxed);
            (&mut worker).await
        }
        r = &mut worker => r,
    };
    shutdown.store(true, Ordering::Relaxed);
    let _ = tokio::task::spawn_blocking(move || state_thread.join()).await;
    let result = result.map_err(|e| anyhow!("transaction loop: {e}"))?;
    if result.is_err() {
        health.failed.store(true, Ordering::Relaxed);
    }
    result
}

/// The transaction loop and what it owns.
struct EosLoop {
    sink: Sink,
    consumer: BaseConsumer<EosContext>,
    stateless: StatelessStages,
    stateful: StatefulStages,
    pool: rayon::ThreadPool,
    state_rx: crossbeam_channel::Receiver<StateEntry>,
    delivery: DeliverySettings,
    input: String,
    shutdown: Arc<AtomicBool>,
    metrics: Metrics,
    incarnation: String,
    seq: u64,
}

impl EosLoop {
    fn timeout(&self) -> Duration {
        Duration::from_millis(self.delivery.transaction_timeout_ms)
    }

    fn run(mut self) -> Result<()> {
        self.sink
            .producer()
            .init_transactions(self.timeout())
            .context("init_transactions (does the broker support transactions?)")?;
        self.consumer
            .subscribe(&[&self.input])
            .context("subscribing")?;
        tracing::info!(topic = %self.input, transactional_id = %self.delivery.transactional_id, "consuming (exactly-once)");
        while !self.shutdown.load(Ordering::Relaxed) {
            let batch = self.collect();
            if batch.is_empty() {
                continue;
            }
            if let Err(e) = self.transact(batch) {
                tracing::error!(error = %format!("{e:#}"), "transaction failed; aborting and stopping (uncommitted input will be processed again after restart)");
                let _ = self.sink.producer().abort_transaction(self.timeout());
                return Err(e);
            }
        }
        tracing::info!("drained; leaving the group");
        self.consumer.unsubscribe();
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            let _ = self.consumer.poll(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Poll until the batch is full, its time is up, or shutdown; drop messages of partitions
    /// revoked meanwhile.
    fn collect(&mut self) -> Vec<InputMessage> {
        let mut batch: Vec<InputMessage> = Vec::new();
        let deadline = Instant::now() + Duration::from_millis(self.delivery.max_batch_ms);
        while batch.len() < self.delivery.max_batch_messages
            && Instant::now() < deadline
            && !self.shutdown.load(Ordering::Relaxed)
        {
            match self.consumer.poll(Duration::from_millis(50)) {
                None => {}
                Some(Err(e)) => tracing::warn!(error = %e, "consumer error"),
                Some(Ok(m)) => {
                    self.metrics.consumed.inc();
                    batch.push(to_input(&m));
                }
            }
            let revoked = std::mem::take(&mut *self.consumer.context().revoked.lock());
            if !revoked.is_empty() {
                let before = batch.len();
                batch.retain(|m| !revoked.contains(&(m.coords.topic.clone(), m.coords.partition)));
                tracing::info!(
                    dropped = before - batch.len(),
                    "dropped uncommitted input of revoked partitions"
                );
            }
        }
        batch
    }

    /// Process one batch inside one transaction.
    fn transact(&mut self, batch: Vec<InputMessage>) -> Result<()> {
        while let Ok(entry) = self.state_rx.try_recv() {
            self.stateful.apply_state(&entry);
        }
        let stages = &self.stateless;
        let prepared: Vec<_> = self
            .pool
            .install(|| batch.into_par_iter().map(|m| stages.prepare(m)).collect());
        let mut next: BTreeMap<(String, i32), i64> = BTreeMap::new();
        self.seq += 1;
        let txn = format!("{}:{}", self.incarnation, self.seq).into_bytes();
        let producer = self.sink.producer().clone();
        producer
            .begin_transaction()
            .map_err(|e| anyhow!("begin_transaction: {e}"))?;
        let now = chrono::Utc::now();
        let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
        for p in prepared {
            let key = (p.msg.coords.topic.clone(), p.msg.coords.partition);
            let offset = p.msg.coords.offset + 1;
            next.entry(key)
                .and_modify(|o| *o = (*o).max(offset))
                .or_insert(offset);
            let msg = p.msg;
            let records = self.stateful.resolve(&msg, p.outcome, now);
            for r in &records {
                *kinds.entry(r.kind.as_str()).or_insert(0) += 1;
            }
            self.enqueue(&msg, records, &txn)?;
        }
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), offset) in &next {
            tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset))
                .map_err(|e| anyhow!("offset list: {e}"))?;
        }
        let cgm = self
            .consumer
            .group_metadata()
            .ok_or_else(|| anyhow!("consumer has no group metadata"))?;
        producer
            .send_offsets_to_transaction(&tpl, &cgm, self.timeout())
            .map_err(|e| anyhow!("send_offsets_to_transaction: {e}"))?;
        let mut attempts = 0;
        loop {
            match producer.commit_transaction(self.timeout()) {
                Ok(()) => break,
                Err(KafkaError::Transaction(e)) if e.is_retriable() && attempts < 5 => {
                    attempts += 1;
                    tracing::warn!(error = %e, attempts, "commit_transaction retriable error; retrying");
                    std::thread::sleep(Duration::from_millis(200 * attempts));
                }
                Err(e) => bail!("commit_transaction: {e}"),
            }
        }
        self.metrics.commits.inc();
        for (kind, n) in kinds {
            self.metrics.produced.with_label_values(&[kind]).inc_by(n);
        }
        Ok(())
    }

    /// Enqueue the records of one input message; a record the client refuses as too large is
    /// replaced by a dead letter (without the payload if that is too large as well).
    fn enqueue(&self, msg: &InputMessage, records: Vec<OutputRecord>, txn: &[u8]) -> Result<()> {
        let tag = |mut r: OutputRecord| {
            r.headers.push(("sift.txn".into(), txn.to_vec()));
            r
        };
        let mut too_large = None;
        for r in records {
            // Delivery is confirmed by commit_transaction, which fails if any record failed.
            let enq = self.sink.enqueue_or_refuse(tag(r));
            match enq.refusal() {
                None => {}
                Some(Refusal::TooLarge(e)) => too_large = Some((e, enq.record().clone())),
                Some(Refusal::Fatal(e)) => bail!("producer: {e}"),
            }
        }
        let Some((error, refused)) = too_large else {
            return Ok(());
        };
        let letters = too_large_dead_letters(msg, &refused, &error, chrono::Utc::now());
        self.metrics
            .rejected
            .with_label_values(&[letters.kind.as_str()])
            .inc();
        if let Some(full) = letters.with_payload
            && self.sink.enqueue_or_refuse(tag(full)).refusal().is_none()
        {
            return Ok(());
        }
        match self
            .sink
            .enqueue_or_refuse(tag(letters.without_payload))
            .refusal()
        {
            None => Ok(()),
            Some(r) => bail!("dead letter refused: {r:?}"),
        }
    }
}
