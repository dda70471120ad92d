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
/// core when that is 0. With `default_slice`, each pool thread goes back to the kernel's
/// default time slice (the worker asks for short slices for every other thread, see
/// [`super::sched`]).
pub fn cpu_pool(
    pipeline: &PipelineSettings,
    default_slice: bool,
) -> Result<(rayon::ThreadPool, usize)> {
    let threads = match pipeline.worker_threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sift-cpu-{i}"))
        .start_handler(move |_| {
            if default_slice && let Err(e) = super::sched::set_current_thread(0) {
                tracing::debug!(error = %e, "could not reset the CPU pool's time slice");
            }
        })
        .build()
        .context("building CPU pool")?;
    Ok((pool, threads))
}

/// Ask for `kafka.hand_off_slice_us` time slices for every thread of the worker (those running
/// now and, by inheritance, those created later); the CPU pool's threads reset theirs (see
/// [`cpu_pool`]). Returns whether the pool should reset: false when the setting is 0 or the
/// kernel does not support it.
pub fn short_hand_off_slices(kafka: &KafkaSettings) -> bool {
    if kafka.hand_off_slice_us == 0 {
        return false;
    }
    match super::sched::set_all_threads(kafka.hand_off_slice_us) {
        Ok(threads) => {
            tracing::info!(
                slice_us = super::sched::clamp_slice_us(kafka.hand_off_slice_us),
                threads,
                "short time slices for the hand-off threads"
            );
            true
        }
        Err(e) => {
            tracing::info!(error = %e, "kernel keeps default time slices");
            false
        }
    }
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

    #[test]
    fn cpu_pool_threads_get_the_default_slice_back_and_the_caller_keeps_its_own() {
        std::thread::spawn(|| {
            if super::super::sched::set_current_thread(200).is_err() {
                eprintln!("kernel without custom slices; nothing to check");
                return;
            }
            let mut pipeline = Settings::load_from(None, Vec::new()).unwrap().pipeline;
            pipeline.worker_threads = 2;
            let (pool, threads) = cpu_pool(&pipeline, true).unwrap();
            assert_eq!(threads, 2);
            let pool_slice = pool.install(super::super::sched::current_thread_slice_us);
            assert_ne!(
                pool_slice,
                Some(200),
                "the pool's threads reset their slice"
            );
            assert_eq!(super::super::sched::current_thread_slice_us(), Some(200));
            // Without the reset, pool threads inherit the creator's slice.
            let (pool, _) = cpu_pool(&pipeline, false).unwrap();
            assert_eq!(
                pool.install(super::super::sched::current_thread_slice_us),
                Some(200)
            );
        })
        .join()
        .unwrap();
    }
}
