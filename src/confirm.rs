//! Safety valves for destructive calls.
//!
//! Deleting a group or a destination, or re-syncing all of a connection's history, cannot be
//! undone. Those calls take a [`Confirm`] value that names both the action and the target, so a
//! wrong id or a copy-pasted call fails with [`Error::ConfirmationRequired`] before anything is
//! sent.

use crate::error::{Error, Result};

/// The destructive actions that need a confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Destructive {
    /// Delete a group with everything in it.
    DeleteGroup,
    /// Delete a destination (its group's pipelines lose their target).
    DeleteDestination,
    /// Drop and re-read all of a connection's history.
    FullResync,
}

/// "Yes, I mean to do this to that": an explicit confirmation for one destructive call.
///
/// ```
/// use fivetrex::Confirm;
/// let ok = Confirm::delete_group("group_1");
/// assert!(ok.check(fivetrex::Destructive::DeleteGroup, "group_1").is_ok());
/// assert!(ok.check(fivetrex::Destructive::DeleteGroup, "group_2").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    action: Destructive,
    target: String,
}

impl Confirm {
    /// Confirms deleting the group `group_id`.
    pub fn delete_group(group_id: impl Into<String>) -> Self {
        Confirm { action: Destructive::DeleteGroup, target: group_id.into() }
    }

    /// Confirms deleting the destination `destination_id`.
    pub fn delete_destination(destination_id: impl Into<String>) -> Self {
        Confirm { action: Destructive::DeleteDestination, target: destination_id.into() }
    }

    /// Confirms a full historical resync of `connection_id`.
    pub fn full_resync(connection_id: impl Into<String>) -> Self {
        Confirm { action: Destructive::FullResync, target: connection_id.into() }
    }

    /// Succeeds when this confirmation is for `action` on `target`.
    pub fn check(&self, action: Destructive, target: &str) -> Result<()> {
        if self.action == action && self.target == target {
            Ok(())
        } else {
            Err(Error::ConfirmationRequired(format!(
                "{action:?} of {target:?} needs Confirm for exactly that; got {:?} of {:?}",
                self.action, self.target
            )))
        }
    }
}
