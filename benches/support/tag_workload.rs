//! The tag-stage workload shared by `benches/tag.rs` and the `normalize_dump tag` profiling mode:
//! synthetic pages of ~400 words (Zipf-distributed background vocabulary of 30,000 words, plus
//! the event's own topic words and capitalized names) and a tracker pre-filled with one page per
//! event. Measured pages belong to existing events (4 in 5) or open new ones (1 in 5, which then
//! evict the least recently updated events to stay at the cap).

use sift::dedup::Verdict;
use sift::normalize::{Article, Quality};
use sift::tag::{EventConfig, EventTracker, SourceResolver};
use std::hint::black_box;

/// Pages measured per batch.
pub const BATCH: usize = 2_000;

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

/// A tracker holding `events` active events and a batch of pages to tag.
pub struct TagWorkload {
    tracker: EventTracker,
    resolver: SourceResolver,
    unique: Verdict,
    pages: Vec<Article>,
    events: usize,
    /// Pages tagged so far in the measured part (gives unique ids and increasing times).
    n: u64,
}

const T0: i64 = 1_700_000_000_000;

impl TagWorkload {
    /// Fill a tracker with `events` events (one page each) and draw [`BATCH`] pages to measure.
    pub fn new(events: usize) -> Self {
        let mut rng = Rng(7);
        let cfg = EventConfig {
            max_active_events: events,
            window_days: 3650.0,
            ..EventConfig::default()
        };
        let mut tracker = EventTracker::new(cfg);
        let unique = Verdict::unique();
        for topic in 0..events {
            let a = page(&mut rng, topic);
            tracker.assign(
                &format!("fill-{topic}"),
                &a,
                &unique,
                "s",
                T0 + topic as i64,
            );
        }
        assert_eq!(tracker.active(), events);
        let pages = (0..BATCH)
            .map(|i| {
                let topic = if i % 5 == 4 {
                    events + i
                } else {
                    rng.below(events)
                };
                page(&mut rng, topic)
            })
            .collect();
        Self {
            tracker,
            resolver: SourceResolver::default(),
            unique,
            pages,
            events,
            n: 0,
        }
    }

    /// Resolve the source of and assign an event to every page of the batch once (not inlined,
    /// so `valgrind --toggle-collect='*TagWorkload::run_batch'` can count just this).
    #[inline(never)]
    pub fn run_batch(&mut self) {
        for a in &self.pages {
            self.n += 1;
            let source = self.resolver.resolve(a, None, &[]);
            let r = self.tracker.assign(
                &format!("p{}", self.n),
                a,
                &self.unique,
                &source.id,
                T0 + self.events as i64 + self.n as i64,
            );
            black_box(r);
        }
    }

    /// Events currently active.
    pub fn active(&self) -> usize {
        self.tracker.active()
    }
}
