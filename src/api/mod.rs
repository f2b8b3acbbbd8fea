//! The API's resources, one module per family. Each module declares its operations once (see
//! [`crate::endpoint`]), its models, and the `Client` methods that call them.

pub mod account;
pub mod common;
pub mod connections;
pub mod groups;
pub mod users;

use crate::endpoint::Operation;

/// Every operation the library describes, across all resources.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    [groups::ALL, connections::ALL, users::ALL, account::ALL].into_iter().flatten()
}
