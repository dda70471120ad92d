//! Test harness: a real tansu broker on loopback, `sift run` worker processes, and helpers to
//! produce input and read every output topic back.
#![allow(dead_code)]

pub mod load;
pub mod mock;

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Topic names used by every test (the defaults).
pub const INPUT: &str = "pages.raw";
pub const CLEAN: &str = "pages.clean";
pub const DUPLICATES: &str = "pages.duplicates";
pub const REJECTED: &str = "pages.rejected";
pub const EVENTS: &str = "events";
pub const STATE: &str = "sift.state";

/// Message headers as (name, value) pairs.
pub type Headers = Vec<(String, Vec<u8>)>;

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Path of the tansu binary: $SIFT_TANSU_BIN, else the cache `scripts/ensure-tansu.sh` fills.
pub fn tansu_bin() -> PathBuf {
    if let Ok(p) = std::env::var("SIFT_TANSU_BIN") {
        return PathBuf::from(p);
    }
    let cache = std::env::var("SIFT_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/sift")
        });
    let bin = cache.join("tansu/bin/tansu");
    assert!(
        bin.exists(),
        "no tansu broker at {}: run `make test` (or scripts/ensure-tansu.sh) first",
        bin.display()
    );
    bin
}

/// A tansu broker with SQLite storage in a temp dir; stopped on drop.
pub struct Broker {
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// Port advertised to clients (the listener's own unless a proxy fronts it).
    pub advertised: u16,
    child: Option<Child>,
}

impl Broker {
    pub fn start() -> Broker {
        let port = free_port();
        Self::start_on(port, port)
    }

    /// A broker that advertises `advertised` (e.g. a TLS proxy in front of it) to clients.
    pub fn start_advertising(advertised: u16) -> Broker {
        Self::start_on(free_port(), advertised)
    }

    fn start_on(port: u16, advertised: u16) -> Broker {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = Broker {
            dir,
            port,
            advertised,
            child: None,
        };
        b.spawn();
        b
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("tansu.log"))
            .expect("log");
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let advertised = format!("tcp://127.0.0.1:{}", self.advertised);
        let child = Command::new(tansu_bin())
            .current_dir(self.dir.path())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &advertised,
            ])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn tansu");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("tansu did not start on port {}", self.port);
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stop the broker process (SIGKILL), keeping its storage.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port and storage.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Create the sift topics with `partitions` partitions each.
    pub fn create_topics(&self, partitions: i32) {
        let out = Command::new(env!("CARGO_BIN_EXE_sift"))
            .args(["topics", "--partitions", &partitions.to_string()])
            .env("SIFT__KAFKA__BROKERS", self.brokers())
            .env("SIFT__LOG__LEVEL", "warn")
            .output()
            .expect("sift topics");
        assert!(
            out.status.success(),
            "sift topics: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn producer(&self) -> FutureProducer {
        ClientConfig::new()
            .set("bootstrap.servers", self.brokers())
            .set("enable.idempotence", "true")
            .set("linger.ms", "5")
            .create()
            .expect("producer")
    }

    /// Produce payloads (value only) round-robin over partitions; returns (partition, offset)s.
    pub async fn produce(&self, payloads: &[Vec<u8>]) -> Vec<(i32, i64)> {
        self.produce_with_headers(payloads.iter().map(|p| (p.clone(), vec![])).collect())
            .await
    }

    pub async fn produce_with_headers(&self, msgs: Vec<(Vec<u8>, Headers)>) -> Vec<(i32, i64)> {
        let producer = self.producer();
        let partitions = self.partitions(INPUT);
        let mut futs = Vec::new();
        for (i, (payload, headers)) in msgs.iter().enumerate() {
            let mut h = OwnedHeaders::new();
            for (k, v) in headers {
                h = h.insert(Header {
                    key: k,
                    value: Some(v.as_slice()),
                });
            }
            let rec = FutureRecord::<(), _>::to(INPUT)
                .payload(payload.as_slice())
                .partition(i as i32 % partitions)
                .headers(h);
            futs.push(producer.send(rec, Duration::from_secs(30)));
        }
        let mut out = Vec::new();
        for f in futs {
            let d = f.await.expect("delivered");
            out.push((d.partition, d.offset));
        }
        out
    }

    /// Produce payloads to one partition of the input topic.
    pub async fn produce_to(&self, partition: i32, payloads: &[Vec<u8>]) -> Vec<(i32, i64)> {
        let producer = self.producer();
        let mut out = Vec::new();
        for p in payloads {
            let rec = FutureRecord::<(), _>::to(INPUT)
                .payload(p.as_slice())
                .partition(partition);
            let d = producer
                .send(rec, Duration::from_secs(30))
                .await
                .expect("delivered");
            out.push((d.partition, d.offset));
        }
        out
    }

    pub fn partitions(&self, topic: &str) -> i32 {
        let c = self.reader();
        let md = c
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .expect("metadata");
        md.topics()
            .iter()
            .find(|t| t.name() == topic)
            .map(|t| t.partitions().len() as i32)
            .unwrap_or(0)
    }

    fn reader(&self) -> BaseConsumer {
        ClientConfig::new()
            .set("bootstrap.servers", self.brokers())
            .set("group.id", "sift-test-reader")
            .set("enable.auto.commit", "false")
            // tansu 0.6 sleeps out part of the fetch wait even when data is there: keep it
            // short, and take big chunks (dead letters and HTML pages are large).
            .set("fetch.wait.max.ms", "10")
            .set("max.partition.fetch.bytes", "16777216")
            .set("fetch.max.bytes", "67108864")
            .create()
            .expect("reader")
    }

    /// Every record on `topic` up to the end offsets it has when the read starts. Stops early
    /// only when nothing arrives for `idle` (at least 30 s: tansu can pause a fetch for seconds
    /// under load, and an idle-based stop then silently skips whole partitions).
    pub fn read_all(&self, topic: &str, idle: Duration) -> Vec<Record> {
        let c = self.reader();
        let mut tpl = TopicPartitionList::new();
        let mut remaining: BTreeMap<i32, i64> = BTreeMap::new();
        for p in 0..self.partitions(topic) {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .expect("tpl");
            let (low, high) = c
                .fetch_watermarks(topic, p, Duration::from_secs(30))
                .expect("watermarks");
            if high > low {
                remaining.insert(p, high);
            }
        }
        c.assign(&tpl).expect("assign");
        let give_up = idle.max(Duration::from_secs(30));
        let mut out = Vec::new();
        let mut last = Instant::now();
        while !remaining.is_empty() && last.elapsed() < give_up {
            match c.poll(Duration::from_millis(100)) {
                Some(Ok(m)) => {
                    last = Instant::now();
                    if remaining
                        .get(&m.partition())
                        .is_some_and(|&end| m.offset() + 1 >= end)
                    {
                        remaining.remove(&m.partition());
                    }
                    out.push(Record {
                        topic: m.topic().to_string(),
                        partition: m.partition(),
                        offset: m.offset(),
                        key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                        value: serde_json::from_slice(m.payload().unwrap_or_default())
                            .unwrap_or(serde_json::Value::Null),
                    });
                }
                Some(Err(e)) => panic!("read {topic}: {e}"),
                None => {}
            }
        }
        if !remaining.is_empty() {
            eprintln!(
                "read {topic}: gave up after {give_up:?} without records; unread up to {remaining:?}"
            );
        }
        out
    }

    /// Input (partition, offset)s accounted for on clean, duplicates and rejected, with how many
    /// records mention each.
    pub fn accounted(&self, idle: Duration) -> BTreeMap<(i32, i64), usize> {
        let mut seen = BTreeMap::new();
        for topic in [CLEAN, DUPLICATES, REJECTED] {
            for r in self.read_all(topic, idle) {
                let input = &r.value["input"];
                if input["topic"] == INPUT {
                    let key = (
                        input["partition"].as_i64().unwrap_or(-1) as i32,
                        input["offset"].as_i64().unwrap_or(-1),
                    );
                    *seen.entry(key).or_insert(0) += 1;
                }
            }
        }
        seen
    }

    /// Wait until every produced input offset is accounted for, or the timeout passes.
    pub fn wait_accounted(
        &self,
        produced: &[(i32, i64)],
        timeout: Duration,
    ) -> BTreeMap<(i32, i64), usize> {
        let want: BTreeSet<_> = produced.iter().copied().collect();
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.accounted(Duration::from_millis(1500));
            let missing = want.iter().filter(|k| !seen.contains_key(k)).count();
            if missing == 0 || Instant::now() > deadline {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(1500));
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
        // Keep the broker and worker logs of a failed test (or of every test with
        // SIFT_KEEP_TEST_DIRS=1) for diagnosis; the temp dir is deleted otherwise.
        if std::thread::panicking() || std::env::var_os("SIFT_KEEP_TEST_DIRS").is_some() {
            let kept = std::env::temp_dir().join(format!(
                "sift-test-{}-{}",
                std::process::id(),
                self.port
            ));
            if std::fs::rename(self.dir.path(), &kept).is_ok() {
                eprintln!("broker and worker logs kept in {}", kept.display());
            }
        }
    }
}

/// One record read back.
#[derive(Debug, Clone)]
pub struct Record {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<String>,
    pub value: serde_json::Value,
}

/// A `sift run` process.
pub struct Worker {
    pub child: Child,
    pub http_port: u16,
    pub log: PathBuf,
}

impl Worker {
    /// Start a worker against `broker` in consumer group `group`.
    pub fn start(broker: &Broker, group: &str, extra_env: &[(&str, &str)]) -> Worker {
        let http_port = free_port();
        let log = broker
            .dir
            .path()
            .join(format!("worker-{group}-{http_port}.log"));
        let file = std::fs::File::create(&log).expect("log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sift"));
        cmd.arg("run")
            .env("SIFT__KAFKA__BROKERS", broker.brokers())
            .env("SIFT__KAFKA__GROUP_ID", group)
            .env("SIFT__HTTP__HOST", "127.0.0.1")
            .env("SIFT__HTTP__PORT", http_port.to_string())
            .env("SIFT__KAFKA__SESSION_TIMEOUT_MS", "6000")
            // Group watchdog well within the tests' readiness bounds: tansu 0.6 can form a
            // generation in which nobody owns anything after a kill (docs/operations.md). It
            // must exceed the session timeout, which some tests raise.
            .env("SIFT__KAFKA__STALL_REJOIN_MS", {
                let session: u64 = extra_env
                    .iter()
                    .find(|(k, _)| *k == "SIFT__KAFKA__SESSION_TIMEOUT_MS")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(6000);
                (session * 2).max(15000).to_string()
            })
            .env("SIFT__KAFKA__COMMIT_INTERVAL_MS", "200")
            .env("SIFT__KAFKA__STATISTICS_INTERVAL_MS", "1000")
            .env("SIFT__PIPELINE__DRAIN_TIMEOUT_MS", "3000")
            .env("SIFT__PIPELINE__SHUTDOWN_TIMEOUT_MS", "10000")
            .env("SIFT__LOG__LEVEL", "info")
            .stdout(Stdio::from(file.try_clone().expect("log")))
            .stderr(Stdio::from(file));
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn sift");
        Worker {
            child,
            http_port,
            log,
        }
    }

    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.http_port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
        let mut buf = String::new();
        s.read_to_string(&mut buf).ok()?;
        let code = buf.split_whitespace().nth(1)?.parse().ok()?;
        let body = buf.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
        Some((code, body))
    }

    /// Wait for /readyz to answer 200.
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if matches!(self.get("/readyz"), Some((200, _))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// A metric's value (sum over label sets), from /metrics.
    pub fn metric(&self, name: &str) -> Option<f64> {
        let (_, body) = self.get("/metrics")?;
        let mut total = None;
        for line in body.lines() {
            if line.starts_with('#') {
                continue;
            }
            let (series, value) = line.rsplit_once(' ')?;
            let metric = series.split('{').next().unwrap_or(series);
            if metric == name {
                *total.get_or_insert(0.0) += value.parse::<f64>().ok()?;
            }
        }
        total
    }

    /// Input partitions with a lag gauge, i.e. owned by this worker (once statistics came in).
    pub fn owned_partitions(&self) -> usize {
        self.get("/metrics")
            .map(|(_, body)| {
                body.lines()
                    .filter(|l| l.starts_with("sift_consumer_lag{"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Wait until the worker owns all `partitions` input partitions, has no lag on any and
    /// nothing in flight, three checks in a row; true if so before the timeout. Cheaper on the
    /// broker than re-reading the output topics in a loop.
    pub fn wait_caught_up(&self, partitions: i32, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut streak = 0;
        while Instant::now() < deadline {
            let lag = self.metric("sift_consumer_lag");
            let in_flight = self.metric("sift_in_flight_records").unwrap_or(f64::MAX);
            let owned = self.owned_partitions();
            if lag == Some(0.0) && in_flight <= 1.0 && owned == partitions as usize {
                streak += 1;
                if streak >= 3 {
                    return true;
                }
            } else {
                streak = 0;
            }
            std::thread::sleep(Duration::from_millis(1000));
        }
        false
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Send SIGTERM and wait for the exit status.
    pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The seed envelopes, as payloads.
pub fn seed_payloads() -> Vec<Vec<u8>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");
    std::fs::read_to_string(path)
        .expect("shared seeds")
        .lines()
        .map(|l| l.as_bytes().to_vec())
        .collect()
}

/// `n` distinct synthetic article envelopes (HTML and text), with ids `{prefix}-{i}`.
pub fn synthetic_pages(prefix: &str, n: usize) -> Vec<Vec<u8>> {
    synthetic_pages_from(prefix, 0, n)
}

/// Like [`synthetic_pages`] for page numbers `start..start + n` (ids `{prefix}-{i}`); the text
/// depends only on the page number, so the same numbers under another prefix are exact copies.
pub fn synthetic_pages_from(prefix: &str, start: usize, n: usize) -> Vec<Vec<u8>> {
    const WORDS: &[&str] = &[
        "minister",
        "talks",
        "Moscow",
        "ceasefire",
        "council",
        "election",
        "market",
        "storm",
        "court",
        "budget",
        "summit",
        "protest",
        "energy",
        "border",
        "trade",
        "vaccine",
        "festival",
        "strike",
        "reform",
        "satellite",
        "harbour",
        "drought",
        "museum",
        "rail",
    ];
    (start..start + n)
        .map(|i| {
            let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut para = || {
                (0..40)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        WORDS[(x % WORDS.len() as u64) as usize]
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
                    + "."
            };
            let (p1, p2) = (para(), para());
            let id = format!("{prefix}-{i}");
            let env = if i % 2 == 0 {
                serde_json::json!({
                    "id": id,
                    "url": format!("https://news{}.example.com/story/{i}", i % 7),
                    "fetched_at": "2026-11-20T10:00:00Z",
                    "content_type": "text/html; charset=utf-8",
                    "body": format!("<html><head><title>Story {i}</title></head><body><article><h1>Story {i} headline here</h1><p>{p1}</p><p>{p2}</p></article></body></html>"),
                })
            } else {
                serde_json::json!({
                    "id": id,
                    "fetched_at": "2026-11-20T10:00:00Z",
                    "content_type": "text/plain",
                    "body": format!("Story {i} headline for the text page\n\n{p1}\n\n{p2}\n"),
                })
            };
            serde_json::to_vec(&env).expect("json")
        })
        .collect()
}

/// Bad messages of several kinds and the reject reason each must get.
pub fn bad_payloads() -> Vec<(Vec<u8>, &'static str)> {
    vec![
        (b"{not json".to_vec(), "invalid_json"),
        (b"{\"body\": \"bad \xff utf8\"}".to_vec(), "invalid_utf8"),
        (br#"{"body": 12}"#.to_vec(), "invalid_envelope"),
        (br#"{"body_base64": "***"}"#.to_vec(), "invalid_base64"),
        (br#"{"body": ""}"#.to_vec(), "empty_body"),
        (
            br#"{"body": "x", "content_type": "image/png"}"#.to_vec(),
            "unsupported_content_type",
        ),
        (Vec::new(), "empty_body"),
    ]
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn path_exists(p: &Path) -> bool {
    p.exists()
}
