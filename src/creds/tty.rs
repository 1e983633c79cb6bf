//! Turning the terminal's echo off while a code is typed, and back on whatever happens: on
//! return, on a panic (drop), and on SIGINT/SIGTERM/SIGHUP/SIGQUIT, whose default action would
//! otherwise end awsw with the user's terminal left silent.

use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The descriptor whose settings the signal handler restores; -1 when none is saved.
static SAVED_FD: AtomicI32 = AtomicI32::new(-1);
/// The settings to restore. Written before `SAVED_FD` is published, read only after.
static mut SAVED: Option<libc::termios> = None;

const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// While alive, what is typed on the terminal is not shown (the newline still is).
pub(crate) struct EchoOff {
    fd: RawFd,
    saved: Option<libc::termios>,
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl EchoOff {
    /// Does nothing when `tty` is not a terminal.
    pub(crate) fn new(tty: &impl AsRawFd) -> EchoOff {
        let fd = tty.as_raw_fd();
        let mut guard = EchoOff { fd, saved: None, previous: Vec::new() };
        // SAFETY: termios is plain data; tcgetattr fills it or fails.
        let mut settings: libc::termios = unsafe { std::mem::zeroed() };
        if unsafe { libc::tcgetattr(fd, &mut settings) } != 0 {
            return guard;
        }
        // SAFETY: only this guard writes SAVED, before publishing the descriptor; the handler
        // reads it only after seeing the descriptor.
        unsafe { SAVED = Some(settings) };
        SAVED_FD.store(fd, Ordering::SeqCst);
        guard.previous = SIGNALS.iter().map(|&sig| (sig, install(sig))).collect();
        let mut quiet = settings;
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ECHONL;
        // SAFETY: fd is a terminal (tcgetattr succeeded).
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
        guard.saved = Some(settings);
        guard
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(settings) = self.saved {
            // SAFETY: restoring settings read from the same descriptor.
            unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &settings) };
            SAVED_FD.store(-1, Ordering::SeqCst);
            for (sig, action) in &self.previous {
                // SAFETY: putting back the action that was there before.
                unsafe { libc::sigaction(*sig, action, std::ptr::null_mut()) };
            }
        }
    }
}

fn install(sig: libc::c_int) -> libc::sigaction {
    // SAFETY: a plain handler with an empty mask; the old action is kept to be put back.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = restore_and_reraise as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        let mut previous: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, &action, &mut previous);
        previous
    }
}

/// Async-signal-safe: tcsetattr, signal and raise are all on POSIX's list.
extern "C" fn restore_and_reraise(sig: libc::c_int) {
    let fd = SAVED_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        // SAFETY: SAVED was written before SAVED_FD was published.
        unsafe {
            if let Some(settings) = &*std::ptr::addr_of!(SAVED) {
                libc::tcsetattr(fd, libc::TCSANOW, settings);
            }
        }
    }
    // SAFETY: back to the default action, then deliver the signal again so awsw ends as the
    // signal would have ended it (the shell sees 130 for Ctrl-C).
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}
