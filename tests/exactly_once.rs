//! Exactly-once mode on librdkafka's mock cluster (tansu 0.6 does not support EndTxn).
//!
//! What the mock can and cannot show: it runs the whole transactional protocol
//! (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn), but it does
//! not store offsets committed through TxnOffsetCommit and does not filter aborted records for
//! `read_committed` readers (its Fetch answers carry no aborted-transaction list). So these tests
//! prove the worker's side of the contract — every output and every input offset goes through a
//! transaction, nothing is committed outside one, each input's outputs are written once, a
//! failed transaction is aborted and the worker stops — but not the broker's side after a crash.

mod common;

use common::mock::{MockHarness, text_pages};
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use std::time::{Duration, Instant};

const EOS: [(&str, &str); 3] = [
    ("SIFT__DELIVERY__MODE", "exactly_once"),
    ("SIFT__DELIVERY__TRANSACTIONAL_ID", "sift-test-0"),
    ("SIFT__DELIVERY__MAX_BATCH_MESSAGES", "50"),
];

#[test]
fn each_input_is_written_once_inside_transactions_and_never_committed_outside() {
    let mut h = MockHarness::new(3, 3);
    let mut payloads = text_pages("eos", 400, 40);
    payloads.extend(common::bad_payloads().into_iter().map(|(p, _)| p));
    // An exact copy under another id: a duplicate, decided inside the same transaction stream.
    let mut copy: serde_json::Value = serde_json::from_slice(&payloads[0]).unwrap();
    copy["id"] = "eos-copy".into();
    payloads.push(serde_json::to_vec(&copy).unwrap());
    let produced = h.produce(&payloads);
    let started = Instant::now();
    h.start(&EOS);
    let seen = h.wait_accounted(&produced, true, Duration::from_secs(90));
    let secs = started.elapsed().as_secs_f64();
    h.stop().expect("graceful stop");
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    let twice = seen.values().filter(|&&n| n > 1).count();
    let txns = h.metrics.commits.get();
    eprintln!(
        "exactly-once: {} inputs, {missing} missing, {twice} written twice, {txns} transactions, {secs:.1}s",
        produced.len()
    );
    assert_eq!(missing, 0);
    assert_eq!(twice, 0);
    assert!(txns >= 2, "input spread over several transactions");
    // Every record (outputs, events, state) names the transaction that wrote it.
    for t in [
        "pages.clean",
        "pages.duplicates",
        "pages.rejected",
        "events",
        "sift.state",
    ] {
        let recs = h.read(t, true);
        assert!(!recs.is_empty(), "{t} has records");
        for r in &recs {
            assert!(
                r.headers
                    .get("sift.txn")
                    .is_some_and(|v| v.starts_with("sift-test-0:")),
                "{t}: {:?}",
                r.headers
            );
        }
    }
    let dups = h.read("pages.duplicates", true);
    assert!(dups.iter().any(|r| r.value["page_id"] == "eos-copy"));
    // The mock keeps only offsets committed with OffsetCommit, never TxnOffsetCommit: an empty
    // answer proves the worker committed no offset outside a transaction.
    assert!(
        h.committed("sift", 3).is_empty(),
        "{:?}",
        h.committed("sift", 3)
    );
}

#[test]
fn a_failed_transaction_is_aborted_and_the_worker_stops_then_a_restart_loses_nothing() {
    let mut h = MockHarness::new(1, 2);
    let produced = h.produce(&text_pages("abort", 150, 30));
    // Permanent produce errors: the open transaction cannot commit and must be aborted.
    h.mock.request_errors(
        RDKafkaApiKey::Produce,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED; 50],
    );
    h.start(&EOS);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !h.worker_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(h.worker_finished(), "worker stops on a failed transaction");
    let err = h
        .stop()
        .expect_err("a failed transaction is an error (exit code 1)");
    eprintln!("stopped with: {err:#}");
    assert_eq!(h.metrics.commits.get(), 0, "nothing was committed");
    h.mock.clear_request_errors(RDKafkaApiKey::Produce);
    // The orchestrator restarts it: init_transactions fences the old incarnation.
    h.start(&EOS);
    let seen = h.wait_accounted(&produced, true, Duration::from_secs(60));
    h.stop().expect("graceful stop");
    let missing = produced.iter().filter(|k| !seen.contains_key(k)).count();
    eprintln!(
        "after restart: {missing} missing, {} transactions",
        h.metrics.commits.get()
    );
    assert_eq!(missing, 0);
}

/// Why exactly-once under kill -9 cannot be tested on librdkafka's mock cluster (issue 8 asks
/// for it): the mock answers the transactional protocol but keeps none of its effects. This test
/// pins that down with a plain transactional producer, no sift involved; if a future librdkafka
/// makes the mock honour transactions, it fails, and a crash test on the mock becomes possible
/// (host the mock here, run `sift run` as a child process, SIGKILL it mid-transaction, then count
/// outputs per input with a read_committed reader).
///
/// 1. An aborted transaction's records are still returned to a `read_committed` reader (the
///    mock's Fetch answer has an empty aborted-transactions list and its last stable offset is
///    the end offset; EndTxn writes no markers). A worker killed mid-transaction therefore leaves
///    visible outputs that a restarted worker writes again.
/// 2. Offsets sent with `send_offsets_to_transaction` and committed are not stored
///    (TxnOffsetCommit is acknowledged and dropped), so a restarted worker finds no committed
///    input offset and starts over from the beginning.
#[test]
fn the_mock_cluster_keeps_no_transaction_effects_so_crash_eos_needs_a_real_broker() {
    use rdkafka::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    use rdkafka::{Offset, TopicPartitionList};

    let h = MockHarness::new(1, 1);
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", h.mock.bootstrap_servers())
        .set("transactional.id", "mock-probe")
        .create()
        .unwrap();
    let t = Duration::from_secs(10);
    producer.init_transactions(t).unwrap();
    producer.begin_transaction().unwrap();
    producer
        .send(BaseRecord::<(), _>::to("pages.clean").payload("aborted"))
        .unwrap();
    producer.flush(t).unwrap();
    producer.abort_transaction(t).unwrap();

    // A consumer group that reads input inside a transaction and commits its offset with it.
    let group: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", h.mock.bootstrap_servers())
        .set("group.id", "mock-probe-group")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut input = TopicPartitionList::new();
    input
        .add_partition_offset("pages.raw", 0, Offset::Offset(0))
        .unwrap();
    group.assign(&input).unwrap();
    let _ = group.poll(Duration::from_millis(500));
    let mut offsets = TopicPartitionList::new();
    offsets
        .add_partition_offset("pages.raw", 0, Offset::Offset(42))
        .unwrap();
    producer.begin_transaction().unwrap();
    producer
        .send(BaseRecord::<(), _>::to("pages.clean").payload("committed"))
        .unwrap();
    producer
        .send_offsets_to_transaction(&offsets, &group.group_metadata().unwrap(), t)
        .unwrap();
    producer.commit_transaction(t).unwrap();

    let raw = h.read("pages.clean", true).len();
    let committed = h.committed("mock-probe-group", 1);
    eprintln!(
        "mock cluster, read_committed reader: {raw} records (aborted one included: {}); offsets committed in the transaction: {committed:?}",
        raw == 2
    );
    assert_eq!(raw, 2, "the aborted record is visible to read_committed");
    assert!(
        committed.is_empty(),
        "the transactional offset commit was not stored: {committed:?}"
    );
}
