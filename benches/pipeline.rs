//! Whole-pipeline benchmark without a broker: decode → normalize → dedup → tag on the seed pages
//! (each made unique), the same calls the Kafka worker and file mode make.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sift::message::{InputCoords, InputMessage};
use sift::metrics::Metrics;
use sift::pipeline::{StageConfig, StatefulStages, StatelessStages};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");
    let Ok(seeds) = std::fs::read_to_string(path) else {
        return;
    };
    let seeds: Vec<serde_json::Value> = seeds
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let cfg = StageConfig::default();
    let metrics = Metrics::new();
    let stateless = StatelessStages::new(&cfg, metrics.clone());
    let mut stateful = StatefulStages::new(&cfg, metrics);
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    g.bench_function("seed_text_page", |b| {
        b.iter(|| {
            let mut env = seeds[(i % seeds.len() as u64) as usize].clone();
            env["id"] = format!("bench-{i}").into();
            env["body"] = format!("{}\n\nRef {i}.", env["body"].as_str().unwrap_or("")).into();
            i += 1;
            let msg = InputMessage::from_payload(
                serde_json::to_vec(&env).unwrap_or_default(),
                InputCoords {
                    topic: "bench".into(),
                    partition: 0,
                    offset: i as i64,
                },
            );
            black_box(stateful.resolve_prepared(stateless.prepare(msg), chrono::Utc::now()))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
