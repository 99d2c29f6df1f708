//! Where a large pricing file can be cut into pieces that TOML parses one at a time, giving the
//! same documents and diagnostics as the whole file.
//!
//! The toml crate holds a whole document at once while it parses: every token and every
//! parser event (24 bytes each, a token for every few bytes of text) and, for every table, a
//! B-tree node of about 1 KB, even for a table of one key. A file of 200,000 one-key feature
//! tables held 480 MB for 10 MB of text. Parsed in pieces of [`PIECE_BYTES`], each piece's
//! tokens, events and tables are freed once the piece is read into documents.
//!
//! A cut is safe when no TOML rule can relate the text on its two sides. The rules relate
//! tables by their paths: a table may be defined once, a table made by dotted keys or an inline
//! table cannot be extended by a header, an array of tables grows by each `[[header]]`. So:
//!
//! - every header of one object (`[features.X…]`, `[credit_systems.X…]`, `[plans.X…]` other
//!   than its items) is in one piece with every other header of that object, and so is each
//!   item (`[plans.X.items.Y…]`); only the tables that hold them (`features`, `plans`,
//!   `plans.X`, `plans.X.items`) may span pieces, and those are made only by headers, which TOML
//!   allows to extend from anywhere in the file;
//! - a plan whose own body writes `items`, or that has an `[plans.X.items]` header, keeps all
//!   its items with it (the body's items and the headers' items would meet in one table);
//! - a body whose lines are whole objects of one table, each under its own key, may be cut
//!   between its lines when no key repeats (a dotted key's lines repeat its first key) and no
//!   header extends the table: each cut-off part parses alone as a table of those objects. The
//!   bodies are those of `[credit_systems.X.costs]` (one line a feature's cost), of
//!   `[plans.X.items]` (one line an item, inline) and of `[features]` (one line a feature,
//!   inline); a million inline features are one table of 31 MB.
//! - `[features]` itself is written at most once, and none of its keys is a feature that a
//!   `[features.X…]` header also writes (TOML refuses both, and they may be far apart).
//!
//! Anything else (a key in quotes, a header outside the three tables, the prologue writing one
//! of them, brackets that do not balance) gives no pieces: the file is parsed whole, as any
//! file with an error is, so the diagnostics of a broken file never depend on the cutting.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml_parser::Source;
use toml_parser::lexer::TokenKind;

/// The size pieces are cut at (the last piece, an object or a body line may make one larger).
pub const PIECE_BYTES: usize = 256 * 1024;

/// Files smaller than this are parsed whole: pieces save nothing there.
pub const PIECEWISE_FROM_BYTES: usize = 1024 * 1024;

/// A range of a file's text that TOML parses alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'t> {
    pub range: Range<usize>,
    /// `Some` when the piece is lines of a table's body cut off from the piece holding its
    /// header: its keys are more objects of that table.
    pub continues: Option<Body<'t>>,
    /// Whether the piece holds the `[features]` header: TOML gives the features table the
    /// place of that header, however many `[features.X]` headers came before it.
    pub defines_features: bool,
}

/// A table whose body may be cut between its lines, each line one object of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'t> {
    /// `[features]`: a line is a feature.
    Features,
    /// `[credit_systems.X.costs]`: a line is the cost of a feature in credit system `X`.
    Costs(&'t str),
    /// `[plans.X.items]`: a line is an item of plan `X`.
    Items(&'t str),
}

/// The pieces of `text`, each about `piece_bytes` long; `None` when the file is to be parsed
/// whole (it cannot be cut safely, or it is one piece).
pub fn pieces(text: &str, piece_bytes: usize) -> Option<Vec<Piece<'_>>> {
    let scan = Scan::of(text)?;
    let groups = Groups::of(&scan)?;
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut continues = None;
    let mut defines_features = false;
    for (index, header) in scan.headers.iter().enumerate() {
        if index > 0 && groups.cut_allowed_before(index) {
            // A piece of body lines must not run on into the next header.
            if continues.is_some() || header.start - start >= piece_bytes {
                pieces.push(Piece {
                    range: start..header.start,
                    continues: continues.take(),
                    defines_features: std::mem::take(&mut defines_features),
                });
                start = header.start;
            }
        }
        defines_features |= groups.features_table == Some(index);
        if let Some(&body) = groups.bodies_to_cut.get(&index) {
            for line in scan.key_lines[header.key_lines.clone()].iter().skip(1) {
                if line.start - start >= piece_bytes {
                    pieces.push(Piece {
                        range: start..line.start,
                        continues: continues.replace(body),
                        defines_features: std::mem::take(&mut defines_features),
                    });
                    start = line.start;
                }
            }
        }
    }
    pieces.push(Piece {
        range: start..text.len(),
        continues,
        defines_features,
    });
    (pieces.len() > 1).then_some(pieces)
}

/// A table header: where its line starts, its path, and its key-value lines.
struct Header<'t> {
    start: usize,
    path: Vec<&'t str>,
    is_array: bool,
    /// Its body's lines in [`Scan::key_lines`].
    key_lines: Range<usize>,
}

/// A key-value line: where it starts, and the first key of its (possibly dotted) key.
struct KeyLine<'t> {
    start: usize,
    key: &'t str,
}

/// The lines of a file that matter for cutting it, found by TOML's own lexer.
struct Scan<'t> {
    /// The first key of every key-value line before the first header.
    prologue_keys: Vec<&'t str>,
    headers: Vec<Header<'t>>,
    key_lines: Vec<KeyLine<'t>>,
}

impl<'t> Scan<'t> {
    /// `None` for anything this module does not cut: a key in quotes, a header it cannot read,
    /// brackets that do not balance.
    fn of(text: &'t str) -> Option<Scan<'t>> {
        let mut found = Scan {
            prologue_keys: Vec::new(),
            headers: Vec::new(),
            key_lines: Vec::new(),
        };
        let mut tokens = Source::new(text).lex();
        // Brackets and braces open around the current token: a new line at depth 0 starts a
        // new expression (a multi-line array's lines do not).
        let mut depth = 0_usize;
        let mut line_start = Some(0);
        while let Some(token) = tokens.next() {
            let span = token.span();
            match token.kind() {
                TokenKind::Eof => break,
                TokenKind::Newline => {
                    if depth == 0 {
                        line_start = Some(span.end());
                    }
                }
                TokenKind::Whitespace | TokenKind::Comment => {}
                kind => {
                    if let Some(start) = line_start.take()
                        && depth == 0
                    {
                        match kind {
                            TokenKind::LeftSquareBracket => {
                                let (path, is_array) = read_header(text, &mut tokens)?;
                                found.close_body();
                                let at = found.key_lines.len();
                                found.headers.push(Header {
                                    start,
                                    path,
                                    is_array,
                                    key_lines: at..at,
                                });
                                continue;
                            }
                            TokenKind::Atom => {
                                let key = &text[span.start()..span.end()];
                                if found.headers.is_empty() {
                                    found.prologue_keys.push(key);
                                } else {
                                    found.key_lines.push(KeyLine { start, key });
                                }
                                continue;
                            }
                            _ => return None,
                        }
                    }
                    match kind {
                        TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
                        TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                            depth = depth.checked_sub(1)?;
                        }
                        _ => {}
                    }
                }
            }
        }
        found.close_body();
        (depth == 0).then_some(found)
    }

    /// Ends the body of the last header at the last key line read.
    fn close_body(&mut self) {
        let end = self.key_lines.len();
        if let Some(header) = self.headers.last_mut() {
            header.key_lines.end = end;
        }
    }
}

/// Reads a header after its first `[`: its path of bare keys, and whether it is `[[…]]`.
fn read_header<'t>(
    text: &'t str,
    tokens: &mut impl Iterator<Item = toml_parser::lexer::Token>,
) -> Option<(Vec<&'t str>, bool)> {
    let mut token = tokens.next()?;
    let is_array = token.kind() == TokenKind::LeftSquareBracket;
    if is_array {
        token = tokens.next()?;
    }
    let mut path = Vec::new();
    let mut expecting_key = true;
    loop {
        match token.kind() {
            TokenKind::Whitespace => {}
            TokenKind::Atom if expecting_key => {
                path.push(&text[token.span().start()..token.span().end()]);
                expecting_key = false;
            }
            TokenKind::Dot if !expecting_key => expecting_key = true,
            TokenKind::RightSquareBracket if !expecting_key => {
                if is_array && tokens.next()?.kind() != TokenKind::RightSquareBracket {
                    return None;
                }
                return Some((path, is_array));
            }
            _ => return None,
        }
        token = tokens.next()?;
    }
}

/// Which object each header belongs to, and the headers that must stay in one piece.
struct Groups<'t> {
    /// For each header, the last header index its piece must reach (the furthest end of the
    /// groups that started at or before it).
    reach: Vec<usize>,
    /// Headers whose bodies may be cut between lines, and what the lines are.
    bodies_to_cut: HashMap<usize, Body<'t>>,
    /// The `[features]` header, when there is one.
    features_table: Option<usize>,
}

/// The tables that may hold objects spanning pieces.
const FEATURES: &str = "features";
const CREDIT_SYSTEMS: &str = "credit_systems";
const PLANS: &str = "plans";

impl<'t> Groups<'t> {
    fn of(scan: &Scan<'t>) -> Option<Groups<'t>> {
        let collections = [FEATURES, CREDIT_SYSTEMS, PLANS];
        // The prologue (before the first header) stays in the first piece: it must not write
        // into a table that headers in other pieces extend.
        if scan
            .prologue_keys
            .iter()
            .any(|key| collections.contains(key))
        {
            return None;
        }
        // Each group's span of header indices: objects by (table, id), items by (plan, item).
        let mut objects: HashMap<(&str, &str), Range<usize>> = HashMap::new();
        let mut items: HashMap<(&str, &str), Range<usize>> = HashMap::new();
        // Plans that keep their items in their own piece.
        let mut whole_plans: HashSet<&str> = HashSet::new();
        // The `[features]` header, a group of its own.
        let mut features_table = None;
        for (index, header) in scan.headers.iter().enumerate() {
            let (&table, rest) = header.path.split_first()?;
            if !collections.contains(&table) {
                return None;
            }
            if table == FEATURES && rest.is_empty() && !header.is_array {
                // Written twice, TOML refuses it, and the two may be far apart.
                if features_table.replace(index).is_some() {
                    return None;
                }
                continue;
            }
            let &id = rest.first()?;
            let is_item = table == PLANS && header.path.len() >= 4 && header.path[2] == "items";
            if table == PLANS && writes_items(scan, header) {
                whole_plans.insert(id);
            }
            let group = if is_item {
                extend(
                    items.entry((id, header.path[3])).or_insert(index..index),
                    index,
                );
                // A plan's group starts at its first header, an item's included.
                objects.entry((table, id)).or_insert(index..index)
            } else {
                objects.entry((table, id)).or_insert(index..index)
            };
            if !is_item {
                extend(group, index);
            }
        }
        // A feature written inline in `[features]` and by a header elsewhere is refused by
        // TOML whatever lies between them.
        if let Some(index) = features_table
            && scan.key_lines[scan.headers[index].key_lines.clone()]
                .iter()
                .any(|line| objects.contains_key(&(FEATURES, line.key)))
        {
            return None;
        }
        // A plan that keeps its items reaches its last item.
        for ((plan, _), item) in &items {
            if whole_plans.contains(plan)
                && let Some(group) = objects.get_mut(&(PLANS, *plan))
            {
                extend(group, item.end);
            }
        }
        let mut reach: Vec<usize> = (0..scan.headers.len()).collect();
        for group in objects.values().chain(items.values()) {
            reach[group.start] = reach[group.start].max(group.end);
        }
        let mut furthest = 0;
        for end in &mut reach {
            furthest = furthest.max(*end);
            *end = furthest;
        }
        let mut bodies_to_cut = HashMap::new();
        for (index, header) in scan.headers.iter().enumerate() {
            let Some(body) = body_of(header) else {
                continue;
            };
            // No other header of the object writes into the table or defines it again (none
            // writes into `[features]`'s own keys: checked above). The object's own header
            // (`[plans.X]` writing `items`) is in the piece of the body's first lines, where
            // TOML sees what it does.
            let extended = match body {
                Body::Features => false,
                Body::Costs(id) | Body::Items(id) => {
                    let group = objects.get(&(header.path[0], id))?;
                    (group.start..=group.end).any(|other| {
                        other != index && scan.headers[other].path.starts_with(&header.path)
                    })
                }
            };
            let lines = &scan.key_lines[header.key_lines.clone()];
            let mut keys = HashSet::with_capacity(lines.len());
            let distinct = lines.iter().all(|line| keys.insert(line.key));
            // The body's pieces end at the next header, which must itself be a place to cut.
            let next_is_a_cut = reach[index] == index;
            if !extended && distinct && next_is_a_cut {
                bodies_to_cut.insert(index, body);
            }
        }
        Some(Groups {
            reach,
            bodies_to_cut,
            features_table,
        })
    }

    /// Whether a piece may end just before header `index`.
    fn cut_allowed_before(&self, index: usize) -> bool {
        self.reach[index - 1] < index
    }
}

/// Whether a header of a plan writes its `items` table: `[plans.X.items]`, or `[plans.X]` (or
/// `[[plans.X]]`) whose body has an `items` key.
fn writes_items(scan: &Scan<'_>, header: &Header<'_>) -> bool {
    match header.path.as_slice() {
        [_, _, items] => *items == "items",
        [_, _] => {
            header.is_array
                || scan.key_lines[header.key_lines.clone()]
                    .iter()
                    .any(|line| line.key == "items")
        }
        _ => false,
    }
}

/// The kind of body a header has when its lines may be objects of one table each.
fn body_of<'t>(header: &Header<'t>) -> Option<Body<'t>> {
    if header.is_array {
        return None;
    }
    match header.path.as_slice() {
        [table] if *table == FEATURES => Some(Body::Features),
        [table, system, costs] if *table == CREDIT_SYSTEMS && *costs == "costs" => {
            Some(Body::Costs(system))
        }
        [table, plan, items] if *table == PLANS && *items == "items" => Some(Body::Items(plan)),
        _ => None,
    }
}

fn extend(group: &mut Range<usize>, index: usize) {
    group.start = group.start.min(index);
    group.end = group.end.max(index);
}
