//! The tag stage on the seed pages, through the real pipeline.

use crate::message::{InputCoords, InputMessage};
use crate::metrics::Metrics;
use crate::pipeline::{OutputKind, StageConfig, StatefulStages, StatelessStages};

fn seed_records() -> Vec<serde_json::Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");
    let text = std::fs::read_to_string(path).expect("shared seeds");
    let cfg = StageConfig::default();
    let metrics = Metrics::new();
    let stateless = StatelessStages::new(&cfg, metrics.clone());
    let mut stateful = StatefulStages::new(&cfg, metrics);
    let now = chrono::Utc::now();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let msg = InputMessage::from_payload(
            line.as_bytes().to_vec(),
            InputCoords {
                topic: "seeds".into(),
                partition: 0,
                offset: i as i64,
            },
        );
        for r in stateful.resolve_prepared(stateless.prepare(msg), now) {
            if matches!(r.kind, OutputKind::Clean | OutputKind::Duplicates) {
                out.push(serde_json::from_slice(&r.value).unwrap());
            }
        }
    }
    out
}

#[test]
fn seed_sources() {
    let recs = seed_records();
    assert_eq!(recs.len(), 5);
    let src = |i: usize| &recs[i]["source"];
    assert_eq!(src(0)["id"], "shenzhen-daily", "{}", src(0));
    assert_eq!(src(0)["name"], "Shenzhen Daily");
    assert_eq!(src(0)["country"], "CN");
    assert_eq!(src(0)["kind"], "newspaper");
    assert_eq!(src(0)["agencies"], serde_json::json!(["SD-Agencies"]));
    assert_eq!(src(1)["id"], "xinhua", "{}", src(1));
    assert_eq!(src(1)["kind"], "wire_agency");
    assert_eq!(src(2)["id"], "unknown", "{}", src(2));
    assert_eq!(src(2)["kind"], "unknown");
    assert_eq!(src(2)["agencies"], serde_json::json!(["TASS"]));
    assert_eq!(src(3)["id"], "unknown", "{}", src(3));
    assert_eq!(src(3)["agencies"], serde_json::json!([]));
    assert_eq!(src(4)["id"], "presstv", "{}", src(4));
    assert_eq!(src(4)["name"], "Press TV");
    assert_eq!(src(4)["country"], "IR");
}

#[test]
fn seed_events() {
    let recs = seed_records();
    let ev = |i: usize| recs[i]["event"]["id"].as_str().unwrap().to_string();
    assert_eq!(ev(1), ev(0));
    assert_eq!(ev(2), ev(0));
    assert_eq!(ev(3), ev(0));
    assert_ne!(ev(4), ev(0));
    assert_eq!(recs[0]["event"]["is_new"], true);
    assert_eq!(recs[1]["event"]["is_new"], false);
    assert_eq!(recs[4]["event"]["is_new"], true);
}
