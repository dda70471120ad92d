//! librdkafka mock-cluster harness: the worker in-process (`sift::kafka::run`) or as a `sift run`
//! subprocess against the mock's loopback listeners, plus readers and committed-offset probes.

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use sift::config::Settings;
use sift::metrics::Metrics;
use sift::ops::Health;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const TOPICS: [&str; 6] = [
    "pages.raw",
    "pages.clean",
    "pages.duplicates",
    "pages.rejected",
    "events",
    "sift.state",
];

/// One output record read back, with its headers.
#[derive(Debug, Clone)]
pub struct Out {
    pub topic: String,
    pub key: Option<String>,
    pub value: serde_json::Value,
    pub headers: BTreeMap<String, String>,
}

pub struct MockHarness {
    pub mock: MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
    pub rt: tokio::runtime::Runtime,
    pub metrics: Metrics,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    worker: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl MockHarness {
    pub fn new(brokers: i32, partitions: i32) -> MockHarness {
        let mock = MockCluster::new(brokers).expect("mock cluster");
        for t in TOPICS {
            mock.create_topic(t, partitions, 1).expect("topic");
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        MockHarness {
            mock,
            rt,
            metrics: Metrics::new(),
            stop: None,
            worker: None,
        }
    }

    pub fn env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "SIFT__KAFKA__BROKERS".to_string(),
                self.mock.bootstrap_servers(),
            ),
            ("SIFT__KAFKA__SESSION_TIMEOUT_MS".into(), "6000".into()),
            ("SIFT__KAFKA__COMMIT_INTERVAL_MS".into(), "100".into()),
            ("SIFT__PIPELINE__DRAIN_TIMEOUT_MS".into(), "2000".into()),
            ("SIFT__PIPELINE__SHUTDOWN_TIMEOUT_MS".into(), "5000".into()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env
    }

    /// Start the worker in-process.
    pub fn start(&mut self, extra: &[(&str, &str)]) {
        let settings = Settings::load_from(None, self.env(extra)).expect("settings");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let health = Arc::new(Health::default());
        let metrics = self.metrics.clone();
        self.worker = Some(self.rt.spawn(async move {
            sift::kafka::run(settings, metrics, health, async {
                let _ = rx.await;
            })
            .await
        }));
        self.stop = Some(tx);
    }

    /// Whether the in-process worker has returned.
    pub fn worker_finished(&self) -> bool {
        self.worker.as_ref().is_none_or(|w| w.is_finished())
    }

    pub fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.worker.take() {
            Some(h) => self.rt.block_on(h).expect("worker task"),
            None => Ok(()),
        }
    }

    pub fn produce(&self, payloads: &[Vec<u8>]) -> Vec<(i32, i64)> {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", self.mock.bootstrap_servers())
            .set("message.max.bytes", "20000000")
            .create()
            .expect("producer");
        self.rt.block_on(async {
            let futs: Vec<_> = payloads
                .iter()
                .map(|p| {
                    producer.send(
                        FutureRecord::<(), _>::to("pages.raw").payload(p.as_slice()),
                        Duration::from_secs(30),
                    )
                })
                .collect();
            let mut out = Vec::new();
            for f in futs {
                let d = f.await.expect("delivered");
                out.push((d.partition, d.offset));
            }
            out
        })
    }

    /// Every record of `topic`, with `isolation.level=read_committed` when asked.
    pub fn read(&self, topic: &str, committed: bool) -> Vec<Out> {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.mock.bootstrap_servers())
            .set("group.id", "reader")
            .set(
                "isolation.level",
                if committed {
                    "read_committed"
                } else {
                    "read_uncommitted"
                },
            )
            .create()
            .expect("reader");
        let md = c
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .expect("metadata");
        let mut tpl = TopicPartitionList::new();
        for t in md.topics() {
            for p in t.partitions() {
                tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
                    .expect("tpl");
            }
        }
        c.assign(&tpl).expect("assign");
        let mut out = Vec::new();
        let mut last = Instant::now();
        while last.elapsed() < Duration::from_millis(800) {
            if let Some(Ok(m)) = c.poll(Duration::from_millis(100)) {
                last = Instant::now();
                let headers = m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|x| {
                                (
                                    x.key.to_string(),
                                    String::from_utf8_lossy(x.value.unwrap_or_default())
                                        .into_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(Out {
                    topic: topic.to_string(),
                    key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    value: serde_json::from_slice(m.payload().unwrap_or_default())
                        .unwrap_or_default(),
                    headers,
                });
            }
        }
        out
    }

    /// Input (partition, offset) → how many records on clean/duplicates/rejected name it.
    pub fn accounted(&self, committed: bool) -> BTreeMap<(i32, i64), usize> {
        let mut seen = BTreeMap::new();
        for t in ["pages.clean", "pages.duplicates", "pages.rejected"] {
            for r in self.read(t, committed) {
                let k = (
                    r.value["input"]["partition"].as_i64().unwrap_or(-1) as i32,
                    r.value["input"]["offset"].as_i64().unwrap_or(-1),
                );
                *seen.entry(k).or_insert(0) += 1;
            }
        }
        seen
    }

    /// Wait until all of `want` are accounted for; returns the final map.
    pub fn wait_accounted(
        &self,
        want: &[(i32, i64)],
        committed: bool,
        timeout: Duration,
    ) -> BTreeMap<(i32, i64), usize> {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.accounted(committed);
            let missing = want.iter().filter(|k| !seen.contains_key(k)).count();
            if missing == 0 || Instant::now() > deadline {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Committed offsets of `group` on the input topic, per partition (absent = none).
    pub fn committed(&self, group: &str, partitions: i32) -> BTreeMap<i32, i64> {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.mock.bootstrap_servers())
            .set("group.id", group)
            .create()
            .expect("probe");
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition("pages.raw", p);
        }
        let mut out = BTreeMap::new();
        if let Ok(got) = c.committed_offsets(tpl, Duration::from_secs(5)) {
            for e in got.elements() {
                if let Offset::Offset(o) = e.offset() {
                    out.insert(e.partition(), o);
                }
            }
        }
        out
    }
}

/// Plain-text envelopes `{prefix}-{i}` with `words` words each.
pub fn text_pages(prefix: &str, n: usize, words: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let body: String = (0..words)
                .map(|w| format!("word{} ", (i * 31 + w * 7) % 997))
                .collect();
            serde_json::to_vec(&serde_json::json!({
                "id": format!("{prefix}-{i}"),
                "content_type": "text/plain",
                "fetched_at": "2026-11-20T10:00:00Z",
                "body": format!("Headline number {i} of the test\n\n{body}.\n"),
            }))
            .expect("json")
        })
        .collect()
}
