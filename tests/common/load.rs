//! Continuous input for crash and scaling tests, and a small seeded RNG.

use super::*;
use rdkafka::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
pub struct LoadGenerator {
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    produced: Arc<Mutex<Vec<(i32, i64)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LoadGenerator {
    pub fn start(brokers: String, prefix: &'static str, per_second: usize) -> LoadGenerator {
        let stop = Arc::new(AtomicBool::new(false));
        let paused = Arc::new(AtomicBool::new(false));
        let produced = Arc::new(Mutex::new(Vec::new()));
        let (s, p, pause) = (
            Arc::clone(&stop),
            Arc::clone(&produced),
            Arc::clone(&paused),
        );
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
                if pause.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                // Mostly distinct pages; every fifth batch repeats the texts of an earlier
                // batch under new ids (exact duplicates, a few copies per text, as in real
                // feeds; hundreds of copies of one text would only exercise dedup's hot-chain
                // limits).
                let first = if n % 5 == 4 { n / 2 } else { n } * batch;
                let pages = synthetic_pages_from(&format!("{prefix}{n}"), first, batch);
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
            paused,
            produced,
            thread: Some(thread),
        }
    }

    /// Stop producing (after the batch in progress) until [`LoadGenerator::resume`].
    pub fn pause(&self) {
        self.paused.store(true, Ordering::Relaxed);
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::Relaxed);
    }

    pub fn count(&self) -> usize {
        self.produced.lock().unwrap().len()
    }

    pub fn finish(mut self) -> Vec<(i32, i64)> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("load generator");
        }
        self.produced.lock().unwrap().clone()
    }
}
