//! Autumn's opaque page cursor (`StandardCursor`, `shared/api/common/cursorPaginationSchemas.ts`):
//! the JSON `{"v": 0, "id": "…", "t": 123}` in base64url without padding, `id` the last row's
//! key and `t` its time in milliseconds. An empty cursor is the first page. And the two forms
//! of a page of a list.

use serde::{Deserialize, Serialize};

/// A page of a list (`customers.list`, `entities.list`), in the form of the API version asked
/// for (read back offset first: a cursor page has none of its counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Page<T> {
    /// Before 2.3.0 (`PagePaginatedResponse` with the counts): `total` is the page's length,
    /// `total_count` every row, `total_filtered_count` those the filters keep.
    Offset {
        list: Vec<T>,
        total: u64,
        total_count: u64,
        total_filtered_count: u64,
        limit: u64,
        offset: u64,
        has_more: bool,
    },
    /// From 2.3.0 (`CursorPaginatedResponse`): `next_cursor` is `null` on the last page.
    Cursor {
        list: Vec<T>,
        next_cursor: Option<String>,
    },
}

/// The one cursor version Autumn writes and reads.
const VERSION: u8 = 0;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Where the previous page ended: the last row's key and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardCursor {
    pub v: u8,
    pub id: String,
    pub t: u64,
}

impl StandardCursor {
    pub fn new(id: String, t: u64) -> StandardCursor {
        StandardCursor { v: VERSION, id, t }
    }

    /// The cursor as a client passes it back.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut text = String::with_capacity(json.len().div_ceil(3) * 4);
        for chunk in json.chunks(3) {
            let bytes = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let bits = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
            for index in 0..=chunk.len() {
                let sextet = (bits >> (18 - 6 * index)) & 0x3f;
                text.push(char::from(ALPHABET[sextet as usize]));
            }
        }
        text
    }

    /// Reads a cursor a client sent: `Ok(None)` for the empty one (the first page); `Err` with
    /// Autumn's words (`defineCursor`'s `decode`) for one that is not base64url, not JSON, or
    /// not of the cursor's shape.
    pub fn decode(text: &str) -> Result<Option<StandardCursor>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        let invalid = || "cursor is not valid base64url".to_string();
        let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
        let mut bits: u32 = 0;
        let mut count = 0;
        for character in text.bytes() {
            let value = ALPHABET
                .iter()
                .position(|&letter| letter == character)
                .ok_or_else(invalid)?;
            bits = bits << 6 | u32::try_from(value).map_err(|_| invalid())?;
            count += 6;
            if count >= 8 {
                count -= 8;
                bytes.push(u8::try_from((bits >> count) & 0xff).map_err(|_| invalid())?);
            }
        }
        if count >= 6 {
            return Err(invalid());
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| "cursor payload is not valid JSON".to_string())?;
        let cursor: StandardCursor = serde_json::from_value(value)
            .map_err(|error| format!("cursor shape mismatch: {error}"))?;
        if cursor.v != VERSION || cursor.id.is_empty() {
            return Err(format!(
                "cursor shape mismatch: expected version {VERSION} and an id"
            ));
        }
        Ok(Some(cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_autumns_json_in_base64url_and_reads_back() {
        let cursor = StandardCursor::new("17".into(), 1_764_000_000_000);
        // As Node writes it: Buffer.from('{"v":0,"id":"17","t":1764000000000}').toString("base64url").
        assert_eq!(
            cursor.encode(),
            "eyJ2IjowLCJpZCI6IjE3IiwidCI6MTc2NDAwMDAwMDAwMH0"
        );
        assert_eq!(StandardCursor::decode(&cursor.encode()), Ok(Some(cursor)));
        assert_eq!(StandardCursor::decode(""), Ok(None));
        for length in 1..=5 {
            let cursor = StandardCursor::new("x".repeat(length), 5);
            assert_eq!(StandardCursor::decode(&cursor.encode()), Ok(Some(cursor)));
        }
    }

    #[test]
    fn a_bad_cursor_is_refused_with_autumns_words() {
        let refusals: Vec<String> = [
            "not a cursor",
            "A",
            "bm90IGpzb24",
            "eyJ2IjoxLCJpZCI6IjEiLCJ0IjoxfQ",
            "eyJpZCI6IjEifQ",
        ]
        .iter()
        .map(|text| StandardCursor::decode(text).expect_err(text))
        .collect();
        insta::assert_snapshot!(refusals.join("\n"), @r"
        cursor is not valid base64url
        cursor is not valid base64url
        cursor payload is not valid JSON
        cursor shape mismatch: expected version 0 and an id
        cursor shape mismatch: missing field `v`
        ");
    }
}
