//! `sift eval events --gold FILE`: event clustering quality (B-cubed) and tag-stage speed.
//!
//! The gold file holds one `{"page": <envelope>, "gold": {"event": …, "topic": …}}` per line
//! (optionally gzip-compressed). Every page goes through the real pipeline (decode, normalize,
//! dedup, tag) in several deterministic shuffles of the input order; B-cubed precision, recall
//! and F1 over documents are reported as mean and minimum over the shuffles, for the whole set
//! and for two halves split by topic number (topic ≡ 1 or ≡ 3 mod 4), each streamed on its own,
//! so a setting tuned on one half can be checked on the other. Gold labels are only read to
//! score; ids, topics and URLs never reach the stages as hints.

use crate::config::Settings;
use crate::message::{InputCoords, InputMessage};
use crate::metrics::Metrics;
use crate::pipeline::{OutputKind, StatefulStages, StatelessStages};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Shuffles of the input order scored.
const SHUFFLES: u64 = 5;

/// B-cubed precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BCubed {
    /// Mean over documents of the share of its predicted cluster that shares its gold label.
    pub precision: f64,
    /// Mean over documents of the share of its gold cluster that shares its predicted label.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

/// B-cubed over documents: `pred[i]` and `gold[i]` are the cluster labels of document `i`.
pub fn bcubed<P: std::hash::Hash + Eq, G: std::hash::Hash + Eq>(pred: &[P], gold: &[G]) -> BCubed {
    let n = pred.len().min(gold.len());
    if n == 0 {
        return BCubed {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
    }
    let mut pair: HashMap<(&P, &G), usize> = HashMap::new();
    let mut p_size: HashMap<&P, usize> = HashMap::new();
    let mut g_size: HashMap<&G, usize> = HashMap::new();
    for (p, g) in pred.iter().zip(gold).take(n) {
        *pair.entry((p, g)).or_default() += 1;
        *p_size.entry(p).or_default() += 1;
        *g_size.entry(g).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (p, g) in pred.iter().zip(gold).take(n) {
        let both = pair.get(&(p, g)).copied().unwrap_or(0) as f64;
        precision += both / p_size.get(p).copied().unwrap_or(1) as f64;
        recall += both / g_size.get(g).copied().unwrap_or(1) as f64;
    }
    precision /= n as f64;
    recall /= n as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    BCubed {
        precision,
        recall,
        f1,
    }
}

struct GoldPage {
    payload: Vec<u8>,
    event: String,
    topic: i64,
}

fn read_gold(path: &Path) -> Result<Vec<GoldPage>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut pages = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        let Some(event) = v["gold"]["event"].as_str() else {
            anyhow::bail!("line {}: no gold.event", i + 1);
        };
        pages.push(GoldPage {
            payload: serde_json::to_vec(&v["page"])?,
            event: event.to_string(),
            topic: v["gold"]["topic"].as_i64().unwrap_or(0),
        });
    }
    Ok(pages)
}

/// Deterministic shuffle (SplitMix64-driven Fisher–Yates).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// One streamed run: predicted event per page (in `pages` order) and the stateful time spent.
/// With `dump`, one JSON line per page (stream order, gold labels, decision trace) goes there
/// `dump` when given (development diagnosis only).
fn stream(
    settings: &Settings,
    pages: &[&GoldPage],
    order: &[usize],
    mut dump: Option<&mut dyn std::io::Write>,
) -> (Vec<String>, Duration) {
    if dump.is_some() {
        crate::tag::event_trace::enable();
    }
    let metrics = Metrics::new();
    let stateless = StatelessStages::new(&settings.stages, metrics.clone());
    let mut stateful = StatefulStages::new(&settings.stages, metrics);
    let now = chrono::Utc::now();
    let mut pred = vec![String::new(); pages.len()];
    let mut spent = Duration::ZERO;
    for (n, &i) in order.iter().enumerate() {
        let Some(page) = pages.get(i) else { continue };
        let msg = InputMessage::from_payload(
            page.payload.clone(),
            InputCoords {
                topic: "eval".into(),
                partition: 0,
                offset: n as i64,
            },
        );
        let prepared = stateless.prepare(msg);
        let t = Instant::now();
        let records = stateful.resolve_prepared(prepared, now);
        spent += t.elapsed();
        let event = records
            .iter()
            .filter(|r| matches!(r.kind, OutputKind::Clean | OutputKind::Duplicates))
            .find_map(|r| {
                let v: serde_json::Value = serde_json::from_slice(&r.value).ok()?;
                v["event"]["id"].as_str().map(str::to_string)
            });
        if let Some(out) = dump.as_mut() {
            let trace = crate::tag::event_trace::take().unwrap_or_else(|| "null".into());
            let v: serde_json::Value = serde_json::from_slice(&page.payload).unwrap_or_default();
            let line = serde_json::json!({
                "n": n, "i": i, "gold": page.event, "topic": page.topic,
                "pred": event, "page": v,
                "trace": serde_json::from_str::<serde_json::Value>(&trace).unwrap_or_default(),
            });
            let _ = writeln!(out, "{line}");
        }
        if let Some(slot) = pred.get_mut(i) {
            // A rejected page is a cluster of its own.
            *slot = event.unwrap_or_else(|| format!("rejected-{i}"));
        }
    }
    (pred, spent)
}

/// Per gold event: how its pages spread over predicted events (for error analysis).
fn print_detail(pred: &[String], gold: &[&str]) {
    let mut by_gold: std::collections::BTreeMap<&str, HashMap<&str, usize>> = Default::default();
    for (p, g) in pred.iter().zip(gold) {
        *by_gold.entry(g).or_default().entry(p.as_str()).or_default() += 1;
    }
    for (g, preds) in by_gold {
        let mut counts: Vec<(&str, usize)> = preds.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = counts
            .iter()
            .map(|(p, c)| format!("{}:{c}", p.get(p.len().saturating_sub(4)..).unwrap_or(p)))
            .collect();
        println!("  {g:<14} {}", shown.join(" "));
    }
}

struct Scores {
    runs: Vec<BCubed>,
    pages: usize,
    spent: Duration,
}

fn score(settings: &Settings, pages: &[&GoldPage], dump: bool) -> Scores {
    let gold: Vec<&str> = pages.iter().map(|p| p.event.as_str()).collect();
    let mut runs = Vec::new();
    let mut spent = Duration::ZERO;
    for seed in 1..=SHUFFLES {
        let order = shuffled(pages.len(), seed);
        let dump_path = std::env::var_os("SIFT_EVAL_DUMP").filter(|_| dump && seed == 1);
        let mut file = dump_path.and_then(|p| std::fs::File::create(p).ok());
        let (pred, t) = stream(
            settings,
            pages,
            &order,
            file.as_mut().map(|f| f as &mut dyn std::io::Write),
        );
        spent += t;
        if seed == 1 && std::env::var_os("SIFT_EVAL_DETAIL").is_some() {
            print_detail(&pred, &gold);
        }
        runs.push(bcubed(&pred, &gold));
    }
    Scores {
        runs,
        pages: pages.len() * SHUFFLES as usize,
        spent,
    }
}

fn report(name: &str, s: &Scores) {
    let mean =
        |f: fn(&BCubed) -> f64| s.runs.iter().map(f).sum::<f64>() / s.runs.len().max(1) as f64;
    let min = |f: fn(&BCubed) -> f64| s.runs.iter().map(f).fold(f64::INFINITY, f64::min);
    println!(
        "{name:<22} docs/run {:>5}  B-cubed P {:.4} (min {:.4})  R {:.4} (min {:.4})  F1 {:.4} (min {:.4})",
        s.pages / SHUFFLES as usize,
        mean(|b| b.precision),
        min(|b| b.precision),
        mean(|b| b.recall),
        min(|b| b.recall),
        mean(|b| b.f1),
        min(|b| b.f1),
    );
}

/// Run the evaluation against the gold file and print the scores.
pub fn run(settings: &Settings, gold: &Path) -> Result<()> {
    let pages = read_gold(gold)?;
    if pages.is_empty() {
        anyhow::bail!("{} holds no pages", gold.display());
    }
    let all: Vec<&GoldPage> = pages.iter().collect();
    let half_a: Vec<&GoldPage> = pages
        .iter()
        .filter(|p| p.topic.rem_euclid(4) == 1)
        .collect();
    let half_b: Vec<&GoldPage> = pages
        .iter()
        .filter(|p| p.topic.rem_euclid(4) != 1)
        .collect();
    let events = {
        let mut e: Vec<&str> = pages.iter().map(|p| p.event.as_str()).collect();
        e.sort_unstable();
        e.dedup();
        e.len()
    };
    println!(
        "sift eval events: {} pages, {} gold events, {SHUFFLES} shuffled orders each",
        pages.len(),
        events
    );
    let s = score(settings, &all, true);
    report("all", &s);
    report("topics = 1 mod 4", &score(settings, &half_a, false));
    report("topics = 3 mod 4", &score(settings, &half_b, false));
    println!(
        "dedup+tag (stateful stages): {:.0} pages/s ({} pages, {:.3} s, one thread)",
        s.pages as f64 / s.spent.as_secs_f64().max(1e-9),
        s.pages,
        s.spent.as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcubed_matches_hand_computed_values() {
        // Perfect.
        let b = bcubed(&[1, 1, 2], &["a", "a", "b"]);
        assert_eq!((b.precision, b.recall, b.f1), (1.0, 1.0, 1.0));
        // All in one cluster: precision (2/3·2 + 1/3)/3 = 5/9, recall 1.
        let b = bcubed(&[0, 0, 0], &["a", "a", "b"]);
        assert!((b.precision - 5.0 / 9.0).abs() < 1e-12);
        assert_eq!(b.recall, 1.0);
        // All singletons: precision 1, recall (1/2 + 1/2 + 1)/3 = 2/3.
        let b = bcubed(&[1, 2, 3], &["a", "a", "b"]);
        assert_eq!(b.precision, 1.0);
        assert!((b.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((b.f1 - 0.8).abs() < 1e-12);
        let empty: [u8; 0] = [];
        assert_eq!(bcubed(&empty, &empty).f1, 0.0);
    }

    #[test]
    fn shuffles_are_deterministic_permutations() {
        let a = shuffled(100, 3);
        assert_eq!(a, shuffled(100, 3));
        assert_ne!(a, shuffled(100, 4));
        let mut s = a.clone();
        s.sort_unstable();
        assert_eq!(s, (0..100).collect::<Vec<_>>());
    }
}
