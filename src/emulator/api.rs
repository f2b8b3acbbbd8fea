//! The front door: fault injection first (like a proxy in front of the API), then auth, the
//! hourly quota and the `Accept` check before [`routes`](super::routes) answers; the
//! `/__emulator/` control endpoints bypass all of that.

use super::families::Delivery;
use super::routes::{acceptable, fail, percent_decode, query_pairs, resolve, route, JSON};
use super::server::{Action, Counters, Handler, Reply, Request, Response};
use super::store::{self, Store};
use super::{ConnectionControl, Fault, FaultBody, FaultKind, RequestRecord, Stats, SyncState};
use crate::lock::lock;
use serde_json::{json, Value};
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Most request records kept; older ones are dropped first.
const LOG_LIMIT: usize = 100_000;

/// The emulator's state behind one lock, and what every request needs to check it.
pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub counters: Arc<Counters>,
    /// The `Authorization` value that passes (`Basic base64(key:secret)`).
    auth: String,
    started: Instant,
    /// Set when the emulator stops: the sender thread ends.
    pub stopped: std::sync::atomic::AtomicBool,
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
    /// Webhook deliveries made, oldest first.
    pub deliveries: VecDeque<DeliveryRecord>,
    /// The account shape loaded on top of the seed (again at every reset).
    pub account: Option<Value>,
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
            deliveries: VecDeque::new(),
            account: None,
        }
    }

    /// Back to the seeded account: faults, log, quota use and counters cleared; settings kept.
    pub fn reset(&mut self, counters: &Counters) {
        let limit = self.quota.limit;
        let account = self.account.take();
        *self = World::new(self.seed, self.sync_duration, limit);
        if let Some(a) = account {
            // It loaded once at start, so it loads again; a failure would only be a bug here.
            if let Err(e) = self.load(a) {
                log::warn!("emulator: reloading the account shape failed: {e}");
            }
        }
        counters.accepted.store(0, Ordering::SeqCst);
        counters.requests.store(0, Ordering::SeqCst);
    }

    /// Loads an account shape on top of the seed and keeps it for resets.
    pub fn load(&mut self, shape: Value) -> Result<(), String> {
        super::seed::load(&mut self.store, &shape, SystemTime::now())?;
        self.account = Some(match self.account.take() {
            None => shape,
            Some(old) => merge_shapes(old, shape),
        });
        Ok(())
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
        if let Some(extra) = &ctl.extra_fields {
            let known = serde_json::to_value(&*c).map_err(|e| e.to_string())?;
            if let Some(k) = extra.keys().find(|k| known.get(k.as_str()).is_some() && !c.extra.contains_key(*k)) {
                return Err(format!("extra field '{k}' is a field connections already have"));
            }
            c.extra.extend(extra.clone());
        }
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

/// Two account shapes loaded one after the other, as one: their lists joined.
pub(crate) fn merge_shapes(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        for (k, v) in b {
            match (a.get_mut(&k), v) {
                (Some(Value::Array(x)), Value::Array(y)) => x.extend(y),
                (Some(Value::Object(x)), Value::Object(y)) => {
                    for (ck, cv) in y {
                        match (x.get_mut(&ck), cv) {
                            (Some(Value::Array(p)), Value::Array(q)) => p.extend(q),
                            (_, cv) => {
                                x.insert(ck, cv);
                            }
                        }
                    }
                }
                (_, v) => {
                    a.insert(k, v);
                }
            }
        }
    }
    a
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

/// How long the emulator waits for a webhook receiver.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Most delivery records kept.
const DELIVERY_LOG_LIMIT: usize = 10_000;

/// One webhook delivery the emulator made: for `GET /__emulator/webhooks`.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct DeliveryRecord {
    pub webhook_id: String,
    pub url: String,
    pub event: String,
    /// The receiver's status; `None` when it could not be reached.
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// POSTs one delivery, signed when the webhook has a secret; the receiver's status or why it
/// could not be reached.
pub(crate) fn send(d: &Delivery) -> Result<u16, String> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(DELIVERY_TIMEOUT)).http_status_as_error(false).build().into();
    let mut req =
        agent.post(&d.url).header("Content-Type", "application/json").header("User-Agent", "fivetrex-emulator");
    if !d.secret.is_empty() {
        req = req.header(crate::webhook::SIGNATURE_HEADER, crate::webhook::sign(d.secret.as_bytes(), &d.body));
    }
    match req.send(&d.body[..]) {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => Err(e.to_string()),
    }
}

impl Shared {
    /// Sends a webhook test now (outside the lock) and answers with its outcome.
    fn test_webhook(&self, d: Delivery, placeholder: Response) -> Response {
        let outcome = send(&d);
        self.delivered(&d, &outcome);
        let (succeed, status, message) = match &outcome {
            Ok(s) => ((200..300).contains(s), *s, format!("The receiver answered {s}")),
            Err(e) => (false, 0, format!("The receiver could not be reached: {e}")),
        };
        let body = json!({"code": "Success", "data": {"succeed": succeed, "status": status, "message": message}});
        Response { body: body.to_string().into_bytes(), ..placeholder }
    }

    fn delivered(&self, d: &Delivery, outcome: &Result<u16, String>) {
        let mut w = lock(&self.world);
        if w.deliveries.len() == DELIVERY_LOG_LIMIT {
            w.deliveries.pop_front();
        }
        w.deliveries.push_back(DeliveryRecord {
            webhook_id: d.webhook_id.clone(),
            url: d.url.clone(),
            event: d.event.clone(),
            status: outcome.as_ref().ok().copied(),
            error: outcome.as_ref().err().cloned(),
        });
    }

    /// Settles finished syncs and sends the webhook events they queued, each on its own thread
    /// so a slow receiver holds up nothing. Run by the sender thread every few milliseconds.
    pub fn pump(self: &Arc<Self>) {
        let outbox = {
            let mut w = lock(&self.world);
            if !w.store.docs.has_webhooks() && w.store.docs.outbox.is_empty() {
                return;
            }
            w.store.tick(SystemTime::now());
            std::mem::take(&mut w.store.docs.outbox)
        };
        for d in outbox {
            let shared = self.clone();
            let spawned = std::thread::Builder::new().name("fivetrex-emulator-webhook".into()).spawn(move || {
                let outcome = send(&d);
                shared.delivered(&d, &outcome);
            });
            if let Err(e) = spawned {
                log::debug!("emulator: cannot start a webhook delivery: {e}");
            }
        }
    }

    pub fn new(world: World, counters: Arc<Counters>, key: &str, secret: &str) -> Shared {
        Shared {
            world: Mutex::new(world),
            counters,
            auth: crate::secret::basic_auth(key, secret).expose().to_owned(),
            started: Instant::now(),
            stopped: std::sync::atomic::AtomicBool::new(false),
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
        let test = w.store.test_delivery.take();
        w.record(req, Some(action.status), kind);
        drop(guard);
        let action = match test {
            Some(d) => self.test_webhook(d, action),
            None => action,
        };
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
            let title = match status {
                502 => "Bad Gateway",
                503 => "Service Temporarily Unavailable",
                504 => "Gateway Time-out",
                _ => "Error",
            };
            let html = format!(
                "<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n<center><h1>{status} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
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

impl Shared {
    /// Auth, quota, `Accept`, then the route.
    fn api(&self, w: &mut World, req: &Request, repeat_cursor: bool) -> Response {
        let now = SystemTime::now();
        w.store.tick(now);
        let secs = self.seconds();
        let resolved = resolve(req);
        let public = resolved.as_ref().is_ok_and(|r| !r.op.auth);
        if !public && !self.authorized(req) {
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
            resolved.and_then(|r| route(&mut w.store, req, &r, now, repeat_cursor))
        };
        let response = response.unwrap_or_else(|f| f.response());
        rate_headers(response, w.quota.limit, remaining)
    }
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
            ("GET", "/webhooks") => ok(json!({ "items": w.deliveries })),
            ("DELETE", "/webhooks") => {
                w.deliveries.clear();
                ok(json!({}))
            }
            ("POST", "/account") => {
                let v = match parse(req) {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                match w.load(v) {
                    Ok(()) => ok(json!({ "stats": w.stats(&self.counters) })),
                    Err(e) => bad(400, e),
                }
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
    fn quota_rolls_over_the_hour() {
        let mut q = Quota::new(2);
        assert_eq!(q.take(10), Ok(1));
        assert_eq!(q.take(20), Ok(0));
        assert_eq!(q.take(30), Err(3580));
        assert_eq!(q.take(3610), Ok(0));
        assert_eq!(q.remaining(3620), 1);
    }
}
