//! Tag stage throughput (source resolution + event assignment) with 100,000 active events.
//!
//! Synthetic pages: ~400 words, Zipf-distributed background vocabulary of 30,000 words, plus the
//! event's own topic words and capitalized names. The tracker is pre-filled with 100,000 events
//! (one page each); measured pages belong to existing events (4 in 5) or open new ones (1 in 5,
//! which then evict the least recently updated events to stay at 100,000).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sift::dedup::Verdict;
use sift::normalize::{Article, Quality};
use sift::tag::{EventConfig, EventTracker, SourceResolver};
use std::hint::black_box;

const EVENTS: usize = 100_000;
const BATCH: usize = 2_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Zipf-like rank in 0..n (inverse-power sampling).
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
    }
}

fn syllables(mut n: usize, cap: bool) -> String {
    const S: [&str; 16] = [
        "ka", "lo", "mi", "ra", "ten", "vo", "su", "del", "an", "or", "pi", "gu", "ne", "sha",
        "tor", "be",
    ];
    let mut w = String::new();
    loop {
        w.push_str(S[n % 16]);
        n /= 16;
        if n == 0 {
            break;
        }
    }
    if cap {
        let mut c = w.chars();
        if let Some(f) = c.next() {
            return f.to_uppercase().collect::<String>() + c.as_str();
        }
    }
    w
}

fn page(rng: &mut Rng, topic: usize) -> Article {
    // Each topic: 8 topic words and 3 names, derived from its number.
    let topic_word = |k: usize| syllables(40_000 + topic * 8 + k, false);
    let name = |k: usize| syllables(2_000_000 + topic * 3 + k, true);
    let mut text = String::new();
    for s in 0..20 {
        if s % 4 == 3 {
            text.push_str("\n\n");
        }
        for i in 0..20 {
            let w = match rng.below(10) {
                0 => topic_word(rng.below(8)),
                1 if i > 0 => format!("{} {}", name(rng.below(3)), name(rng.below(3))),
                _ => syllables(rng.zipf(30_000), false),
            };
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    text.extend(f.to_uppercase());
                    text.push_str(c.as_str());
                }
            } else {
                text.push(' ');
                text.push_str(&w);
            }
        }
        text.push_str(". ");
    }
    let title = format!(
        "{} {} {} {}",
        name(0),
        topic_word(0),
        topic_word(1),
        name(1)
    );
    Article {
        word_count: text.split_whitespace().count(),
        text,
        title: Some(title),
        published_at: None,
        published_at_source: None,
        authors: vec![],
        agencies: vec![],
        site_name: None,
        url: Some(format!(
            "https://www.site{}.example.com/news/{}",
            topic % 500,
            rng.next()
        )),
        canonical_url: None,
        language: Some("en".into()),
        quality: Quality { is_article: true },
    }
}

fn bench_tag(c: &mut Criterion) {
    let mut rng = Rng(7);
    let cfg = EventConfig {
        max_active_events: EVENTS,
        window_days: 3650.0,
        ..EventConfig::default()
    };
    let mut tracker = EventTracker::new(cfg);
    let resolver = SourceResolver::default();
    let unique = Verdict::unique();
    let t0 = 1_700_000_000_000i64;
    for topic in 0..EVENTS {
        let a = page(&mut rng, topic);
        tracker.assign(
            &format!("fill-{topic}"),
            &a,
            &unique,
            "s",
            t0 + topic as i64,
        );
    }
    assert_eq!(tracker.active(), EVENTS);
    let pages: Vec<Article> = (0..BATCH)
        .map(|i| {
            let topic = if i % 5 == 4 {
                EVENTS + i
            } else {
                rng.below(EVENTS)
            };
            page(&mut rng, topic)
        })
        .collect();
    let mut n = 0u64;
    let mut group = c.benchmark_group("tag");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.bench_function("resolve_and_assign_100k_active_events", |b| {
        b.iter(|| {
            for a in &pages {
                n += 1;
                let source = resolver.resolve(a, None, &[]);
                let r = tracker.assign(
                    &format!("p{n}"),
                    a,
                    &unique,
                    &source.id,
                    t0 + EVENTS as i64 + n as i64,
                );
                black_box(r);
            }
        })
    });
    group.finish();

    // CPU time of this thread (immune to other processes sharing the cores), Linux only.
    let rounds = 10;
    let (wall, cpu0) = (std::time::Instant::now(), thread_cpu_seconds());
    for _ in 0..rounds {
        for a in &pages {
            n += 1;
            let source = resolver.resolve(a, None, &[]);
            let r = tracker.assign(
                &format!("p{n}"),
                a,
                &unique,
                &source.id,
                t0 + EVENTS as i64 + n as i64,
            );
            black_box(r);
        }
    }
    let pages_done = (rounds * BATCH) as f64;
    if let (Some(c0), Some(c1)) = (cpu0, thread_cpu_seconds()) {
        eprintln!(
            "tag stage: {:.0} pages per CPU-second ({:.0} pages/s wall), {} active events",
            pages_done / (c1 - c0).max(1e-9),
            pages_done / wall.elapsed().as_secs_f64(),
            tracker.active()
        );
    }
}

/// User + system CPU seconds of the calling thread from /proc (10 ms resolution).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

criterion_group!(benches, bench_tag);
criterion_main!(benches);
