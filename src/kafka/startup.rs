//! Start-up steps shared by both delivery modes (at-least-once in `kafka/mod.rs`, exactly-once
//! in `transactional.rs`): the CPU pool, the state-log replay that gates readiness, and the
//! input consumer's first contact with the cluster.

use super::state_log;
use crate::config::{KafkaSettings, PipelineSettings};
use crate::metrics::Metrics;
use crate::ops::Health;
use crate::state::StateEntry;
use anyhow::{Context, Result};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// The rayon pool that runs decode + normalize: `pipeline.worker_threads` threads, or one per
/// core when that is 0, each with `pipeline.cpu_nice` added to its niceness.
///
/// Why lower their priority: a page's latency is mostly hand-offs between short-running
/// threads (consumer, sequencer, producers, acknowledger, and a broker on the same host) that
/// wake, work for microseconds and sleep again. When every core is busy preparing pages, each
/// such wake-up waits for a pool thread's time slice to end, on every hand-off of every page.
/// Niced pool threads yield a core to them at once; the pool still gets every cycle they leave
/// idle, so throughput does not change.
pub fn cpu_pool(pipeline: &PipelineSettings) -> Result<(rayon::ThreadPool, usize)> {
    let threads = match pipeline.worker_threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let nice = pipeline.cpu_nice;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sift-cpu-{i}"))
        .start_handler(move |_| {
            if nice != 0
                && let Err(e) = renice_current_thread(nice)
            {
                tracing::warn!(error = %e, nice, "could not lower the CPU pool's priority");
            }
        })
        .build()
        .context("building CPU pool")?;
    Ok((pool, threads))
}

/// Add `increment` to the niceness of the calling thread only (Linux: `setpriority` on a thread
/// id applies to that thread). Raising niceness needs no privilege.
#[cfg(target_os = "linux")]
fn renice_current_thread(increment: i32) -> std::io::Result<()> {
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let id = libc::id_t::try_from(tid).map_err(std::io::Error::other)?;
    // SAFETY: getpriority/setpriority read and write only the scheduling attributes of the
    // given thread. getpriority may legitimately return -1, so errno is cleared and checked.
    unsafe {
        *libc::__errno_location() = 0;
        let current = libc::getpriority(libc::PRIO_PROCESS, id);
        if current == -1 && *libc::__errno_location() != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let target = current.saturating_add(increment).clamp(-20, 19);
        if libc::setpriority(libc::PRIO_PROCESS, id, target) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Elsewhere, niceness is left alone.
#[cfg(not(target_os = "linux"))]
fn renice_current_thread(_increment: i32) -> std::io::Result<()> {
    Ok(())
}

/// The state thread (replays, then tails, the state topic) and the entries it reads, in log
/// order, for the stages to apply before pages.
pub fn start_state_log(
    kafka: &KafkaSettings,
    topic: &str,
    metrics: Metrics,
    health: &Arc<Health>,
    shutdown: &Arc<AtomicBool>,
) -> Result<(JoinHandle<()>, crossbeam_channel::Receiver<StateEntry>)> {
    let (tx, entries) = crossbeam_channel::unbounded::<StateEntry>();
    let thread = state_log::spawn(
        kafka,
        topic,
        metrics,
        Arc::clone(health),
        tx,
        Arc::clone(shutdown),
    )?;
    Ok((thread, entries))
}

/// Wait until the state thread has replayed the state topic up to the end offsets seen at
/// start: the worker is not ready, and does not consume, before. Returns `false` (and tells
/// the threads to stop) when `stop` resolves first.
pub async fn state_replayed(
    health: &Health,
    shutdown: &AtomicBool,
    mut stop: Pin<&mut impl Future<Output = ()>>,
) -> bool {
    while !health.state_caught_up.load(Ordering::Relaxed) {
        tokio::select! {
            _ = &mut stop => {
                shutdown.store(true, Ordering::Relaxed);
                return false;
            }
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
    true
}

/// Create the input consumer with its rebalance context and check that the input topic
/// exists; marks the worker connected.
pub fn connect_consumer<C: ConsumerContext>(
    config: &ClientConfig,
    context: C,
    input_topic: &str,
    health: &Health,
) -> Result<BaseConsumer<C>> {
    let consumer: BaseConsumer<C> = config
        .create_with_context(context)
        .context("creating consumer")?;
    consumer
        .fetch_metadata(Some(input_topic), Duration::from_secs(15))
        .with_context(|| format!("metadata of input topic {input_topic}"))?;
    health.connected.store(true, Ordering::Relaxed);
    Ok(consumer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    #[cfg(target_os = "linux")]
    fn thread_nice() -> i32 {
        // SAFETY: as in renice_current_thread.
        unsafe {
            let id = libc::id_t::try_from(libc::gettid()).unwrap();
            libc::getpriority(libc::PRIO_PROCESS, id)
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn cpu_pool_threads_are_niced_and_the_caller_is_not() {
        let mut pipeline = Settings::load_from(None, Vec::new()).unwrap().pipeline;
        pipeline.worker_threads = 2;
        let before = thread_nice();
        pipeline.cpu_nice = 3;
        let (pool, threads) = cpu_pool(&pipeline).unwrap();
        assert_eq!(threads, 2);
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
            pool.spawn(move || tx.send(thread_nice()).unwrap());
        }
        for _ in 0..threads {
            assert_eq!(rx.recv().unwrap(), (before + 3).min(19));
        }
        assert_eq!(thread_nice(), before, "only the pool's threads change");

        pipeline.cpu_nice = 0;
        let (pool, _) = cpu_pool(&pipeline).unwrap();
        assert_eq!(pool.install(thread_nice), before);
    }
}
