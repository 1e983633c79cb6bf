//! A detached tmux session on its own server socket, for the tests that drive a real
//! terminal program (the picker, shells completing awsw's arguments): send keys, read the
//! screen, wait for text. The server is killed when the value is dropped.

use std::time::{Duration, Instant};

use super::{Sandbox, free_port, text};

/// How long `wait_for` waits before the test fails, showing the screen.
const WAIT: Duration = Duration::from_secs(30);

pub struct Tmux<'a> {
    pub sb: &'a Sandbox,
    socket: String,
}

impl<'a> Tmux<'a> {
    /// A 120x30 session running `argv` in the sandbox's environment.
    pub fn start(sb: &'a Sandbox, name: &str, argv: &[&str]) -> Tmux<'a> {
        let tmux = Tmux { sb, socket: format!("awsw-{name}-{}", free_port()) };
        let mut args = vec!["new-session", "-d", "-x", "120", "-y", "30"];
        args.extend_from_slice(argv);
        let out = tmux.tmux(&args);
        assert!(out.status.success(), "{}", text(&out).1);
        tmux
    }

    pub fn tmux(&self, args: &[&str]) -> std::process::Output {
        self.sb.command("tmux").arg("-L").arg(&self.socket).args(args).output().unwrap()
    }

    pub fn screen(&self) -> String {
        text(&self.tmux(&["capture-pane", "-p", "-J"])).0
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn type_line(&self, line: &str) {
        self.keys(&["-l", line]);
        self.keys(&["Enter"]);
    }

    /// Ctrl-C, then a pause: keys sent while a shell redraws its prompt can be lost (zsh
    /// dropped the first letter of the next line under load).
    pub fn abandon_line(&self) {
        self.keys(&["C-c"]);
        std::thread::sleep(Duration::from_millis(500));
    }

    /// The screen once `what` holds for it; fails the test after `WAIT`.
    pub fn wait_for(&self, what: impl Fn(&str) -> bool, label: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if what(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {label}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alternate_screen(&self) -> bool {
        text(&self.tmux(&["display", "-p", "#{alternate_on}"])).0.trim() == "1"
    }
}

impl Drop for Tmux<'_> {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}
