//! Scaling 1 → 3 → 1 replicas under continuous load against one tansu broker: nothing lost,
//! consumption never stalls longer than a bound, and dedup state is shared (a page seen by one
//! replica is known to the others through the state topic).

mod common;

use common::load::LoadGenerator;
use common::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ENV: [(&str, &str); 3] = [
    ("SIFT__KAFKA__SESSION_TIMEOUT_MS", "6000"),
    ("SIFT__PIPELINE__DRAIN_TIMEOUT_MS", "2000"),
    ("SIFT__KAFKA__STALL_REJOIN_MS", "15000"),
];
/// Longest acceptable pause in output while replicas join or leave. tansu's group coordinator
/// can take ~30 s to finish a rebalance after a member leaves.
const STALL_BOUND: Duration = Duration::from_secs(45);

/// Samples `sift_records_consumed_total` of every worker port it is given, every 250 ms, for the
/// whole test, and keeps the longest time in which no worker's count grew (worker metrics, not
/// topic reads, which are slow on tansu and starve its group coordinator).
struct ProgressWatch {
    ports: Arc<Mutex<Vec<u16>>>,
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    worst: Arc<Mutex<Duration>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn consumed_on(port: u16) -> Option<f64> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.lines()
        .find(|l| l.starts_with("sift_records_consumed_total "))
        .and_then(|l| l.rsplit_once(' ')?.1.parse().ok())
}

impl ProgressWatch {
    fn start() -> ProgressWatch {
        let ports: Arc<Mutex<Vec<u16>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let paused = Arc::new(AtomicBool::new(false));
        let worst = Arc::new(Mutex::new(Duration::ZERO));
        let (p, st, w, pa) = (ports.clone(), stop.clone(), worst.clone(), paused.clone());
        let thread = std::thread::spawn(move || {
            let mut last: HashMap<u16, f64> = HashMap::new();
            let mut last_change: Option<Instant> = None;
            while !st.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                if pa.load(Ordering::Relaxed) {
                    // No input on purpose: no progress is expected; start over on resume.
                    last_change = None;
                    continue;
                }
                let ports = p.lock().unwrap().clone();
                for port in ports {
                    if let Some(n) = consumed_on(port) {
                        let prev = last.insert(port, n).unwrap_or(0.0);
                        if n > prev {
                            last_change = Some(Instant::now());
                        }
                    }
                }
                if let Some(t) = last_change {
                    let mut worst = w.lock().unwrap();
                    *worst = (*worst).max(t.elapsed());
                }
            }
        });
        ProgressWatch {
            ports,
            stop,
            paused,
            worst,
            thread: Some(thread),
        }
    }

    /// Stop measuring (input deliberately paused) until [`ProgressWatch::resume`].
    fn pause(&self) {
        self.paused.store(true, Ordering::Relaxed);
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::Relaxed);
    }

    fn add(&self, w: &Worker) {
        self.ports.lock().unwrap().push(w.http_port);
    }

    /// Longest pause so far, and reset.
    fn take(&self) -> Duration {
        std::mem::take(&mut *self.worst.lock().unwrap())
    }

    fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn envelope(id: &str, body: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "url": format!("https://scale.example.org/{id}"),
        "fetched_at": "2026-11-20T10:00:00Z",
        "content_type": "text/plain",
        "body": body,
    }))
    .unwrap()
}

#[test]
fn scale_1_to_3_to_1_under_load_loses_nothing_never_stalls_and_shares_state() {
    let broker = Broker::start();
    broker.create_topics(6);
    let started = Instant::now();
    let load = LoadGenerator::start(broker.brokers(), "scale", 50);
    let w1 = Worker::start(&broker, "g-scale", &ENV);
    assert!(w1.wait_ready(Duration::from_secs(60)), "{}", w1.log_text());
    let watch = ProgressWatch::start();
    watch.add(&w1);
    std::thread::sleep(Duration::from_secs(6));
    let stall_1 = watch.take();

    let mut w2 = Worker::start(&broker, "g-scale", &ENV);
    let mut w3 = Worker::start(&broker, "g-scale", &ENV);
    watch.add(&w2);
    watch.add(&w3);
    assert!(w2.wait_ready(Duration::from_secs(60)), "{}", w2.log_text());
    assert!(w3.wait_ready(Duration::from_secs(60)), "{}", w3.log_text());
    std::thread::sleep(Duration::from_secs(20));
    let stall_up = watch.take();
    let spread = [&w1, &w2, &w3].map(|w| w.metric("sift_records_consumed_total").unwrap_or(0.0));

    // State known across replicas: pause the input; once every replica has drained its
    // partitions and tailed the whole state topic, all three have applied the same state entries.
    watch.pause();
    load.pause();
    let t_pause = Instant::now();
    let applied = |w: &Worker| w.metric("sift_state_entries_applied_total").unwrap_or(-1.0);
    let mut state = [0.0; 3];
    while t_pause.elapsed() < Duration::from_secs(60) {
        let quiet = [&w1, &w2, &w3].iter().all(|w| {
            w.metric("sift_in_flight_records").is_some_and(|n| n <= 1.0)
                && w.metric("sift_consumer_lag") == Some(0.0)
        });
        state = [&w1, &w2, &w3].map(applied);
        if quiet && state[0] > 0.0 && state.iter().all(|&a| a == state[0]) {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let dedup_docs = [&w1, &w2, &w3].map(|w| w.metric("sift_dedup_documents").unwrap_or(-1.0));
    let events = [&w1, &w2, &w3].map(|w| w.metric("sift_events_active").unwrap_or(-1.0));
    eprintln!(
        "3 replicas quiesced in {:.1}s: state entries applied {state:?}, dedup documents {dedup_docs:?}, active events {events:?}",
        t_pause.elapsed().as_secs_f64()
    );
    assert!(
        state[0] > 0.0 && state.iter().all(|&a| a == state[0]),
        "every replica applied the same state entries: {state:?}"
    );
    load.resume();
    watch.resume();

    // State shared across replicas: a page on partition 0, then exact copies under other ids on
    // every other partition; with 3 replicas over 6 partitions most copies land on another
    // replica than the original, which must still call them duplicates of it.
    let rt = rt();
    let body = "A unique story about the harbour museum reopening after the storm.\n\n".to_string()
        + &"The council said the reopening would bring visitors back to the old town. ".repeat(8);
    let original = rt.block_on(broker.produce_to(0, &[envelope("shared-original", &body)]));
    // Let the owner process it and every replica tail its state entry (load is light).
    std::thread::sleep(Duration::from_secs(6));
    let mut copies = Vec::new();
    for p in 1..6 {
        copies.extend(
            rt.block_on(broker.produce_to(p, &[envelope(&format!("shared-copy-{p}"), &body)])),
        );
    }

    // Scale down to one replica (graceful, as an orchestrator does).
    let t2 = w2.terminate(Duration::from_secs(30));
    let t3 = w3.terminate(Duration::from_secs(30));
    assert!(t2.is_some_and(|s| s.success()) && t3.is_some_and(|s| s.success()));
    std::thread::sleep(Duration::from_secs(35));
    let stall_down = watch.take();
    watch.finish();
    let produced = load.finish();
    let mut all = produced.clone();
    all.extend(&original);
    all.extend(&copies);
    let caught_up = w1.wait_caught_up(6, Duration::from_secs(180));
    let mut outputs = Vec::new();
    for topic in [CLEAN, DUPLICATES, REJECTED] {
        outputs.extend(broker.read_all(topic, Duration::from_secs(5)));
    }
    let mut seen: std::collections::BTreeMap<(i32, i64), usize> = Default::default();
    for r in &outputs {
        let k = (
            r.value["input"]["partition"].as_i64().unwrap_or(-1) as i32,
            r.value["input"]["offset"].as_i64().unwrap_or(-1),
        );
        *seen.entry(k).or_insert(0) += 1;
    }
    assert!(caught_up, "w1 caught up: {}", w1.log_text());
    let missing = all.iter().filter(|k| !seen.contains_key(k)).count();
    let twice = seen.values().filter(|&&n| n > 1).count();
    eprintln!(
        "scaling 1->3->1 in {:.0}s: {} inputs, {missing} missing, {twice} written twice; per-replica consumed at 3 replicas {spread:?}; longest output pause: 1 replica {:.1}s, scaling up {:.1}s, scaling down {:.1}s",
        started.elapsed().as_secs_f64(),
        all.len(),
        stall_1.as_secs_f64(),
        stall_up.as_secs_f64(),
        stall_down.as_secs_f64()
    );
    assert_eq!(missing, 0, "{}", w1.log_text());
    assert!(
        spread.iter().all(|&c| c > 0.0),
        "every replica consumed: {spread:?}"
    );
    for s in [stall_1, stall_up, stall_down] {
        assert!(s < STALL_BOUND, "output paused {s:?}");
    }
    let dups: Vec<_> = outputs.iter().filter(|r| r.topic == DUPLICATES).collect();
    for p in 1..6 {
        let id = format!("shared-copy-{p}");
        let rec = dups
            .iter()
            .find(|r| r.value["page_id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} not marked duplicate"));
        assert_eq!(
            rec.value["dedup"]["duplicate_of"], "shared-original",
            "{id}"
        );
    }
}
