//! The output side: an idempotent producer, enqueued in pipeline order by the sequencer,
//! acknowledged asynchronously. Failed deliveries are retried until they succeed; a record the
//! broker refuses as too large becomes a dead letter. No input offset completes before every
//! record it produced is acknowledged.

use crate::config::TopicSettings;
use crate::decode::RejectKind;
use crate::message::InputMessage;
use crate::metrics::Metrics;
use crate::pipeline::records::rejected_record;
use crate::pipeline::{OutputKind, OutputRecord};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer};
use std::sync::Arc;
use std::time::Duration;

/// Why a record could not be delivered.
#[derive(Debug)]
pub enum DeliveryError {
    /// The broker (or the client's `message.max.bytes`) refuses a record this large.
    TooLarge(KafkaError),
    /// The producer is unusable (fatal idempotence error, or dropped).
    Fatal(String),
}

/// A record handed to the producer, with its delivery report to await.
pub struct Enqueued {
    record: Arc<OutputRecord>,
    outcome: Result<DeliveryFuture, DeliveryError>,
}

/// Why the producer refused a record at enqueue time.
#[derive(Debug)]
pub enum Refusal {
    /// Larger than the client's `message.max.bytes`.
    TooLarge(String),
    /// The producer is unusable.
    Fatal(String),
}

impl Enqueued {
    /// The record.
    pub fn record(&self) -> &OutputRecord {
        &self.record
    }

    /// Why the producer refused this record when it was enqueued, if it did.
    pub fn refusal(&self) -> Option<Refusal> {
        match &self.outcome {
            Ok(_) => None,
            Err(DeliveryError::TooLarge(e)) => Some(Refusal::TooLarge(e.to_string())),
            Err(DeliveryError::Fatal(e)) => Some(Refusal::Fatal(e.clone())),
        }
    }
}

/// Producers plus the topic names of each output: one producer for everything, or a second
/// one of its own for state entries.
#[derive(Clone)]
pub struct Sink {
    producer: FutureProducer,
    state_producer: FutureProducer,
    topics: Arc<TopicSettings>,
    metrics: Metrics,
}

impl Sink {
    /// Wrap a producer that writes every record, state entries included.
    pub fn new(producer: FutureProducer, topics: TopicSettings, metrics: Metrics) -> Self {
        Self::with_state_producer(producer.clone(), producer, topics, metrics)
    }

    /// Wrap two producers: `state_producer` writes state entries, `producer` everything else.
    /// Each has its own connection and batching, so state entries (on every page's critical
    /// path, see `kafka::Produced`) never wait in a request behind output records, and each can
    /// have its own linger.
    pub fn with_state_producer(
        producer: FutureProducer,
        state_producer: FutureProducer,
        topics: TopicSettings,
        metrics: Metrics,
    ) -> Self {
        Self {
            producer,
            state_producer,
            topics: Arc::new(topics),
            metrics,
        }
    }

    /// The topic name of an output.
    pub fn topic(&self, kind: OutputKind) -> &str {
        let t = &self.topics;
        match kind {
            OutputKind::Clean => &t.clean,
            OutputKind::Duplicates => &t.duplicates,
            OutputKind::Rejected => &t.rejected,
            OutputKind::Events => &t.events,
            OutputKind::State => &t.state,
        }
    }

    /// The producer of every record but state entries (of every record when the sink was made
    /// with [`Sink::new`]).
    pub fn producer(&self) -> &FutureProducer {
        &self.producer
    }

    /// The producer of records of `kind`.
    fn producer_of(&self, kind: OutputKind) -> &FutureProducer {
        match kind {
            OutputKind::State => &self.state_producer,
            _ => &self.producer,
        }
    }

    /// Enqueue one record now (blocking while the producer queue is full), preserving the
    /// caller's order. Call from a plain thread, not an async task.
    pub fn enqueue_blocking(&self, record: OutputRecord) -> Enqueued {
        let record = Arc::new(record);
        loop {
            let outcome = match self.try_send(&record) {
                Ok(rx) => Ok(rx),
                Err(Retry::QueueFull) => {
                    std::thread::sleep(QUEUE_FULL_WAIT);
                    continue;
                }
                Err(Retry::Transient) => {
                    std::thread::sleep(TRANSIENT_WAIT);
                    continue;
                }
                Err(Retry::Failed(e)) => Err(e),
            };
            return Enqueued { record, outcome };
        }
    }

    /// Enqueue one record from an async task, waiting (without blocking the runtime) while
    /// the producer queue is full. Records enqueued one after another by one task keep their
    /// order.
    pub async fn enqueue(&self, record: OutputRecord) -> Enqueued {
        let record = Arc::new(record);
        let outcome = self.send_retrying(&record).await;
        Enqueued { record, outcome }
    }

    async fn send_retrying(&self, record: &OutputRecord) -> Result<DeliveryFuture, DeliveryError> {
        loop {
            match self.try_send(record) {
                Ok(rx) => return Ok(rx),
                Err(Retry::QueueFull) => tokio::time::sleep(QUEUE_FULL_WAIT).await,
                Err(Retry::Transient) => tokio::time::sleep(TRANSIENT_WAIT).await,
                Err(Retry::Failed(e)) => return Err(e),
            }
        }
    }

    /// Enqueue one record, waiting only while the producer queue is full; any other error is
    /// returned as a refusal (exactly-once mode: a transaction in error must not be retried
    /// into).
    pub fn enqueue_or_refuse(&self, record: OutputRecord) -> Enqueued {
        let record = Arc::new(record);
        loop {
            let outcome = match self.send_now(&record) {
                Ok(rx) => Ok(rx),
                Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                Err(e) if is_too_large(&e) => Err(DeliveryError::TooLarge(e)),
                Err(e) => Err(DeliveryError::Fatal(e.to_string())),
            };
            return Enqueued { record, outcome };
        }
    }

    fn try_send(&self, record: &OutputRecord) -> Result<DeliveryFuture, Retry> {
        match self.send_now(record) {
            Ok(fut) => Ok(fut),
            Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {
                Err(Retry::QueueFull)
            }
            Err(e) if is_too_large(&e) => Err(Retry::Failed(DeliveryError::TooLarge(e))),
            Err(e) => {
                if let Some(fatal) = self.fatal(record.kind) {
                    return Err(Retry::Failed(DeliveryError::Fatal(fatal)));
                }
                self.metrics
                    .delivery_failures
                    .with_label_values(&[error_label(&e)])
                    .inc();
                tracing::warn!(error = %e, "enqueue failed; retrying");
                Err(Retry::Transient)
            }
        }
    }

    fn send_now(&self, record: &OutputRecord) -> Result<DeliveryFuture, KafkaError> {
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
        for (k, v) in &record.headers {
            headers = headers.insert(Header {
                key: k,
                value: Some(v.as_slice()),
            });
        }
        let fr = FutureRecord::to(self.topic(record.kind))
            .key(record.key.as_bytes())
            .payload(record.value.as_slice())
            .headers(headers);
        self.producer_of(record.kind)
            .send_result(fr)
            .map_err(|(e, _)| e)
    }

    fn fatal(&self, kind: OutputKind) -> Option<String> {
        self.producer_of(kind)
            .client()
            .fatal_error()
            .map(|(code, reason)| format!("{code}: {reason}"))
    }

    /// Await one enqueued record, re-sending it until the broker acknowledges it.
    pub async fn confirm(&self, enq: Enqueued) -> Result<(), DeliveryError> {
        let Enqueued { record, outcome } = enq;
        let mut rx = outcome?;
        let mut backoff = Duration::from_millis(100);
        loop {
            match rx.await {
                Ok(Ok(_)) => {
                    self.metrics
                        .produced
                        .with_label_values(&[record.kind.as_str()])
                        .inc();
                    return Ok(());
                }
                Ok(Err((e, _))) if is_too_large(&e) => return Err(DeliveryError::TooLarge(e)),
                Ok(Err((e, _))) => {
                    if let Some(fatal) = self.fatal(record.kind) {
                        return Err(DeliveryError::Fatal(fatal));
                    }
                    self.metrics
                        .delivery_failures
                        .with_label_values(&[error_label(&e)])
                        .inc();
                    tracing::warn!(error = %e, topic = self.topic(record.kind), "delivery failed; retrying");
                }
                Err(_) => return Err(DeliveryError::Fatal("delivery report dropped".into())),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
            rx = self.send_retrying(&record).await?;
        }
    }

    /// Deliver every record of one input message. A record refused as too large is replaced
    /// by a dead letter for the message (with the payload when that fits, without otherwise).
    pub async fn confirm_all(
        &self,
        msg: &InputMessage,
        enqueued: Vec<Enqueued>,
    ) -> Result<(), DeliveryError> {
        let mut too_large = None;
        for enq in enqueued {
            let record = Arc::clone(&enq.record);
            match self.confirm(enq).await {
                Ok(()) => {}
                Err(DeliveryError::TooLarge(e)) => too_large = Some((e, record)),
                Err(fatal) => return Err(fatal),
            }
        }
        let Some((e, refused)) = too_large else {
            return Ok(());
        };
        let letters = too_large_dead_letters(msg, &refused, &e.to_string(), chrono::Utc::now());
        self.metrics
            .rejected
            .with_label_values(&[letters.kind.as_str()])
            .inc();
        if let Some(full) = letters.with_payload {
            match self.confirm(self.enqueue(full).await).await {
                Err(DeliveryError::TooLarge(_)) => {}
                other => return other,
            }
        }
        self.confirm(self.enqueue(letters.without_payload).await)
            .await
    }
}

/// Dead letters replacing an input whose output record was refused as too large.
pub struct TooLargeDeadLetters {
    /// The reject kind they carry.
    pub kind: RejectKind,
    /// A dead letter with the original payload (absent when the refused record was already the
    /// input's dead letter, which carries the payload).
    pub with_payload: Option<OutputRecord>,
    /// The same dead letter without the payload, if that is too large as well.
    pub without_payload: OutputRecord,
}

/// Build the dead letters for `msg` after `refused` (one of its output records) was refused as
/// too large. When `refused` was itself a dead letter (a rejection whose payload made it too
/// large), its original kind and reason are kept, so `body_too_large` stays `body_too_large`;
/// otherwise the kind is `record_too_large`.
pub fn too_large_dead_letters(
    msg: &InputMessage,
    refused: &OutputRecord,
    error: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> TooLargeDeadLetters {
    let header = |name: &str| {
        refused
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    let original = (refused.kind == OutputKind::Rejected)
        .then(|| header("sift.error.kind"))
        .flatten()
        .and_then(|k| RejectKind::ALL.into_iter().find(|r| r.as_str() == k));
    let (kind, reason) = match original {
        Some(kind) => (kind, header("sift.error.message").unwrap_or_default()),
        None => (
            RejectKind::RecordTooLarge,
            format!("an output record was refused by the broker: {error}"),
        ),
    };
    let with_payload = original
        .is_none()
        .then(|| rejected_record(msg, kind, &reason, now));
    let mut bare = msg.clone();
    let size = bare.payload.len();
    bare.payload.clear();
    let note =
        format!("{reason}; original payload ({size} bytes) omitted, too large for a dead letter");
    TooLargeDeadLetters {
        kind,
        with_payload,
        without_payload: rejected_record(&bare, kind, &note, now),
    }
}

/// How long to wait before re-trying an enqueue refused because the producer queue is full.
const QUEUE_FULL_WAIT: Duration = Duration::from_millis(2);
/// How long to wait before re-trying an enqueue that failed for another transient reason.
const TRANSIENT_WAIT: Duration = Duration::from_millis(100);

enum Retry {
    /// The producer queue is full: wait for deliveries.
    QueueFull,
    /// Another error the producer may get over (logged and counted).
    Transient,
    /// Not worth retrying.
    Failed(DeliveryError),
}

fn is_too_large(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(RDKafkaErrorCode::MessageSizeTooLarge) | Some(RDKafkaErrorCode::InvalidMessageSize)
    )
}

fn error_label(e: &KafkaError) -> &'static str {
    match e.rdkafka_error_code() {
        Some(RDKafkaErrorCode::MessageTimedOut) => "timed_out",
        Some(RDKafkaErrorCode::UnknownTopicOrPartition) | Some(RDKafkaErrorCode::UnknownTopic) => {
            "unknown_topic"
        }
        Some(RDKafkaErrorCode::BrokerTransportFailure) | Some(RDKafkaErrorCode::AllBrokersDown) => {
            "broker_down"
        }
        Some(RDKafkaErrorCode::QueueFull) => "queue_full",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::InputCoords;

    fn msg() -> InputMessage {
        InputMessage::from_payload(
            vec![b'x'; 100],
            InputCoords {
                topic: "in".into(),
                partition: 1,
                offset: 7,
            },
        )
    }

    /// A producer that never reaches a broker: records stay queued, countable.
    fn unconnected_producer(id: &str) -> FutureProducer {
        rdkafka::ClientConfig::new()
            .set("bootstrap.servers", "127.0.0.1:1")
            .set("client.id", id)
            .set("message.timeout.ms", "60000")
            .create()
            .unwrap()
    }

    fn record(kind: OutputKind) -> OutputRecord {
        OutputRecord {
            kind,
            key: "k".into(),
            value: b"{}".to_vec(),
            headers: Vec::new(),
        }
    }

    #[test]
    fn state_entries_go_to_the_state_producer_and_the_rest_to_the_other() {
        let out = unconnected_producer("out");
        let state = unconnected_producer("state");
        let topics = crate::config::Settings::load_from(None, Vec::new())
            .unwrap()
            .topics;
        let sink = Sink::with_state_producer(out.clone(), state.clone(), topics, Metrics::new());
        let a = sink.enqueue_blocking(record(OutputKind::State));
        let b = sink.enqueue_blocking(record(OutputKind::Clean));
        let c = sink.enqueue_blocking(record(OutputKind::Events));
        assert!(a.refusal().is_none() && b.refusal().is_none() && c.refusal().is_none());
        assert_eq!(state.in_flight_count(), 1);
        assert_eq!(out.in_flight_count(), 2);
        // One producer for everything when made with `new`.
        let single = unconnected_producer("single");
        let topics = crate::config::Settings::load_from(None, Vec::new())
            .unwrap()
            .topics;
        let sink = Sink::new(single.clone(), topics, Metrics::new());
        let _ = sink.enqueue_blocking(record(OutputKind::State));
        let _ = sink.enqueue_blocking(record(OutputKind::Clean));
        assert_eq!(single.in_flight_count(), 2);
        for p in [out, state, single] {
            p.purge(rdkafka::producer::PurgeConfig::default().queue());
        }
    }

    #[test]
    fn a_too_large_dead_letter_keeps_its_original_reason() {
        let now = chrono::Utc::now();
        let refused = rejected_record(&msg(), RejectKind::BodyTooLarge, "body is 11 MB", now);
        let l = too_large_dead_letters(&msg(), &refused, "Broker: message too large", now);
        assert_eq!(l.kind, RejectKind::BodyTooLarge);
        assert!(
            l.with_payload.is_none(),
            "the refused record already had the payload"
        );
        let v: serde_json::Value = serde_json::from_slice(&l.without_payload.value).unwrap();
        assert_eq!(v["error"]["kind"], "body_too_large");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("body is 11 MB")
        );
        assert_eq!(v["payload_base64"], "");
    }

    #[test]
    fn a_too_large_output_becomes_record_too_large() {
        let now = chrono::Utc::now();
        let refused = OutputRecord {
            kind: OutputKind::Clean,
            key: "k".into(),
            value: vec![b'{'; 10],
            headers: Vec::new(),
        };
        let l = too_large_dead_letters(&msg(), &refused, "Broker: message too large", now);
        assert_eq!(l.kind, RejectKind::RecordTooLarge);
        let full = l.with_payload.expect("first try keeps the payload");
        let v: serde_json::Value = serde_json::from_slice(&full.value).unwrap();
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("too large")
        );
        assert!(!v["payload_base64"].as_str().unwrap().is_empty());
    }
}
