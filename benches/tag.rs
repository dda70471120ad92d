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

    // CPU time of this thread (immune to other processes sharing the cores).
    let rounds = 10;
    let (wall, cpu0) = (std::time::Instant::now(), sift::eval::thread_cpu_seconds());
    for _ in 0..rounds {
        work.run_batch();
    }
    let pages_done = (rounds * BATCH) as f64;
    let cpu = sift::eval::thread_cpu_seconds() - cpu0;
    eprintln!(
        "tag stage: {:.0} pages per CPU-second ({:.0} pages/s wall), {} active events",
        pages_done / cpu.max(1e-9),
        pages_done / wall.elapsed().as_secs_f64(),
        work.active()
    );
}

criterion_group!(benches, bench_tag);
criterion_main!(benches);
