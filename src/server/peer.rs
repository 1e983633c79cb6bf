//! Which local user a loopback TCP client belongs to, asked of the kernel for exactly that
//! connection (`sock_diag` over netlink, as `ss` does; Linux): the agent answers only its
//! own user's processes, even one that somehow holds the token. One request-answer pair,
//! however many sockets the machine has (reading `/proc/net/tcp` took 20+ ms with 6,000).
//! Where netlink is not there (another system), the token alone decides, as for the SDKs'
//! own container endpoints.

use std::net::SocketAddr;

/// Whether the client at `peer`, connected to `local`, runs as this process's user. `true`
/// when the kernel cannot be asked at all; `false` when it does not know the connection.
pub(crate) fn same_user(peer: SocketAddr, local: SocketAddr) -> bool {
    match uid_of(peer, local) {
        Lookup::Uid(uid) => uid == crate::safe_fs::euid(),
        Lookup::NotFound => false,
        Lookup::Unsupported => true,
    }
}

/// What the kernel said about a connection.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    Uid(u32),
    NotFound,
    Unsupported,
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn uid_of(_peer: SocketAddr, _local: SocketAddr) -> Lookup {
    Lookup::Unsupported
}

/// The uid of the socket whose own address is `peer` and whose other end is `local`.
#[cfg(target_os = "linux")]
pub(crate) fn uid_of(peer: SocketAddr, local: SocketAddr) -> Lookup {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let (SocketAddr::V4(peer), SocketAddr::V4(local)) = (peer, local) else { return Lookup::NotFound };
    // SAFETY: plain socket(2); the descriptor is owned (and closed) by `fd` at once.
    let raw = unsafe {
        libc::socket(libc::AF_NETLINK, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, libc::NETLINK_SOCK_DIAG)
    };
    if raw < 0 {
        return Lookup::Unsupported;
    }
    // SAFETY: `raw` is a new descriptor nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let request = diag::request(peer, local);
    // SAFETY: sends `request`'s bytes to the kernel (a zeroed sockaddr_nl with the family set).
    let sent = unsafe {
        let mut kernel: libc::sockaddr_nl = std::mem::zeroed();
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        libc::sendto(
            fd.as_raw_fd(),
            request.as_ptr().cast(),
            request.len(),
            0,
            (&raw const kernel).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if sent < 0 {
        return Lookup::Unsupported;
    }
    let mut answer = [0u8; 1024];
    // SAFETY: receives into a buffer of the length given.
    let got = unsafe { libc::recv(fd.as_raw_fd(), answer.as_mut_ptr().cast(), answer.len(), 0) };
    if got < 0 {
        return Lookup::Unsupported;
    }
    diag::uid_in(&answer[..got as usize])
}

/// The wire format of `linux/inet_diag.h` and `linux/netlink.h`, built and read by hand
/// (pure, so it is tested without a kernel).
mod diag {
    use super::Lookup;
    use std::net::SocketAddrV4;

    const SOCK_DIAG_BY_FAMILY: u16 = 20;
    const NLMSG_ERROR: u16 = 2;
    const NLM_F_REQUEST: u16 = 1;
    const NLMSG_HEADER: usize = 16;
    /// `struct inet_diag_req_v2`: family, protocol, ext, pad, states, then the socket id.
    const REQUEST_BODY: usize = 8 + SOCKID;
    /// `struct inet_diag_sockid`: ports, 4+4 address words, interface, cookie.
    const SOCKID: usize = 4 + 32 + 4 + 8;
    /// Where `idiag_uid` sits in `struct inet_diag_msg` (4 bytes, the socket id, expires,
    /// rqueue, wqueue).
    const UID_AT: usize = 4 + SOCKID + 12;

    /// An exact lookup of the TCP socket `peer` -> `local`, in any state.
    pub(crate) fn request(peer: SocketAddrV4, local: SocketAddrV4) -> Vec<u8> {
        let len = NLMSG_HEADER + REQUEST_BODY;
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&(len as u32).to_ne_bytes());
        out.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        out.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
        out.extend_from_slice(&[0; 8]); // sequence, port id
        out.extend_from_slice(&[libc::AF_INET as u8, libc::IPPROTO_TCP as u8, 0, 0]);
        out.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
        out.extend_from_slice(&peer.port().to_be_bytes());
        out.extend_from_slice(&local.port().to_be_bytes());
        for ip in [peer.ip(), local.ip()] {
            out.extend_from_slice(&ip.octets());
            out.extend_from_slice(&[0; 12]);
        }
        out.extend_from_slice(&[0; 4]); // any interface
        out.extend_from_slice(&[0xff; 8]); // INET_DIAG_NOCOOKIE
        out
    }

    /// The uid in the kernel's answer; an error answer (`ENOENT`) is `NotFound`.
    pub(crate) fn uid_in(answer: &[u8]) -> Lookup {
        let word = |at: usize| answer.get(at..at + 4).map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
        let kind = answer.get(4..6).map(|b| u16::from_ne_bytes([b[0], b[1]]));
        match kind {
            Some(SOCK_DIAG_BY_FAMILY) => word(NLMSG_HEADER + UID_AT).map_or(Lookup::NotFound, Lookup::Uid),
            Some(NLMSG_ERROR) => Lookup::NotFound,
            _ => Lookup::Unsupported,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_request_has_the_kernels_layout() {
            let peer = SocketAddrV4::new([127, 0, 0, 1].into(), 40000);
            let local = SocketAddrV4::new([127, 0, 0, 1].into(), 4000);
            let bytes = request(peer, local);
            assert_eq!(bytes.len(), 72, "nlmsghdr 16 + inet_diag_req_v2 56");
            assert_eq!(
                &bytes[24..28],
                &40000u16.to_be_bytes().iter().chain(&4000u16.to_be_bytes()).copied().collect::<Vec<_>>()[..]
            );
            assert_eq!(&bytes[28..32], &[127, 0, 0, 1]);
            assert_eq!(&bytes[44..48], &[127, 0, 0, 1]);
            assert_eq!(&bytes[64..72], &[0xff; 8]);
        }

        #[test]
        fn answers_are_read_by_kind() {
            let mut found = vec![0u8; NLMSG_HEADER + UID_AT + 8];
            found[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
            found[NLMSG_HEADER + UID_AT..][..4].copy_from_slice(&1001u32.to_ne_bytes());
            assert_eq!(uid_in(&found), Lookup::Uid(1001));
            let mut error = vec![0u8; 36];
            error[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
            assert_eq!(uid_in(&error), Lookup::NotFound);
            assert_eq!(uid_in(&[]), Lookup::Unsupported);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_names_the_uid_of_a_connected_client_only() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        let client = std::net::TcpStream::connect(local).unwrap();
        let (_server, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        assert_eq!(uid_of(peer, local), Lookup::Uid(crate::safe_fs::euid()));
        assert!(same_user(peer, local));
        // No such connection: another port, or the two ends swapped with a wrong port.
        let nowhere = SocketAddr::from(([127, 0, 0, 1], 1));
        assert_eq!(uid_of(nowhere, local), Lookup::NotFound);
        assert!(!same_user(nowhere, local));
    }
}
