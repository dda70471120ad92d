//! Resident memory of the stateful window: the real `Deduplicator` and `EventTracker`, with the
//! configured limits (`config/default.toml` plus `SIFT__…` overrides: 1M documents, 100k active
//! events, 1M remembered pages by default), filled with synthetic news-like documents through
//! the same `check()` / `assign()` calls the worker makes. Prints the process RSS (VmRSS) before
//! filling and at each checkpoint, in MiB.
//!
//! Documents: 120–360 words, Zipf-distributed over 50 function words and 60,000 invented words,
//! plus the words and names of one of `docs / 10` topics (so events have ~10 pages each and the
//! active-event cap is reached), one in five a verbatim copy of an earlier document.
//!
//! usage: cargo run --release --example window_rss -- [CHECKPOINT ...]   (default 100000 1000000)
//! `WINDOW_RSS_STAGES=dedup` or `=events` fills only that stage (to split the total).
//! `WINDOW_RSS_BREAKDOWN=1` also prints the event tracker's estimated heap bytes per structure
//! (`EventTracker::memory_breakdown`) at each checkpoint.
//! prints: `window_rss: docs=N rss_mib=R dedup_docs=D active_events=E remembered_pages=P secs=S`

use anyhow::{Context, Result};
use sift::config::Settings;
use sift::dedup::{Deduplicator, Verdict, mix64};
use sift::normalize::{Article, Quality};
use sift::tag::{EventTracker, SourceResolver};
use std::time::Instant;

const STOP: &[&str] = &[
    "the", "of", "to", "and", "a", "in", "that", "is", "for", "it", "on", "said", "was", "with",
    "he", "as", "at", "by", "his", "be", "from", "has", "have", "an", "are", "not", "they", "this",
    "but", "who", "were", "had", "its", "their", "been", "will", "after", "would", "which", "she",
    "one", "we", "more", "or", "about", "her", "than", "also", "when", "there",
];
const VOCAB: u64 = 60_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Zipf-like rank in 0..n.
    fn zipf(&mut self, n: u64) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) as u64).saturating_sub(1).min(n - 1)
    }
}

fn word(rank: u64, out: &mut String) {
    match usize::try_from(rank).ok().and_then(|r| STOP.get(r)) {
        Some(w) => out.push_str(w),
        None => {
            out.push('w');
            out.push_str(&rank.to_string());
        }
    }
}

fn article(i: u64, topics: u64) -> Article {
    let mut rng = Rng(mix64(i ^ 0x5eed));
    let topic = rng.below(topics);
    let words = 120 + rng.below(240);
    let mut text = String::with_capacity(words as usize * 7);
    for k in 0..words {
        if k > 0 {
            text.push_str(if k % 18 == 0 { ". " } else { " " });
        }
        match rng.below(10) {
            0 => {
                text.push('t');
                text.push_str(&(topic * 8 + rng.below(8)).to_string());
            }
            1 => {
                text.push('N');
                text.push_str(&(topic * 3 + rng.below(3)).to_string());
            }
            _ => word(rng.zipf(STOP.len() as u64 + VOCAB), &mut text),
        }
    }
    Article {
        word_count: words as usize,
        title: Some(format!("N{} t{} t{}", topic * 3, topic * 8, topic * 8 + 1)),
        text,
        published_at: None,
        published_at_source: None,
        authors: Vec::new(),
        agencies: Vec::new(),
        site_name: None,
        url: Some(format!("https://site{}.example.com/n/{i}", topic % 400)),
        canonical_url: None,
        language: Some("en".into()),
        quality: Quality { is_article: true },
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> Result<()> {
    let mut checkpoints: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().context("checkpoints are document counts"))
        .collect::<Result<_>>()?;
    if checkpoints.is_empty() {
        checkpoints = vec![100_000, 1_000_000];
    }
    checkpoints.sort_unstable();
    let last = checkpoints.last().copied().unwrap_or(0);
    let settings = Settings::load(None)?;
    let t0 = 1_700_000_000_000i64;
    let base = rss_mib();
    let mut dedup = Deduplicator::new(settings.stages.dedup.clone());
    let mut events = EventTracker::new(settings.stages.tag.event.clone());
    let resolver = SourceResolver::default();
    println!(
        "window_rss: docs=0 rss_mib={:.1} (process before the stages: {base:.1}) max_documents={} max_active_events={} max_remembered_pages={}",
        rss_mib(),
        settings.stages.dedup.max_documents,
        settings.stages.tag.event.max_active_events,
        settings.stages.tag.event.max_remembered_pages
    );
    let stages = std::env::var("WINDOW_RSS_STAGES").unwrap_or_default();
    let (with_dedup, with_events) = (stages != "events", stages != "dedup");
    let started = Instant::now();
    let topics = (last / 10).max(1);
    let mut next = checkpoints.iter().copied().peekable();
    for i in 0..last {
        // One in five documents repeats an earlier one verbatim under a new id.
        let src = if i > 10 && mix64(i).is_multiple_of(5) {
            mix64(i ^ 1) % i
        } else {
            i
        };
        let a = article(src, topics);
        let id = format!("doc-{i:012}");
        let at = t0 + i as i64 * 100;
        let verdict = if with_dedup {
            dedup.check(&id, &a, at).0
        } else {
            Verdict::unique()
        };
        if with_events {
            let source = resolver.resolve(&a, None, &[]);
            let _ = events.assign(&id, &a, &verdict, &source.id, at);
        }
        if next.peek() == Some(&(i + 1)) {
            next.next();
            println!(
                "window_rss: docs={} rss_mib={:.1} dedup_docs={} active_events={} remembered_pages={} secs={:.1}",
                i + 1,
                rss_mib(),
                dedup.len(),
                events.active(),
                events.remembered_pages(),
                started.elapsed().as_secs_f64()
            );
            if std::env::var_os("WINDOW_RSS_BREAKDOWN").is_some() {
                let mut total = 0;
                for (what, n) in events.memory_breakdown() {
                    if what.starts_with("count") {
                        println!("  {what}: {n}");
                    } else {
                        total += n;
                        println!("  {what}: {:.1} MiB", n as f64 / 1048576.0);
                    }
                }
                println!(
                    "  events total (estimated heap): {:.1} MiB",
                    total as f64 / 1048576.0
                );
            }
        }
    }
    Ok(())
}
