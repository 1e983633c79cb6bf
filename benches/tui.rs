//! The picker's per-keystroke costs on 10,000 profiles: filtering and one full render.

use std::sync::Arc;

// The allocator the awsw binary ships with (src/main.rs), so the figures are the picker's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use awsw::app::frecency::Frecency;
use awsw::app::{Msg, Origin, State, update};
use awsw::config::Inventory;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn inventory(n: usize) -> Inventory {
    let roles = ["admin", "readonly", "deploy", "billing", "audit", "dev", "ops", "security"];
    let envs = ["prod", "stg", "dev", "sandbox"];
    let mut config = String::from(
        "[profile base]\naws_access_key_id = A\naws_secret_access_key = S\nregion = eu-west-1\n",
    );
    for i in 0..n {
        let account = 200_000_000_000u64 + (i / 8) as u64;
        config.push_str(&format!(
            "[profile team{:04}-{}-{}]\nrole_arn = arn:aws:iam::{account}:role/{}\nsource_profile = base\nmfa_serial = m\nregion = ap-northeast-1\n",
            i / 8,
            envs[(i / 8) % 4],
            roles[i % 8],
            roles[i % 8]
        ));
    }
    Inventory::from_texts(Some(&config), None)
}

fn state(n: usize) -> State {
    let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("a fixed, valid timestamp");
    let mut state = State::new(Arc::new(inventory(n)), Frecency::default(), now, Origin::default());
    update(&mut state, Msg::Drawn(awsw::app::Viewport { list_rows: 50, ..Default::default() }));
    state
}

fn filter(c: &mut Criterion) {
    let state = state(10_000);
    // Each query is one keystroke's work on a fresh copy of the filter: a first letter (all
    // 10,000 profiles match and are scored), a first digit (which searches the account ids
    // too; every generated account starts with 2), and "prodadm" typed one key at a time.
    let typing: &[(&str, &[&str])] = &[
        ("filter_10k_keystroke_first", &["p"]),
        ("filter_10k_keystroke_first_digit", &["2"]),
        ("filter_10k_keystroke_typing_prodadm", &["p", "pr", "pro", "prod", "proda", "prodad", "prodadm"]),
    ];
    for (name, queries) in typing {
        c.bench_function(name, |b| {
            b.iter_batched(
                || state.filter.clone(),
                |mut f| {
                    for q in *queries {
                        f.set_query(q);
                    }
                    f
                },
                criterion::BatchSize::SmallInput,
            )
        });
    }
}

fn render(c: &mut Criterion) {
    let mut state = state(10_000);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("render_200x60_10k", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| {
                    awsw::ui::render(&state, frame);
                })
                .unwrap();
        });
    });
    for key in "prod".chars() {
        update(&mut state, Msg::Key(awsw::app::Key::Char('/')));
        update(&mut state, Msg::Key(awsw::app::Key::Char(key)));
    }
    c.bench_function("render_200x60_10k_filtered_highlighted", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| {
                    awsw::ui::render(&state, frame);
                })
                .unwrap();
        });
    });
}

criterion_group!(benches, filter, render);
criterion_main!(benches);
