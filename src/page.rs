//! Lazy cursor pagination.
//!
//! A [`List`] is an `Iterator<Item = Result<T>>`: it fetches a page only when the previous one is
//! used up, keeps one page in memory, stops on a missing, null or empty `next_cursor`, refuses to
//! loop on a cursor it has seen before, and after an error yields that error once and ends.

use crate::client::{append_query, decode, Client};
use crate::endpoint::{Operation, Paging};
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// Items per request unless set: the API's maximum, because the rate limit counts requests, not
/// items, so the largest page walks an account with the fewest requests.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 1000;

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
struct Wire<T> {
    data: Option<WirePage<T>>,
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
    client: Client,
    /// The URL without `cursor`/`limit`, or the error that building it produced.
    url: Result<String>,
    accept: &'static str,
    page_size: u32,
    send_page_size: bool,
    state: State,
    buffer: std::vec::IntoIter<T>,
    seen: HashSet<u64>,
    requests: u64,
}

impl<T> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("List")
            .field("url", &self.url.as_ref().ok())
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
    pub(crate) fn new(client: Client, op: &'static Operation, params: &[&str]) -> Self {
        let mut url = client.base_url().to_owned();
        let url = op.render_path(params, &mut url).map(|()| url);
        let mut list = Self::from_url(client, String::new());
        list.url = url;
        list.accept = op.accept.as_str();
        list.send_page_size = op.paging != Paging::CursorUndeclared;
        list
    }

    pub(crate) fn from_url(client: Client, url: String) -> Self {
        List {
            client,
            url: Ok(url),
            accept: "application/json",
            page_size: DEFAULT_PAGE_SIZE,
            send_page_size: true,
            state: State::Start(None),
            buffer: Vec::new().into_iter(),
            seen: HashSet::new(),
            requests: 0,
        }
    }

    /// Adds a query parameter (a filter such as `group_id`) to every page request.
    pub fn query(mut self, key: &str, value: &str) -> Self {
        if let Ok(url) = &mut self.url {
            append_query(url, &[(key, value)]);
        }
        self
    }

    /// Items per request, 1..=1000 (default 1000). Out of range, the first `next` yields
    /// [`Error::InvalidArgument`].
    pub fn page_size(mut self, n: u32) -> Self {
        if !(1..=MAX_PAGE_SIZE).contains(&n) {
            self.url = Err(Error::InvalidArgument(format!("page size {n} is outside 1..={MAX_PAGE_SIZE}")));
        }
        self.page_size = n;
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
        let cursor = match std::mem::replace(&mut self.state, State::Done) {
            State::Done => return None,
            State::Repeated(cursor) => return Some(Err(Error::RepeatedCursor { cursor })),
            State::Start(c) => c,
            State::Next(c) => Some(c),
        };
        let result = self.fetch(cursor.as_deref());
        if let Ok(page) = &result {
            if let Some(next) = &page.next_cursor {
                // This page's items are still good: hand them out, report the loop next time.
                self.state = if self.seen.insert(hash(next)) {
                    State::Next(next.clone())
                } else {
                    State::Repeated(next.clone())
                };
            }
        }
        Some(result)
    }

    fn fetch(&mut self, cursor: Option<&str>) -> Result<Page<T>> {
        let base = self.url.as_ref().map_err(clone_error)?;
        let mut url = String::with_capacity(base.len() + 64);
        url.push_str(base);
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
        let response = self.client.send_url(crate::Method::Get, &url, self.accept, true, true, None)?;
        let wire: Wire<T> = decode(response.status, &response.body)?;
        let data = wire.data.ok_or_else(|| Error::Decode {
            status: response.status,
            message: "list answer has no `data`".into(),
            snippet: crate::error::snippet(&response.body),
        })?;
        Ok(Page { items: data.items, next_cursor: data.next_cursor.filter(|c| !c.is_empty()) })
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
        loop {
            if let Some(item) = self.buffer.next() {
                return Some(Ok(item));
            }
            // Empty pages in the middle of a walk are skipped, not taken as the end.
            match self.next_page()? {
                Ok(page) => self.buffer = page.items.into_iter(),
                Err(e) => return Some(Err(e)),
            }
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
