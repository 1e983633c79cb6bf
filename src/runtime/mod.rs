//! The picker's edge: the terminal (raw mode, alternate screen, always restored), the event
//! loop over keys, results, a one-second tick and `SIGTERM` / `SIGHUP`, and the effect
//! runner that does the I/O `update` asks for on tokio and sends the results back as
//! messages. What the picker ended with (a shell, printed exports, a signal) is done here.

mod effects;
pub(crate) mod keys;
pub mod recent;
mod sso;
mod terminal;

use std::process::ExitCode;
use std::sync::Arc;

use futures::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use crate::app::{Exit, Msg, Origin, State, update};
use crate::commands::{exit, fail};
use crate::config;
use crate::context::Context;
use crate::creds::Engine;
use crate::sink::env::env_change;
use crate::sink::shell::{Shell, format};

/// Runs the picker with the environment `main` read once (`context`).
pub fn run(print_mode: bool, context: &Context) -> ExitCode {
    let tty = match terminal::open_tty() {
        Ok(tty) => tty,
        Err(_) => {
            return fail(
                exit::USAGE,
                "the picker needs a terminal; use `awsw list` (or `awsw env PROFILE`) in scripts",
            );
        }
    };
    let loaded = match context.config_paths().and_then(|paths| config::load(&paths)) {
        Ok(loaded) => loaded,
        Err(err) => return fail(exit::FAILURE, err),
    };
    // Rows discovered before come from the cache at once; the discovery is refreshed later.
    let template = crate::settings::current().discovery_name_template.clone();
    let cached = crate::commands::sso::cached_discoveries(&loaded.inventory, &context.engine.dirs);
    let (inventory, discovered) = crate::app::Discovered::load(loaded.inventory, cached, &template);
    let inventory = Arc::new(inventory);
    let engine = match Engine::new(inventory.clone(), context.engine.clone()) {
        Ok(engine) => Arc::new(engine),
        Err(err) => return fail(err.exit_code(), err),
    };
    let frecency_path = recent::default_path(&context.engine.dirs);
    let frecency = frecency_path.as_deref().map(recent::load).unwrap_or_default();
    let mut state = State::new(
        inventory,
        frecency,
        OffsetDateTime::now_utc(),
        Origin::from_vars(|name| context.vars.var(name)),
    );
    state.discovered = discovered;
    state.print_mode = print_mode;
    state.no_color = context.no_color;
    state.envrc_mode = crate::settings::current().envrc_mode;
    state.nested = context.awsw_profile.clone();
    state.cwd = context.cwd.as_ref().map(|d| d.display().to_string()).unwrap_or_default();

    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(exit::FAILURE, format!("cannot start: {err}")),
    };
    let runner = |tx| {
        let shell = Shell::detect(None, context.shell.as_deref());
        let parts = effects::RunnerParts { shell, context: context.clone() };
        effects::Runner::new(engine, tx, frecency_path, parts)
    };
    let outcome = runtime.block_on(event_loop(
        context.vars.get_os("AWSW_EXIT_AFTER_FIRST_FRAME").is_some(),
        state,
        tty,
        runner,
    ));
    // Identity lookups still running are abandoned, not awaited.
    runtime.shutdown_background();
    match outcome {
        Err(err) => fail(exit::FAILURE, format!("terminal error: {err}")),
        Ok((Exit::Quit, _)) => ExitCode::SUCCESS,
        // The terminal is already restored (the loop's `Terminal` is dropped).
        Ok((Exit::Signalled(signal), _)) => ExitCode::from(128u8.saturating_add(signal as u8)),
        Ok((Exit::Print(session), _)) => {
            let shell = Shell::detect(None, context.shell.as_deref());
            print!("{}", format(&env_change(&session, &context.env_options(None)), shell));
            eprintln!("awsw: this shell now uses profile {}", crate::printable::escape(&session.profile));
            ExitCode::SUCCESS
        }
        // The engine the picker ended with: it knows the discovered rows.
        Ok((Exit::Shell(session), engine)) => {
            let program = crate::sink::subshell::program(None, context.shell.as_deref());
            let static_keys = crate::settings::current().shell_mode == crate::settings::ShellMode::Static;
            match crate::commands::shell::hand_over(engine, *session, &program, None, static_keys, context) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => err.report(),
            }
        }
    }
}

/// `first_frame_only` (`AWSW_EXIT_AFTER_FIRST_FRAME`, for the first-frame benchmark) ends
/// the loop once the first frame is drawn.
async fn event_loop(
    first_frame_only: bool,
    mut state: State,
    tty: std::fs::File,
    runner: impl FnOnce(mpsc::UnboundedSender<Msg>) -> effects::Runner,
) -> std::io::Result<(Exit, Arc<Engine>)> {
    let mut terminal = terminal::Terminal::enter(tty)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let runner = runner(tx.clone());
    draw(&mut terminal, &mut state)?;
    if first_frame_only {
        return Ok((Exit::Quit, runner.engine()));
    }
    for effect in state.start_effects() {
        runner.run(effect, &state);
    }
    let mut events = crossterm::event::EventStream::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    loop {
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(crossterm::event::Event::Key(key))) if key.kind != crossterm::event::KeyEventKind::Release => Msg::Key(keys::key_from(key)),
                Some(Ok(crossterm::event::Event::Resize(..))) => Msg::Resized,
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(err),
                None => Msg::Quit,
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick(OffsetDateTime::now_utc()),
            _ = sigterm.recv() => Msg::Signalled(libc::SIGTERM),
            _ = sighup.recv() => Msg::Signalled(libc::SIGHUP),
        };
        for effect in update(&mut state, msg) {
            runner.run(effect, &state);
        }
        if let Some(exit) = state.exit.take() {
            return Ok((exit, runner.engine()));
        }
        draw(&mut terminal, &mut state)?;
    }
}

/// Draws a frame and tells the model what it laid out, so paging and scrolling follow the
/// sizes on screen.
fn draw(terminal: &mut terminal::Terminal, state: &mut State) -> std::io::Result<()> {
    let viewport = terminal.draw(state)?;
    if viewport != state.viewport {
        update(state, Msg::Drawn(viewport));
    }
    Ok(())
}
