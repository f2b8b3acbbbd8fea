//! The `/v1/` routes: resources, paging, syncs, and the API's envelope and error codes.

use super::server::{Request, Response};
use super::store::{self, take_page, Connection, Destination, Group, Store, User};
use super::{SetupState, SyncState};
use crate::endpoint::Operation;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use std::time::SystemTime;

/// Items per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
pub(super) const JSON: &str = "application/json";
const SYNC_FREQUENCIES: [u64; 11] = [1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440];

/// A refusal in the API's envelope.
#[derive(Debug)]
pub(super) struct Fail {
    status: u16,
    code: &'static str,
    message: String,
}

pub(super) fn fail(status: u16, code: &'static str, message: impl Into<String>) -> Fail {
    Fail { status, code, message: message.into() }
}

pub(super) fn invalid(message: impl Into<String>) -> Fail {
    fail(400, "InvalidInput", message)
}

pub(super) fn not_found(entity: &'static str, id: &str) -> Fail {
    let (code, name) = match entity {
        "group" => ("NotFound_Group", "Group"),
        "connection" => ("NotFound_Connector", "Connection"),
        "destination" => ("NotFound_Destination", "Destination"),
        _ => ("NotFound_User", "User"),
    };
    fail(404, code, format!("{name} with id '{id}' doesn't exist"))
}

impl Fail {
    pub(super) fn response(&self) -> Response {
        let body = json!({"code": self.code, "message": self.message});
        Response::new(self.status, JSON, body.to_string().into_bytes())
    }
}

pub(super) type Answer = Result<Response, Fail>;

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    data: T,
}

pub(super) fn data<T: Serialize>(status: u16, message: Option<&str>, data: T) -> Answer {
    let body = serde_json::to_vec(&Envelope { code: "Success", message, data })
        .map_err(|e| fail(500, "InternalError", format!("cannot render the answer: {e}")))?;
    Ok(Response::new(status, JSON, body))
}

pub(super) fn done(message: String) -> Answer {
    Ok(Response::new(200, JSON, json!({"code": "Success", "message": message}).to_string().into_bytes()))
}

#[derive(Serialize)]
struct PageData<T: Serialize> {
    items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// Paging parameters of a list request.
pub(super) struct Paging {
    pub limit: usize,
    pub after: Option<u64>,
    /// The cursor as received, for the repeated-cursor fault.
    raw: Option<String>,
    tag: &'static str,
    repeat: bool,
}

impl Paging {
    pub fn from(q: &[(String, String)], tag: &'static str, repeat: bool) -> Result<Paging, Fail> {
        let limit = match param(q, "limit") {
            None => DEFAULT_LIMIT,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(invalid(format!(
                        "Invalid limit value '{v}': expected an integer from 1 to {MAX_LIMIT}"
                    )))
                }
            },
        };
        let raw = param(q, "cursor").filter(|c| !c.is_empty()).map(str::to_owned);
        let after = match &raw {
            None => None,
            Some(c) => Some(decode_cursor(tag, c).ok_or_else(|| invalid(format!("Invalid cursor value '{c}'")))?),
        };
        Ok(Paging { limit, after, raw, tag, repeat })
    }

    pub fn answer<T: Serialize>(&self, items: Vec<T>, last: Option<u64>) -> Answer {
        let mut next_cursor = last.map(|seq| encode_cursor(self.tag, seq));
        if self.repeat && self.raw.is_some() {
            next_cursor = self.raw.clone();
        }
        data(200, None, PageData { items, next_cursor })
    }
}

pub(super) fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// An opaque, stable cursor: base64url of `<list>:<sequence number>`.
fn encode_cursor(tag: &str, seq: u64) -> String {
    let raw = format!("{tag}:{seq}");
    let mut out = String::with_capacity(raw.len() * 4 / 3 + 3);
    for chunk in raw.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn decode_cursor(tag: &str, cursor: &str) -> Option<u64> {
    let mut bytes = Vec::with_capacity(cursor.len());
    for chunk in cursor.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            bytes.push((n >> (16 - 8 * i)) as u8);
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    let (t, seq) = text.split_once(':')?;
    (t == tag).then(|| seq.parse().ok()).flatten()
}

pub(super) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                match hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Whether an `Accept` header asks for something the API serves.
pub(super) fn acceptable(accept: Option<&str>) -> bool {
    let Some(accept) = accept else { return true };
    accept.split(',').any(|item| {
        let item = item.trim().to_ascii_lowercase();
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        let params: Vec<&str> = parts.filter(|p| !p.starts_with("q=")).collect();
        match media {
            "" => false,
            "*/*" | "application/*" => true,
            "application/json" => params.is_empty() || params.iter().all(|p| matches!(*p, "version=2" | "version=1")),
            _ => false,
        }
    })
}

pub(super) fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
    })
}

/// A request body as a JSON object (an empty body is `{}`).
pub(super) fn body(req: &Request) -> Result<Map<String, Value>, Fail> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(invalid("The request body must be a JSON object")),
        Err(e) => Err(invalid(format!("The request body is not valid JSON: {e}"))),
    }
}

pub(super) fn required(b: &Map<String, Value>, field: &str) -> Result<String, Fail> {
    match b.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err(invalid(format!("Missing required field: '{field}'"))),
        Some(Value::String(_)) => Err(invalid(format!("Field '{field}' must not be empty"))),
        Some(_) => Err(invalid(format!("Field '{field}' must be a string"))),
    }
}

pub(super) fn opt_str(b: &Map<String, Value>, field: &str) -> Result<Option<String>, Fail> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("Field '{field}' must be a string"))),
    }
}

pub(super) fn opt_bool(b: &Map<String, Value>, field: &str) -> Result<Option<bool>, Fail> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(v)) => Ok(Some(*v)),
        Some(_) => Err(invalid(format!("Field '{field}' must be a boolean"))),
    }
}

fn opt_u32(b: &Map<String, Value>, field: &str) -> Result<Option<u32>, Fail> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| invalid(format!("Field '{field}' must be a non-negative integer"))),
    }
}

pub(super) fn opt_object(b: &Map<String, Value>, field: &str) -> Result<Option<Map<String, Value>>, Fail> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(_) => Err(invalid(format!("Field '{field}' must be an object"))),
    }
}

fn method_not_allowed(req: &Request) -> Fail {
    fail(405, "MethodNotAllowed", format!("Method {} is not allowed on {}", req.method, req.path))
}

/// Checks the content type of a POST/PATCH and reads its body.
pub(super) fn json_body(req: &Request) -> Result<Map<String, Value>, Fail> {
    if !is_json(req.header("content-type")) {
        return Err(fail(415, "UnsupportedMediaType", "Content-Type must be application/json"));
    }
    body(req)
}

/// One segment of an operation's path template.
#[derive(Debug)]
enum Seg {
    Lit(&'static str),
    Param(&'static str),
}

/// The operation table of the crate, split into segments once.
fn table() -> &'static [(&'static Operation, Vec<Seg>)] {
    static TABLE: OnceLock<Vec<(&'static Operation, Vec<Seg>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        crate::api::operations()
            .map(|op| {
                let segs = op
                    .path
                    .split('/')
                    .skip(1)
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Seg::Param(name),
                        None => Seg::Lit(s),
                    })
                    .collect();
                (op, segs)
            })
            .collect()
    })
}

/// A request matched to an operation of the table, with its path parameters decoded.
#[derive(Debug)]
pub(super) struct Resolved {
    pub op: &'static Operation,
    pub params: Vec<(&'static str, String)>,
    /// The decoded path segments (`["v1", "teams", "t1"]`).
    pub segments: Vec<String>,
}

impl Resolved {
    /// The `i`-th path parameter.
    pub fn nth(&self, i: usize) -> &str {
        self.params.get(i).map_or("", |(_, v)| v.as_str())
    }
    /// The decoded path of the first `n` segments, `/v1/...`.
    pub fn prefix(&self, n: usize) -> String {
        let mut out = String::new();
        for s in self.segments.iter().take(n) {
            out.push('/');
            out.push_str(s);
        }
        out
    }
}

/// Finds the operation a request asks for: among the templates that match the path and the
/// method, the one with the most literal segments (`/v1/external-logging/account` before
/// `/v1/external-logging/{logId}`). A path some template matches with another method is 405;
/// a path no template matches is 404 `NotFound`.
pub(super) fn resolve(req: &Request) -> Result<Resolved, Fail> {
    let segments: Vec<String> = req.path.split('/').skip(1).map(|s| percent_decode(s, false)).collect();
    let mut best: Option<(usize, &'static Operation, &[Seg])> = None;
    let mut shape_matches = false;
    for (op, segs) in table() {
        if segs.len() != segments.len() {
            continue;
        }
        let fits = segs.iter().zip(&segments).all(|(t, s)| match t {
            Seg::Lit(l) => l == s,
            Seg::Param(_) => !s.is_empty(),
        });
        if !fits {
            continue;
        }
        shape_matches = true;
        if op.method.as_str() != req.method {
            continue;
        }
        let literals = segs.iter().filter(|s| matches!(s, Seg::Lit(_))).count();
        if best.is_none_or(|(n, _, _)| literals > n) {
            best = Some((literals, *op, segs.as_slice()));
        }
    }
    match best {
        Some((_, op, segs)) => {
            let params = segs
                .iter()
                .zip(&segments)
                .filter_map(|(t, s)| match t {
                    Seg::Param(name) => Some((*name, s.clone())),
                    Seg::Lit(_) => None,
                })
                .collect();
            Ok(Resolved { op, params, segments })
        }
        None if shape_matches => Err(method_not_allowed(req)),
        None => Err(fail(404, "NotFound", format!("No such endpoint: {} {}", req.method, req.path))),
    }
}

/// Everything a handler needs about one request.
pub(super) struct Cx<'a> {
    pub store: &'a mut Store,
    pub req: &'a Request,
    pub r: &'a Resolved,
    pub q: Vec<(String, String)>,
    pub now: SystemTime,
    pub repeat: bool,
}

impl Cx<'_> {
    pub fn paging(&self, tag: &'static str) -> Result<Paging, Fail> {
        Paging::from(&self.q, tag, self.repeat)
    }
    pub fn body(&self) -> Result<Map<String, Value>, Fail> {
        json_body(self.req)
    }
}

/// Answers a resolved request: the typed families here, everything else in
/// [`families`](super::families).
pub(super) fn route(store: &mut Store, req: &Request, r: &Resolved, now: SystemTime, repeat: bool) -> Answer {
    let q = query_pairs(&req.query);
    let id = r.nth(0);
    match r.op.id {
        "list_all_groups" => {
            let p = Paging::from(&q, "groups", repeat)?;
            let (items, last) = take_page(store.groups.after(p.after), p.limit);
            p.answer(items, last)
        }
        "create_group" => create_group(store, &json_body(req)?, now, None),
        "group_details" => data(200, None, store.groups.get(id).ok_or_else(|| not_found("group", id))?),
        "modify_group" => {
            let b = json_body(req)?;
            let name = opt_str(&b, "name")?;
            let g = store.groups.get_mut(id).ok_or_else(|| not_found("group", id))?;
            if let Some(n) = name {
                if n.trim().is_empty() {
                    return Err(invalid("Field 'name' must not be empty"));
                }
                g.name = n;
            }
            data(200, Some("Group has been updated"), &*g)
        }
        "delete_group" => {
            let connections: Vec<String> = store
                .by_group
                .get(id)
                .map(|set| set.iter().filter_map(|s| store.connections.by_seq(*s).map(|c| c.id.clone())).collect())
                .unwrap_or_default();
            store.remove_group(id).ok_or_else(|| not_found("group", id))?;
            for c in &connections {
                store.docs.forget("connections", c);
            }
            store.docs.forget("groups", id);
            store.docs.forget("destinations", id);
            done(format!("Group with id '{id}' has been deleted"))
        }
        "list_all_connections_in_group" => {
            store.groups.get(id).ok_or_else(|| not_found("group", id))?;
            let p = Paging::from(&q, "group_connections", repeat)?;
            let schema = param(&q, "schema");
            list_connections(store, Some(id), schema, &p)
        }
        "list_all_users_in_group" => {
            store.groups.get(id).ok_or_else(|| not_found("group", id))?;
            let p = Paging::from(&q, "group_users", repeat)?;
            let members = store.members.get(id);
            let walk = members.into_iter().flat_map(|m| {
                let lower = p.after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
                m.range((lower, std::ops::Bound::Unbounded))
            });
            let walk = walk.filter_map(|(seq, role)| store.users.by_seq(*seq).map(|u| (*seq, u, role)));
            let mut items = Vec::new();
            let mut last = None;
            for (seq, user, role) in walk {
                if items.len() == p.limit {
                    return p.answer(items, last);
                }
                let mut u = user.clone();
                u.role = Some(role.clone());
                items.push(u);
                last = Some(seq);
            }
            p.answer(items, None)
        }
        "add_user_to_group" => {
            let b = json_body(req)?;
            let email = required(&b, "email")?;
            let role = opt_str(&b, "role")?.unwrap_or_else(|| "Destination Reviewer".into());
            store.groups.get(id).ok_or_else(|| not_found("group", id))?;
            let seq = store
                .users
                .after(None)
                .find(|(_, u)| u.email.eq_ignore_ascii_case(&email))
                .map(|(seq, _)| seq)
                .ok_or_else(|| fail(404, "NotFound_User", format!("User with email '{email}' doesn't exist")))?;
            store.members.entry(id.to_owned()).or_default().insert(seq, role);
            done("User has been added to the group".into())
        }
        "delete_user_from_group" => {
            let user = r.nth(1);
            store.groups.get(id).ok_or_else(|| not_found("group", id))?;
            let seq = store.users.seq(user).ok_or_else(|| not_found("user", user))?;
            let removed = store.members.get_mut(id).and_then(|m| m.remove(&seq));
            removed.ok_or_else(|| {
                fail(404, "NotFound_User", format!("User with id '{user}' is not a member of group '{id}'"))
            })?;
            done(format!("User with id '{user}' has been removed from the group"))
        }
        "group_ssh_public_key" => {
            store.groups.get(id).ok_or_else(|| not_found("group", id))?;
            let key = format!("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} fivetran user key", id.replace('_', ""));
            data(200, None, json!({ "public_key": key }))
        }
        "group_service_account" => {
            store.groups.get(id).ok_or_else(|| not_found("group", id))?;
            let account = format!("g-{}@fivetran-production.iam.gserviceaccount.com", id.replace('_', "-"));
            data(200, None, json!({ "service_account": account }))
        }
        "list_connections" => {
            let p = Paging::from(&q, "connections", repeat)?;
            list_connections(store, param(&q, "group_id"), param(&q, "schema"), &p)
        }
        "create_connection" => create_connection(store, &json_body(req)?, now, None),
        "connection_details" => data(200, None, store.connections.get(id).ok_or_else(|| not_found("connection", id))?),
        "modify_connection" => update_connection(store, id, &json_body(req)?, now),
        "delete_connection" => {
            store.remove_connection(id).ok_or_else(|| not_found("connection", id))?;
            store.docs.forget("connections", id);
            done(format!("Connection with id '{id}' has been deleted"))
        }
        "sync_connection" => sync(store, id, &json_body(req)?, now),
        "resync_connection" => resync(store, id, &json_body(req)?, now, true),
        "run_setup_tests" => {
            json_body(req)?;
            if req.body.iter().all(u8::is_ascii_whitespace) {
                return Err(fail(400, "BadRequest", "The request body is required: send {} at least"));
            }
            let c = store.connections.get_mut(id).ok_or_else(|| not_found("connection", id))?;
            if c.status.setup_state == SetupState::Incomplete {
                c.status.setup_state = SetupState::Connected;
            }
            let mut shown = c.clone();
            shown.setup_tests = Some(store::setup_tests(c.status.setup_state == SetupState::Broken));
            data(200, Some("Setup tests have been completed"), shown)
        }
        "resync_tables" => {
            let b = json_body(req)?;
            resync(store, id, &b, now, false)
        }
        "list_destinations" => {
            let p = Paging::from(&q, "destinations", repeat)?;
            let (items, last) = take_page(store.destinations.after(p.after), p.limit);
            // List items are `DestinationResponse`: no config (that comes with the details).
            p.answer(items.into_iter().map(store::DestinationItem::from).collect(), last)
        }
        "create_destination" => create_destination(store, &json_body(req)?),
        "destination_details" => {
            data(200, None, store.destinations.get(id).ok_or_else(|| not_found("destination", id))?)
        }
        "modify_destination" => update_destination(store, id, &json_body(req)?),
        "delete_destination" => {
            store.destinations.remove(id).ok_or_else(|| not_found("destination", id))?;
            store.docs.forget("destinations", id);
            done(format!("Destination with id '{id}' has been deleted"))
        }
        "run_destination_setup_tests" => {
            json_body(req)?;
            let d = store.destinations.get(id).ok_or_else(|| not_found("destination", id))?;
            let mut shown = d.clone();
            shown.setup_tests = Some(store::setup_tests(d.setup_status == "broken"));
            data(200, Some("Setup tests have been completed"), shown)
        }
        "list_all_users" => {
            let p = Paging::from(&q, "users", repeat)?;
            let (items, last) = take_page(store.users.after(p.after), p.limit);
            p.answer(items, last)
        }
        "create_user" => create_user(store, &json_body(req)?, now, None),
        "user_details" => data(200, None, store.users.get(id).ok_or_else(|| not_found("user", id))?),
        "modify_user" => {
            let b = json_body(req)?;
            let fields =
                ["given_name", "family_name", "phone", "picture", "role"].map(|f| opt_str(&b, f).map(|v| (f, v)));
            let u = store.users.get_mut(id).ok_or_else(|| not_found("user", id))?;
            for field in fields {
                let (name, value) = field?;
                let Some(v) = value else { continue };
                match name {
                    "given_name" => u.given_name = v,
                    "family_name" => u.family_name = v,
                    "phone" => u.phone = Some(v),
                    "picture" => u.picture = Some(v),
                    _ => u.role = Some(v),
                }
            }
            data(200, Some("User has been updated"), &*u)
        }
        "delete_user" => {
            store.remove_user(id).ok_or_else(|| not_found("user", id))?;
            store.docs.forget("users", id);
            done(format!("User with id '{id}' has been deleted"))
        }
        "delete_user_membership_in_account" => {
            let u = store.users.get_mut(id).ok_or_else(|| not_found("user", id))?;
            u.role = None;
            done(format!("User with id '{id}' has been removed from the account role"))
        }
        _ => {
            let mut cx = Cx { store, req, r, q, now, repeat };
            super::families::handle(&mut cx)
        }
    }
}

fn list_connections(store: &Store, group: Option<&str>, schema: Option<&str>, p: &Paging) -> Answer {
    let keep = |c: &Connection| schema.is_none_or(|s| c.schema == s);
    let (items, last) = match group {
        Some(g) => {
            let lower = p.after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
            let walk = store
                .by_group
                .get(g)
                .into_iter()
                .flat_map(|set| set.range((lower, std::ops::Bound::Unbounded)))
                .filter_map(|seq| store.connections.by_seq(*seq).map(|c| (*seq, c)))
                .filter(|(_, c)| keep(c));
            take_page(walk, p.limit)
        }
        None => take_page(store.connections.after(p.after).filter(|(_, c)| keep(c)), p.limit),
    };
    p.answer(items, last)
}

pub(super) fn create_group(store: &mut Store, b: &Map<String, Value>, now: SystemTime, id: Option<String>) -> Answer {
    let name = required(b, "name")?;
    if store.groups.values().any(|g| g.name == name) {
        return Err(fail(409, "Conflict", format!("Group with name '{name}' already exists")));
    }
    let g = Group { id: id.unwrap_or_else(|| store.new_group_id()), name, created_at: store::api_time(now) };
    store.groups.insert(g.clone());
    store.members.entry(g.id.clone()).or_default();
    data(201, Some("Group has been created"), g)
}

fn check_frequency(n: u32) -> Result<u32, Fail> {
    if SYNC_FREQUENCIES.contains(&u64::from(n)) {
        Ok(n)
    } else {
        Err(invalid(format!("Invalid sync_frequency {n}: expected one of {SYNC_FREQUENCIES:?}")))
    }
}

fn check_schedule_type(s: String) -> Result<String, Fail> {
    match s.as_str() {
        "auto" | "manual" => Ok(s),
        _ => Err(invalid(format!("Invalid schedule_type '{s}': expected auto or manual"))),
    }
}

fn check_daily_time(t: &str, frequency: u32) -> Result<(), Fail> {
    let ok = t.len() == 5
        && t.as_bytes()[2] == b':'
        && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && t[3..].parse::<u8>().is_ok_and(|m| m < 60);
    if !ok {
        return Err(invalid(format!("Invalid daily_sync_time '{t}': expected HH:MM")));
    }
    if frequency != 1440 {
        return Err(invalid("daily_sync_time can only be set with a sync_frequency of 1440"));
    }
    Ok(())
}

pub(super) fn create_connection(
    store: &mut Store,
    b: &Map<String, Value>,
    now: SystemTime,
    id: Option<String>,
) -> Answer {
    let group_id = required(b, "group_id")?;
    let service = required(b, "service")?;
    let config = opt_object(b, "config")?.unwrap_or_default();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let schema = text(config.get("schema_prefix"))
        .or_else(|| match (text(config.get("schema")), text(config.get("table"))) {
            (Some(s), Some(t)) => Some(format!("{s}.{t}")),
            (s, _) => s,
        })
        .or(opt_str(b, "schema")?)
        .ok_or_else(|| invalid("Missing required field: 'config.schema' (or 'config.schema_prefix')"))?;
    let paused = opt_bool(b, "paused")?.unwrap_or(false);
    let sync_frequency = opt_u32(b, "sync_frequency")?.map(check_frequency).transpose()?.unwrap_or(360);
    let schedule_type = opt_str(b, "schedule_type")?.map(check_schedule_type).transpose()?.unwrap_or("auto".into());
    let daily_sync_time = opt_str(b, "daily_sync_time")?;
    if let Some(t) = &daily_sync_time {
        check_daily_time(t, sync_frequency)?;
    }
    let run_tests = opt_bool(b, "run_setup_tests")?.unwrap_or(true);
    let pause_after_trial = opt_bool(b, "pause_after_trial")?.unwrap_or(false);
    let sensitivity = opt_str(b, "data_delay_sensitivity")?.unwrap_or("NORMAL".into());
    let threshold = opt_u32(b, "data_delay_threshold")?.unwrap_or(0);
    let networking = opt_str(b, "networking_method")?.unwrap_or("Directly".into());
    if store.groups.get(&group_id).is_none() {
        return Err(not_found("group", &group_id));
    }
    let taken = store
        .by_group
        .get(&group_id)
        .is_some_and(|set| set.iter().any(|s| store.connections.by_seq(*s).is_some_and(|c| c.schema == schema)));
    if taken {
        return Err(fail(409, "Conflict", format!("Schema '{schema}' is already used by a connection in this group")));
    }
    let c = Connection {
        id: id.unwrap_or_else(|| store.new_connection_id()),
        group_id,
        service,
        service_version: 1,
        schema,
        connected_by: store.owner.clone(),
        created_at: store::api_time(now),
        succeeded_at: None,
        failed_at: None,
        paused,
        pause_after_trial,
        sync_frequency,
        data_delay_sensitivity: sensitivity,
        data_delay_threshold: threshold,
        schedule_type,
        daily_sync_time,
        networking_method: networking,
        status: store::ConnectionStatus {
            setup_state: if run_tests { SetupState::Connected } else { SetupState::Incomplete },
            schema_status: "ready",
            sync_state: if paused { SyncState::Paused } else { SyncState::Scheduled },
            update_state: "on_schedule",
            is_historical_sync: true,
            rescheduled_for: None,
            tasks: Vec::new(),
            warnings: Vec::new(),
        },
        setup_tests: None,
        config: store::config_json(config),
        extra: serde_json::Map::new(),
        sim: Default::default(),
    };
    let mut shown = c.clone();
    store.add_connection(c);
    if run_tests {
        shown.setup_tests = Some(store::setup_tests(false));
    }
    data(201, Some("Connection has been created"), shown)
}

/// Merges `changes` into a stored config, masking secrets; the schema fields are permanent.
fn merge_config(
    current: &serde_json::value::RawValue,
    changes: Map<String, Value>,
) -> Result<Box<serde_json::value::RawValue>, Fail> {
    let mut config: Map<String, Value> = serde_json::from_str(current.get()).unwrap_or_default();
    for key in ["schema", "schema_prefix", "table"] {
        if let Some(v) = changes.get(key) {
            if config.get(key).is_some_and(|old| old != v) {
                return Err(invalid(format!("Field 'config.{key}' is permanent and cannot be changed")));
            }
        }
    }
    config.extend(changes);
    Ok(store::config_json(config))
}

fn update_connection(store: &mut Store, id: &str, b: &Map<String, Value>, now: SystemTime) -> Answer {
    let paused = opt_bool(b, "paused")?;
    let frequency = opt_u32(b, "sync_frequency")?.map(check_frequency).transpose()?;
    let schedule_type = opt_str(b, "schedule_type")?.map(check_schedule_type).transpose()?;
    let daily = opt_str(b, "daily_sync_time")?;
    let pause_after_trial = opt_bool(b, "pause_after_trial")?;
    let sensitivity = opt_str(b, "data_delay_sensitivity")?;
    let threshold = opt_u32(b, "data_delay_threshold")?;
    let historical = opt_bool(b, "is_historical_sync")?;
    let networking = opt_str(b, "networking_method")?;
    let config = opt_object(b, "config")?;
    let c = store.connections.get_mut(id).ok_or_else(|| not_found("connection", id))?;
    if let Some(t) = &daily {
        check_daily_time(t, frequency.unwrap_or(c.sync_frequency))?;
    }
    if let Some(changes) = config {
        c.config = merge_config(&c.config, changes)?;
    }
    if let Some(f) = frequency {
        c.sync_frequency = f;
        if f != 1440 {
            c.daily_sync_time = None;
        }
    }
    if daily.is_some() {
        c.daily_sync_time = daily;
    }
    if let Some(s) = schedule_type {
        c.schedule_type = s;
    }
    if let Some(p) = pause_after_trial {
        c.pause_after_trial = p;
    }
    if let Some(s) = sensitivity {
        c.data_delay_sensitivity = s;
    }
    if let Some(t) = threshold {
        c.data_delay_threshold = t;
    }
    if let Some(h) = historical {
        c.status.is_historical_sync = h;
    }
    if let Some(n) = networking {
        c.networking_method = n;
    }
    let mut resume_resync = false;
    match paused {
        Some(true) if !c.paused => {
            // Pausing stops a running sync without an outcome.
            c.paused = true;
            c.status.sync_state = SyncState::Paused;
            c.status.rescheduled_for = None;
            c.sim.until = None;
        }
        Some(false) if c.paused => {
            c.paused = false;
            c.status.sync_state = SyncState::Scheduled;
            resume_resync = std::mem::take(&mut c.sim.resync_pending);
        }
        _ => {}
    }
    if resume_resync {
        store.start_sync(id, now, true);
    }
    let c = store.connections.get(id).ok_or_else(|| not_found("connection", id))?;
    data(200, Some("Connection has been updated"), c)
}

fn sync(store: &mut Store, id: &str, b: &Map<String, Value>, now: SystemTime) -> Answer {
    let force = opt_bool(b, "force")?.unwrap_or(false);
    let c = store.connections.get(id).ok_or_else(|| not_found("connection", id))?;
    let start = match c.status.sync_state {
        // A paused connection does not sync; the API still says the sync was triggered.
        _ if c.paused => false,
        SyncState::Syncing => force,
        // Waiting for source quota: it runs at `rescheduled_for`.
        SyncState::Rescheduled => false,
        // Scheduled, or a state set from outside that the emulator does not know.
        _ => true,
    };
    if start {
        store.start_sync(id, now, false);
    }
    done(format!("Sync has been successfully triggered for connection with id '{id}'"))
}

fn resync(store: &mut Store, id: &str, b: &Map<String, Value>, now: SystemTime, whole: bool) -> Answer {
    let scope_field = if whole { "scope" } else { "schema" };
    if let Some(scope) = b.get(scope_field) {
        let Some(scope) = scope.as_object() else {
            return Err(fail(
                400,
                "BadRequest",
                format!("Field '{scope_field}' must be an object of schema -> tables"),
            ));
        };
        if scope.is_empty() || scope.values().any(|t| t.as_array().is_none_or(Vec::is_empty)) {
            return Err(fail(
                400,
                "BadRequest",
                format!("Field '{scope_field}' must name at least one table per schema"),
            ));
        }
    } else if !whole {
        return Err(invalid("Missing required field: 'schema'"));
    }
    let c = store.connections.get_mut(id).ok_or_else(|| not_found("connection", id))?;
    if c.status.sync_state == SyncState::Syncing {
        return Err(fail(
            409,
            "Conflict",
            "A sync is in progress and could not be completed; the re-sync was declined",
        ));
    }
    if c.paused {
        // Scheduled for when the connection is resumed.
        c.sim.resync_pending = true;
    } else {
        store.start_sync(id, now, whole);
    }
    done(format!("Re-sync has been triggered successfully for connection with id '{id}'"))
}

pub(super) fn create_destination(store: &mut Store, b: &Map<String, Value>) -> Answer {
    let group_id = required(b, "group_id")?;
    let service = required(b, "service")?;
    let offset = required(b, "time_zone_offset")?;
    let region = opt_str(b, "region")?.unwrap_or("GCP_US_EAST4".into());
    let dst = opt_bool(b, "daylight_saving_time_enabled")?.unwrap_or(false);
    let networking = opt_str(b, "networking_method")?.unwrap_or("Directly".into());
    let run_tests = opt_bool(b, "run_setup_tests")?.unwrap_or(true);
    let config = opt_object(b, "config")?.unwrap_or_default();
    if store.groups.get(&group_id).is_none() {
        return Err(not_found("group", &group_id));
    }
    if store.destinations.get(&group_id).is_some() {
        return Err(fail(409, "Conflict", format!("Group '{group_id}' already has a destination")));
    }
    let d = Destination {
        id: group_id.clone(),
        group_id,
        service,
        region,
        time_zone_offset: offset,
        setup_status: if run_tests { "connected" } else { "incomplete" }.into(),
        daylight_saving_time_enabled: dst,
        networking_method: networking,
        setup_tests: None,
        config: store::config_json(config),
    };
    let mut shown = d.clone();
    store.destinations.insert(d);
    if run_tests {
        shown.setup_tests = Some(store::setup_tests(false));
    }
    data(201, Some("Destination has been created"), shown)
}

fn update_destination(store: &mut Store, id: &str, b: &Map<String, Value>) -> Answer {
    let region = opt_str(b, "region")?;
    let offset = opt_str(b, "time_zone_offset")?;
    let dst = opt_bool(b, "daylight_saving_time_enabled")?;
    let networking = opt_str(b, "networking_method")?;
    let config = opt_object(b, "config")?;
    let d = store.destinations.get_mut(id).ok_or_else(|| not_found("destination", id))?;
    if let Some(changes) = config {
        d.config = merge_config(&d.config, changes)?;
    }
    if let Some(r) = region {
        d.region = r;
    }
    if let Some(o) = offset {
        d.time_zone_offset = o;
    }
    if let Some(v) = dst {
        d.daylight_saving_time_enabled = v;
    }
    if let Some(n) = networking {
        d.networking_method = n;
    }
    data(200, Some("Destination has been updated"), &*d)
}

pub(super) fn create_user(store: &mut Store, b: &Map<String, Value>, now: SystemTime, id: Option<String>) -> Answer {
    let email = required(b, "email")?;
    let given_name = required(b, "given_name")?;
    let family_name = required(b, "family_name")?;
    let role = opt_str(b, "role")?;
    let phone = opt_str(b, "phone")?;
    let picture = opt_str(b, "picture")?;
    if store.users.values().any(|u| u.email.eq_ignore_ascii_case(&email)) {
        return Err(fail(409, "Conflict", format!("User with email '{email}' already exists")));
    }
    let u = User {
        id: id.unwrap_or_else(|| store.new_user_id()),
        email,
        given_name,
        family_name,
        verified: false,
        invited: true,
        picture,
        phone,
        role,
        active: true,
        logged_in_at: None,
        created_at: store::api_time(now),
    };
    store.users.insert(u.clone());
    data(201, Some("User has been invited to the account"), u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_opaque() {
        for seq in [0, 1, 99, 1000, u64::MAX] {
            let c = encode_cursor("connections", seq);
            assert!(c.parse::<u64>().is_err(), "{c}");
            assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(decode_cursor("connections", &c), Some(seq));
            assert_eq!(decode_cursor("groups", &c), None);
        }
        assert_eq!(decode_cursor("groups", "not a cursor"), None);
        assert_eq!(decode_cursor("groups", "A"), None);
        assert_eq!(decode_cursor("groups", ""), None);
    }

    #[test]
    fn accept_and_content_type_rules() {
        assert!(acceptable(None));
        assert!(acceptable(Some("application/json")));
        assert!(acceptable(Some("application/json;version=2")));
        assert!(acceptable(Some("Application/JSON; version=2")));
        assert!(acceptable(Some("*/*")));
        assert!(acceptable(Some("text/html, application/json;q=0.9")));
        assert!(!acceptable(Some("text/html")));
        assert!(!acceptable(Some("application/xml")));
        assert!(!acceptable(Some("application/json;version=3")));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }

    #[test]
    fn query_and_path_decoding() {
        assert_eq!(
            query_pairs("a=1&b=x%20y+z&c&cursor=%41"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("c".into(), "".into()),
                ("cursor".into(), "A".into())
            ]
        );
        assert_eq!(percent_decode("a%2Fb%", false), "a/b%");
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
        assert_eq!(percent_decode("a+b", false), "a+b");
    }
}
