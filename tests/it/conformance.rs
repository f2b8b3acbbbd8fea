//! Conformance with the official OpenAPI definition: every operation of the spec is described by
//! the library (`fivetrex::api::operations()`) with the same method, path template, `Accept`
//! header, paging and success status, and the library describes nothing the spec lacks.

use crate::support::*;
use fivetrex::endpoint::{Accept, Operation, Paging};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What the spec says about one operation.
struct SpecOp {
    method: String,
    path: String,
    accept: Accept,
    paging: Paging,
    /// The documented 2xx statuses (both 200 and 201 for a few creates).
    success: BTreeSet<u16>,
}

fn spec_operations(spec: &'static Value) -> BTreeMap<String, SpecOp> {
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let shared: &'static [Value] = item.get("parameters").and_then(Value::as_array).map_or(&[], Vec::as_slice);
        for (method, op) in item.as_object().expect("path item") {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let params: Vec<&Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(shared)
                .map(resolve)
                .collect();
            let param = |location: &str, name: &str| {
                params
                    .iter()
                    .find(|p| p["in"] == location && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            };
            let accept = match param("header", "Accept").and_then(|p| p["schema"]["default"].as_str()) {
                Some("application/json;version=2") => Accept::JsonV2,
                _ => Accept::Json,
            };
            let declares_cursor = param("query", "cursor").is_some() || param("query", "limit").is_some();
            let paging = if declares_cursor {
                Paging::Cursor
            } else if answers_with_next_cursor(op) {
                Paging::CursorUndeclared
            } else {
                Paging::None
            };
            let success = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .filter_map(|code| code.parse::<u16>().ok())
                .filter(|code| (200..300).contains(code))
                .collect();
            let spec_op = SpecOp { method: method.to_uppercase(), path: path.clone(), accept, paging, success };
            assert!(out.insert(id.to_owned(), spec_op).is_none(), "the spec repeats operationId {id}");
        }
    }
    out
}

/// True when the success answer's `data` has a `next_cursor` (a list, declared or not).
fn answers_with_next_cursor(op: &'static Value) -> bool {
    let Some(responses) = op["responses"].as_object() else { return false };
    responses.iter().filter(|(code, _)| code.starts_with('2')).any(|(_, r)| {
        let schema = resolve(&r["content"]["application/json"]["schema"]);
        let data = resolve(&schema["properties"]["data"]);
        data["properties"].get("next_cursor").is_some()
    })
}

fn describe(op: &Operation) -> String {
    format!("{} {} accept={:?} paging={:?} success={}", op.method, op.path, op.accept, op.paging, op.success)
}

#[test]
fn every_spec_operation_is_described_exactly() {
    let Some(spec) = spec() else { return };
    let spec_ops = spec_operations(spec);
    let mut library: BTreeMap<&str, &Operation> = BTreeMap::new();
    let mut problems = Vec::new();
    for op in fivetrex::api::operations() {
        if library.insert(op.id, op).is_some() {
            problems.push(format!("{}: described twice", op.id));
        }
        if !spec_ops.contains_key(op.id) {
            problems.push(format!("{}: not in the spec ({})", op.id, describe(op)));
        }
    }
    let mut covered = 0;
    let mut missing = Vec::new();
    for (id, s) in &spec_ops {
        let Some(op) = library.get(id.as_str()) else {
            missing.push(format!("{id}: missing ({} {})", s.method, s.path));
            continue;
        };
        let mut diffs = Vec::new();
        if op.method.as_str() != s.method {
            diffs.push(format!("method {} != spec {}", op.method, s.method));
        }
        if op.path != s.path {
            diffs.push(format!("path {} != spec {}", op.path, s.path));
        }
        if op.accept != s.accept {
            diffs.push(format!("accept {:?} != spec {:?}", op.accept, s.accept));
        }
        if op.paging != s.paging {
            diffs.push(format!("paging {:?} != spec {:?}", op.paging, s.paging));
        }
        if !s.success.contains(&op.success) {
            diffs.push(format!("success {} not in spec {:?}", op.success, s.success));
        }
        let spec_params: Vec<&str> =
            s.path.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name)).collect();
        if op.path_params().collect::<Vec<_>>() != spec_params {
            diffs.push("path parameters differ".into());
        }
        if diffs.is_empty() {
            covered += 1;
        } else {
            problems.push(format!("{id}: {}", diffs.join("; ")));
        }
    }
    println!("spec operations covered: {covered}/{}", spec_ops.len());
    problems.extend(missing);
    assert!(problems.is_empty(), "{} problem(s) against the spec:\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn undeclared_paging_is_exactly_the_two_secrets_manager_entity_lists() {
    let Some(spec) = spec() else { return };
    let undeclared: Vec<String> = spec_operations(spec)
        .into_iter()
        .filter(|(_, s)| s.paging == Paging::CursorUndeclared)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(undeclared, ["get_esm_entities", "list_esm_entities"]);
    let declared = spec_operations(spec).values().filter(|s| s.paging == Paging::Cursor).count();
    assert_eq!(declared, 30, "API-NOTES: 30 list operations take cursor/limit");
}
