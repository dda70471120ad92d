//! Output failures on librdkafka's mock cluster, worker in-process (at-least-once): all brokers
//! down, an output topic missing, a record too large. Throughout, a probe compares the group's
//! committed input offsets with what is on the output topics: no committed offset may pass an
//! input whose output is not written.

mod common;

use common::mock::{MockHarness, text_pages};
use rdkafka::types::RDKafkaRespErr;
use std::time::{Duration, Instant};

/// Inputs below a committed offset that have no output yet (committed offsets read first,
/// outputs second: outputs only grow, so any hit is a real violation). `None` if the probe
/// could not read committed offsets.
fn violations(h: &MockHarness, partitions: i32) -> Option<Vec<(i32, i64)>> {
    let committed = h.committed("sift", partitions);
    let seen = h.accounted(false);
    let mut bad = Vec::new();
    for (p, c) in committed {
        for o in 0..c {
            if !seen.contains_key(&(p, o)) {
                bad.push((p, o));
            }
        }
    }
    Some(bad)
}

/// Probe until `until` passes; returns (probes, committed-offset advances seen, violations).
fn probe_for(h: &MockHarness, partitions: i32, until: Duration) -> (usize, Vec<(i32, i64)>) {
    let end = Instant::now() + until;
    let mut probes = 0;
    let mut bad = Vec::new();
    while Instant::now() < end {
        if let Some(v) = violations(h, partitions) {
            probes += 1;
            bad.extend(v);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    (probes, bad)
}

#[test]
fn all_brokers_down_no_offset_passes_an_unwritten_record_and_work_resumes() {
    let mut h = MockHarness::new(3, 3);
    let produced = h.produce(&text_pages("down", 600, 60));
    h.start(&[]);
    std::thread::sleep(Duration::from_millis(700));
    let before = h.committed("sift", 3);
    for b in 1..=3 {
        h.mock.broker_down(b).expect("down");
    }
    std::thread::sleep(Duration::from_secs(4));
    for b in 1..=3 {
        h.mock.broker_up(b).expect("up");
    }
    let (probes, bad) = probe_for(&h, 3, Duration::from_secs(3));
    let seen = h.wait_accounted(&produced, false, Duration::from_secs(90));
    let after_all = violations(&h, 3).unwrap_or_default();
    std::thread::sleep(Duration::from_millis(500));
    let end = h.committed("sift", 3);
    h.stop().expect("clean stop");
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    eprintln!(
        "all brokers down 4s: committed before {before:?}, after {end:?}; {probes} probes, {} violations, {missing} missing",
        bad.len() + after_all.len()
    );
    assert!(
        bad.is_empty() && after_all.is_empty(),
        "{bad:?} {after_all:?}"
    );
    assert_eq!(missing, 0);
    let total: i64 = end.values().sum();
    assert_eq!(
        total,
        produced.len() as i64,
        "everything committed in the end"
    );
}

#[test]
fn a_missing_output_topic_holds_offsets_until_it_exists() {
    let mut h = MockHarness::new(1, 2);
    let produced = h.produce(&text_pages("missing", 200, 40));
    h.mock
        .topic_error(
            "pages.clean",
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        )
        .expect("topic error");
    h.start(&[]);
    let (probes, bad) = probe_for(&h, 2, Duration::from_secs(6));
    let during = h.committed("sift", 2);
    let clean_during = h.read("pages.clean", false).len();
    h.mock
        .topic_error("pages.clean", RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR)
        .expect("clear");
    let seen = h.wait_accounted(&produced, false, Duration::from_secs(120));
    let after = violations(&h, 2).unwrap_or_default();
    std::thread::sleep(Duration::from_millis(500));
    let end = h.committed("sift", 2);
    h.stop().expect("clean stop");
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    eprintln!(
        "clean topic missing 6s: {clean_during} clean records meanwhile, committed during {during:?}, at end {end:?}; {probes} probes, {} violations, {missing} missing",
        bad.len() + after.len()
    );
    assert!(bad.is_empty() && after.is_empty(), "{bad:?} {after:?}");
    assert_eq!(missing, 0);
    let total: i64 = end.values().sum();
    assert_eq!(total, produced.len() as i64);
}

#[test]
fn an_oversize_record_becomes_a_dead_letter_and_offsets_stay_behind_unwritten_output() {
    let mut h = MockHarness::new(1, 1);
    let mut payloads = text_pages("small", 50, 20);
    payloads.extend(text_pages("huge", 3, 30_000));
    payloads.extend(text_pages("after", 50, 20));
    let produced = h.produce(&payloads);
    h.start(&[(
        "SIFT__KAFKA__PRODUCER_PROPERTIES__MESSAGE_MAX_BYTES",
        "100000",
    )]);
    let (probes, bad) = probe_for(&h, 1, Duration::from_secs(3));
    let seen = h.wait_accounted(&produced, false, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(500));
    let end = h.committed("sift", 1);
    h.stop().expect("clean stop");
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    let rejected = h.read("pages.rejected", false);
    eprintln!(
        "oversize: {} dead letters, committed {end:?}, {probes} probes, {} violations, {missing} missing",
        rejected.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(missing, 0);
    assert_eq!(rejected.len(), 3);
    for r in &rejected {
        assert_eq!(r.value["error"]["kind"], "record_too_large");
        assert!(
            r.value["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("too large") || m.contains("size")),
            "{}",
            r.value["error"]["message"]
        );
    }
    assert_eq!(end.get(&0), Some(&(produced.len() as i64)));
}
