//! Normalize-stage throughput: WCXB HTML pages and seed-like text pages (single thread).
//!
//! Reads `../shared/datasets/wcxb-dev-articles.jsonl.gz` and `../shared/seeds/pages.jsonl` at run
//! time; criterion reports time per iteration and pages per second (`Throughput::Elements`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sift::decode::{DecodeConfig, Page, decode};
use sift::message::{InputCoords, InputMessage};
use sift::normalize::{NormalizeConfig, Normalizer};
use std::hint::black_box;
use std::io::BufRead;

const WCXB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/datasets/wcxb-dev-articles.jsonl.gz"
);
const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");

fn page_from(envelope: &[u8], offset: i64) -> Option<Page> {
    let msg = InputMessage::from_payload(
        envelope.to_vec(),
        InputCoords {
            topic: "bench".into(),
            partition: 0,
            offset,
        },
    );
    decode(&msg, &DecodeConfig::default()).ok()
}

fn wcxb_pages(limit: usize) -> Vec<Page> {
    let Ok(lines) = sift::eval::extract::open_lines(std::path::Path::new(WCXB)) else {
        return Vec::new();
    };
    lines
        .lines()
        .map_while(Result::ok)
        .take(limit)
        .enumerate()
        .filter_map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(&l).ok()?;
            page_from(&serde_json::to_vec(&v["page"]).ok()?, i as i64)
        })
        .collect()
}

fn seed_pages() -> Vec<Page> {
    std::fs::read_to_string(SEEDS)
        .unwrap_or_default()
        .lines()
        .enumerate()
        .filter_map(|(i, l)| page_from(l.as_bytes(), i as i64))
        .collect()
}

fn bench(c: &mut Criterion) {
    let normalizer = Normalizer::new(NormalizeConfig::default());
    let html = wcxb_pages(200);
    if !html.is_empty() {
        let bytes: usize = html.iter().map(|p| p.body.len()).sum();
        let mut g = c.benchmark_group("normalize_html_wcxb");
        g.sample_size(10);
        g.throughput(Throughput::Elements(html.len() as u64));
        g.bench_function(
            format!("{} pages, {} KB avg", html.len(), bytes / html.len() / 1024),
            |b| {
                b.iter(|| {
                    for p in &html {
                        black_box(normalizer.normalize(black_box(p)));
                    }
                })
            },
        );
        g.finish();
    }
    let text = seed_pages();
    if !text.is_empty() {
        let mut g = c.benchmark_group("normalize_text_seeds");
        g.throughput(Throughput::Elements(text.len() as u64));
        g.bench_function(format!("{} seed pages", text.len()), |b| {
            b.iter(|| {
                for p in &text {
                    black_box(normalizer.normalize(black_box(p)));
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
