//! Loading an account shape: groups, users, destinations, connections and any other collection,
//! with ids the caller chooses. See [`Seed`](super::Seed) and the module docs' "Account shape".

use super::routes::{create_connection, create_destination, create_group, create_user};
use super::store::Store;
use serde_json::{Map, Value};
use std::time::SystemTime;

fn items<'v>(shape: &'v Map<String, Value>, key: &str) -> Result<&'v [Value], String> {
    match shape.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("'{key}' must be an array")),
    }
}

fn object<'v>(v: &'v Value, what: &str) -> Result<&'v Map<String, Value>, String> {
    v.as_object().ok_or_else(|| format!("every item of '{what}' must be an object"))
}

fn id_of(m: &Map<String, Value>) -> Result<Option<String>, String> {
    match m.get("id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err("an 'id' must be a non-empty string".into()),
    }
}

/// What a create answered, as an error message when it refused.
fn created(answer: super::routes::Answer, what: &str) -> Result<(), String> {
    match answer {
        Ok(_) => Ok(()),
        Err(f) => Err(format!("{what}: {}", String::from_utf8_lossy(&f.response().body))),
    }
}

/// Loads `shape` into the store, in dependency order. Fails on the first item the API itself
/// would refuse (a missing field, a duplicate, an unknown group), naming it.
pub(crate) fn load(store: &mut Store, shape: &Value, now: SystemTime) -> Result<(), String> {
    let shape = shape.as_object().ok_or("an account shape is a JSON object")?;
    let known = ["owner", "groups", "users", "memberships", "destinations", "connections", "collections"];
    if let Some(k) = shape.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("unknown key '{k}' in the account shape (known: {known:?})"));
    }
    for g in items(shape, "groups")? {
        let m = object(g, "groups")?;
        let id = id_of(m)?;
        if let Some(id) = &id {
            if store.groups.get(id).is_some() {
                return Err(format!("group '{id}' appears twice"));
            }
        }
        created(create_group(store, m, now, id), "groups")?;
    }
    for u in items(shape, "users")? {
        let m = object(u, "users")?;
        let id = id_of(m)?;
        if let Some(id) = &id {
            if store.users.get(id).is_some() {
                return Err(format!("user '{id}' appears twice"));
            }
        }
        let mut body = m.clone();
        let groups = body.remove("groups");
        created(create_user(store, &body, now, id.clone()), "users")?;
        // Loaded users are real members of the account, not pending invitations.
        let uid = id.unwrap_or_else(|| store.users.values().last().map(|u| u.id.clone()).unwrap_or_default());
        let seq = store.users.seq(&uid).ok_or("a loaded user went missing")?;
        if let Some(u) = store.users.get_mut(&uid) {
            u.invited = false;
            u.verified = true;
            u.logged_in_at = Some(super::store::api_time(now));
        }
        for g in groups.as_ref().and_then(Value::as_array).into_iter().flatten() {
            let gid = g.get("id").and_then(Value::as_str).ok_or("a user's groups are [{\"id\": .., \"role\": ..}]")?;
            let role = g.get("role").and_then(Value::as_str).unwrap_or("Destination Reviewer");
            if store.groups.get(gid).is_none() {
                return Err(format!("user '{uid}': no group '{gid}'"));
            }
            store.members.entry(gid.to_owned()).or_default().insert(seq, role.to_owned());
        }
    }
    for m in items(shape, "memberships")? {
        let m = object(m, "memberships")?;
        let field = |k: &str| m.get(k).and_then(Value::as_str);
        let (Some(user), Some(group)) = (field("user_id"), field("group_id")) else {
            return Err("a membership is {\"user_id\": .., \"group_id\": .., \"role\": ..}".into());
        };
        let seq = store.users.seq(user).ok_or_else(|| format!("membership: no user '{user}'"))?;
        if store.groups.get(group).is_none() {
            return Err(format!("membership: no group '{group}'"));
        }
        let role = field("role").unwrap_or("Destination Administrator");
        store.members.entry(group.to_owned()).or_default().insert(seq, role.to_owned());
    }
    match shape.get("owner") {
        None | Some(Value::Null) => {}
        Some(Value::String(id)) if store.users.get(id).is_some() => store.owner = id.clone(),
        Some(v) => return Err(format!("'owner' must name a user of the account, not {v}")),
    }
    for d in items(shape, "destinations")? {
        created(create_destination(store, object(d, "destinations")?), "destinations")?;
    }
    for c in items(shape, "connections")? {
        let m = object(c, "connections")?;
        let id = id_of(m)?;
        if let Some(id) = &id {
            if store.connections.get(id).is_some() {
                return Err(format!("connection '{id}' appears twice"));
            }
        }
        created(create_connection(store, m, now, id), "connections")?;
    }
    match shape.get("collections") {
        None | Some(Value::Null) => {}
        Some(Value::Object(cols)) => {
            for (key, list) in cols {
                if !key.starts_with("/v1/") {
                    return Err(format!("collection '{key}' is not a /v1/ list path"));
                }
                let list = list.as_array().ok_or_else(|| format!("collection '{key}' must be an array"))?;
                super::families::load_collection(store, key, list)?;
            }
        }
        Some(_) => return Err("'collections' must be an object of list path -> items".into()),
    }
    Ok(())
}
