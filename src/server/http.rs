//! Just enough HTTP/1.1 for the container-credentials protocol: one small `GET` per
//! connection, read with a size limit, answered, closed. Pure: parsing and formatting only,
//! so the rules are tested without a socket.

/// A request's head is far smaller: the SDKs send a request line and a few headers.
pub(crate) const MAX_HEAD: usize = 8 * 1024;

/// What awsw looks at in a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    /// The `Authorization` header's value, as sent; `None` when absent or sent twice.
    pub(crate) authorization: Option<Vec<u8>>,
}

/// The end of the head (`\r\n\r\n`), once the buffer holds it.
pub(crate) fn head_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|w| w == b"\r\n\r\n").map(|at| at + 4)
}

/// Parses a request head. `None` for anything that is not a well-formed HTTP/1.x head.
pub(crate) fn parse(head: &[u8]) -> Option<Request> {
    let mut lines = head.split(|&b| b == b'\n').map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let request_line = std::str::from_utf8(lines.next()?).ok()?;
    let mut parts = request_line.split(' ');
    let (method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || !path.starts_with('/') {
        return None;
    }
    let mut authorization = None;
    let mut seen = 0;
    for line in lines.take_while(|line| !line.is_empty()) {
        let colon = line.iter().position(|&b| b == b':')?;
        if line[..colon].eq_ignore_ascii_case(b"authorization") {
            seen += 1;
            authorization = Some(line[colon + 1..].trim_ascii().to_vec());
        }
    }
    Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        authorization: if seen == 1 { authorization } else { None },
    })
}

/// A complete response that closes the connection.
pub(crate) fn response(status: u16, body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let content_type = if body.is_empty() { "text/plain" } else { "application/json" };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// `profile` as one path segment: unreserved ASCII kept, every other byte `%XX`, so names
/// with `/`, spaces or `本番` give one unambiguous path.
pub(crate) fn encode_segment(profile: &str) -> String {
    profile
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The profile name `encode_segment` made `segment` from: `None` for anything it could not
/// have made (a `/`, a bad or lowercase escape, an escaped unreserved byte, not UTF-8).
pub(crate) fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                if hex.bytes().any(|b| b.is_ascii_lowercase()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(bytes[i]);
                i += 1;
            }
            _ => return None,
        }
    }
    let name = String::from_utf8(out).ok()?;
    (!name.is_empty() && encode_segment(&name) == segment).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_botocore_request_is_read() {
        let head = b"GET /awsw/v1/prod HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nAccept: application/json\r\nauthorization: abc\r\n\r\n";
        assert_eq!(head_end(head), Some(head.len()));
        let request = parse(head).unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/awsw/v1/prod");
        assert_eq!(request.authorization.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn a_missing_or_doubled_authorization_is_none() {
        let none = parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(none.authorization, None);
        let twice = parse(b"GET / HTTP/1.1\r\nAuthorization: a\r\nAuthorization: a\r\n\r\n").unwrap();
        assert_eq!(twice.authorization, None);
    }

    #[test]
    fn malformed_heads_are_refused() {
        for head in [
            &b"GET\r\n\r\n"[..],
            b"GET / SPDY/3\r\n\r\n",
            b"GET x HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nnocolon\r\n\r\n",
        ] {
            assert_eq!(parse(head), None, "{:?}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn responses_close_and_give_the_length() {
        let text = String::from_utf8(response(403, "")).unwrap();
        assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{text}");
        assert!(text.contains("Content-Length: 0\r\n") && text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }

    #[test]
    fn profile_names_become_one_segment() {
        assert_eq!(encode_segment("team-prod.admin_1"), "team-prod.admin_1");
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_segment("本"), "%E6%9C%AC");
    }

    #[test]
    fn segments_decode_to_the_name_they_were_made_from_only() {
        for name in ["team-prod.admin_1", "a/b c", "本番", "it's; $(x)"] {
            assert_eq!(decode_segment(&encode_segment(name)).as_deref(), Some(name));
        }
        for bad in ["", "a/b", "%2f", "%41", "%E6%9C", "%zz", "%4", "a b"] {
            assert_eq!(decode_segment(bad), None, "{bad}");
        }
    }
}
