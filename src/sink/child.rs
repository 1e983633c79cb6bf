//! A child that awsw stays the parent of (a served shell or command): it gets the terminal
//! in a foreground process group of its own, so job control, `Ctrl-C` and `Ctrl-Z` act on
//! it as in a plain shell; `SIGTERM` and `SIGHUP` sent to awsw are passed on; when the child
//! stops, awsw stops too (so the outer shell's `fg` works) and resumes it after; awsw ends
//! with the child's status. The only module that touches process groups and signals.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicI32, Ordering};

/// The child's pid, for the signal handler that forwards `SIGTERM` and `SIGHUP`.
static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(signal: libc::c_int) {
    let pid = CHILD.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(pid, signal) };
    }
}

/// Signals the child must start with at their defaults, whatever awsw did with them.
const RESET_IN_CHILD: [libc::c_int; 7] =
    [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU, libc::SIGTERM, libc::SIGHUP];

/// The terminal awsw was started in the foreground of, if any: the first of stdin,
/// stdout, stderr that is a terminal whose foreground group is awsw's.
fn foreground_terminal() -> Option<libc::c_int> {
    // SAFETY: isatty, tcgetpgrp and getpgrp only read process state.
    [0, 1, 2]
        .into_iter()
        .find(|&fd| unsafe { libc::isatty(fd) == 1 && libc::tcgetpgrp(fd) == libc::getpgrp() })
}

fn set_handler(signal: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: installs a handler that only calls kill, or SIG_IGN / SIG_DFL.
    unsafe { libc::signal(signal, handler) };
}

/// Starts `command`, waits for it as described above, and returns its exit status (a
/// child killed by a signal kills awsw with the same signal where that is safe, so the
/// caller's shell sees what it would have seen). 127 / 126 when it cannot start.
pub(crate) fn run(mut command: Command) -> Result<ExitCode, std::io::Error> {
    let terminal = foreground_terminal();
    // awsw leaves the foreground: writing the renew line or handing the terminal back
    // must not stop it (SIGTTOU), and keyboard signals are the child's to act on.
    for signal in [libc::SIGTTOU, libc::SIGTTIN, libc::SIGTSTP, libc::SIGINT, libc::SIGQUIT] {
        set_handler(signal, libc::SIG_IGN);
    }
    // SAFETY: between fork and exec the closure calls only async-signal-safe functions
    // (setpgid, tcsetpgrp, signal) and touches no memory of the parent.
    unsafe {
        command.pre_exec(move || {
            if let Some(fd) = terminal {
                libc::setpgid(0, 0);
                libc::tcsetpgrp(fd, libc::getpid());
            }
            for signal in RESET_IN_CHILD {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    CHILD.store(pid, Ordering::Relaxed);
    if let Some(fd) = terminal {
        // Also from this side, as shells do, so neither order of the two races matters.
        // SAFETY: plain syscalls on our own child and terminal.
        unsafe {
            libc::setpgid(pid, pid);
            libc::tcsetpgrp(fd, pid);
        }
    }
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        set_handler(signal, forward as extern "C" fn(libc::c_int) as libc::sighandler_t);
    }
    let status = wait(pid, terminal);
    if let Some(fd) = terminal {
        // SAFETY: takes the terminal back for awsw's own group; SIGTTOU is ignored.
        unsafe { libc::tcsetpgrp(fd, libc::getpgrp()) };
    }
    Ok(exit_code(status))
}

/// Waits for `pid` to end, following it through stops: a stopped child stops awsw, and
/// when awsw is continued it gives the terminal back (if it is in the foreground) and
/// continues the child.
fn wait(pid: libc::pid_t, terminal: Option<libc::c_int>) -> libc::c_int {
    loop {
        let mut status = 0;
        // SAFETY: waits for our own child.
        let got = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        if got == -1 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return status;
        }
        if !libc::WIFSTOPPED(status) {
            return status;
        }
        // SAFETY: terminal handover and job-control signals between awsw and its child.
        unsafe {
            let own_group = libc::getpgrp();
            if let Some(fd) = terminal {
                libc::tcsetpgrp(fd, own_group);
            }
            // Stop with the child's own stop signal, so the outer shell reports the same.
            let stop = libc::WSTOPSIG(status);
            let previous = libc::signal(stop, libc::SIG_DFL);
            libc::kill(libc::getpid(), stop);
            libc::signal(stop, previous);
            // Continued: by `fg` (awsw is in the foreground again) or by `bg`.
            if let Some(fd) = terminal
                && libc::tcgetpgrp(fd) == own_group
            {
                libc::tcsetpgrp(fd, pid);
            }
            libc::kill(if terminal.is_some() { -pid } else { pid }, libc::SIGCONT);
        }
    }
}

/// The exit status awsw ends with for the child's wait status.
fn exit_code(status: libc::c_int) -> ExitCode {
    if libc::WIFEXITED(status) {
        return ExitCode::from(libc::WEXITSTATUS(status) as u8);
    }
    let signal = libc::WTERMSIG(status);
    // Die of the same signal, so a script running awsw sees its child's death (a loop
    // stops on Ctrl-C); signals that dump core are reported as 128+n instead.
    if [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGPIPE, libc::SIGKILL].contains(&signal) {
        set_handler(signal, libc::SIG_DFL);
        // SAFETY: ends this process with the child's signal.
        unsafe { libc::kill(libc::getpid(), signal) };
    }
    ExitCode::from(128u8.wrapping_add(signal as u8))
}

/// 127 when the program does not exist, 126 when it cannot run, as a shell reports them.
pub(crate) fn cannot_start_status(err: &std::io::Error) -> u8 {
    if err.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 }
}
