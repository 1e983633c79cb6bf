//! A plain HTTPS GET for the two places awsw talks to AWS outside an SDK: the console
//! federation endpoint and the `Date` of an STS response (clock skew in `doctor`). It uses
//! the hyper and rustls stack the AWS SDK already brings, so awsw carries one TLS stack.
//! Errors name the innermost cause and never the URL, which may carry a secret.

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::sts::innermost_cause;

/// The same limits as STS calls: a dead network fails fast instead of hanging a prompt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// No answer awsw reads is near this size; a larger body is cut off, not buffered.
const MAX_BODY: usize = 64 * 1024;

/// What came back.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// The `Date` header, as sent.
    pub(crate) date: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// GETs `url` (http or https). The error is one line without the URL.
pub(crate) async fn get(url: &str) -> Result<Response, String> {
    let uri: http::Uri = url.parse().map_err(|_| "not a valid URL".to_string())?;
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    http.enforce_http(false);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
        .map_err(|err| format!("no TLS root certificates: {err}"))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    let client: Client<_, Empty<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let request = http::Request::get(uri)
        .header("user-agent", concat!("awsw/", env!("CARGO_PKG_VERSION")))
        .body(Empty::new())
        .map_err(|err| innermost_cause(&err))?;
    let call = async {
        let response = client.request(request).await.map_err(|err| innermost_cause(&err))?;
        let status = response.status().as_u16();
        let date =
            response.headers().get(http::header::DATE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|err| innermost_cause(&err))?;
            if let Some(data) = frame.data_ref() {
                bytes.extend_from_slice(&data[..data.len().min(MAX_BODY - bytes.len().min(MAX_BODY))]);
            }
            if bytes.len() >= MAX_BODY {
                break;
            }
        }
        Ok(Response { status, date, body: bytes })
    };
    tokio::time::timeout(CALL_TIMEOUT, call).await.map_err(|_| "timed out".to_string())?
}

/// Parses an HTTP `Date` (IMF-fixdate, `Tue, 24 Nov 2026 22:07:30 GMT`).
pub(crate) fn parse_http_date(text: &str) -> Option<time::OffsetDateTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text.trim(), format).ok().map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        let t = parse_http_date("Tue, 24 Nov 2026 22:07:30 GMT").unwrap();
        assert_eq!(t.unix_timestamp(), 1_795_558_050);
        assert!(parse_http_date("yesterday").is_none());
    }
}
