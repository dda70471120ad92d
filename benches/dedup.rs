//! Dedup stage benchmarks: `check()` with 1 million documents in the window, replay of 1 million
//! state entries (JSON parse as on the Kafka path + apply), and index bytes per document.
//!
//! Documents are synthetic: sentences of words drawn from a Zipf(1.0) distribution over English
//! function words (the most frequent ranks) followed by 60,000 invented words, 150–600 words per
//! document, so common phrases collide in LSH buckets as they do in real news text.
//!
//! `cargo bench --bench dedup` (set `SIFT_BENCH_DOCS` to prefill fewer documents).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sift::dedup::{DedupConfig, Deduplicator};
use sift::normalize::{Article, Quality};
use sift::pipeline::{parse_state_record, state_record};
use sift::state::StateStore;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const STOP: &[&str] = &[
    "the", "of", "to", "and", "a", "in", "that", "is", "for", "it", "on", "said", "was", "with",
    "he", "as", "at", "by", "his", "be", "from", "has", "have", "an", "are", "not", "they", "this",
    "but", "who", "were", "had", "its", "their", "been", "will", "after", "would", "which", "she",
    "one", "we", "more", "or", "about", "her", "than", "also", "when", "there",
];
const VOCAB: usize = 60_000;

struct Corpus {
    /// Cumulative Zipf weights over `STOP.len() + VOCAB` ranks.
    cdf: Vec<f64>,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        sift::dedup::mix64(self.0)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Corpus {
    fn new() -> Self {
        let n = STOP.len() + VOCAB;
        let mut acc = 0.0;
        let cdf = (1..=n)
            .map(|r| {
                acc += 1.0 / r as f64;
                acc
            })
            .collect::<Vec<_>>();
        let total = acc;
        Self {
            cdf: cdf.into_iter().map(|c| c / total).collect(),
        }
    }

    fn word(&self, rng: &mut Rng, out: &mut String) {
        let u = rng.unit();
        let r = self.cdf.partition_point(|&c| c < u);
        match STOP.get(r) {
            Some(w) => out.push_str(w),
            None => {
                out.push('w');
                out.push_str(&(r - STOP.len()).to_string());
            }
        }
    }

    /// Document `i`: deterministic from its number.
    fn doc(&self, i: u64) -> String {
        let mut rng = Rng(i.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ 0x1234_5678);
        let words = 150 + (rng.next() % 450) as usize;
        let mut s = String::with_capacity(words * 7);
        for k in 0..words {
            if k > 0 {
                s.push(if k % 17 == 0 { '.' } else { ' ' });
                if k % 17 == 0 {
                    s.push(' ');
                }
            }
            self.word(&mut rng, &mut s);
        }
        s
    }
}

fn article(text: String) -> Article {
    Article {
        word_count: 0,
        text,
        title: None,
        published_at: None,
        published_at_source: None,
        authors: Vec::new(),
        agencies: Vec::new(),
        site_name: None,
        url: None,
        canonical_url: None,
        language: None,
        quality: Quality { is_article: true },
    }
}

fn id(i: u64) -> String {
    format!(
        "p-{:032x}",
        u128::from(sift::dedup::mix64(i)) << 64 | u128::from(i)
    )
}

const T0: i64 = 1_700_000_000_000;

fn docs_in_window() -> u64 {
    std::env::var("SIFT_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn bench(c: &mut Criterion) {
    let n = docs_in_window();
    let corpus = Corpus::new();
    let cfg = DedupConfig {
        max_documents: n as usize,
        ..DedupConfig::default()
    };

    // Prefill through check(), keeping the state records as the Kafka path would produce them.
    let before = LIVE.load(Ordering::Relaxed);
    let mut d = Deduplicator::new(cfg.clone());
    let mut log: Vec<u8> = Vec::new();
    let mut offsets: Vec<usize> = Vec::with_capacity(n as usize + 1);
    let started = Instant::now();
    let mut check_secs = 0.0;
    for i in 0..n {
        let a = article(corpus.doc(i));
        let t = Instant::now();
        let (_, entry) = d.check(&id(i), &a, T0 + i as i64);
        check_secs += t.elapsed().as_secs_f64();
        if let Some(e) = entry {
            offsets.push(log.len());
            log.extend_from_slice(&state_record(&e).value);
        }
    }
    offsets.push(log.len());
    let index_live =
        LIVE.load(Ordering::Relaxed) - before - (log.capacity() + offsets.capacity() * 8) as isize;
    eprintln!(
        "prefill: {n} documents in {:.1} s; check() alone {:.1} s = {:.0} pages/s while the window fills",
        started.elapsed().as_secs_f64(),
        check_secs,
        n as f64 / check_secs
    );
    eprintln!(
        "index memory at {} documents: {:.1} bytes/doc by allocation count ({} bytes), {:.1} bytes/doc by buffer capacity",
        d.len(),
        index_live as f64 / d.len() as f64,
        index_live,
        d.index_bytes() as f64 / d.len() as f64
    );
    eprintln!(
        "LSH candidates per check while filling: {:.1}",
        d.chain_visits() as f64 / n as f64
    );
    eprintln!(
        "state log: {} entries, {:.0} bytes/entry on average",
        offsets.len() - 1,
        log.len() as f64 / (offsets.len() - 1) as f64
    );

    // check() with the window full: new documents (evicting the oldest), and copies of
    // documents in the window (first half of a remembered text, under a new id).
    let mut next = n;
    let mut g = c.benchmark_group("dedup");
    g.sample_size(20);
    g.bench_function("check_new_page_1M_window", |b| {
        b.iter_batched(
            || {
                next += 1;
                (id(next), article(corpus.doc(next)), next)
            },
            |(doc_id, a, i)| d.check(&doc_id, &a, T0 + i as i64),
            BatchSize::SmallInput,
        )
    });
    let mut copy = 0u64;
    let mut tick = next;
    g.bench_function("check_truncated_copy_1M_window", |b| {
        b.iter_batched(
            || {
                copy += 1;
                tick += 1;
                // A document still in the window (the newest n were generated as doc(i)).
                let src = next.saturating_sub(1 + (copy * 7919) % (n / 2).max(1));
                let text = corpus.doc(src);
                let half: String = text.chars().take(text.len() * 6 / 10).collect();
                (format!("copy-{copy}"), article(half), tick)
            },
            |(doc_id, a, i)| d.check(&doc_id, &a, T0 + i as i64),
            BatchSize::SmallInput,
        )
    });
    // Sanity at scale: how many copies of window documents are found, and how fast.
    let t = Instant::now();
    let mut found = 0;
    let mut unique = 0;
    for k in 0..2000u64 {
        tick += 1;
        let src = next.saturating_sub(1 + (k * 104_729) % (n / 2).max(1));
        let text = corpus.doc(src);
        let half: String = text.chars().take(text.len() * 6 / 10).collect();
        let (v, _) = d.check(&format!("probe-{k}"), &article(half), T0 + tick as i64);
        if v.duplicate_of.as_deref() == Some(id(src).as_str()) {
            found += 1;
        } else if v.duplicate_of.is_none() {
            unique += 1;
        }
    }
    eprintln!(
        "60 % prefixes of 2,000 window documents: {found} found with the right original, {unique} missed ({:.0} pages/s incl. text generation)",
        2000.0 / t.elapsed().as_secs_f64()
    );
    drop(d);

    // Replay: parse each state record (as the state-log reader does) and apply it.
    g.sample_size(10);
    g.bench_function("replay_1M_entries", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut r = Deduplicator::new(cfg.clone());
                let t = Instant::now();
                for w in offsets.windows(2) {
                    if let Some(entry) = log.get(w[0]..w[1]).and_then(parse_state_record) {
                        r.apply(&entry);
                    }
                }
                total += t.elapsed();
                assert_eq!(r.len(), n as usize);
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
