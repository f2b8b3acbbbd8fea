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
use crate::wire::{append_query, decode_page};
use serde::de::DeserializeOwned;
use std::collections::{HashSet, VecDeque};
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

/// One page with the JSON text each item was decoded from ([`List::next_sourced_page`]): the
/// item as the API sent it (fields no model knows, numbers with all their digits) next to its
/// model, read in one pass over the answer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SourcedPage<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass to [`List::resume_from`] to continue after this page; `None` when this was the last.
    pub next_cursor: Option<String>,
    text: String,
    spans: Vec<std::ops::Range<usize>>,
}

impl<T> SourcedPage<T> {
    pub(crate) fn new(
        items: Vec<T>,
        next_cursor: Option<String>,
        text: String,
        spans: Vec<std::ops::Range<usize>>,
    ) -> Self {
        SourcedPage { items, next_cursor, text, spans }
    }

    /// The JSON text item `i` was decoded from, exactly as the API sent it; `None` past the end.
    pub fn source(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|r| &self.text[r.clone()])
    }

    /// Where item `i`'s text lies in [`SourcedPage::text`]; `None` past the end.
    pub fn span(&self, i: usize) -> Option<std::ops::Range<usize>> {
        self.spans.get(i).cloned()
    }

    /// The text every item's source is a range of: the answer's body, or (for an answer of an
    /// unusual shape) the items' texts laid end to end.
    pub fn text(&self) -> &str {
        &self.text
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
        let fetched = self.advance_with(|status, body, limit| Ok(((), decode_page(status, &body, limit, items)?)));
        Some(fetched?.map(|((), next)| next))
    }

    /// Fetches the next page and reads it with `decode` (status, body, item limit → what the
    /// page holds and its next cursor); `None` once the walk is over.
    fn advance_with<R>(
        &mut self,
        decode: impl FnOnce(u16, Vec<u8>, usize) -> Result<(R, Option<String>)>,
    ) -> Option<Result<(R, Option<String>)>> {
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
        let result = self.fetch(cursor.as_deref(), decode);
        if let Ok((_, Some(next))) = &result {
            // This page's items are still good: hand them out, report the loop next time.
            self.state =
                if self.seen.insert(hash(next)) { State::Next(next.clone()) } else { State::Repeated(next.clone()) };
        }
        Some(result)
    }

    fn fetch<R>(
        &mut self,
        cursor: Option<&str>,
        decode: impl FnOnce(u16, Vec<u8>, usize) -> Result<(R, Option<String>)>,
    ) -> Result<(R, Option<String>)> {
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
        decode(response.status, response.body, limit as usize).map_err(|e| self.source.scrub(e))
    }

    /// Fetches the next page like [`List::next_page`] and keeps, next to each item, the JSON text
    /// it was decoded from, read in the same pass ([`SourcedPage::source`]). The C ABI hands list
    /// items to other languages this way: the model's fields and the item as the API sent it,
    /// for the price of one decode.
    pub fn next_sourced_page(&mut self) -> Option<Result<SourcedPage<T>>> {
        let fetched = self.advance_with(|status, body, limit| {
            let page = crate::sourced::decode::<T>(status, body, limit)?;
            let next = page.next_cursor.clone();
            Ok((page, next))
        })?;
        Some(fetched.map(|(page, _)| page))
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
        let filled = self.fill(|list| {
            let mut buffer = std::mem::take(&mut list.buffer);
            let fetched = list.advance(&mut buffer);
            let empty = buffer.is_empty();
            list.buffer = buffer;
            Some(fetched?.map(|_| empty))
        });
        match filled? {
            Ok(()) => self.buffer.pop_front().map(Ok),
            Err(e) => Some(Err(e)),
        }
    }
}

impl<T: DeserializeOwned> List<T> {
    /// Fetches pages with `fetch` (which reports whether the page it read was empty) until one
    /// holds items: `Some(Ok(()))` then, `None` at the end of the walk. One call is one `next`:
    /// however many pages it has to fetch (empty pages in the middle of a walk are skipped, not
    /// taken as the end, up to [`MAX_EMPTY_PAGES`] in a row), the client's deadline bounds them
    /// all. An error ends the walk.
    fn fill(&mut self, mut fetch: impl FnMut(&mut Self) -> Option<Result<bool>>) -> Option<Result<()>> {
        let bounded = self.source.bounded();
        let unbounded = std::mem::replace(&mut self.source, bounded);
        let mut empty = 0;
        let filled = loop {
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
            match fetch(self) {
                None => break None,
                Some(Err(e)) => {
                    self.state = State::Done;
                    break Some(Err(e));
                }
                Some(Ok(false)) => break Some(Ok(())),
                Some(Ok(true)) => empty += 1,
            }
        };
        self.source = unbounded;
        filled
    }

    /// Fetches pages like [`List::next_sourced_page`] until one holds items, as item iteration
    /// does ([`Iterator::next`]): empty pages in the middle of a walk are skipped (up to
    /// [`MAX_EMPTY_PAGES`] in a row), and one deadline bounds the whole call. `None` at the end
    /// of the walk. For hosts that hand out items one by one from a page they hold.
    pub fn next_sourced_items(&mut self) -> Option<Result<SourcedPage<T>>> {
        let mut page = None;
        let filled = self.fill(|list| {
            let fetched = list.next_sourced_page()?;
            Some(fetched.map(|p| {
                let empty = p.items.is_empty();
                page = Some(p);
                empty
            }))
        });
        match filled? {
            Ok(()) => page.map(Ok),
            Err(e) => Some(Err(e)),
        }
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
