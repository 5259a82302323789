//! How the allocator is asked to treat freed memory during a build.
//!
//! The binary allocates with mimalloc (see `main.rs`). mimalloc 3 keeps
//! memory a program frees for 1000 ms before it gives it back to the
//! system, so it can hand it out again without asking. A full build
//! allocates in phases (reading, grouping, the pages, the archive
//! documents) and frees large structures between them: with that delay,
//! memory freed by one phase was still held while the next grew, a tenth
//! to a sixth of a build's peak. An incremental build is the opposite case:
//! it lasts under a second, and giving memory back early made one new
//! article at 50,000 slower (0.51–0.60 s against 0.49–0.57 s, four
//! alternating runs each). So only a full build gives freed
//! memory back soon, and only while it runs; while it writes its stories,
//! whose memory is mostly asked for again at once, a little later.

/// mimalloc's `purge_delay` option (its number in mimalloc 3's `mi_option_t`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay of a full build, in milliseconds. A full build of
/// 10,000 articles peaks at 55–58 instead of 65 MB. Measured in session 9
/// (`MIMALLOC_PURGE_DELAY` set for the run, four to eight alternating runs
/// each, 10,000 articles on tmpfs; MB are thousands of KiB as
/// `/usr/bin/time -f %M` prints them): 0 ms peaked at 54.8–55.6 MB in
/// 1.71–1.82 s, with more system time; 1 ms at 56.3–57.6 MB in 1.62–1.77 s;
/// 2 ms at 56.6–58.1 MB; 3 ms at 57.7–59.9 MB in 1.60–1.73 s. A quarter of
/// Zola's peak on the same articles, the goal, is 59.1 MB; 1 ms keeps the
/// speed of 3 ms and stays under it. At 50,000 the two were alike (two runs
/// each: 8.6–9.3 s and 197–198 MB at 1 ms, 8.8–9.2 s and 198–203 MB at 3).
const FULL_BUILD_PURGE_DELAY_MS: std::ffi::c_long = 1;

/// The purge delay while a full build writes its stories, in milliseconds.
/// Each story allocates and frees a few hundred kilobytes: freed memory
/// given back after 1 ms was often asked for again by the next story, at
/// the price of a page fault for every page. Its peak is not a build's
/// (that is grouping's, or the archive documents'), so a longer delay costs
/// no memory. Measured in session 12 (six alternating runs each, 10,000
/// articles on tmpfs, the delay of the other phases 1 ms): 1 ms took
/// 1.77–1.84 s (median 1.785) at a peak of 55.3–56.4 MB, 10 ms 1.70–1.82 s
/// (1.75) at 55.6–58.1 MB, 20 ms 1.70–1.78 s (one run 2.21; median 1.75) at
/// 55.2–56.9 MB; 100 ms and more peaked at 58–61 MB (four runs each).
const STORIES_PURGE_DELAY_MS: std::ffi::c_long = 20;

/// While alive, freed memory goes back to the system after
/// [`FULL_BUILD_PURGE_DELAY_MS`]; dropped, the delay is what it was. Does
/// nothing when `MIMALLOC_PURGE_DELAY` in the environment sets the delay.
pub struct FullBuildPurge {
    before: Option<std::ffi::c_long>,
}

impl FullBuildPurge {
    pub fn start() -> FullBuildPurge {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return FullBuildPurge { before: None };
        }
        // SAFETY: reads and sets one of the linked allocator's options by
        // its number; no pointers, and mimalloc ignores a number out of
        // range. (Without mimalloc as the allocator, as in the tests, the
        // option is set and never read.)
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, FULL_BUILD_PURGE_DELAY_MS) };
        FullBuildPurge { before: Some(before) }
    }

    /// `work`, a full build's writing of its stories, with freed memory
    /// given back after [`STORIES_PURGE_DELAY_MS`] when `purge` sets the
    /// delay, then after the full build's delay again.
    pub fn relaxed<R>(purge: Option<&FullBuildPurge>, work: impl FnOnce() -> R) -> R {
        if purge.is_none_or(|purge| purge.before.is_none()) {
            return work();
        }
        // SAFETY: as in `start`.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, STORIES_PURGE_DELAY_MS) };
        let done = work();
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, FULL_BUILD_PURGE_DELAY_MS) };
        done
    }
}

impl Drop for FullBuildPurge {
    fn drop(&mut self) {
        if let Some(before) = self.before {
            // SAFETY: as in `start`.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, before) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{CStr, c_char, c_void};

    unsafe extern "C" {
        /// mimalloc's list of its options, `option '<name>': <value>` a line.
        fn mi_options_print_out(out: libmimalloc_sys::mi_output_fun, arg: *mut c_void);
    }

    unsafe extern "C" fn collect(message: *const c_char, into: *mut c_void) {
        // SAFETY: mimalloc passes a C string and the `arg` given below.
        let (message, into) = unsafe { (CStr::from_ptr(message), &mut *into.cast::<String>()) };
        into.push_str(&message.to_string_lossy());
    }

    fn options_as_printed() -> String {
        let mut printed = String::new();
        // SAFETY: `collect` appends to `printed`, which outlives the call.
        unsafe { mi_options_print_out(Some(collect), (&raw mut printed).cast()) };
        printed
    }

    fn purge_delay() -> std::ffi::c_long {
        // SAFETY: reads an option by its number.
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
    }

    /// One test, as the option is the process's: the number set is the one
    /// mimalloc calls `purge_delay`, a full build sets it and gives it back.
    #[test]
    fn a_full_build_sets_mimallocs_purge_delay_while_it_runs() {
        let before = purge_delay();
        // SAFETY: sets an option by its number.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 4321) };
        assert!(options_as_printed().contains("option 'purge_delay': 4321"), "{}", options_as_printed());
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, before) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            let purge = FullBuildPurge::start();
            assert_eq!(purge_delay(), FULL_BUILD_PURGE_DELAY_MS);
            assert_eq!(FullBuildPurge::relaxed(Some(&purge), purge_delay), STORIES_PURGE_DELAY_MS);
            assert_eq!(FullBuildPurge::relaxed(None, purge_delay), FULL_BUILD_PURGE_DELAY_MS);
            assert_eq!(purge_delay(), FULL_BUILD_PURGE_DELAY_MS);
            drop(purge);
        }
        assert_eq!(purge_delay(), before);
    }
}
