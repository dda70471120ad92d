//! Regression and profiling harness for the decode + normalize stages.
//!
//! `normalize_dump dump OUT.jsonl` writes every normalized article (WCXB dev pages, ECB+ dev
//! texts, seed pages) as one JSON line, so an optimization can be checked byte for byte with
//! `cmp`. `normalize_dump html N` / `normalize_dump text N` normalize the first 50 WCXB pages /
//! the seed pages N times, `normalize_dump pipeline N` runs the loop of `benches/pipeline.rs`
//! over the seed pages N times, and `normalize_dump tag EVENTS N` runs the loop of
//! `benches/tag.rs` (tracker pre-filled with EVENTS events, N batches of 2,000 pages), for
//! `valgrind --tool=callgrind` or `perf`.

use sift::decode::{DecodeConfig, Page, decode};
use sift::message::{InputCoords, InputMessage};
use sift::normalize::Normalizer;
use std::io::{BufRead, Write};

#[allow(dead_code)]
#[path = "../benches/support/tag_workload.rs"]
mod tag_workload;

const WCXB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/datasets/wcxb-dev-articles.jsonl.gz"
);
const ECB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/datasets/ecbplus-dev-events.jsonl.gz"
);
const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");

fn page(envelope: Vec<u8>, offset: i64) -> Option<Page> {
    let msg = InputMessage::from_payload(
        envelope,
        InputCoords {
            topic: "dump".into(),
            partition: 0,
            offset,
        },
    );
    decode(&msg, &DecodeConfig::default()).ok()
}

fn gold_pages(path: &str, limit: usize) -> anyhow::Result<Vec<Page>> {
    let mut out = Vec::new();
    for (i, line) in sift::eval::extract::open_lines(std::path::Path::new(path))?
        .lines()
        .take(limit)
        .enumerate()
    {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        out.extend(page(serde_json::to_vec(&v["page"])?, i as i64));
    }
    Ok(out)
}

fn seed_pages() -> anyhow::Result<Vec<Page>> {
    Ok(std::fs::read_to_string(SEEDS)?
        .lines()
        .enumerate()
        .filter_map(|(i, l)| page(l.as_bytes().to_vec(), i as i64))
        .collect())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("dump", String::as_str);
    let norm = Normalizer::default();
    match mode {
        "dump" => {
            let out = args.get(2).map_or("normalize_dump.jsonl", String::as_str);
            let mut f = std::io::BufWriter::new(std::fs::File::create(out)?);
            let mut pages = gold_pages(WCXB, usize::MAX)?;
            pages.extend(gold_pages(ECB, usize::MAX)?);
            pages.extend(seed_pages()?);
            for p in &pages {
                writeln!(f, "{}", serde_json::to_string(&norm.normalize(p))?)?;
            }
            println!("{} pages", pages.len());
        }
        "html" | "text" => {
            let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
            let pages = if mode == "html" {
                gold_pages(WCXB, 50)?
            } else {
                seed_pages()?
            };
            let t = std::time::Instant::now();
            for _ in 0..n {
                for p in &pages {
                    std::hint::black_box(norm.normalize(p));
                }
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{} pages x {n}: {:.0} pages/s",
                pages.len(),
                (n * pages.len()) as f64 / secs
            );
        }
        "pipeline" => {
            // The loop of benches/pipeline.rs: decode → normalize → dedup → tag per seed page.
            let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
            let seeds: Vec<serde_json::Value> = std::fs::read_to_string(SEEDS)?
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            let cfg = sift::pipeline::StageConfig::default();
            let metrics = sift::metrics::Metrics::new();
            let stateless = sift::pipeline::StatelessStages::new(&cfg, metrics.clone());
            let mut stateful = sift::pipeline::StatefulStages::new(&cfg, metrics);
            let t = std::time::Instant::now();
            for i in 0..n * seeds.len().max(1) {
                let Some(seed) = seeds.get(i % seeds.len().max(1)) else {
                    break;
                };
                let mut env = seed.clone();
                env["id"] = format!("bench-{i}").into();
                env["body"] = format!("{}\n\nRef {i}.", env["body"].as_str().unwrap_or("")).into();
                let msg = InputMessage::from_payload(
                    serde_json::to_vec(&env)?,
                    InputCoords {
                        topic: "bench".into(),
                        partition: 0,
                        offset: i as i64,
                    },
                );
                std::hint::black_box(
                    stateful.resolve_prepared(stateless.prepare(msg), chrono::Utc::now()),
                );
            }
            let secs = t.elapsed().as_secs_f64();
            println!("{:.0} pages/s", (n * seeds.len()) as f64 / secs);
        }
        "tag" => {
            // The loop of benches/tag.rs: source resolution + event assignment.
            let events: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
            let n: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
            let mut work = tag_workload::TagWorkload::new(events);
            let t = std::time::Instant::now();
            for _ in 0..n {
                work.run_batch();
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{:.0} pages/s, {} active events",
                (n * tag_workload::BATCH) as f64 / secs,
                work.active()
            );
        }
        _ => anyhow::bail!(
            "usage: normalize_dump dump OUT | html N | text N | pipeline N | tag EVENTS N"
        ),
    }
    Ok(())
}
