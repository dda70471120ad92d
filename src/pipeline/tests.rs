use super::*;
use crate::message::InputCoords;

fn seeds() -> Vec<InputMessage> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");
    std::fs::read_to_string(path)
        .expect("shared seeds")
        .lines()
        .enumerate()
        .map(|(i, line)| {
            InputMessage::from_payload(
                line.as_bytes().to_vec(),
                InputCoords {
                    topic: "seeds".into(),
                    partition: 0,
                    offset: i as i64,
                },
            )
        })
        .collect()
}

fn run(msgs: Vec<InputMessage>) -> Vec<OutputRecord> {
    let cfg = StageConfig::default();
    let metrics = Metrics::new();
    let stateless = StatelessStages::new(&cfg, metrics.clone());
    let mut stateful = StatefulStages::new(&cfg, metrics);
    let now = Utc::now();
    msgs.into_iter()
        .flat_map(|m| stateful.resolve_prepared(stateless.prepare(m), now))
        .collect()
}

fn of_kind(records: &[OutputRecord], kind: OutputKind) -> Vec<serde_json::Value> {
    records
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| serde_json::from_slice(&r.value).unwrap())
        .collect()
}

#[test]
fn seeds_give_five_clean_records_with_text_and_title() {
    let out = run(seeds());
    let clean = of_kind(&out, OutputKind::Clean);
    assert_eq!(clean.len(), 5);
    for rec in &clean {
        assert_eq!(rec["schema_version"], 1);
        assert!(rec["page_id"].as_str().unwrap().starts_with("p-"));
        assert!(rec["text"].as_str().unwrap().len() > 500, "{rec}");
        assert_eq!(rec["dedup"]["status"], "unique");
        assert!(rec["event"]["id"].is_string());
        assert!(rec["source"]["id"].is_string());
        assert!(rec["fetched_at"].is_string());
    }
    assert!(of_kind(&out, OutputKind::Rejected).is_empty());
}

#[test]
fn verbatim_copy_under_another_id_is_a_duplicate() {
    // The copy arrives right after seed 003; seed 004 is eight months later and would move the
    // event-time window past the original.
    let mut msgs = seeds();
    let first = msgs[0].clone();
    let mut env: serde_json::Value = serde_json::from_slice(&first.payload).unwrap();
    env["id"] = "copy-of-000".into();
    let mut copy = first;
    copy.payload = serde_json::to_vec(&env).unwrap();
    copy.coords.offset = 99;
    msgs.insert(4, copy);
    let out = run(msgs);
    let clean = of_kind(&out, OutputKind::Clean);
    let dups = of_kind(&out, OutputKind::Duplicates);
    assert_eq!(clean.len(), 5);
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0]["page_id"], "copy-of-000");
    assert_eq!(dups[0]["dedup"]["duplicate_of"], clean[0]["page_id"]);
    assert_eq!(dups[0]["dedup"]["kind"], "exact");
    assert_eq!(dups[0]["event"]["id"], clean[0]["event"]["id"]);
}

#[test]
fn bad_message_becomes_a_dead_letter_with_the_payload() {
    let bad = InputMessage::from_payload(
        b"{oops".to_vec(),
        InputCoords {
            topic: "t".into(),
            partition: 3,
            offset: 42,
        },
    );
    let out = run(vec![bad]);
    assert_eq!(out.len(), 1);
    let rec: serde_json::Value = serde_json::from_slice(&out[0].value).unwrap();
    assert_eq!(rec["error"]["kind"], "invalid_json");
    assert_eq!(rec["input"]["partition"], 3);
    assert_eq!(rec["input"]["offset"], 42);
    assert_eq!(rec["payload_base64"], "e29vcHM=");
    assert_eq!(out[0].key, "t:3:42");
}

#[test]
fn state_entries_rebuild_a_fresh_replica() {
    let out = run(seeds());
    let cfg = StageConfig::default();
    let metrics = Metrics::new();
    let mut replica = StatefulStages::new(&cfg, metrics.clone());
    for r in out.iter().filter(|r| r.kind == OutputKind::State) {
        replica.apply_state(&parse_state_record(&r.value).unwrap());
    }
    let stateless = StatelessStages::new(&cfg, metrics);
    let mut copy = seeds().remove(4);
    let mut env: serde_json::Value = serde_json::from_slice(&copy.payload).unwrap();
    env["id"] = "late-copy".into();
    copy.payload = serde_json::to_vec(&env).unwrap();
    let recs = replica.resolve_prepared(stateless.prepare(copy), Utc::now());
    assert_eq!(recs[0].kind, OutputKind::Duplicates);
}
