//! Tag stage throughput (source resolution + event assignment) with 100,000 active events.
//! The workload (synthetic pages, pre-filled tracker) is in `support/tag_workload.rs`, shared
//! with `examples/normalize_dump.rs tag` for callgrind.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/tag_workload.rs"]
mod tag_workload;

use tag_workload::{BATCH, TagWorkload};

const EVENTS: usize = 100_000;

fn bench_tag(c: &mut Criterion) {
    let mut work = TagWorkload::new(EVENTS);
    let mut group = c.benchmark_group("tag");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.bench_function("resolve_and_assign_100k_active_events", |b| {
        b.iter(|| work.run_batch())
    });
    group.finish();

    // CPU time of this thread (immune to other processes sharing the cores), Linux only.
    let rounds = 10;
    let (wall, cpu0) = (std::time::Instant::now(), thread_cpu_seconds());
    for _ in 0..rounds {
        work.run_batch();
    }
    let pages_done = (rounds * BATCH) as f64;
    if let (Some(c0), Some(c1)) = (cpu0, thread_cpu_seconds()) {
        eprintln!(
            "tag stage: {:.0} pages per CPU-second ({:.0} pages/s wall), {} active events",
            pages_done / (c1 - c0).max(1e-9),
            pages_done / wall.elapsed().as_secs_f64(),
            work.active()
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
