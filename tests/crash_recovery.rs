//! Crashes and broker restarts against a real broker (tansu on SQLite) with `sift run`
//! processes: kill -9 at random points under continuous load, and a broker restart mid-stream.

mod common;

use common::load::{LoadGenerator, Rng};
use common::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const FAST: [(&str, &str); 3] = [
    ("SIFT__KAFKA__SESSION_TIMEOUT_MS", "6000"),
    ("SIFT__PIPELINE__DRAIN_TIMEOUT_MS", "2000"),
    // Group watchdog bound (default 120 s): tansu sometimes forms a generation in which nobody
    // owns anything after a kill; the worker must get out of it by itself.
    ("SIFT__KAFKA__STALL_REJOIN_MS", "15000"),
];
/// Longest acceptable time from a worker's start to its first consumed record after a kill
/// (session expiry of the killed member ~6 s + tansu's 3 s join pause + a possible watchdog
/// re-join at 15 s + re-join and replay time under CI load).
const RESUME_BOUND: Duration = Duration::from_secs(60);
const PARTITIONS: i32 = 3;

#[test]
fn twenty_kill_9_at_random_points_under_load_account_for_every_input() {
    let rounds: usize = std::env::var("SIFT_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let (mut rng, seed) = Rng::from_env();
    eprintln!("crash test seed {seed} (SIFT_TEST_SEED={seed} reproduces the kill points)");
    let broker = Broker::start();
    broker.create_topics(PARTITIONS);
    let started = Instant::now();
    let load = LoadGenerator::start(broker.brokers(), "crash", 60);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    // Per round that waits for progress: worker start -> first record consumed.
    let mut resume: Vec<Duration> = Vec::new();
    let mut rejoins = 0.0;
    for round in 0..rounds {
        let mut w = Worker::start(&broker, "g-crash", &FAST);
        let t0 = Instant::now();
        // Kill points: during start-up/replay, right after ready, or after random progress.
        let kind = match rng.below(5) {
            0 => {
                std::thread::sleep(Duration::from_millis(100 + rng.below(700)));
                "startup"
            }
            1 => {
                assert!(
                    w.wait_ready(RESUME_BOUND),
                    "round {round}: not ready (owning a partition) within {RESUME_BOUND:?}: {}",
                    w.log_text()
                );
                "ready"
            }
            _ => {
                let want = 1.0 + rng.below(400) as f64;
                let deadline = t0 + RESUME_BOUND;
                let mut first = None;
                loop {
                    let n = w.metric("sift_records_consumed_total").unwrap_or(0.0);
                    if n >= 1.0 && first.is_none() {
                        first = Some(t0.elapsed());
                    }
                    if n >= want || Instant::now() >= deadline {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                let first = first.unwrap_or_else(|| {
                    panic!(
                        "round {round}: nothing consumed within {RESUME_BOUND:?} of start: {}",
                        w.log_text()
                    )
                });
                resume.push(first);
                std::thread::sleep(Duration::from_millis(rng.below(300)));
                "processing"
            }
        };
        *kinds.entry(kind).or_insert(0) += 1;
        rejoins += w.metric("sift_group_rejoins_total").unwrap_or(0.0);
        w.kill9();
    }
    let produced = load.finish();
    let kills_done = started.elapsed();
    let t_final = Instant::now();
    let w = Worker::start(&broker, "g-crash", &FAST);
    assert!(w.wait_ready(RESUME_BOUND), "final: {}", w.log_text());
    let final_ready = t_final.elapsed();
    let caught_up = w.wait_caught_up(PARTITIONS, Duration::from_secs(240));
    rejoins += w.metric("sift_group_rejoins_total").unwrap_or(0.0);
    resume.sort();
    let worst = resume.last().copied().unwrap_or_default();
    eprintln!(
        "resume after kill (start -> first record consumed) over {} rounds: median {:.1}s, max {:.1}s (bound {RESUME_BOUND:?}); final worker ready after {:.1}s; group watchdog re-joins: {rejoins}",
        resume.len(),
        resume
            .get(resume.len() / 2)
            .copied()
            .unwrap_or_default()
            .as_secs_f64(),
        worst.as_secs_f64(),
        final_ready.as_secs_f64()
    );
    assert!(
        caught_up,
        "final worker caught up on all partitions: {}",
        w.log_text()
    );
    // One full read of the outputs (tansu re-reads are slow; see Worker::wait_caught_up).
    let mut by_input: BTreeMap<(i32, i64), Vec<Record>> = BTreeMap::new();
    for topic in [CLEAN, DUPLICATES, REJECTED] {
        for r in broker.read_all(topic, Duration::from_secs(5)) {
            let k = (
                r.value["input"]["partition"].as_i64().unwrap_or(-1) as i32,
                r.value["input"]["offset"].as_i64().unwrap_or(-1),
            );
            by_input.entry(k).or_default().push(r);
        }
    }
    let missing: Vec<_> = produced
        .iter()
        .filter(|k| !by_input.contains_key(k))
        .collect();
    let duplicated: Vec<_> = by_input.iter().filter(|(_, v)| v.len() > 1).collect();
    let extra_records: usize = duplicated.iter().map(|(_, v)| v.len() - 1).sum();
    eprintln!(
        "kill -9 x{rounds} ({kinds:?}) in {:.0}s, caught up {caught_up} after {:.0}s: {} inputs, {} missing, {} inputs redelivered ({} extra records)",
        kills_done.as_secs_f64(),
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
    // Progress from the worker's metrics first: re-reading the output topics in a loop loads
    // tansu enough to delay its heartbeat answers past the session timeout.
    let caught_up = w.wait_caught_up(3, Duration::from_secs(180));
    let seen = broker.wait_accounted(&all, Duration::from_secs(60));
    let secs = restarted.elapsed().as_secs_f64();
    let missing = all.iter().filter(|k| !seen.contains_key(k)).count();
    let twice = seen.values().filter(|&&n| n > 1).count();
    eprintln!(
        "broker restart: {} inputs, {missing} missing, {twice} written twice, caught up {caught_up}, all accounted {secs:.1}s after restart",
        all.len()
    );
    assert_eq!(
        w.child.try_wait().ok().flatten(),
        None,
        "worker kept running: {}",
        w.log_text()
    );
    assert_eq!(missing, 0, "{}", w.log_text());
    assert!(w.wait_ready(RESUME_BOUND), "ready again: {}", w.log_text());
}
