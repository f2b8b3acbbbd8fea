//! The API's resources, one module per family. Each module declares its operations once (see
//! [`crate::endpoint`]), its models, and the `Client` methods that call them.

pub mod account;
pub mod certificates;
pub mod common;
pub mod connections;
pub mod destinations;
pub mod esm;
pub mod groups;
pub mod hvr;
pub mod hybrid_agents;
pub mod log_services;
pub mod metadata;
pub mod private_links;
pub mod proxy_agents;
pub mod roles;
pub mod schemas;
pub mod sdk_packages;
pub mod system_keys;
pub mod teams;
pub mod transformations;
pub mod users;
pub mod webhooks;

use crate::endpoint::Operation;

/// Every operation the library describes, across all resources.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    [
        groups::ALL,
        connections::ALL,
        schemas::ALL,
        destinations::ALL,
        certificates::ALL,
        users::ALL,
        account::ALL,
        teams::ALL,
        roles::ALL,
        webhooks::ALL,
        metadata::ALL,
        sdk_packages::ALL,
        private_links::ALL,
        proxy_agents::ALL,
        hybrid_agents::ALL,
        transformations::ALL,
        system_keys::ALL,
        log_services::ALL,
        esm::ALL,
        hvr::ALL,
    ]
    .into_iter()
    .flatten()
}

/// The operation with this operationId, if the library describes it.
///
/// ```
/// let op = fivetrex::api::operation("list_all_groups").unwrap();
/// assert_eq!(op.path, "/v1/groups");
/// ```
pub fn operation(id: &str) -> Option<&'static Operation> {
    operations().find(|op| op.id == id)
}
