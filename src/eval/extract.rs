//! `sift eval extract --gold FILE`: extraction quality and speed of decode + normalize.
//!
//! Reads `{"page": <envelope>, "gold": {"text", "title", "author", "published"}}` lines (.jsonl
//! or .jsonl.gz), runs decode and normalize in parallel, and prints body precision/recall/F1
//! (see [`super::scoring`]), title exact-match accuracy, date day accuracy, author accuracy and
//! pages per second — over all pages and over the even/odd halves (a built-in held-out check).
//!
//! Set `SIFT_EVAL_DUMP=path.jsonl` to write one diagnostic line per page (scores, predicted and
//! gold title/date) for error analysis.

use super::scoring::{self, PageCounts};
use crate::config::Settings;
use crate::decode;
use crate::message::{InputCoords, InputMessage};
use crate::normalize::Normalizer;
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Deserialize)]
struct GoldLine {
    page: serde_json::Value,
    #[serde(default)]
    gold: Gold,
}

/// The gold fields of one extraction gold line (shared with scoring external predictions).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Gold {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) text: Option<String>,
    #[serde(default)]
    pub(super) title: Option<String>,
    #[serde(default)]
    pub(super) author: Option<String>,
    #[serde(default)]
    pub(super) published: Option<String>,
}

/// One page's outcome.
struct Outcome {
    index: usize,
    id: String,
    counts: PageCounts,
    title: Option<bool>,
    date: Option<bool>,
    author: Option<bool>,
    seconds: f64,
    predicted_title: Option<String>,
    predicted_text: String,
    predicted_date: Option<String>,
    date_source: Option<String>,
    gold_title: Option<String>,
    gold_date: Option<String>,
    authors: Vec<String>,
    rejected: bool,
}

/// Open a .jsonl or .jsonl.gz file.
pub fn open_lines(path: &Path) -> Result<Box<dyn BufRead>> {
    let file = std::fs::File::open(path).with_context(|| format!("open {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}

/// Run the evaluation against the gold file and print the scores.
pub fn run(settings: &Settings, gold: &Path) -> Result<()> {
    let mut lines = Vec::new();
    for (i, line) in open_lines(gold)?.lines().enumerate() {
        let line = line.with_context(|| format!("read line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: GoldLine =
            serde_json::from_str(&line).with_context(|| format!("parse line {}", i + 1))?;
        lines.push(parsed);
    }
    let payloads: Vec<(Vec<u8>, &Gold)> = lines
        .iter()
        .map(|l| Ok((serde_json::to_vec(&l.page)?, &l.gold)))
        .collect::<Result<_>>()?;
    let normalizer = Normalizer::new(settings.stages.normalize.clone());
    let decode_cfg = settings.stages.decode.clone();
    let threads = rayon::current_num_threads();
    let wall = Instant::now();
    let outcomes: Vec<Outcome> = payloads
        .par_iter()
        .enumerate()
        .map(|(index, (payload, gold))| {
            let msg = InputMessage::from_payload(
                payload.clone(),
                InputCoords {
                    topic: format!("file:{}", gold_name(gold)),
                    partition: 0,
                    offset: index as i64,
                },
            );
            let t = super::thread_cpu_seconds();
            let article = decode::decode(&msg, &decode_cfg)
                .ok()
                .map(|page| normalizer.normalize(&page));
            let seconds = (super::thread_cpu_seconds() - t).max(0.0);
            score(index, gold, article.as_ref(), seconds)
        })
        .collect();
    let wall_secs = wall.elapsed().as_secs_f64();
    if let Ok(path) = std::env::var("SIFT_EVAL_DUMP") {
        dump(&path, &outcomes)?;
    }
    print_report(&outcomes, wall_secs, threads);
    Ok(())
}

fn gold_name(g: &Gold) -> &str {
    g.id.as_deref().unwrap_or("gold")
}

fn score(
    index: usize,
    gold: &Gold,
    article: Option<&crate::normalize::Article>,
    seconds: f64,
) -> Outcome {
    let predicted_text = article.map_or("", |a| a.text.as_str());
    let counts = scoring::page_counts(gold.text.as_deref().unwrap_or(""), predicted_text);
    let predicted_title = article.and_then(|a| a.title.clone());
    let predicted_date = article.and_then(|a| a.published_at.map(|d| d.to_rfc3339()));
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let gold_title = nonempty(&gold.title);
    let gold_date = nonempty(&gold.published);
    let gold_author = nonempty(&gold.author);
    Outcome {
        index,
        id: gold.id.clone().unwrap_or_else(|| index.to_string()),
        counts,
        title: gold_title
            .as_deref()
            .map(|g| scoring::title_matches(g, predicted_title.as_deref())),
        date: gold_date
            .as_deref()
            .map(|g| scoring::same_day(g, predicted_date.as_deref())),
        author: gold_author
            .as_deref()
            .map(|g| scoring::author_matches(g, article.map_or(&[][..], |a| a.authors.as_slice()))),
        seconds,
        predicted_title,
        predicted_text: if std::env::var_os("SIFT_EVAL_DUMP").is_some() {
            predicted_text.to_string()
        } else {
            String::new()
        },
        predicted_date,
        date_source: article
            .and_then(|a| a.published_at_source)
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        gold_title,
        gold_date,
        authors: article.map(|a| a.authors.clone()).unwrap_or_default(),
        rejected: article.is_none(),
    }
}

struct Row {
    prf: scoring::Prf,
    title: (usize, usize),
    date: (usize, usize),
    author: (usize, usize),
}

fn summarize<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Row {
    let mut counts = Vec::new();
    let mut title = (0, 0);
    let mut date = (0, 0);
    let mut author = (0, 0);
    for o in outcomes {
        counts.push(o.counts);
        for (field, acc) in [
            (o.title, &mut title),
            (o.date, &mut date),
            (o.author, &mut author),
        ] {
            if let Some(hit) = field {
                acc.1 += 1;
                acc.0 += usize::from(hit);
            }
        }
    }
    Row {
        prf: scoring::aggregate(&counts),
        title,
        date,
        author,
    }
}

fn ratio((hit, total): (usize, usize)) -> String {
    if total == 0 {
        "   n/a".to_string()
    } else {
        format!("{:.3} ({hit}/{total})", hit as f64 / total as f64)
    }
}

fn print_report(outcomes: &[Outcome], wall_secs: f64, threads: usize) {
    let rows = [
        ("all", summarize(outcomes.iter())),
        (
            "even",
            summarize(outcomes.iter().filter(|o| o.index % 2 == 0)),
        ),
        (
            "odd",
            summarize(outcomes.iter().filter(|o| o.index % 2 == 1)),
        ),
    ];
    println!(
        "{:<5} {:>6} {:>9} {:>7} {:>7} {:>18} {:>18} {:>18}",
        "split", "pages", "precision", "recall", "F1", "title", "date", "author"
    );
    for (name, r) in &rows {
        println!(
            "{:<5} {:>6} {:>9.4} {:>7.4} {:>7.4} {:>18} {:>18} {:>18}",
            name,
            r.prf.pages,
            r.prf.precision,
            r.prf.recall,
            r.prf.f1,
            ratio(r.title),
            ratio(r.date),
            ratio(r.author)
        );
    }
    let cpu: f64 = outcomes.iter().map(|o| o.seconds).sum();
    let rejected = outcomes.iter().filter(|o| o.rejected).count();
    let n = outcomes.len() as f64;
    println!(
        "speed: {:.1} pages/s per core (extraction CPU time {:.2} s), {:.1} pages/s wall on {} threads; {} rejected by decode",
        if cpu > 0.0 { n / cpu } else { 0.0 },
        cpu,
        if wall_secs > 0.0 { n / wall_secs } else { 0.0 },
        threads,
        rejected
    );
}

fn dump(path: &str, outcomes: &[Outcome]) -> Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    for o in outcomes {
        let p = scoring::aggregate(&[o.counts]);
        let line = serde_json::json!({
            "index": o.index,
            "id": o.id,
            "precision": p.precision,
            "recall": p.recall,
            "title_ok": o.title,
            "title": o.predicted_title,
            "gold_title": o.gold_title,
            "date_ok": o.date,
            "date": o.predicted_date,
            "date_source": o.date_source,
            "gold_date": o.gold_date,
            "author_ok": o.author,
            "authors": o.authors,
            "ms": o.seconds * 1000.0,
            "text": o.predicted_text,
        });
        writeln!(f, "{line}")?;
    }
    Ok(())
}
