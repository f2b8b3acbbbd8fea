//! Turns requests into answers: fault injection first (like a proxy in front of the API), then
//! auth, the hourly quota, the `Accept` check, the route, the content type and the body; the
//! `/__emulator/` control endpoints bypass all of that.

use super::server::{Action, Counters, Handler, Reply, Request, Response};
use super::store::{self, take_page, Connection, Destination, Group, Store, User};
use super::{ConnectionControl, Fault, FaultBody, FaultKind, RequestRecord, SetupState, Stats, SyncState};
use crate::retry::lock;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Most request records kept; older ones are dropped first.
const LOG_LIMIT: usize = 100_000;
/// Items per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
const JSON: &str = "application/json";
const SYNC_FREQUENCIES: [u64; 11] = [1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440];

/// The emulator's state behind one lock, and what every request needs to check it.
pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub counters: Arc<Counters>,
    /// The `Authorization` value that passes (`Basic base64(key:secret)`).
    auth: String,
    started: Instant,
}

/// Everything that changes.
pub(crate) struct World {
    pub store: Store,
    /// The seed `reset` returns to: groups, connections per group.
    pub seed: (usize, usize),
    pub sync_duration: Duration,
    /// Injected faults with the uses they have left (0: until cleared).
    pub faults: Vec<(Fault, u32)>,
    pub log: VecDeque<RequestRecord>,
    log_seq: u64,
    pub quota: Quota,
    pub api_requests: u64,
    pub api_connections: HashSet<u64>,
}

impl World {
    pub fn new(seed: (usize, usize), sync_duration: Duration, hourly_quota: u64) -> World {
        World {
            store: Store::seeded(seed.0, seed.1, sync_duration),
            seed,
            sync_duration,
            faults: Vec::new(),
            log: VecDeque::new(),
            log_seq: 0,
            quota: Quota::new(hourly_quota),
            api_requests: 0,
            api_connections: HashSet::new(),
        }
    }

    /// Back to the seeded account: faults, log, quota use and counters cleared; settings kept.
    pub fn reset(&mut self, counters: &Counters) {
        let limit = self.quota.limit;
        *self = World::new(self.seed, self.sync_duration, limit);
        counters.accepted.store(0, Ordering::SeqCst);
        counters.requests.store(0, Ordering::SeqCst);
    }

    pub fn set_sync_duration(&mut self, d: Duration) {
        self.sync_duration = d;
        self.store.sync_duration = d;
    }

    fn record(&mut self, req: &Request, status: Option<u16>, fault: Option<FaultKind>) {
        self.log_seq += 1;
        if self.log.len() == LOG_LIMIT {
            self.log.pop_front();
        }
        self.log.push_back(RequestRecord {
            seq: self.log_seq,
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            status,
            fault,
            connection: req.connection,
        });
    }

    /// The first fault matching this request, with one use taken from it.
    fn take_fault(&mut self, method: &str, path: &str, has_cursor: bool) -> Option<Fault> {
        let i = self
            .faults
            .iter()
            .position(|(f, _)| f.matches(method, path) && (f.kind != FaultKind::RepeatCursor || has_cursor))?;
        let fault = self.faults[i].0.clone();
        match self.faults[i].1 {
            0 => {}
            1 => {
                self.faults.remove(i);
            }
            n => self.faults[i].1 = n - 1,
        }
        Some(fault)
    }

    pub fn stats(&self, counters: &Counters) -> Stats {
        Stats {
            connections_accepted: counters.accepted.load(Ordering::SeqCst),
            api_connections: self.api_connections.len() as u64,
            requests: counters.requests.load(Ordering::SeqCst),
            api_requests: self.api_requests,
            pending_faults: self.faults.len() as u64,
            groups: self.store.groups.len() as u64,
            connections: self.store.connections.len() as u64,
        }
    }

    /// Applies a control change to one connection.
    pub fn control_connection(&mut self, id: &str, ctl: &ConnectionControl) -> Result<(), String> {
        let now = SystemTime::now();
        self.store.tick(now);
        let default = self.sync_duration;
        let c = self.store.connections.get_mut(id).ok_or_else(|| format!("no connection with id '{id}'"))?;
        if let Some(o) = ctl.sync_outcome {
            c.sim.outcome = o;
        }
        if let Some(d) = ctl.sync_duration {
            c.sim.duration = Some(d);
        }
        if let Some(s) = &ctl.setup_state {
            c.status.setup_state = s.clone();
        }
        if let Some(p) = ctl.paused {
            c.paused = p;
            if p {
                c.status.sync_state = SyncState::Paused;
                c.sim.until = None;
            } else if c.status.sync_state == SyncState::Paused {
                c.status.sync_state = SyncState::Scheduled;
            }
        }
        if let Some(t) = ctl.succeeded_at {
            c.succeeded_at = Some(t);
        }
        if let Some(t) = ctl.failed_at {
            c.failed_at = Some(t);
        }
        if let Some(state) = &ctl.sync_state {
            c.status.sync_state = state.clone();
            c.sim.until = None;
            c.status.rescheduled_for = None;
            match state {
                SyncState::Syncing => c.sim.until = Some(now + c.sim.duration.unwrap_or(default)),
                SyncState::Rescheduled => {
                    let at = ctl.rescheduled_for.unwrap_or_else(|| store::api_time(now + HOUR));
                    c.status.rescheduled_for = Some(at);
                }
                SyncState::Paused => c.paused = true,
                // Scheduled, or a state this version does not know (served as given).
                _ => c.paused = false,
            }
        } else if let Some(t) = ctl.rescheduled_for {
            c.status.rescheduled_for = Some(t);
        }
        self.store.watch(id);
        Ok(())
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// A rolling one-hour request quota counted in one-second buckets (so memory stays bounded
/// whatever the traffic).
#[derive(Debug)]
pub(crate) struct Quota {
    pub limit: u64,
    buckets: VecDeque<(u64, u64)>,
    used: u64,
}

impl Quota {
    fn new(limit: u64) -> Quota {
        Quota { limit, buckets: VecDeque::new(), used: 0 }
    }

    fn expire(&mut self, now: u64) {
        while let Some(&(second, n)) = self.buckets.front() {
            if second + HOUR.as_secs() > now {
                break;
            }
            self.used -= n;
            self.buckets.pop_front();
        }
    }

    fn remaining(&mut self, now: u64) -> u64 {
        self.expire(now);
        self.limit.saturating_sub(self.used)
    }

    /// Counts one request, or says how many seconds until one is allowed.
    fn take(&mut self, now: u64) -> Result<u64, u64> {
        self.expire(now);
        if self.used >= self.limit {
            let free_at = self.buckets.front().map_or(now + HOUR.as_secs(), |&(s, _)| s + HOUR.as_secs());
            return Err(free_at.saturating_sub(now).max(1));
        }
        match self.buckets.back_mut() {
            Some((s, n)) if *s == now => *n += 1,
            _ => self.buckets.push_back((now, 1)),
        }
        self.used += 1;
        Ok(self.limit - self.used)
    }
}

impl Shared {
    pub fn new(world: World, counters: Arc<Counters>, key: &str, secret: &str) -> Shared {
        Shared {
            world: Mutex::new(world),
            counters,
            auth: crate::secret::basic_auth(key, secret).expose().to_owned(),
            started: Instant::now(),
        }
    }

    fn authorized(&self, req: &Request) -> bool {
        let Some(value) = req.header("authorization") else { return false };
        let Some((scheme, token)) = value.trim().split_once(' ') else { return false };
        let expected = self.auth.trim_start_matches("Basic ");
        scheme.eq_ignore_ascii_case("basic") && token.trim() == expected
    }

    fn seconds(&self) -> u64 {
        self.started.elapsed().as_secs()
    }
}

impl Handler for Shared {
    fn handle(&self, req: &Request) -> Reply {
        if req.path == "/__emulator" || req.path.starts_with("/__emulator/") {
            return Reply { delay: Duration::ZERO, action: Action::Answer(self.control(req)) };
        }
        let mut guard = lock(&self.world);
        let w = &mut *guard;
        w.api_requests += 1;
        w.api_connections.insert(req.connection);
        let has_cursor = query_pairs(&req.query).iter().any(|(k, _)| k == "cursor");
        let fault = w.take_fault(&req.method, &req.path, has_cursor);
        let delay = fault.as_ref().map_or(Duration::ZERO, |f| f.delay);
        let kind = fault.as_ref().map(|f| f.kind);
        let action = match &fault {
            Some(f) if f.kind == FaultKind::Reset || f.kind == FaultKind::Stall => {
                w.record(req, None, kind);
                return Reply { delay, action: if f.kind == FaultKind::Reset { Action::Reset } else { Action::Stall } };
            }
            Some(f) if f.kind == FaultKind::Status || f.kind == FaultKind::Html => {
                let mut response = fault_response(f);
                if f.kind == FaultKind::Status {
                    let remaining = w.quota.remaining(self.seconds());
                    response = rate_headers(response, w.quota.limit, remaining);
                }
                response
            }
            _ => self.api(w, req, kind == Some(FaultKind::RepeatCursor)),
        };
        w.record(req, Some(action.status), kind);
        drop(guard);
        let action = if kind == Some(FaultKind::Truncate) { Action::Truncate(action) } else { Action::Answer(action) };
        Reply { delay, action }
    }
}

/// The answer an injected status or HTML fault gives.
fn fault_response(f: &Fault) -> Response {
    let status = f.status;
    let body = if f.kind == FaultKind::Html { FaultBody::Html } else { f.body };
    let mut response = match body {
        FaultBody::Json => {
            let code = match status {
                400 => "InvalidInput",
                401 => "AuthFailed",
                403 => "Forbidden",
                404 => "NotFound",
                409 => "Conflict",
                429 => "TooManyRequests",
                500..=599 => "InternalError",
                _ => "Error",
            };
            let body = json!({"code": code, "message": format!("Injected fault: HTTP {status}")});
            Response::new(status, JSON, body.to_string().into_bytes())
        }
        FaultBody::Html => {
            let html = format!(
                "<html>\r\n<head><title>{status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>{status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            );
            Response::new(status, "text/html", html.into_bytes())
        }
        FaultBody::Empty => Response { status, headers: Vec::new(), body: Vec::new() },
    };
    if let Some(ra) = &f.retry_after {
        response = response.header("Retry-After", ra.clone());
    }
    response
}

fn rate_headers(r: Response, limit: u64, remaining: u64) -> Response {
    r.header("X-Rate-Limit", limit.to_string()).header("X-Rate-Limit-Remaining", remaining.to_string())
}

/// A refusal in the API's envelope.
#[derive(Debug)]
struct Fail {
    status: u16,
    code: &'static str,
    message: String,
}

fn fail(status: u16, code: &'static str, message: impl Into<String>) -> Fail {
    Fail { status, code, message: message.into() }
}

fn invalid(message: impl Into<String>) -> Fail {
    fail(400, "InvalidInput", message)
}

fn not_found(entity: &'static str, id: &str) -> Fail {
    let (code, name) = match entity {
        "group" => ("NotFound_Group", "Group"),
        "connection" => ("NotFound_Connector", "Connection"),
        "destination" => ("NotFound_Destination", "Destination"),
        _ => ("NotFound_User", "User"),
    };
    fail(404, code, format!("{name} with id '{id}' doesn't exist"))
}

impl Fail {
    fn response(&self) -> Response {
        let body = json!({"code": self.code, "message": self.message});
        Response::new(self.status, JSON, body.to_string().into_bytes())
    }
}

type Answer = Result<Response, Fail>;

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    data: T,
}

fn data<T: Serialize>(status: u16, message: Option<&str>, data: T) -> Answer {
    let body = serde_json::to_vec(&Envelope { code: "Success", message, data })
        .map_err(|e| fail(500, "InternalError", format!("cannot render the answer: {e}")))?;
    Ok(Response::new(status, JSON, body))
}

fn done(message: String) -> Answer {
    Ok(Response::new(200, JSON, json!({"code": "Success", "message": message}).to_string().into_bytes()))
}

#[derive(Serialize)]
struct PageData<T: Serialize> {
    items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// Paging parameters of a list request.
struct Paging {
    limit: usize,
    after: Option<u64>,
    /// The cursor as received, for the repeated-cursor fault.
    raw: Option<String>,
    tag: &'static str,
    repeat: bool,
}

impl Paging {
    fn from(q: &[(String, String)], tag: &'static str, repeat: bool) -> Result<Paging, Fail> {
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

    fn answer<T: Serialize>(&self, items: Vec<T>, last: Option<u64>) -> Answer {
        let mut next_cursor = last.map(|seq| encode_cursor(self.tag, seq));
        if self.repeat && self.raw.is_some() {
            next_cursor = self.raw.clone();
        }
        data(200, None, PageData { items, next_cursor })
    }
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// An opaque, stable cursor: base64url of `<list>:<sequence number>`.
pub(crate) fn encode_cursor(tag: &str, seq: u64) -> String {
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

pub(crate) fn decode_cursor(tag: &str, cursor: &str) -> Option<u64> {
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

fn percent_decode(s: &str, plus_is_space: bool) -> String {
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

pub(crate) fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Whether an `Accept` header asks for something the API serves.
fn acceptable(accept: Option<&str>) -> bool {
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

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
    })
}

/// A request body as a JSON object (an empty body is `{}`).
fn body(req: &Request) -> Result<Map<String, Value>, Fail> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(invalid("The request body must be a JSON object")),
        Err(e) => Err(invalid(format!("The request body is not valid JSON: {e}"))),
    }
}

fn required(b: &Map<String, Value>, field: &str) -> Result<String, Fail> {
    match b.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err(invalid(format!("Missing required field: '{field}'"))),
        Some(Value::String(_)) => Err(invalid(format!("Field '{field}' must not be empty"))),
        Some(_) => Err(invalid(format!("Field '{field}' must be a string"))),
    }
}

fn opt_str(b: &Map<String, Value>, field: &str) -> Result<Option<String>, Fail> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("Field '{field}' must be a string"))),
    }
}

fn opt_bool(b: &Map<String, Value>, field: &str) -> Result<Option<bool>, Fail> {
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

fn opt_object(b: &Map<String, Value>, field: &str) -> Result<Option<Map<String, Value>>, Fail> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(_) => Err(invalid(format!("Field '{field}' must be an object"))),
    }
}

fn method_not_allowed(req: &Request) -> Fail {
    fail(405, "MethodNotAllowed", format!("Method {} is not allowed on {}", req.method, req.path))
}

impl Shared {
    /// Auth, quota, `Accept`, then the route.
    fn api(&self, w: &mut World, req: &Request, repeat_cursor: bool) -> Response {
        let now = SystemTime::now();
        w.store.tick(now);
        let secs = self.seconds();
        if !self.authorized(req) {
            let remaining = w.quota.remaining(secs);
            let f = fail(401, "AuthFailed", "Authentication failed: check the API key and secret");
            return rate_headers(f.response(), w.quota.limit, remaining);
        }
        let remaining = match w.quota.take(secs) {
            Ok(r) => r,
            Err(wait) => {
                let f = fail(429, "TooManyRequests", "The hourly API request quota is used up; retry later");
                return rate_headers(f.response(), w.quota.limit, 0).header("Retry-After", wait.to_string());
            }
        };
        let response = if !acceptable(req.header("accept")) {
            Err(fail(406, "NotAcceptable", "Accept must be application/json or application/json;version=2"))
        } else {
            route(&mut w.store, req, now, repeat_cursor)
        };
        let response = response.unwrap_or_else(|f| f.response());
        rate_headers(response, w.quota.limit, remaining)
    }
}

/// Checks the content type of a POST/PATCH and reads its body.
fn json_body(req: &Request) -> Result<Map<String, Value>, Fail> {
    if !is_json(req.header("content-type")) {
        return Err(fail(415, "UnsupportedMediaType", "Content-Type must be application/json"));
    }
    body(req)
}

fn route(store: &mut Store, req: &Request, now: SystemTime, repeat: bool) -> Answer {
    let segments: Vec<String> = req.path.split('/').skip(1).map(|s| percent_decode(s, false)).collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let q = query_pairs(&req.query);
    let m = req.method.as_str();
    match s.as_slice() {
        ["v1", "groups"] => match m {
            "GET" => {
                let p = Paging::from(&q, "groups", repeat)?;
                let (items, last) = take_page(store.groups.after(p.after), p.limit);
                p.answer(items, last)
            }
            "POST" => create_group(store, &json_body(req)?, now),
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "groups", id] => match m {
            "GET" => data(200, None, store.groups.get(id).ok_or_else(|| not_found("group", id))?),
            "PATCH" => {
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
            "DELETE" => {
                store.remove_group(id).ok_or_else(|| not_found("group", id))?;
                done(format!("Group with id '{id}' has been deleted"))
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "groups", id, "connections"] => match m {
            "GET" => {
                store.groups.get(id).ok_or_else(|| not_found("group", id))?;
                let p = Paging::from(&q, "group_connections", repeat)?;
                let schema = param(&q, "schema");
                list_connections(store, Some(id), schema, &p)
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "groups", id, "users"] => match m {
            "GET" => {
                store.groups.get(id).ok_or_else(|| not_found("group", id))?;
                let p = Paging::from(&q, "group_users", repeat)?;
                let members = store.members.get(*id);
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
            "POST" => {
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
                store.members.entry((*id).to_owned()).or_default().insert(seq, role);
                done("User has been added to the group".into())
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "groups", id, "users", user] => match m {
            "DELETE" => {
                store.groups.get(id).ok_or_else(|| not_found("group", id))?;
                let seq = store.users.seq(user).ok_or_else(|| not_found("user", user))?;
                let removed = store.members.get_mut(*id).and_then(|m| m.remove(&seq));
                removed.ok_or_else(|| {
                    fail(404, "NotFound_User", format!("User with id '{user}' is not a member of group '{id}'"))
                })?;
                done(format!("User with id '{user}' has been removed from the group"))
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "groups", id, "public-key"] => match m {
            "GET" => {
                store.groups.get(id).ok_or_else(|| not_found("group", id))?;
                let key = format!("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} fivetran user key", id.replace('_', ""));
                data(200, None, json!({ "public_key": key }))
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "groups", id, "service-account"] => match m {
            "GET" => {
                store.groups.get(id).ok_or_else(|| not_found("group", id))?;
                let account = format!("g-{}@fivetran-production.iam.gserviceaccount.com", id.replace('_', "-"));
                data(200, None, json!({ "service_account": account }))
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "connections"] => match m {
            "GET" => {
                let p = Paging::from(&q, "connections", repeat)?;
                list_connections(store, param(&q, "group_id"), param(&q, "schema"), &p)
            }
            "POST" => create_connection(store, &json_body(req)?, now),
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "connections", id] => match m {
            "GET" => data(200, None, store.connections.get(id).ok_or_else(|| not_found("connection", id))?),
            "PATCH" => update_connection(store, id, &json_body(req)?, now),
            "DELETE" => {
                store.remove_connection(id).ok_or_else(|| not_found("connection", id))?;
                done(format!("Connection with id '{id}' has been deleted"))
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "connections", id, action @ ("sync" | "resync" | "test")] => match m {
            "POST" => {
                let b = json_body(req)?;
                match *action {
                    "sync" => sync(store, id, &b, now),
                    "resync" => resync(store, id, &b, now, true),
                    _ => {
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
                }
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "connections", id, "schemas", "tables", "resync"] => match m {
            "POST" => {
                let b = json_body(req)?;
                resync(store, id, &b, now, false)
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "destinations"] => match m {
            "GET" => {
                let p = Paging::from(&q, "destinations", repeat)?;
                let (items, last) = take_page(store.destinations.after(p.after), p.limit);
                // List items are `DestinationResponse`: no config (that comes with the details).
                p.answer(items.into_iter().map(store::DestinationItem::from).collect(), last)
            }
            "POST" => create_destination(store, &json_body(req)?),
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "destinations", id] => match m {
            "GET" => data(200, None, store.destinations.get(id).ok_or_else(|| not_found("destination", id))?),
            "PATCH" => update_destination(store, id, &json_body(req)?),
            "DELETE" => {
                store.destinations.remove(id).ok_or_else(|| not_found("destination", id))?;
                done(format!("Destination with id '{id}' has been deleted"))
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "destinations", id, "test"] => match m {
            "POST" => {
                json_body(req)?;
                let d = store.destinations.get(id).ok_or_else(|| not_found("destination", id))?;
                let mut shown = d.clone();
                shown.setup_tests = Some(store::setup_tests(d.setup_status == "broken"));
                data(200, Some("Setup tests have been completed"), shown)
            }
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "users"] => match m {
            "GET" => {
                let p = Paging::from(&q, "users", repeat)?;
                let (items, last) = take_page(store.users.after(p.after), p.limit);
                p.answer(items, last)
            }
            "POST" => create_user(store, &json_body(req)?, now),
            _ => Err(method_not_allowed(req)),
        },
        ["v1", "users", id] => match m {
            "GET" => data(200, None, store.users.get(id).ok_or_else(|| not_found("user", id))?),
            "PATCH" => {
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
            "DELETE" => {
                store.remove_user(id).ok_or_else(|| not_found("user", id))?;
                done(format!("User with id '{id}' has been deleted"))
            }
            _ => Err(method_not_allowed(req)),
        },
        _ => Err(fail(404, "NotFound", format!("No such endpoint: {} {}", req.method, req.path))),
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

fn create_group(store: &mut Store, b: &Map<String, Value>, now: SystemTime) -> Answer {
    let name = required(b, "name")?;
    if store.groups.values().any(|g| g.name == name) {
        return Err(fail(409, "Conflict", format!("Group with name '{name}' already exists")));
    }
    let g = Group { id: store.new_group_id(), name, created_at: store::api_time(now) };
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

fn create_connection(store: &mut Store, b: &Map<String, Value>, now: SystemTime) -> Answer {
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
        id: store.new_connection_id(),
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

fn create_destination(store: &mut Store, b: &Map<String, Value>) -> Answer {
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

fn create_user(store: &mut Store, b: &Map<String, Value>, now: SystemTime) -> Answer {
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
        id: store.new_user_id(),
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

impl Shared {
    /// The `/__emulator/` endpoints: no auth, no quota, not logged, no faults.
    fn control(&self, req: &Request) -> Response {
        let path = req.path.trim_end_matches('/');
        let rest = path.strip_prefix("/__emulator").unwrap_or("");
        let m = req.method.as_str();
        let ok = |v: Value| {
            let mut body = json!({"code": "Success"});
            if let (Value::Object(b), Value::Object(extra)) = (&mut body, v) {
                b.extend(extra);
            }
            Response::new(200, JSON, body.to_string().into_bytes())
        };
        let bad = |status: u16, message: String| {
            let code = if status == 404 { "NotFound" } else { "InvalidInput" };
            Response::new(status, JSON, json!({"code": code, "message": message}).to_string().into_bytes())
        };
        let parse = |req: &Request| -> Result<Value, Response> {
            if req.body.iter().all(u8::is_ascii_whitespace) {
                return Ok(json!({}));
            }
            serde_json::from_slice(&req.body).map_err(|e| bad(400, format!("body is not valid JSON: {e}")))
        };
        let mut w = lock(&self.world);
        match (m, rest) {
            ("GET", "" | "/stats") => ok(json!({ "stats": w.stats(&self.counters) })),
            ("GET", "/log") => ok(json!({ "items": w.log })),
            ("DELETE", "/log") => {
                w.log.clear();
                ok(json!({}))
            }
            ("GET", "/faults") => {
                let items: Vec<Value> =
                    w.faults.iter().map(|(f, left)| json!({"fault": f, "remaining": left})).collect();
                ok(json!({ "items": items }))
            }
            ("POST", "/faults") => {
                let v = match parse(req) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                match Fault::from_json(&v) {
                    Ok(f) => {
                        let times = f.times;
                        w.faults.push((f, times));
                        ok(json!({ "pending_faults": w.faults.len() }))
                    }
                    Err(e) => bad(400, e),
                }
            }
            ("DELETE", "/faults") => {
                w.faults.clear();
                ok(json!({}))
            }
            ("POST", "/reset") => {
                w.reset(&self.counters);
                ok(json!({}))
            }
            ("POST", "/seed") => {
                let v = match parse(req) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let count = |k: &str| v.get(k).and_then(Value::as_u64).map(|n| n as usize);
                let (Some(groups), Some(per_group)) = (count("groups"), count("connections_per_group")) else {
                    return bad(400, "expected {\"groups\": n, \"connections_per_group\": m}".into());
                };
                if groups.saturating_mul(per_group) > 10_000_000 {
                    return bad(400, "at most 10,000,000 connections".into());
                }
                let t = Instant::now();
                w.seed = (groups, per_group);
                w.reset(&self.counters);
                ok(
                    json!({ "groups": groups, "connections": groups * per_group, "seed_ms": t.elapsed().as_secs_f64() * 1000.0 }),
                )
            }
            ("POST", "/settings") => {
                let v = match parse(req) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let known = ["sync_duration_ms", "hourly_quota"];
                if let Some(k) = v.as_object().and_then(|o| o.keys().find(|k| !known.contains(&k.as_str()))) {
                    return bad(400, format!("unknown setting '{k}' (known: {known:?})"));
                }
                if let Some(ms) = v.get("sync_duration_ms") {
                    match ms.as_u64() {
                        Some(ms) => w.set_sync_duration(Duration::from_millis(ms)),
                        None => return bad(400, "sync_duration_ms must be a non-negative integer".into()),
                    }
                }
                if let Some(q) = v.get("hourly_quota") {
                    match q.as_u64() {
                        Some(q) => w.quota.limit = q,
                        None => return bad(400, "hourly_quota must be a non-negative integer".into()),
                    }
                }
                ok(json!({ "sync_duration_ms": w.sync_duration.as_millis() as u64, "hourly_quota": w.quota.limit }))
            }
            ("POST", r) if r.starts_with("/connections/") => {
                let id = percent_decode(&r["/connections/".len()..], false);
                let v = match parse(req) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let ctl = match ConnectionControl::from_json(&v) {
                    Ok(c) => c,
                    Err(e) => return bad(400, e),
                };
                match w.control_connection(&id, &ctl) {
                    Ok(()) => {
                        let c = w.store.connections.get(&id).map(|c| serde_json::to_value(c).unwrap_or(Value::Null));
                        ok(json!({ "data": c }))
                    }
                    Err(e) => bad(404, e),
                }
            }
            _ => bad(404, format!("no control endpoint {m} {path}; see the fivetrex::emulator docs")),
        }
    }
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
    fn quota_rolls_over_the_hour() {
        let mut q = Quota::new(2);
        assert_eq!(q.take(10), Ok(1));
        assert_eq!(q.take(20), Ok(0));
        assert_eq!(q.take(30), Err(3580));
        assert_eq!(q.take(3610), Ok(0));
        assert_eq!(q.remaining(3620), 1);
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
