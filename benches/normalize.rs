//! Normalize-stage throughput: WCXB HTML pages and seed-like text pages (single thread).
//!
//! Reads `../shared/datasets/wcxb-dev-articles.jsonl.gz` and `../shared/seeds/pages.jsonl` at run
//! time; criterion reports time per iteration and pages per second (`Throughput::Elements`).
//! The seed-like text pages are built like `scripts/gen_pages.py` builds them (a seed's first two
//! paragraphs, the rest shuffled, a "Ref N." line) so that no two are equal; after criterion the
//! bench prints their median pages per CPU-second of this thread (immune to other processes on
//! the cores) over several timed rounds.

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

/// Seed-like text pages: each seed's first two paragraphs, the others shuffled (a fixed
/// xorshift sequence), and a closing "Ref N." paragraph, as `scripts/gen_pages.py` makes them.
fn seed_like_pages(seeds: &[Page], n: usize) -> Vec<Page> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .filter_map(|i| {
            let seed = seeds.get(i % seeds.len().max(1))?;
            let paras: Vec<&str> = seed.body.split("\n\n").collect();
            let (head, rest) = paras.split_at(paras.len().min(2));
            let mut rest = rest.to_vec();
            for k in (1..rest.len()).rev() {
                rest.swap(k, (next() % (k as u64 + 1)) as usize);
            }
            let mut page = seed.clone();
            page.id = format!("bench-{i}");
            page.body = format!(
                "{}\n\nRef {i}.",
                head.iter()
                    .chain(rest.iter())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n\n")
            );
            Some(page)
        })
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
        let pages = seed_like_pages(&text, 2_000);
        let mut g = c.benchmark_group("normalize_text_pages");
        g.sample_size(10);
        g.throughput(Throughput::Elements(pages.len() as u64));
        g.bench_function(format!("{} seed-like pages", pages.len()), |b| {
            b.iter(|| {
                for p in &pages {
                    black_box(normalizer.normalize(black_box(p)));
                }
            })
        });
        g.finish();
        // Median of timed rounds in CPU time of this thread.
        let mut cpu_rates = Vec::new();
        let mut wall_rates = Vec::new();
        for _ in 0..7 {
            let (wall, cpu0) = (std::time::Instant::now(), sift::eval::thread_cpu_seconds());
            for _ in 0..3 {
                for p in &pages {
                    black_box(normalizer.normalize(black_box(p)));
                }
            }
            let done = (3 * pages.len()) as f64;
            let cpu = sift::eval::thread_cpu_seconds() - cpu0;
            cpu_rates.push(done / cpu.max(1e-9));
            wall_rates.push(done / wall.elapsed().as_secs_f64());
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        eprintln!(
            "normalize, seed-like text pages: median {:.0} pages per CPU-second ({:.0} pages/s wall), 7 rounds of {} pages",
            median(&mut cpu_rates),
            median(&mut wall_rates),
            3 * pages.len()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
