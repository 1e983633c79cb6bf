//! Parse + merge + resolve of realistic configs made by shared/bench/gen_config.py.

use std::path::Path;
use std::process::Command;

use awsw::config::Inventory;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn generate(n: usize) -> (String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_config.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(n.to_string())
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs gen_config.py");
    assert!(status.success(), "gen_config.py failed");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("generated file");
    (read("config"), read("credentials"))
}

fn parse_and_resolve(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_resolve");
    for n in [1_000, 10_000] {
        let (config, credentials) = generate(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| Inventory::from_texts(Some(&config), Some(&credentials)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse_and_resolve);
criterion_main!(benches);
