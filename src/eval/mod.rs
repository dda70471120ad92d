//! Evaluation commands (`sift eval …`): score the stages against gold data sets.
//!
//! Gold data is read at run time from files the user names; none of it is compiled in.

pub mod dedup;
pub mod events;
pub mod extract;
pub mod predictions;
pub mod scoring;

/// CPU time of the calling thread (so a busy machine does not inflate the per-core figure).
#[cfg(unix)]
pub fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; CLOCK_THREAD_CPUTIME_ID is valid.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Fallback: wall time.
#[cfg(not(unix))]
pub fn thread_cpu_seconds() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
}
