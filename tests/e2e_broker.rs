//! End-to-end tests against a real Kafka-protocol broker (tansu) over TCP, with `sift run`
//! worker processes: accounting of every input offset, kill -9 and restart, two workers in one
//! group, bad messages, graceful shutdown, and `run` ≡ `process` on the seeds.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::time::Duration;

const READY: Duration = Duration::from_secs(60);
const DONE: Duration = Duration::from_secs(120);

fn strip_volatile(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("processed_at");
        o.remove("input");
    }
    v
}

#[test]
fn seeds_through_run_equal_process_and_a_copy_is_a_duplicate() {
    let broker = Broker::start();
    broker.create_topics(1);
    let rt = rt();
    let mut payloads = seed_payloads();
    let mut copy: serde_json::Value = serde_json::from_slice(&payloads[4]).unwrap();
    copy["id"] = "copy-of-seed-004".into();
    payloads.push(serde_json::to_vec(&copy).unwrap());
    let produced = rt.block_on(broker.produce(&payloads));

    let worker = Worker::start(&broker, "g-seeds", &[]);
    assert!(worker.wait_ready(READY), "not ready: {}", worker.log_text());
    let seen = broker.wait_accounted(&produced, DONE);
    assert_eq!(seen.len(), 6, "{seen:?}\n{}", worker.log_text());

    let clean = broker.read_all(CLEAN, Duration::from_secs(1));
    let dups = broker.read_all(DUPLICATES, Duration::from_secs(1));
    assert_eq!(clean.len(), 5);
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].value["page_id"], "copy-of-seed-004");
    assert_eq!(
        dups[0].value["dedup"]["duplicate_of"],
        clean[4].value["page_id"]
    );
    assert_eq!(dups[0].key.as_deref(), Some("copy-of-seed-004"));

    // The same envelopes through `sift process` give the same records.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines: Vec<String> = payloads
        .iter()
        .map(|p| String::from_utf8(p.clone()).unwrap())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sift"))
        .args(["process", input.to_str().unwrap()])
        .env("SIFT__LOG__LEVEL", "warn")
        .output()
        .unwrap();
    assert!(out.status.success());
    let file_records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let file_clean: Vec<_> = file_records
        .iter()
        .filter(|r| r["topic"] == CLEAN)
        .map(|r| strip_volatile(r["value"].clone()))
        .collect();
    let run_clean: Vec<_> = clean
        .iter()
        .map(|r| strip_volatile(r.value.clone()))
        .collect();
    assert_eq!(file_clean, run_clean);
    let events = broker.read_all(EVENTS, Duration::from_secs(1));
    assert!(!events.is_empty());
    let state = broker.read_all(STATE, Duration::from_secs(1));
    assert!(
        !state.is_empty(),
        "state entries are written to the state topic"
    );
}

#[test]
fn every_input_is_accounted_for_and_bad_messages_are_rejected_with_reasons() {
    let broker = Broker::start();
    broker.create_topics(3);
    let rt = rt();
    let good = synthetic_pages("acc", 300);
    let bad = bad_payloads();
    let mut payloads = good.clone();
    payloads.extend(bad.iter().map(|(p, _)| p.clone()));
    let mut produced = rt.block_on(broker.produce(&payloads));
    // A raw HTML payload with its metadata in headers.
    produced.extend(rt.block_on(broker.produce_with_headers(vec![(
        b"<html><title>Raw</title><body><p>A raw page delivered without an envelope, four words.</p></body></html>".to_vec(),
        vec![
            ("content-type".into(), b"text/html".to_vec()),
            ("id".into(), b"raw-page-1".to_vec()),
            ("url".into(), b"https://www.bbc.co.uk/news/x?utm_source=t".to_vec()),
        ],
    )])));

    let worker = Worker::start(&broker, "g-acc", &[]);
    assert!(worker.wait_ready(READY), "not ready: {}", worker.log_text());
    let seen = broker.wait_accounted(&produced, DONE);
    let missing: Vec<_> = produced.iter().filter(|k| !seen.contains_key(k)).collect();
    assert!(missing.is_empty(), "missing {missing:?}");

    let rejected = broker.read_all(REJECTED, Duration::from_secs(1));
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rejected {
        *kinds
            .entry(r.value["error"]["kind"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        assert!(
            r.value["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert!(r.value["payload_base64"].is_string());
        assert!(r.value["sift_version"].is_string());
    }
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for (_, k) in &bad {
        *want.entry(k.to_string()).or_insert(0) += 1;
    }
    assert_eq!(kinds, want);
    // The dead letter carries the original payload byte for byte.
    use base64::Engine;
    let payloads_back: Vec<Vec<u8>> = rejected
        .iter()
        .map(|r| {
            base64::engine::general_purpose::STANDARD
                .decode(r.value["payload_base64"].as_str().unwrap())
                .unwrap()
        })
        .collect();
    for (p, _) in &bad {
        assert!(payloads_back.contains(p));
    }
    let clean = broker.read_all(CLEAN, Duration::from_secs(1));
    let raw = clean
        .iter()
        .find(|r| r.value["page_id"] == "raw-page-1")
        .expect("raw payload processed");
    assert_eq!(raw.value["canonical_url"], "https://www.bbc.co.uk/news/x");
    assert_eq!(raw.value["source"]["domain"], "bbc.co.uk");
    assert!(worker.metric("sift_records_consumed_total").unwrap() >= produced.len() as f64);
    assert!(
        worker.metric("sift_consumer_lag").is_some(),
        "lag metric exported"
    );
}

#[test]
fn kill_9_mid_stream_then_restart_loses_nothing() {
    let broker = Broker::start();
    broker.create_topics(3);
    let rt = rt();
    let payloads = synthetic_pages("k9", 3000);
    let produced = rt.block_on(broker.produce(&payloads));

    let mut kills = 0;
    for round in 0..3 {
        let mut w = Worker::start(&broker, "g-k9", &[]);
        assert!(
            w.wait_ready(READY),
            "round {round} not ready: {}",
            w.log_text()
        );
        // Let it make some progress, then kill it without warning.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while w.metric("sift_records_consumed_total").unwrap_or(0.0) < 200.0
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        w.kill9();
        kills += 1;
    }
    let w = Worker::start(&broker, "g-k9", &[]);
    assert!(w.wait_ready(READY), "final not ready: {}", w.log_text());
    let seen = broker.wait_accounted(&produced, DONE * 2);
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    let redelivered = seen.values().filter(|&&n| n > 1).count();
    eprintln!(
        "kill -9 x{kills}: {} inputs, {missing} missing, {redelivered} written more than once",
        produced.len()
    );
    assert_eq!(missing, 0);

    // Redelivered pages keep their key, id and verdict.
    let mut by_id: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for topic in [CLEAN, DUPLICATES] {
        for r in broker.read_all(topic, Duration::from_secs(1)) {
            assert_eq!(r.key.as_deref(), r.value["page_id"].as_str());
            by_id
                .entry(r.value["page_id"].as_str().unwrap().to_string())
                .or_default()
                .push(r.value);
        }
    }
    for (id, recs) in by_id {
        for r in &recs {
            assert_eq!(
                r["dedup"], recs[0]["dedup"],
                "verdict changed on redelivery of {id}"
            );
            assert_eq!(r["event"]["id"], recs[0]["event"]["id"]);
        }
    }
}

#[test]
fn two_workers_split_partitions_and_consumption_resumes_after_rebalance() {
    let broker = Broker::start();
    broker.create_topics(4);
    let rt = rt();
    let first = rt.block_on(broker.produce(&synthetic_pages("rb1", 600)));

    let w1 = Worker::start(&broker, "g-rb", &[]);
    assert!(w1.wait_ready(READY), "w1 not ready: {}", w1.log_text());
    let w2 = Worker::start(&broker, "g-rb", &[]);
    assert!(w2.wait_ready(READY), "w2 not ready: {}", w2.log_text());
    // After the rebalance, new input must still flow.
    let second = rt.block_on(broker.produce(&synthetic_pages("rb2", 600)));
    let all: Vec<_> = first.iter().chain(&second).copied().collect();
    let seen = broker.wait_accounted(&all, DONE);
    let missing = all.iter().filter(|k| !seen.contains_key(k)).count();
    assert_eq!(missing, 0, "w1:\n{}\nw2:\n{}", w1.log_text(), w2.log_text());
    let c1 = w1.metric("sift_records_consumed_total").unwrap_or(0.0);
    let c2 = w2.metric("sift_records_consumed_total").unwrap_or(0.0);
    eprintln!("w1 consumed {c1}, w2 consumed {c2}");
    assert!(c2 > 0.0, "second worker got partitions and consumed");
    assert!(w1.metric("sift_rebalances_total").unwrap_or(0.0) >= 2.0);
}

#[test]
fn sigterm_drains_commits_and_exits_zero() {
    let broker = Broker::start();
    broker.create_topics(2);
    let rt = rt();
    let produced = rt.block_on(broker.produce(&synthetic_pages("term", 1500)));
    let mut w = Worker::start(&broker, "g-term", &[]);
    assert!(w.wait_ready(READY), "not ready: {}", w.log_text());
    while w.metric("sift_records_consumed_total").unwrap_or(0.0) < 100.0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = w
        .terminate(Duration::from_secs(20))
        .expect("exits within the limit");
    assert!(status.success(), "exit status {status:?}\n{}", w.log_text());
    assert!(w.log_text().contains("drained"));

    let w2 = Worker::start(&broker, "g-term", &[]);
    assert!(w2.wait_ready(READY));
    let seen = broker.wait_accounted(&produced, DONE);
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    let twice = seen.values().filter(|&&n| n > 1).count();
    eprintln!("graceful restart: {missing} missing, {twice} written twice");
    assert_eq!(missing, 0);
    assert_eq!(twice, 0, "a drained shutdown commits everything it wrote");
}
