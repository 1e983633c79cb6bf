//! The terminal the picker draws on: `/dev/tty`, so stdout stays free for `--print`. Raw
//! mode and the alternate screen are undone on every way out: drop, error, and panic.

use std::fs::File;
use std::io::{BufWriter, Write};

use ratatui::Terminal as RatTerminal;
use ratatui::backend::CrosstermBackend;

use crate::app::{State, Viewport};

pub(crate) fn open_tty() -> std::io::Result<File> {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")
}

/// Puts the terminal back as it was. Safe to call more than once.
pub(crate) fn restore() {
    let _ = crossterm::terminal::disable_raw_mode();
    if let Ok(mut tty) = open_tty() {
        let _ = crossterm::execute!(
            tty,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show,
            crossterm::event::DisableBracketedPaste
        );
        let _ = tty.flush();
    }
}

/// Room for a whole 200x60 frame with its colour codes: ratatui flushes once per frame,
/// so a frame goes out in a few writes instead of one per cell change.
const FRAME_BUFFER: usize = 1 << 18;

pub(crate) struct Terminal {
    inner: RatTerminal<CrosstermBackend<BufWriter<File>>>,
}

impl Terminal {
    pub(crate) fn enter(mut tty: File) -> std::io::Result<Terminal> {
        // Restore before the default hook prints, so a panic message lands on a sane screen.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(tty, crossterm::terminal::EnterAlternateScreen, crossterm::cursor::Hide)?;
        let inner = RatTerminal::new(CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER, tty)))?;
        Ok(Terminal { inner })
    }

    /// Draws a frame and returns what it laid out.
    pub(crate) fn draw(&mut self, state: &State) -> std::io::Result<Viewport> {
        let mut viewport = Viewport::default();
        self.inner.draw(|frame| viewport = crate::ui::render(state, frame))?;
        Ok(viewport)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore();
    }
}
