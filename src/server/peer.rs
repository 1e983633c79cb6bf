//! Which local user a loopback TCP client belongs to, from the kernel's socket table
//! (`/proc/net/tcp`, Linux): the agent answers only its own user's processes, even one that
//! somehow holds the token. Where the table cannot be read (another system), the token alone
//! decides, as for the SDKs' own container endpoints.

use std::net::SocketAddr;

/// Whether the client at `peer`, connected to `local`, runs as this process's user. `true`
/// when the socket table cannot be read at all; `false` when the connection is not in it.
pub fn same_user(peer: SocketAddr, local: SocketAddr) -> bool {
    match std::fs::read_to_string("/proc/net/tcp") {
        Ok(table) => uid_in(&table, peer, local) == Some(crate::safe_fs::euid()),
        Err(_) => true,
    }
}

/// The uid of the socket whose local address is `peer` and remote address is `local`, as
/// `/proc/net/tcp` lists it (addresses as the kernel prints them: the IPv4 address's bytes
/// as a native-endian u32 in hex, then the port in hex).
pub fn uid_in(table: &str, peer: SocketAddr, local: SocketAddr) -> Option<u32> {
    let (want_local, want_remote) = (hex(peer)?, hex(local)?);
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let matches = fields.len() > 7 && fields[1] == want_local && fields[2] == want_remote;
        matches.then(|| fields[7].parse().ok()).flatten()
    })
}

fn hex(addr: SocketAddr) -> Option<String> {
    let SocketAddr::V4(v4) = addr else { return None };
    Some(format!("{:08X}:{:04X}", u32::from_ne_bytes(v4.ip().octets()), v4.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_side_of_a_connection_names_its_uid() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_server, peer) = listener.accept().unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        assert_eq!(uid_in(&table, peer, local), Some(crate::safe_fs::euid()));
        assert!(same_user(peer, local));
    }

    #[test]
    fn lines_are_matched_on_both_addresses() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            0: 0100007F:9C40 0100007F:0FA0 01 00000000:00000000 00:00000000 00000000  1001        0 77 1\n   \
            1: 0100007F:0FA0 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 78 1\n";
        let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        if cfg!(target_endian = "little") {
            assert_eq!(uid_in(table, at(40000), at(4000)), Some(1001));
            assert_eq!(uid_in(table, at(4000), at(40000)), Some(0));
            assert_eq!(uid_in(table, at(40001), at(4000)), None);
        }
        assert_eq!(uid_in(table, "[::1]:1".parse().unwrap(), at(4000)), None);
    }
}
