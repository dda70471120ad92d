//! Crashes and broker restarts against a real broker (tansu on SQLite) with `sift run`
//! processes: kill -9 at random points under continuous load, and a broker restart mid-stream.

mod common;

use common::*;
use rdkafka::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A small deterministic RNG (xorshift64*), seeded from SIFT_TEST_SEED or the clock.
pub struct Rng(u64);

impl Rng {
    pub fn from_env() -> (Rng, u64) {
        let seed = std::env::var("SIFT_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(7)
            });
        (Rng(seed | 1), seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Produces synthetic pages round-robin until stopped; records every delivered (partition, offset).
struct LoadGenerator {
    stop: Arc<AtomicBool>,
    produced: Arc<Mutex<Vec<(i32, i64)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LoadGenerator {
    fn start(brokers: String, prefix: &'static str, per_second: usize) -> LoadGenerator {
        let stop = Arc::new(AtomicBool::new(false));
        let produced = Arc::new(Mutex::new(Vec::new()));
        let (s, p) = (Arc::clone(&stop), Arc::clone(&produced));
        let thread = std::thread::spawn(move || {
            let rt = rt();
            let producer: FutureProducer = ClientConfig::new()
                .set("bootstrap.servers", &brokers)
                .set("enable.idempotence", "true")
                .set("linger.ms", "5")
                .set("message.timeout.ms", "60000")
                .create()
                .expect("producer");
            let batch = (per_second / 10).max(1);
            let mut n = 0usize;
            while !s.load(Ordering::Relaxed) {
                let pages = synthetic_pages(&format!("{prefix}{n}"), batch);
                let futs: Vec<_> = pages
                    .iter()
                    .map(|pl| {
                        producer.send(
                            FutureRecord::<(), _>::to(INPUT).payload(pl.as_slice()),
                            Duration::from_secs(60),
                        )
                    })
                    .collect();
                rt.block_on(async {
                    for f in futs {
                        if let Ok(d) = f.await {
                            p.lock().unwrap().push((d.partition, d.offset));
                        }
                    }
                });
                n += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        LoadGenerator {
            stop,
            produced,
            thread: Some(thread),
        }
    }

    fn count(&self) -> usize {
        self.produced.lock().unwrap().len()
    }

    fn finish(mut self) -> Vec<(i32, i64)> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("load generator");
        }
        self.produced.lock().unwrap().clone()
    }
}

const FAST: [(&str, &str); 2] = [
    ("SIFT__KAFKA__SESSION_TIMEOUT_MS", "6000"),
    ("SIFT__PIPELINE__DRAIN_TIMEOUT_MS", "2000"),
];

#[test]
fn twenty_kill_9_at_random_points_under_load_account_for_every_input() {
    let rounds: usize = std::env::var("SIFT_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let (mut rng, seed) = Rng::from_env();
    eprintln!("crash test seed {seed} (SIFT_TEST_SEED={seed} reproduces the kill points)");
    let broker = Broker::start();
    broker.create_topics(3);
    let started = Instant::now();
    let load = LoadGenerator::start(broker.brokers(), "crash", 200);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for round in 0..rounds {
        let mut w = Worker::start(&broker, "g-crash", &FAST);
        // Kill points: during start-up/replay, right after ready, or after random progress.
        let kind = match rng.below(5) {
            0 => {
                std::thread::sleep(Duration::from_millis(100 + rng.below(700)));
                "startup"
            }
            1 => {
                assert!(
                    w.wait_ready(Duration::from_secs(60)),
                    "round {round}: {}",
                    w.log_text()
                );
                "ready"
            }
            _ => {
                assert!(
                    w.wait_ready(Duration::from_secs(60)),
                    "round {round}: {}",
                    w.log_text()
                );
                let want = 1.0 + rng.below(400) as f64;
                let deadline = Instant::now() + Duration::from_secs(30);
                while w.metric("sift_records_consumed_total").unwrap_or(0.0) < want
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                std::thread::sleep(Duration::from_millis(rng.below(300)));
                "processing"
            }
        };
        *kinds.entry(kind).or_insert(0) += 1;
        w.kill9();
    }
    let produced = load.finish();
    let w = Worker::start(&broker, "g-crash", &FAST);
    assert!(
        w.wait_ready(Duration::from_secs(60)),
        "final: {}",
        w.log_text()
    );
    let seen = broker.wait_accounted(&produced, Duration::from_secs(240));
    let missing: Vec<_> = produced.iter().filter(|k| !seen.contains_key(k)).collect();
    let duplicated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    let extra_records: usize = duplicated.iter().map(|(_, n)| **n - 1).sum();
    eprintln!(
        "kill -9 x{rounds} ({kinds:?}) in {:.0}s: {} inputs, {} missing, {} inputs redelivered ({} extra records)",
        started.elapsed().as_secs_f64(),
        produced.len(),
        missing.len(),
        duplicated.len(),
        extra_records
    );
    assert!(
        missing.is_empty(),
        "missing {:?}",
        &missing[..missing.len().min(20)]
    );

    // Every redelivered input has the same key, page id, verdict and event each time.
    let mut by_input: BTreeMap<(i32, i64), Vec<Record>> = BTreeMap::new();
    for topic in [CLEAN, DUPLICATES, REJECTED] {
        for r in broker.read_all(topic, Duration::from_secs(1)) {
            let k = (
                r.value["input"]["partition"].as_i64().unwrap_or(-1) as i32,
                r.value["input"]["offset"].as_i64().unwrap_or(-1),
            );
            by_input.entry(k).or_default().push(r);
        }
    }
    let mut checked = 0;
    for (input, recs) in by_input.iter().filter(|(_, v)| v.len() > 1) {
        let first = &recs[0];
        for r in &recs[1..] {
            assert_eq!(r.topic, first.topic, "{input:?} changed topic");
            assert_eq!(r.key, first.key, "{input:?} changed key");
            assert_eq!(r.value["page_id"], first.value["page_id"], "{input:?}");
            assert_eq!(r.value["dedup"], first.value["dedup"], "{input:?}");
            assert_eq!(
                r.value["event"]["id"], first.value["event"]["id"],
                "{input:?}"
            );
        }
        checked += 1;
    }
    if let Some((input, recs)) = by_input.iter().find(|(_, v)| v.len() > 1) {
        eprintln!(
            "example redelivery {input:?}: {} records, key {:?}, page_id {}, verdict {}",
            recs.len(),
            recs[0].key,
            recs[0].value["page_id"],
            recs[0].value["dedup"]
        );
    }
    eprintln!("{checked} redelivered inputs checked: same topic, key, page id, verdict, event");
}

#[test]
fn broker_restart_mid_stream_the_worker_recovers_by_itself() {
    let mut broker = Broker::start();
    broker.create_topics(3);
    let rt = rt();
    let first = rt.block_on(broker.produce(&synthetic_pages("brs1", 1500)));
    let mut w = Worker::start(&broker, "g-brs", &FAST);
    assert!(w.wait_ready(Duration::from_secs(60)), "{}", w.log_text());
    while w.metric("sift_records_consumed_total").unwrap_or(0.0) < 150.0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    broker.stop();
    std::thread::sleep(Duration::from_secs(3));
    let restarted = Instant::now();
    broker.restart();
    let second = rt.block_on(broker.produce(&synthetic_pages("brs2", 500)));
    let all: Vec<_> = first.iter().chain(&second).copied().collect();
    let seen = broker.wait_accounted(&all, Duration::from_secs(180));
    let secs = restarted.elapsed().as_secs_f64();
    let missing = all.iter().filter(|k| !seen.contains_key(k)).count();
    let twice = seen.values().filter(|&&n| n > 1).count();
    eprintln!(
        "broker restart: {} inputs, {missing} missing, {twice} written twice, all accounted {secs:.1}s after restart",
        all.len()
    );
    assert_eq!(
        w.child.try_wait().ok().flatten(),
        None,
        "worker kept running: {}",
        w.log_text()
    );
    assert_eq!(missing, 0, "{}", w.log_text());
    assert!(w.wait_ready(Duration::from_secs(10)), "ready again");
}
