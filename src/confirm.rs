//! Safety valves for destructive calls.
//!
//! Every call that destroys data or configuration the caller cannot recreate from the call
//! itself takes a [`Confirm`] value that names both the action and the target, so a wrong id or a
//! copy-pasted call fails with [`Error::ConfirmationRequired`] before anything is sent:
//!
//! | Call | Confirm |
//! |---|---|
//! | [`Client::delete_connection`](crate::Client::delete_connection) | [`Confirm::delete_connection`] |
//! | [`Client::delete_destination`](crate::Client::delete_destination) | [`Confirm::delete_destination`] |
//! | [`Client::delete_group`](crate::Client::delete_group) | [`Confirm::delete_group`] |
//! | [`Client::drop_columns`](crate::Client::drop_columns), [`Client::drop_column`](crate::Client::drop_column) | [`Confirm::drop_columns`] |
//! | [`Client::resync`](crate::Client::resync) of everything | [`Confirm::full_resync`] |
//! | [`Client::resync`](crate::Client::resync) of tables, [`Client::resync_tables`](crate::Client::resync_tables) | [`Confirm::resync_tables`] |

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
    /// Delete a connection (its configuration and state).
    DeleteConnection,
    /// Drop and re-read the history of some of a connection's tables.
    ResyncTables,
    /// Drop columns from a connection's tables in the destination.
    DropColumns,
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

    /// Confirms deleting the connection `connection_id`.
    pub fn delete_connection(connection_id: impl Into<String>) -> Self {
        Confirm { action: Destructive::DeleteConnection, target: connection_id.into() }
    }

    /// Confirms re-syncing (dropping and re-reading) tables of `connection_id`.
    pub fn resync_tables(connection_id: impl Into<String>) -> Self {
        Confirm { action: Destructive::ResyncTables, target: connection_id.into() }
    }

    /// Confirms dropping columns of `connection_id`'s tables from the destination.
    pub fn drop_columns(connection_id: impl Into<String>) -> Self {
        Confirm { action: Destructive::DropColumns, target: connection_id.into() }
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
