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

#[test]
fn record_values_are_written_sorted_and_state_values_as_value_trees() {
    let mut msgs = seeds();
    let mut copy = msgs[0].clone();
    let mut env: serde_json::Value = serde_json::from_slice(&copy.payload).unwrap();
    env["id"] = "copy \"of\" 000".into();
    copy.payload = serde_json::to_vec(&env).unwrap();
    msgs.insert(4, copy);
    msgs.push(InputMessage::from_payload(
        b"{oops".to_vec(),
        InputCoords {
            topic: "t".into(),
            partition: 0,
            offset: 7,
        },
    ));
    let out = run(msgs);
    for kind in [
        OutputKind::Clean,
        OutputKind::Duplicates,
        OutputKind::Rejected,
        OutputKind::Events,
        OutputKind::State,
    ] {
        assert!(out.iter().any(|r| r.kind == kind), "{kind:?}");
    }
    for r in &out {
        // Sorted at every level: the old file writer's re-sorting changes nothing.
        let text = std::str::from_utf8(&r.value).unwrap();
        let mut resorted = Vec::new();
        crate::file_source::sorted_json::write_sorted(text, &mut resorted).unwrap();
        assert_eq!(resorted, r.value, "{:?} {text}", r.kind);
        if r.kind == OutputKind::State {
            let entry = parse_state_record(&r.value).unwrap();
            // Floats as the old `serde_json::to_value` encoding printed them: the f64 digits of
            // an f32 (serde_json's own parser is not exact, so the text is checked token by
            // token with the standard library's).
            for token in float_tokens(entry.value.json()) {
                let widened = f64::from(token.parse::<f32>().unwrap());
                assert_eq!(token, format!("{widened:?}"), "{text}");
            }
            assert_eq!(entry, parse_state_record(text.as_bytes()).unwrap());
        }
    }
}

/// Number tokens with a fraction or exponent, outside strings.
fn float_tokens(json: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut token = String::new();
    for c in json.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        let starts = c.is_ascii_digit() || c == '-';
        if starts || (!token.is_empty() && matches!(c, '+' | '.' | 'e' | 'E')) {
            token.push(c);
            continue;
        }
        if token.contains(['.', 'e', 'E']) {
            out.push(std::mem::take(&mut token));
        }
        token.clear();
        in_string = c == '"';
    }
    out
}
