//! Decode-stage benchmark: JSON envelopes (text and HTML bodies), base64 + gzip bodies, and a
//! raw payload with header metadata.

use base64::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sift::decode::{DecodeConfig, decode};
use sift::message::{InputCoords, InputMessage};
use std::hint::black_box;
use std::io::Write;

fn coords() -> InputCoords {
    InputCoords {
        topic: "pages.raw".into(),
        partition: 0,
        offset: 0,
    }
}

fn seed_payloads() -> Vec<Vec<u8>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");
    std::fs::read_to_string(path)
        .map(|s| s.lines().map(|l| l.as_bytes().to_vec()).collect())
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let cfg = DecodeConfig::default();
    let seeds = seed_payloads();
    let html: String = format!(
        "<html><head><meta charset=\"utf-8\"><title>T</title></head><body>{}</body></html>",
        "<p>Paragraph of an article with some words in it.</p>".repeat(3000)
    );
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(html.as_bytes()).expect("gzip");
        e.finish().expect("gzip")
    };
    let b64_gzip_env = serde_json::to_vec(&serde_json::json!({
        "content_type": "text/html",
        "content_encoding": "gzip",
        "body_base64": base64::engine::general_purpose::STANDARD.encode(&gz),
    }))
    .expect("json");
    let html_env =
        serde_json::to_vec(&serde_json::json!({"content_type": "text/html", "body": html}))
            .expect("json");

    let mut g = c.benchmark_group("decode");
    if !seeds.is_empty() {
        let total: usize = seeds.iter().map(Vec::len).sum();
        g.throughput(Throughput::Bytes(total as u64));
        let msgs: Vec<_> = seeds
            .iter()
            .map(|p| InputMessage::from_payload(p.clone(), coords()))
            .collect();
        g.bench_function("seed_text_envelopes_x5", |b| {
            b.iter(|| {
                for m in &msgs {
                    black_box(decode(m, &cfg).ok());
                }
            })
        });
    }
    let m = InputMessage::from_payload(html_env.clone(), coords());
    g.throughput(Throughput::Bytes(html_env.len() as u64));
    g.bench_function("html_envelope_150k", |b| {
        b.iter(|| black_box(decode(&m, &cfg).ok()))
    });
    let m = InputMessage::from_payload(b64_gzip_env.clone(), coords());
    g.throughput(Throughput::Bytes(html.len() as u64));
    g.bench_function("base64_gzip_envelope_150k", |b| {
        b.iter(|| black_box(decode(&m, &cfg).ok()))
    });
    let mut raw = InputMessage::from_payload(html.clone().into_bytes(), coords());
    raw.headers = vec![("content-type".into(), Some(b"text/html".to_vec()))];
    g.bench_function("raw_payload_150k", |b| {
        b.iter(|| black_box(decode(&raw, &cfg).ok()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
