//! Lazy cursor pagination.
//!
//! A [`List`] is an `Iterator<Item = Result<T>>`: it fetches a page only when the previous one is
//! used up, keeps one page in memory, stops on a missing, null or empty `next_cursor`, refuses to
//! loop on a cursor it has seen before, and after an error yields that error once and ends.
//!
//! What a server can make a walk spend is bounded: a page holding more items than the `limit`
//! asked for (1000 when the operation takes no `limit`) is a decode error naming the count, and
//! item by item a walk gives up after [`MAX_EMPTY_PAGES`] empty pages in a row that each point to
//! a further page.

use crate::cancel::CancelToken;
use crate::endpoint::{Operation, Paging};
use crate::error::{Error, Result};
use crate::request::Request;
use crate::transport::HttpResponse;
use crate::wire::{append_query, decode, Envelope};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};

/// Items per request unless set: the API's maximum, because the rate limit counts requests, not
/// items, so the largest page walks an account with the fewest requests.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Empty pages in a row, each with a next cursor, that an item-by-item walk
/// ([`Iterator::next`] on a [`List`]) follows before it fails with [`Error::Decode`]: the API
/// only serves an empty page in the middle of a walk now and then, and a server that answers empty
/// pages with fresh cursors forever must not hold one `next()` (and send requests) forever.
/// Page by page ([`List::next_page`]) every page is handed out, so the caller decides.
pub const MAX_EMPTY_PAGES: u32 = 16;

/// What a [`List`] needs from whoever sends its page requests (the client implements it): a walk
/// holds one of these and a request template, not the client itself.
pub(crate) trait PageSource: Send + Sync {
    /// Sends one page request through the retry, throttle and error path.
    fn execute(&self, request: &Request<'_>) -> Result<HttpResponse>;
    /// Masks the credentials wherever `err` kept text from an answer.
    fn scrub(&self, err: Error) -> Error;
    /// Whether the walk's cancel token has fired.
    fn cancelled(&self) -> bool;
    /// The same source, also watching `token`.
    fn with_cancel(&self, token: &CancelToken) -> Box<dyn PageSource>;
    /// The same source with one deadline, from now, over every request it sends (the retry
    /// policy's), so the pages one `next` fetches share it.
    fn bounded(&self) -> Box<dyn PageSource>;
}

/// One page of a list: its items and the cursor of the next page (`None` on the last page).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass to [`List::resume_from`] to continue after this page; `None` when this was the last.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct WirePage<T> {
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    items: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> std::result::Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Decodes a list answer into `items` (emptied first, its capacity kept) and returns the next
/// cursor (`None` on the last page). A page of more than `limit` items is refused without
/// building them (a decode error naming the count).
///
/// The fast path reads `{"data": {"items": [...], "next_cursor": ...}}` straight into the
/// buffer, so a walk reuses one allocation for every page instead of growing a new vector of
/// models, doubling after doubling, on each. Whatever it does not accept (bad JSON, a field of the
/// wrong type, duplicate keys) is decoded again by the derived [`Wire`], which decides the
/// outcome and words the error (with the path of the field at fault), exactly as before; that
/// path counts the items first without keeping them, so it cannot be used to get past the limit.
fn decode_page<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    limit: usize,
    items: &mut VecDeque<T>,
) -> Result<Option<String>> {
    items.clear();
    let too_many = |count: usize| Error::Decode {
        status,
        message: format!("the page holds {count} items, more than the {limit} asked for"),
        snippet: crate::error::snippet(body),
    };
    if let Ok(text) = std::str::from_utf8(body) {
        let mut de = serde_json::Deserializer::from_str(text);
        let mut over = None;
        let seed = WireSeed { items: &mut *items, limit, over: &mut over };
        if let Ok(Some(next)) = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v)) {
            return Ok(next.filter(|c| !c.is_empty()));
        }
        items.clear();
        items.shrink_to(limit);
        if let Some(count) = over {
            return Err(too_many(count));
        }
    }
    // Counted first with items that take no memory (a vector of a zero-sized type allocates
    // nothing), so a page over the limit is refused before any item is built.
    let counted: Envelope<WirePage<IgnoredAny>> = decode(status, body)?;
    if let Some(data) = &counted.data {
        if data.items.len() > limit {
            return Err(too_many(data.items.len()));
        }
    }
    let wire: Envelope<WirePage<T>> = decode(status, body)?;
    let data = wire.data.ok_or_else(|| Error::Decode {
        status,
        message: "list answer has no `data`".into(),
        snippet: crate::error::snippet(body),
    })?;
    items.extend(data.items);
    Ok(data.next_cursor.filter(|c| !c.is_empty()))
}

/// The keys the fast path looks at.
enum Key {
    Data,
    Items,
    NextCursor,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key, E> {
                Ok(match v {
                    "data" => Key::Data,
                    "items" => Key::Items,
                    "next_cursor" => Key::NextCursor,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// The envelope: `Some(next_cursor)`, or `None` when `data` is missing or null. `over` is set
/// to the number of items when the page holds more than `limit`.
struct WireSeed<'a, T> {
    items: &'a mut VecDeque<T>,
    limit: usize,
    over: &'a mut Option<usize>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for WireSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for WireSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list answer")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let (mut data, mut seen) = (None, false);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Data if seen => return Err(de::Error::duplicate_field("data")),
                Key::Data => {
                    seen = true;
                    data = map.next_value_seed(
                        WireSeed { items: &mut *self.items, limit: self.limit, over: &mut *self.over }.data(),
                    )?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(data)
    }
}

impl<'a, T> WireSeed<'a, T> {
    fn data(self) -> DataSeed<'a, T> {
        DataSeed(self)
    }
}

/// `data`: null, or the page object.
struct DataSeed<'a, T>(WireSeed<'a, T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for DataSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for DataSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page object or null")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let (mut next, mut seen_items, mut seen_next) = (None, false, false);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Items if seen_items => return Err(de::Error::duplicate_field("items")),
                Key::Items => {
                    seen_items = true;
                    let w = &mut self.0;
                    map.next_value_seed(ItemsSeed(WireSeed {
                        items: &mut *w.items,
                        limit: w.limit,
                        over: &mut *w.over,
                    }))?;
                }
                Key::NextCursor if seen_next => return Err(de::Error::duplicate_field("next_cursor")),
                Key::NextCursor => {
                    seen_next = true;
                    next = map.next_value::<Option<String>>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some(next))
    }
}

/// `items`: null (no items), or the array, pushed into the buffer.
struct ItemsSeed<'a, T>(WireSeed<'a, T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ItemsSeed<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ItemsSeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of items or null")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let w = self.0;
        while let Some(item) = seq.next_element()? {
            if w.items.len() == w.limit {
                // Counted to the end without being built, for the error to name the count.
                let mut count = w.limit + 1;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                w.items.clear();
                *w.over = Some(count);
                return Err(de::Error::custom("too many items"));
            }
            w.items.push_back(item);
        }
        Ok(())
    }
}

enum State {
    /// Nothing fetched yet; the first request carries this cursor, if any.
    Start(Option<String>),
    /// The next request carries this cursor.
    Next(String),
    /// The server repeated this cursor: the next call reports it, then the walk is over.
    Repeated(String),
    /// The walk is over (last page served, or an error was yielded).
    Done,
}

/// A lazy walk over a list operation; see the [module docs](self).
///
/// ```no_run
/// # let client = fivetrex::Client::new("k", "s")?;
/// // Item by item:
/// for group in client.groups() {
///     println!("{}", group?.name);
/// }
/// // Page by page, remembering where to resume:
/// let mut list = client.groups().page_size(100);
/// if let Some(page) = list.next_page() {
///     let page = page?;
///     println!("{} groups, resume with {:?}", page.items.len(), page.next_cursor);
/// }
/// # Ok::<(), fivetrex::Error>(())
/// ```
pub struct List<T> {
    source: Box<dyn PageSource>,
    /// The page request without `cursor`/`limit`, or the error that building it produced.
    request: Result<Request<'static>>,
    page_size: u32,
    send_page_size: bool,
    state: State,
    /// Items of the current page not yet handed out; reused from page to page.
    buffer: VecDeque<T>,
    seen: HashSet<u64>,
    requests: u64,
}

impl<T> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("List")
            .field("url", &self.request.as_ref().ok().map(|r| &r.url))
            .field("page_size", &self.page_size)
            .field("cursor", &self.cursor())
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

impl<T> List<T> {
    /// The cursor the next request will carry: save it to resume later. `None` before the first
    /// page (unless resumed) and after the last.
    pub fn cursor(&self) -> Option<&str> {
        match &self.state {
            State::Start(c) => c.as_deref(),
            State::Next(c) => Some(c),
            State::Repeated(_) | State::Done => None,
        }
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }
}

impl<T: DeserializeOwned> List<T> {
    /// A walk over `op`, whose path `base_url` and `params` fill.
    pub(crate) fn new(source: Box<dyn PageSource>, base_url: &str, op: &'static Operation, params: &[&str]) -> Self {
        let mut url = base_url.to_owned();
        let request =
            op.render_path(params, &mut url).map(|()| Request { accept: op.accept.as_str(), ..Request::page(url) });
        let mut list = Self::from_request(source, Request::page(String::new()));
        list.request = request;
        list.send_page_size = op.paging != Paging::CursorUndeclared;
        list
    }

    /// A walk whose every page is `request` with `cursor` and `limit` added.
    pub(crate) fn from_request(source: Box<dyn PageSource>, request: Request<'static>) -> Self {
        List {
            source,
            request: Ok(request),
            page_size: DEFAULT_PAGE_SIZE,
            send_page_size: true,
            state: State::Start(None),
            buffer: VecDeque::new(),
            seen: HashSet::new(),
            requests: 0,
        }
    }

    /// Adds a query parameter (a filter such as `group_id`) to every page request.
    pub fn query(mut self, key: &str, value: &str) -> Self {
        if let Ok(request) = &mut self.request {
            append_query(&mut request.url, &[(key, value)]);
        }
        self
    }

    /// Items per request, 1..=1000 (default 1000). Out of range, the first `next` yields
    /// [`Error::InvalidArgument`].
    pub fn page_size(mut self, n: u32) -> Self {
        if !(1..=MAX_PAGE_SIZE).contains(&n) {
            self.request = Err(Error::InvalidArgument(format!("page size {n} is outside 1..={MAX_PAGE_SIZE}")));
        }
        self.page_size = n;
        self
    }

    /// Watches `token` (as [`Client::with_cancel`](crate::Client::with_cancel) does): once it is
    /// cancelled, the next call to `next` or `next_page` yields [`Error::Cancelled`] (even with
    /// items still buffered) and the walk ends; a wait inside a page request wakes at once.
    pub fn cancel_token(mut self, token: &crate::CancelToken) -> Self {
        self.source = self.source.with_cancel(token);
        self
    }

    /// Starts from a cursor a previous walk handed out (see [`List::cursor`] and
    /// [`Page::next_cursor`]) instead of the first page.
    pub fn resume_from(mut self, cursor: impl Into<String>) -> Self {
        let c = cursor.into();
        self.state = State::Start((!c.is_empty()).then_some(c));
        self
    }

    /// Fetches the next page from the server, ignoring items still buffered by item iteration.
    /// `None` once the walk is over; an error ends the walk.
    pub fn next_page(&mut self) -> Option<Result<Page<T>>> {
        let mut items = VecDeque::new();
        let next = self.advance(&mut items)?;
        // Filled from empty, the deque starts at the front of its allocation: no move.
        Some(next.map(|next_cursor| Page { items: Vec::from(items), next_cursor }))
    }

    /// Fetches the next page into `items` and returns its next cursor; `None` once the walk is
    /// over.
    fn advance(&mut self, items: &mut VecDeque<T>) -> Option<Result<Option<String>>> {
        if self.source.cancelled() && !matches!(self.state, State::Done) {
            self.state = State::Done;
            return Some(Err(Error::Cancelled));
        }
        let cursor = match std::mem::replace(&mut self.state, State::Done) {
            State::Done => return None,
            State::Repeated(cursor) => return Some(Err(Error::RepeatedCursor { cursor })),
            State::Start(c) => c,
            State::Next(c) => Some(c),
        };
        let result = self.fetch(cursor.as_deref(), items);
        if let Ok(Some(next)) = &result {
            // This page's items are still good: hand them out, report the loop next time.
            self.state =
                if self.seen.insert(hash(next)) { State::Next(next.clone()) } else { State::Repeated(next.clone()) };
        }
        Some(result)
    }

    fn fetch(&mut self, cursor: Option<&str>, items: &mut VecDeque<T>) -> Result<Option<String>> {
        let template = self.request.as_ref().map_err(clone_error)?;
        let mut url = String::with_capacity(template.url.len() + 64);
        url.push_str(&template.url);
        let size = self.page_size.to_string();
        let mut q: Vec<(&str, &str)> = Vec::with_capacity(2);
        if let Some(c) = cursor {
            q.push(("cursor", c));
        }
        if self.send_page_size {
            q.push(("limit", &size));
        }
        append_query(&mut url, &q);
        self.requests += 1;
        let response = self.source.execute(&Request { url, ..template.clone() })?;
        // Without a `limit` the API's largest page is what it may send.
        let limit = if self.send_page_size { self.page_size } else { MAX_PAGE_SIZE };
        decode_page(response.status, &response.body, limit as usize, items).map_err(|e| self.source.scrub(e))
    }

    /// The same walk (request, page size, cursor) with its items decoded as `U` instead: a
    /// wrapper of the model, such as one that keeps each item as the API sent it (the C ABI's).
    /// Items already buffered are dropped, so call it before the walk starts.
    pub fn with_items<U>(self) -> List<U> {
        List {
            source: self.source,
            request: self.request,
            page_size: self.page_size,
            send_page_size: self.send_page_size,
            state: self.state,
            buffer: VecDeque::new(),
            seen: self.seen,
            requests: self.requests,
        }
    }

    /// Turns this walk into an iterator over whole pages.
    pub fn pages(self) -> Pages<T> {
        Pages(self)
    }
}

/// The builder-time error is kept so every `next` can report it; errors are not `Clone`, so
/// rebuild the one kind that can occur there.
fn clone_error(e: &Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(m.clone()),
        other => Error::InvalidArgument(other.to_string()),
    }
}

fn hash(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl<T: DeserializeOwned> Iterator for List<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.source.cancelled() && !(matches!(self.state, State::Done) && self.buffer.is_empty()) {
            self.buffer.clear();
            self.state = State::Done;
            return Some(Err(Error::Cancelled));
        }
        if let Some(item) = self.buffer.pop_front() {
            return Some(Ok(item));
        }
        // One `next` is one call: however many pages it has to fetch (empty pages in the middle
        // of a walk are skipped, not taken as the end), the client's deadline bounds them all.
        let bounded = self.source.bounded();
        let unbounded = std::mem::replace(&mut self.source, bounded);
        let mut empty = 0;
        let item = loop {
            if let Some(item) = self.buffer.pop_front() {
                break Some(Ok(item));
            }
            if empty == MAX_EMPTY_PAGES && matches!(self.state, State::Next(_)) {
                self.state = State::Done;
                break Some(Err(Error::Decode {
                    status: 200,
                    message: format!(
                        "the server answered {MAX_EMPTY_PAGES} empty pages in a row, each pointing to another; \
                         stopping the walk"
                    ),
                    snippet: String::new(),
                }));
            }
            // Empty pages in the middle of a walk are skipped, not taken as the end.
            let mut buffer = std::mem::take(&mut self.buffer);
            let fetched = self.advance(&mut buffer);
            self.buffer = buffer;
            match fetched {
                None => break None,
                Some(Err(e)) => {
                    self.state = State::Done;
                    break Some(Err(e));
                }
                Some(Ok(_)) => {}
            }
            if self.buffer.is_empty() {
                empty += 1;
            }
        };
        self.source = unbounded;
        item
    }
}

/// Whole pages of a [`List`]; see [`List::pages`].
#[derive(Debug)]
pub struct Pages<T>(List<T>);

impl<T: DeserializeOwned> Iterator for Pages<T> {
    type Item = Result<Page<T>>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_page()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Item {
        id: String,
    }

    fn page(body: &str) -> (Result<Option<String>>, Vec<Item>) {
        let mut items = VecDeque::new();
        let r = decode_page(200, body.as_bytes(), 1000, &mut items);
        (r, items.into_iter().collect())
    }

    fn ids(n: &[&str]) -> Vec<Item> {
        n.iter().map(|id| Item { id: (*id).to_owned() }).collect()
    }

    #[test]
    fn the_fast_path_reads_items_and_cursor() {
        let (r, items) = page(
            r#"{"code":"Success","data":{"items":[{"id":"a"},{"id":"b","x":[1,{"y":null}]}],"next_cursor":"c2","other":1},"message":"ok"}"#,
        );
        assert_eq!(r.unwrap(), Some("c2".to_owned()));
        assert_eq!(items, ids(&["a", "b"]));
        let (r, items) = page(r#"{"data":{"next_cursor":"","items":[{"id":"\u0061"}]}}"#);
        assert_eq!(r.unwrap(), None);
        assert_eq!(items, ids(&["a"]));
    }

    #[test]
    fn null_or_missing_items_and_cursor_mean_none() {
        for body in [r#"{"data":{"items":null,"next_cursor":null}}"#, r#"{"data":{}}"#] {
            let (r, items) = page(body);
            assert_eq!(r.unwrap(), None);
            assert!(items.is_empty());
        }
    }

    #[test]
    fn a_missing_or_null_data_is_a_decode_error() {
        for body in [r#"{"code":"Success"}"#, r#"{"data":null}"#] {
            let err = page(body).0.unwrap_err();
            assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
            assert!(err.to_string().contains("no `data`"), "{err}");
        }
    }

    #[test]
    fn what_the_fast_path_refuses_the_derived_path_decides() {
        // The sequence form of a struct is accepted by the derived decoder: same result.
        let (r, items) = page(r#"{"data":[[{"id":"a"}],"c9"]}"#);
        assert_eq!(r.unwrap(), Some("c9".to_owned()));
        assert_eq!(items, ids(&["a"]));
        // Errors name the field at fault, as before.
        let err = page(r#"{"data":{"items":[{"id":"a"},{"id":7}]}}"#).0.unwrap_err();
        assert!(err.to_string().contains("data.items[1].id"), "{err}");
        for body in [
            r#"{"data":{"items":[],"items":[]}}"#,
            r#"{"data":{"items":[]},"data":{"items":[]}}"#,
            r#"{"data":{"items":[]}} trailing"#,
            "<html>proxy error</html>",
            "",
        ] {
            assert!(matches!(page(body).0, Err(Error::Decode { .. })), "{body}");
        }
        // Not UTF-8 in a string that is skipped: the slice decoder decides, as before.
        let mut items: VecDeque<Item> = VecDeque::new();
        let body = b"{\"data\":{\"items\":[{\"id\":\"a\",\"x\":\"\xff\"}]}}";
        let slow: Result<Envelope<WirePage<Item>>> = decode(200, body);
        assert_eq!(decode_page(200, body, 1000, &mut items).is_ok(), slow.is_ok());
    }

    #[test]
    fn a_page_over_the_limit_is_refused_by_either_path_naming_the_count() {
        let items = [r#"{"id":"a"}"#; 12].join(",");
        for body in [
            format!(r#"{{"data":{{"items":[{items}],"next_cursor":"n"}}}}"#),
            // Refused by the fast path (duplicate key), then counted by the derived one.
            format!(r#"{{"data":{{"items":[{items}],"next_cursor":"n","next_cursor":"m"}}}}"#),
            format!(r#"{{"data":[[{items}],"n"]}}"#),
        ] {
            let mut buf: VecDeque<Item> = VecDeque::new();
            let err = decode_page(200, body.as_bytes(), 10, &mut buf).unwrap_err();
            assert!(buf.is_empty());
            if body.contains(r#""m""#) {
                assert!(matches!(err, Error::Decode { .. }), "{err}");
            } else {
                assert!(err.to_string().contains("holds 12 items, more than the 10 asked for"), "{err}");
            }
        }
        let mut buf: VecDeque<Item> = VecDeque::new();
        let body = format!(r#"{{"data":{{"items":[{items}]}}}}"#);
        assert_eq!(decode_page(200, body.as_bytes(), 12, &mut buf).unwrap(), None);
        assert_eq!(buf.len(), 12);
    }

    #[test]
    fn the_buffer_keeps_its_allocation_from_page_to_page() {
        let mut items: VecDeque<Item> = VecDeque::new();
        let body = format!(r#"{{"data":{{"items":[{}]}}}}"#, vec![r#"{"id":"a"}"#; 100].join(","));
        decode_page(200, body.as_bytes(), 1000, &mut items).unwrap();
        let capacity = items.capacity();
        assert_eq!(items.len(), 100);
        items.clear();
        decode_page(200, body.as_bytes(), 1000, &mut items).unwrap();
        assert_eq!((items.len(), items.capacity()), (100, capacity));
    }
}
