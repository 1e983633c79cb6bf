//! The widest content of each of the list's columns, measured once from the inventory so the
//! list can size its columns to what is there (how they are laid out is `ui::list`'s job).

use unicode_width::UnicodeWidthStr;

use crate::config::{Inventory, Profile};

/// Display widths (terminal columns) of the widest value in each column; 0: no profile has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ColumnWidths {
    pub(crate) name: usize,
    pub(crate) account: usize,
    pub(crate) kind: usize,
    pub(crate) role: usize,
    pub(crate) region: usize,
    pub(crate) mfa: usize,
}

/// The role a profile switches to: its IAM role, or its SSO permission set.
pub(crate) fn role_of(p: &Profile) -> Option<&str> {
    p.role_name.as_deref().or(p.sso_role_name.as_deref())
}

/// What the MFA column says for a profile.
pub(crate) fn mfa_of(p: &Profile) -> &'static str {
    if p.needs_mfa() { "MFA" } else { "" }
}

impl ColumnWidths {
    pub(crate) fn measure(inventory: &Inventory) -> ColumnWidths {
        let width = |text: Option<&str>| text.map_or(0, UnicodeWidthStr::width);
        inventory.profiles.iter().fold(ColumnWidths::default(), |w, p| ColumnWidths {
            name: w.name.max(width(Some(&p.name))),
            account: w.account.max(width(p.account_id.as_deref())),
            kind: w.kind.max(width(Some(p.kind.label()))),
            role: w.role.max(width(role_of(p))),
            region: w.region.max(width(p.region.as_deref())),
            mfa: w.mfa.max(width(Some(mfa_of(p)))),
        })
    }
}
