//! Scheduler time slices for the worker's threads (`kafka.hand_off_slice_us`).
//!
//! A page's latency is mostly hand-offs between short-running threads — the consumer's poll
//! thread, librdkafka's broker threads, the sequencer, the producers' delivery-report thread,
//! the acknowledger — that wake, work for microseconds and sleep again. When the CPU pool keeps
//! every core busy, each such wake-up used to wait for a running stage thread's time slice to
//! end, on every hand-off of every page. Linux 6.12+ (EEVDF) lets a thread ask for a shorter
//! slice (`sched_setattr` with `sched_runtime` on a `SCHED_OTHER` thread); a waking thread with
//! a shorter slice than the running one preempts it. Weights do not change, so the stage
//! threads keep their CPU share: only *when* the short jobs run changes.
//!
//! Opt-in (`kafka.hand_off_slice_us`, default 0): those threads also do milliseconds of work
//! per page (the sequencer's dedup + tag, librdkafka's compression), which a short slice chops
//! up, and on a loaded machine 100 µs did not lower the latency.
//!
//! The slice is inherited by threads created later, so [`set_all_threads`] at start-up covers
//! the runtime's threads and every thread spawned afterwards (librdkafka's included); the CPU
//! pool's threads go back to the default with [`set_current_thread`]`(0)`.

use std::io;

/// The kernel's bounds on a requested slice, in microseconds.
pub const SLICE_RANGE_US: (u64, u64) = (100, 100_000);

/// Ask for a `slice_us` time slice (clamped to [`SLICE_RANGE_US`]) for the calling thread; 0
/// restores the kernel's default. An error means the kernel does not support it (older than
/// 6.12, or not Linux) and nothing changed.
pub fn set_current_thread(slice_us: u64) -> io::Result<()> {
    set_thread(0, slice_us)
}

/// [`set_current_thread`] for every thread of this process that exists now (threads created
/// later inherit the slice of their creator). Returns how many threads were changed.
pub fn set_all_threads(slice_us: u64) -> io::Result<usize> {
    let mut changed = 0;
    for entry in std::fs::read_dir("/proc/self/task")? {
        let Some(tid) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        // A thread may have exited since the listing: skip it.
        match set_thread(tid, slice_us) {
            Ok(()) => changed += 1,
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}

/// The slice (µs) to request: 0 stays 0 (default), anything else is clamped to the kernel's
/// range.
pub fn clamp_slice_us(slice_us: u64) -> u64 {
    if slice_us == 0 {
        0
    } else {
        slice_us.clamp(SLICE_RANGE_US.0, SLICE_RANGE_US.1)
    }
}

#[cfg(target_os = "linux")]
fn set_thread(tid: i32, slice_us: u64) -> io::Result<()> {
    let attr = libc::sched_attr {
        size: std::mem::size_of::<libc::sched_attr>() as u32,
        sched_policy: libc::SCHED_OTHER as u32,
        sched_flags: 0,
        sched_nice: current_nice(tid)?,
        sched_priority: 0,
        sched_runtime: clamp_slice_us(slice_us) * 1000,
        sched_deadline: 0,
        sched_period: 0,
    };
    // SAFETY: sched_setattr reads `size` bytes of `attr`, a live, fully initialized
    // `sched_attr`; it changes only the scheduling attributes of thread `tid` (0 = caller).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_sched_setattr,
            libc::pid_t::from(tid),
            &attr as *const libc::sched_attr,
            0u32,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The niceness of thread `tid` (0 = caller), kept as it is by [`set_thread`].
#[cfg(target_os = "linux")]
fn current_nice(tid: i32) -> io::Result<i32> {
    let who = if tid == 0 {
        // SAFETY: gettid has no preconditions.
        unsafe { libc::gettid() }
    } else {
        tid
    };
    let who = libc::id_t::try_from(who).map_err(io::Error::other)?;
    // SAFETY: getpriority only reads the scheduling attributes of the given thread. It may
    // legitimately return -1, so errno is cleared before and checked after.
    unsafe {
        *libc::__errno_location() = 0;
        let nice = libc::getpriority(libc::PRIO_PROCESS, who);
        if nice == -1 && *libc::__errno_location() != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(nice)
    }
}

#[cfg(not(target_os = "linux"))]
fn set_thread(_tid: i32, _slice_us: u64) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The slice (µs) of the calling thread as the kernel reports it (`se.slice` in
/// `/proc/thread-self/sched`), for tests and diagnostics.
pub fn current_thread_slice_us() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/sched").ok()?;
    let line = text.lines().find(|l| l.starts_with("se.slice"))?;
    let ns: u64 = line.split(':').nth(1)?.trim().parse().ok()?;
    Some(ns / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_clamped_to_the_kernel_range_and_zero_means_default() {
        assert_eq!(clamp_slice_us(0), 0);
        assert_eq!(clamp_slice_us(1), 100);
        assert_eq!(clamp_slice_us(250), 250);
        assert_eq!(clamp_slice_us(10_000_000), 100_000);
    }

    #[test]
    fn a_thread_gets_its_slice_passes_it_on_and_can_give_it_back() {
        std::thread::spawn(|| {
            let default = current_thread_slice_us();
            if set_current_thread(300).is_err() {
                eprintln!("kernel without custom slices; nothing to check");
                return;
            }
            assert_eq!(current_thread_slice_us(), Some(300));
            // Threads spawned afterwards inherit it.
            let child = std::thread::spawn(current_thread_slice_us).join().unwrap();
            assert_eq!(child, Some(300));
            set_current_thread(0).unwrap();
            assert_eq!(current_thread_slice_us(), default);
        })
        .join()
        .unwrap();
    }
}
