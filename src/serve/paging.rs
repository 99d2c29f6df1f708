//! How `customers.list` and `entities.list` page, by API version as Autumn's
//! `handleListCustomersV2` and `handleListEntitiesV2` pick: from 2.3.0 by `start_cursor`
//! (Autumn's `StandardCursor`: the last row's key and creation time, rows the newest first),
//! before by `offset`. A request in the other form is refused by name, not read as the first
//! page.

use axum::http::StatusCode;

use super::api_error::ApiError;
use crate::autumn::wire::ApiVersion;
use crate::autumn::wire::cursor::StandardCursor;
use crate::autumn::wire::error::code;

/// How many rows a page may hold: an offset page at most 1,000 (`PagePaginationDefaults`),
/// a cursor page at most `cursor_most` (each list's `PAGINATION_CONFIGS` entry).
#[derive(Debug, Clone, Copy)]
pub struct PageRules {
    /// What the list holds, for messages: `customers`, `entities`.
    pub rows: &'static str,
    /// The default of an offset page: the list's `createPaginationParamsSchema` default.
    pub offset_default: u64,
    pub cursor_most: u64,
}

/// `customers.list`'s pages: `ListCustomersV2ParamsSchema` (default 10) and the
/// `ListCustomers` entry of `PAGINATION_CONFIGS` (at most 1,000).
pub const CUSTOMER_PAGES: PageRules = PageRules {
    rows: "customers",
    offset_default: 10,
    cursor_most: 1_000,
};

/// `entities.list`'s pages: `ListEntitiesParamsSchema` (default 10) and the `ListEntities`
/// entry of `PAGINATION_CONFIGS` (at most 5,000).
pub const ENTITY_PAGES: PageRules = PageRules {
    rows: "entities",
    offset_default: 10,
    cursor_most: 5_000,
};

/// The page a request asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    /// Before 2.3.0: `limit` rows after the first `offset`.
    Offset { offset: u64, limit: u64 },
    /// From 2.3.0: `limit` rows after where the cursor says the previous page ended (from the
    /// first row without one).
    Cursor {
        after: Option<StandardCursor>,
        limit: u64,
    },
}

/// The cursor pages' default size (Autumn's `PaginationDefaults.DefaultLimit`).
const CURSOR_DEFAULT: u64 = 50;
/// The most an offset page holds (`PagePaginationDefaults.MaxLimit`).
const OFFSET_MOST: u64 = 1_000;

impl Paging {
    /// The paging of a list request at `version`: a 400 naming the field for the other form's
    /// field, a limit out of range or a cursor Autumn could not read (`invalid_cursor`).
    pub fn read(
        version: ApiVersion,
        start_cursor: Option<&str>,
        offset: Option<u64>,
        limit: Option<u64>,
        rules: PageRules,
    ) -> Result<Paging, ApiError> {
        let rows = rules.rows;
        let by_cursor = version >= ApiVersion::V2_3;
        if by_cursor && offset.is_some() {
            return Err(ApiError::invalid(format!(
                "offset: from API version 2.3.0 {rows} are paged with `start_cursor` (the `next_cursor` of the previous page)"
            )));
        }
        if !by_cursor && start_cursor.is_some() {
            return Err(ApiError::invalid(format!(
                "start_cursor: before API version 2.3.0 {rows} are paged with `offset`"
            )));
        }
        let (default, most) = if by_cursor {
            (CURSOR_DEFAULT, rules.cursor_most)
        } else {
            (rules.offset_default, OFFSET_MOST)
        };
        let limit = limit.unwrap_or(default);
        if !(1..=most).contains(&limit) {
            return Err(ApiError::invalid(format!(
                "limit: a page holds 1 to {most} {rows} (asked for {limit})"
            )));
        }
        if !by_cursor {
            return Ok(Paging::Offset {
                offset: offset.unwrap_or(0),
                limit,
            });
        }
        let after =
            StandardCursor::decode(start_cursor.unwrap_or_default()).map_err(invalid_cursor)?;
        Ok(Paging::Cursor { after, limit })
    }
}

/// One cursor page of `rows`, which come the newest first by `key` (descending): the first
/// `limit` whose key is below `after`, and the cursor of the last of them when more follow
/// (`None` on the last page, as Autumn answers `next_cursor: null`).
pub fn cursor_page<T, K: Ord>(
    rows: impl IntoIterator<Item = T>,
    after: Option<&K>,
    limit: u64,
    key: impl Fn(&T) -> K,
    cursor: impl Fn(&T) -> StandardCursor,
) -> (Vec<T>, Option<String>) {
    let size = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut page: Vec<T> = rows
        .into_iter()
        .filter(|row| after.is_none_or(|after| key(row) < *after))
        .take(size.saturating_add(1))
        .collect();
    let more = page.len() > size;
    page.truncate(size);
    let next = page
        .last()
        .filter(|_| more)
        .map(|last| cursor(last).encode());
    (page, next)
}

/// 400 `invalid_cursor`, as Autumn refuses a cursor it cannot read.
pub fn invalid_cursor(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_CURSOR, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: PageRules = PageRules {
        rows: "rows",
        offset_default: 10,
        cursor_most: 1_000,
    };

    #[test]
    fn the_version_decides_the_form_and_its_limits() {
        assert_eq!(
            Paging::read(ApiVersion::V2_2, None, None, None, RULES),
            Ok(Paging::Offset {
                offset: 0,
                limit: 10
            })
        );
        assert_eq!(
            Paging::read(ApiVersion::V2_3, Some(""), None, None, RULES),
            Ok(Paging::Cursor {
                after: None,
                limit: 50
            })
        );
        let refused = [
            Paging::read(ApiVersion::V2_2, Some(""), None, None, RULES),
            Paging::read(ApiVersion::V2_3, None, Some(0), None, RULES),
            Paging::read(ApiVersion::V2_2, None, None, Some(1_001), RULES),
            Paging::read(ApiVersion::V2_3, None, None, Some(0), RULES),
            Paging::read(ApiVersion::V2_3, Some("?"), None, None, RULES),
        ];
        let messages: Vec<String> = refused
            .into_iter()
            .map(|paging| paging.expect_err("refused").message)
            .collect();
        insta::assert_snapshot!(messages.join("\n"), @r"
        start_cursor: before API version 2.3.0 rows are paged with `offset`
        offset: from API version 2.3.0 rows are paged with `start_cursor` (the `next_cursor` of the previous page)
        limit: a page holds 1 to 1000 rows (asked for 1001)
        limit: a page holds 1 to 1000 rows (asked for 0)
        cursor is not valid base64url
        ");
    }

    #[test]
    fn cursor_pages_follow_one_another_to_the_last() {
        let rows = [(9, "c"), (7, "b"), (7, "a"), (3, "z")];
        let cursor = |row: &(i64, &str)| {
            StandardCursor::new(row.1.to_string(), u64::try_from(row.0).unwrap_or(0))
        };
        let key = |row: &(i64, &str)| (row.0, row.1.to_string());
        let (first, next) = cursor_page(rows, None, 2, key, cursor);
        assert_eq!(first, [(9, "c"), (7, "b")]);
        let after = StandardCursor::decode(&next.expect("more follow"))
            .expect("a cursor")
            .map(|cursor| (i64::try_from(cursor.t).unwrap_or(0), cursor.id));
        let (second, last) = cursor_page(rows, after.as_ref(), 2, key, cursor);
        assert_eq!((second.as_slice(), last), (&[(7, "a"), (3, "z")][..], None));
    }
}
