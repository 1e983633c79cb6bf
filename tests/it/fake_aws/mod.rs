//! A small STS + IAM query-protocol server for what moto cannot play: credentials that are the
//! account's root (`GetCallerIdentity` answers `arn:aws:iam::ACCOUNT:root`), and an IAM that
//! denies key listing without MFA or reports a key created long ago. Requests must be `POST`
//! with a form body naming an `Action`, as the SDKs send them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct FakeAws {
    /// The ARN `GetCallerIdentity` gives for any credentials.
    pub arn: String,
    /// `ListAccessKeys` and `GetAccessKeyLastUsed` are denied (no MFA).
    pub deny_iam: bool,
    /// The key `ListAccessKeys` reports, and how many days ago it was created.
    pub key_id: String,
    pub created_days_ago: i64,
}

pub struct FakeServer {
    pub port: u16,
    pub actions: Arc<Mutex<Vec<String>>>,
}

fn read(stream: &TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let method = line.split_whitespace().next()?.to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, String::from_utf8_lossy(&body).into_owned()))
}

fn date(days_ago: i64) -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(days_ago);
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

impl FakeAws {
    fn answer(&self, action: &str) -> (u16, String) {
        let ok = |name: &str, inner: String| {
            (
                200,
                format!(
                    "<{name}Response><{name}Result>{inner}</{name}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{name}Response>"
                ),
            )
        };
        match action {
            "GetCallerIdentity" => ok(
                "GetCallerIdentity",
                format!("<Arn>{}</Arn><UserId>123456789012</UserId><Account>123456789012</Account>", self.arn),
            ),
            "ListAccessKeys" | "GetAccessKeyLastUsed" if self.deny_iam => (
                403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>explicit deny: MFA required</Message></Error><RequestId>r</RequestId></ErrorResponse>".into(),
            ),
            "ListAccessKeys" => ok(
                "ListAccessKeys",
                format!(
                    "<AccessKeyMetadata><member><AccessKeyId>{}</AccessKeyId><Status>Active</Status><CreateDate>{}</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>",
                    self.key_id,
                    date(self.created_days_ago)
                ),
            ),
            "GetAccessKeyLastUsed" => ok(
                "GetAccessKeyLastUsed",
                format!("<AccessKeyLastUsed><LastUsedDate>{}</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region></AccessKeyLastUsed>", date(1)),
            ),
            _ => (400, "<ErrorResponse><Error><Code>InvalidAction</Code><Message>no</Message></Error></ErrorResponse>".into()),
        }
    }

    pub fn start(self) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let actions = Arc::new(Mutex::new(Vec::new()));
        let seen = actions.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let Some((method, body)) = read(&stream) else { continue };
                let action =
                    body.split('&').find_map(|kv| kv.strip_prefix("Action=")).unwrap_or_default().to_string();
                let (status, xml) =
                    if method == "POST" { self.answer(&action) } else { (405, String::new()) };
                seen.lock().unwrap().push(action);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                    xml.len()
                );
            }
        });
        FakeServer { port, actions }
    }
}

impl FakeServer {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
