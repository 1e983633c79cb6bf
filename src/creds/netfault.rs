//! Why a request to an endpoint got no HTTP answer, told apart by cause: the host name does
//! not resolve, nothing accepts connections, the TLS handshake failed, no answer in time.
//! Each becomes one clause that names the host and says what to do, for the STS, SSO, IMDS
//! and container messages alike. Classifies by the error types in the chain (I/O error kinds,
//! rustls errors) and the connectors' fixed wording ("dns error", "TLS handshake failed"),
//! never by a `Debug` text.

use std::error::Error;

/// What kept a request from getting an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NetFault {
    Dns { host: String },
    Refused { address: String },
    Tls { host: String, detail: String },
    Timeout,
    Other { reason: String },
}

impl NetFault {
    /// The cause of `err`, a failed request to `url`.
    pub(crate) fn classify(err: &(dyn Error + 'static), url: &str) -> NetFault {
        NetFault::find(err, url)
            .unwrap_or_else(|| NetFault::Other { reason: super::sts::innermost_cause(err) })
    }

    /// The network cause of `err`, if it has one of those told apart (not `Other`).
    pub(crate) fn find(err: &(dyn Error + 'static), url: &str) -> Option<NetFault> {
        let (host, address) = host_and_address(url);
        let mut current: Option<&(dyn Error + 'static)> = Some(err);
        while let Some(layer) = current {
            if let Some(fault) = cause_of(layer, &host, &address) {
                return Some(fault);
            }
            current = layer.source();
        }
        None
    }

    /// What happened, in a few words, for a message that says what to do itself.
    pub(crate) fn short(&self) -> String {
        match self {
            NetFault::Dns { host } => format!("the host name {host} does not resolve"),
            NetFault::Refused { .. } => "connection refused".into(),
            NetFault::Tls { detail, .. } => format!("TLS: {detail}"),
            NetFault::Timeout => "no answer in time".into(),
            NetFault::Other { reason } => reason.clone(),
        }
    }

    /// One clause: what happened and what to do; `setting` names where the endpoint is set
    /// (`AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL`).
    pub(crate) fn describe(&self, setting: &str) -> String {
        match self {
            NetFault::Dns { host } => format!(
                "the host name {host} does not resolve (DNS): check its spelling in {setting}, or the network's DNS"
            ),
            NetFault::Refused { address } => format!(
                "nothing accepts connections at {address} (connection refused): check the port in {setting}, or start the service there"
            ),
            NetFault::Tls { host, detail } if detail.contains("certificate") => format!(
                "the TLS certificate of {host} is not trusted ({detail}): if a proxy intercepts TLS, add its CA to the system's trust store; else check {setting}"
            ),
            NetFault::Tls { host, detail } => format!(
                "the TLS handshake with {host} failed ({detail}): if the endpoint speaks plain HTTP, write http:// in {setting}"
            ),
            NetFault::Timeout => {
                "no answer in time: check the network, a firewall or proxy that drops the connection".into()
            }
            NetFault::Other { reason } => format!("{reason}; check the network, proxy or {setting}"),
        }
    }
}

/// What this one layer of the chain says, if it tells the cause.
fn cause_of(layer: &(dyn Error + 'static), host: &str, address: &str) -> Option<NetFault> {
    let tls = |err: &rustls::Error| NetFault::Tls { host: host.to_string(), detail: err.to_string() };
    if let Some(err) = layer.downcast_ref::<rustls::Error>() {
        return Some(tls(err));
    }
    if let Some(io) = layer.downcast_ref::<std::io::Error>() {
        // An I/O error's `source` skips the error it wraps, so look inside it here.
        if let Some(err) = io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            return Some(tls(err));
        }
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                return Some(NetFault::Refused { address: address.to_string() });
            }
            std::io::ErrorKind::TimedOut => return Some(NetFault::Timeout),
            _ => {}
        }
    }
    // The fixed words of hyper-util's connector when the resolver failed, and of the SDK's
    // connector around a handshake error whose type it does not let through.
    match layer.to_string().as_str() {
        "dns error" => Some(NetFault::Dns { host: host.to_string() }),
        "TLS handshake failed" => Some(NetFault::Tls {
            host: host.to_string(),
            detail: layer.source().map(super::sts::innermost_cause).unwrap_or_else(|| "no detail".into()),
        }),
        _ => None,
    }
}

/// The host, and `host:port`, of `url` (the port the scheme implies when none is written).
fn host_and_address(url: &str) -> (String, String) {
    let Ok(uri) = url.parse::<http::Uri>() else { return (url.to_string(), url.to_string()) };
    let host = uri.host().unwrap_or(url).to_string();
    let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
    (host.clone(), format!("{host}:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<dyn Error + Send + Sync>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    fn wrapped(inner: impl Error + Send + Sync + 'static) -> Layer {
        Layer("dispatch failure", Some(Box::new(Layer("io error", Some(Box::new(inner))))))
    }

    #[test]
    fn each_cause_is_told_apart_and_names_the_host() {
        let refused = wrapped(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(
            NetFault::classify(&refused, "http://127.0.0.1:9"),
            NetFault::Refused { address: "127.0.0.1:9".into() }
        );
        let dns = wrapped(Layer("dns error", Some(Box::new(std::io::Error::other("failed to lookup")))));
        let fault = NetFault::classify(&dns, "https://nosuch.invalid");
        assert_eq!(fault, NetFault::Dns { host: "nosuch.invalid".into() });
        assert!(fault.describe("AWS_ENDPOINT_URL").contains("nosuch.invalid does not resolve"));
        let bad_cert = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let tls = wrapped(std::io::Error::other(bad_cert));
        let fault = NetFault::classify(&tls, "https://127.0.0.1:8443/");
        assert!(matches!(&fault, NetFault::Tls { host, .. } if host == "127.0.0.1"), "{fault:?}");
        assert!(fault.describe("X").contains("certificate of 127.0.0.1 is not trusted"));
        let timeout = wrapped(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(NetFault::classify(&timeout, "https://sts.amazonaws.com"), NetFault::Timeout);
        let other = wrapped(Layer("something else", None));
        assert_eq!(
            NetFault::classify(&other, "https://sts.amazonaws.com"),
            NetFault::Other { reason: "something else".into() }
        );
        assert_eq!(
            host_and_address("https://sts.us-east-1.amazonaws.com").1,
            "sts.us-east-1.amazonaws.com:443"
        );
    }
}
