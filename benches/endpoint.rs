//! A request to the credential endpoint with a valid session held in memory: connect over
//! loopback, send the SDKs' request, read the JSON. The target is under 1 ms.

use std::io::{Read, Write};
use std::sync::Arc;

use awsw::creds::Credentials;
use awsw::secret::Secret;
use awsw::server::{self, Source, Unavailable};
use criterion::{Criterion, criterion_group, criterion_main};
use futures::future::BoxFuture;

struct Held(Credentials);

impl Source for Held {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, Unavailable>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

fn request(c: &mut Criterion) {
    let held = Held(Credentials {
        access_key_id: "ASIABENCH0000EXAMPLE".into(),
        secret_access_key: Secret::new("bench+secret+key+0000000000000000000000"),
        session_token: Some(Secret::new("bench-token-".repeat(60))),
        expiration: Some(time::OffsetDateTime::now_utc() + time::Duration::hours(1)),
    });
    let running = server::start("bench", Arc::new(held)).expect("endpoint");
    let head = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nAuthorization: {}\r\n\r\n",
        server::path_for("bench"),
        running.addr,
        running.token.expose()
    );
    let mut answer = Vec::with_capacity(2048);
    c.bench_function("endpoint request, session held", |b| {
        b.iter(|| {
            let mut stream = std::net::TcpStream::connect(running.addr).expect("connect");
            stream.write_all(head.as_bytes()).expect("send");
            answer.clear();
            stream.read_to_end(&mut answer).expect("read");
            assert!(answer.starts_with(b"HTTP/1.1 200"));
        })
    });
}

criterion_group!(benches, request);
criterion_main!(benches);
