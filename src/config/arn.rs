//! Amazon Resource Names: the one parser for `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`
//! and the names awsw reads out of them (account, role, role session, IAM user). Pure and
//! borrowing: the profile list parses one ARN per role profile, thousands at a time.

/// A parsed ARN; every part borrows from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    /// The account field as written (empty for some services).
    pub(crate) account: &'a str,
    /// Everything after the fifth `:`, colons included (`role/path/name`).
    pub(crate) resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `None` unless the text starts with `arn:` and has all six fields.
    pub(crate) fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut fields = [""; 5];
        let mut rest = text;
        for field in &mut fields {
            let idx = memchr::memchr(b':', rest.as_bytes())?;
            *field = &rest[..idx];
            rest = &rest[idx + 1..];
        }
        let [scheme, partition, service, region, account] = fields;
        (scheme == "arn").then_some(Arn { partition, service, region, account, resource: rest })
    }

    /// The account as a 12-digit id, when it is one.
    pub(crate) fn account_id(&self) -> Option<&'a str> {
        (self.account.len() == 12 && self.account.bytes().all(|b| b.is_ascii_digit())).then_some(self.account)
    }

    /// The role's name in an IAM role ARN: the last segment of `role/path/name`.
    pub(crate) fn role_name(&self) -> Option<&'a str> {
        last_segment(self.resource.strip_prefix("role/")?)
    }

    /// The session in `assumed-role/ROLE/SESSION` (an STS assumed-role ARN).
    pub(crate) fn session_name(&self) -> Option<&'a str> {
        let (_role, session) = self.resource.strip_prefix("assumed-role/")?.split_once('/')?;
        let session = session.split('/').next()?;
        (!session.is_empty()).then_some(session)
    }

    /// The IAM user's name in `user/path/name`; `None` for the root, a role, anything else.
    pub(crate) fn iam_user_name(&self) -> Option<&'a str> {
        last_segment(self.resource.strip_prefix("user/")?)
    }

    /// `arn:PARTITION:iam::ACCOUNT:root` in any partition (`aws`, `aws-cn`, `aws-us-gov`, ...):
    /// the account's root user.
    pub(crate) fn is_root(&self) -> bool {
        self.partition.starts_with("aws")
            && self.service == "iam"
            && self.region.is_empty()
            && self.account_id().is_some()
            && self.resource == "root"
    }

    /// The person behind the ARN: the IAM user's name in `user/path/name`, else the role
    /// session's name (which awsw sets to the IAM user's name).
    pub(crate) fn user_name(&self) -> Option<&'a str> {
        self.iam_user_name().or_else(|| self.session_name())
    }
}

fn last_segment(path: &str) -> Option<&str> {
    let name = match memchr::memrchr(b'/', path.as_bytes()) {
        Some(idx) => &path[idx + 1..],
        None => path,
    };
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_role_arn_in_any_partition() {
        let arn = Arn::parse("arn:aws-cn:iam::123456789012:role/path/to/admin").unwrap();
        assert_eq!((arn.partition, arn.service, arn.region), ("aws-cn", "iam", ""));
        assert_eq!(arn.account_id(), Some("123456789012"));
        assert_eq!(arn.role_name(), Some("admin"));
        assert_eq!(arn.session_name(), None);
        assert_eq!(Arn::parse("arn:aws:iam::1234:role/x").unwrap().account_id(), None);
        assert_eq!(Arn::parse("arn:aws:iam::123456789012:role/").unwrap().role_name(), None);
        assert_eq!(Arn::parse("arn:aws:iam::123456789012").map(|a| a.resource), None);
        assert_eq!(Arn::parse("nope:aws:iam::123456789012:role/x"), None);
    }

    #[test]
    fn assumed_role_arns_name_their_session() {
        let arn = Arn::parse("arn:aws:sts::123456789012:assumed-role/admin/alice").unwrap();
        assert_eq!(arn.session_name(), Some("alice"));
        assert_eq!(arn.user_name(), Some("alice"));
        assert_eq!(arn.role_name(), None);
        assert_eq!(arn.resource, "assumed-role/admin/alice");
    }

    /// An IAM user's ARN has no role session: the picker once took `alice` from it as the
    /// session name (its last `/` segment), while `whoami` said there was none. None is
    /// right: no session was named; the user name is still there for default session names.
    #[test]
    fn iam_user_arns_have_a_user_name_but_no_session_name() {
        let arn = Arn::parse("arn:aws:iam::111111111111:user/team/alice").unwrap();
        assert_eq!(arn.session_name(), None);
        assert_eq!(arn.user_name(), Some("alice"));
        assert_eq!(arn.account_id(), Some("111111111111"));
    }
}
