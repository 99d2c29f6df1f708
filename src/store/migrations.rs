//! The store's schema, versioned with `PRAGMA user_version` and migrated forward when a
//! command that writes opens it (never by a read).

use rusqlite::Connection;

/// Each migration takes the schema from its index to index + 1. Never edit one that has
/// shipped: add another.
const MIGRATIONS: &[&str] = &[
    // 1: the catalog, plan versions, customers and their subscriptions.
    r"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE features (
        id         TEXT PRIMARY KEY,
        definition TEXT NOT NULL -- the catalog's JSON form of the feature
    );
    CREATE TABLE credit_systems (
        id         TEXT PRIMARY KEY,
        definition TEXT NOT NULL
    );
    CREATE TABLE plans (
        id              TEXT PRIMARY KEY,
        current_version INTEGER NOT NULL
    );
    CREATE TABLE plan_versions (
        plan_id    TEXT NOT NULL REFERENCES plans (id),
        version    INTEGER NOT NULL,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL, -- unix milliseconds
        PRIMARY KEY (plan_id, version)
    );
    CREATE TABLE customers (
        id         TEXT PRIMARY KEY,
        name       TEXT,
        email      TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE subscriptions (
        id          INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers (id),
        plan_id     TEXT NOT NULL,
        version     INTEGER NOT NULL,
        started_at  INTEGER NOT NULL,
        ended_at    INTEGER,
        FOREIGN KEY (plan_id, version) REFERENCES plan_versions (plan_id, version)
    );
    CREATE INDEX subscriptions_by_plan ON subscriptions (plan_id, version);
    CREATE INDEX subscriptions_by_customer ON subscriptions (customer_id);
    ",
    // 2: the credit ledger. Decimals are stored as exact decimal text.
    r"
    ALTER TABLE subscriptions ADD COLUMN quantities TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE lots (
        id              INTEGER PRIMARY KEY,
        customer_id     TEXT NOT NULL REFERENCES customers (id),
        balance_key     TEXT NOT NULL, -- the feature or credit system the lot is a balance of
        source          TEXT NOT NULL, -- included | purchased | gifted | overdraft
        granted         TEXT NOT NULL,
        remaining       TEXT NOT NULL,
        starts_at       INTEGER NOT NULL,
        expires_at      INTEGER,
        subscription_id INTEGER REFERENCES subscriptions (id),
        reason          TEXT
    );
    CREATE INDEX lots_by_balance ON lots (customer_id, balance_key);
    CREATE TABLE entries (
        id              INTEGER PRIMARY KEY,
        customer_id     TEXT NOT NULL REFERENCES customers (id),
        at              INTEGER NOT NULL,
        kind            TEXT NOT NULL, -- included | purchase | gift | usage | expire | billed
        balance_key     TEXT NOT NULL,
        amount          TEXT NOT NULL, -- signed: what the entry adds to the balance
        feature_id      TEXT,
        units           TEXT,
        reason          TEXT,
        subscription_id INTEGER,
        idempotency_key TEXT
    );
    CREATE INDEX entries_by_customer ON entries (customer_id, id);
    CREATE TABLE charges (
        id              INTEGER PRIMARY KEY,
        customer_id     TEXT NOT NULL REFERENCES customers (id),
        at              INTEGER NOT NULL,
        subscription_id INTEGER,
        currency        TEXT NOT NULL,
        total           TEXT NOT NULL,
        line_items      TEXT NOT NULL -- JSON
    );
    CREATE TABLE renewals (
        subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
        item            TEXT NOT NULL, -- an item id, or '' for the base price
        next_at         INTEGER NOT NULL,
        customer_id     TEXT NOT NULL, -- the subscription's, so `track` finds what is due in one probe
        anchor_at       INTEGER NOT NULL, -- boundaries are anchor + n periods, never drifting
        periods         INTEGER NOT NULL, -- n of next_at
        PRIMARY KEY (subscription_id, item)
    );
    CREATE INDEX renewals_due ON renewals (customer_id, next_at);
    CREATE TABLE idempotency (
        customer_id TEXT NOT NULL,
        key         TEXT NOT NULL,
        operation   TEXT NOT NULL,
        request     TEXT NOT NULL,
        response    TEXT NOT NULL,
        PRIMARY KEY (key) -- one key space for the whole store, as Stripe's keys are per account
    );
    ",
    // 3: each customer's clock, the time of its latest write (a write dated before it is
    // refused: events are applied in time order per customer); the lots in force, so draws and
    // expiries read what is left rather than a customer's whole history.
    r"
    ALTER TABLE customers ADD COLUMN clock_at INTEGER;
    UPDATE customers SET clock_at = MAX(created_at, COALESCE((SELECT MAX(at) FROM entries WHERE entries.customer_id = customers.id), created_at));
    CREATE INDEX lots_in_force ON lots (customer_id, balance_key) WHERE remaining != '0';
    ",
    // 4: the idempotency keys `pricectl serve` claimed, so a repeat is refused after a restart
    // as before it (Autumn keeps a claim 24 hours).
    r"
    CREATE TABLE serve_idempotency (
        key        TEXT PRIMARY KEY, -- the Idempotency-Key header, or `track:` and track's body key
        claimed_at INTEGER NOT NULL, -- Unix milliseconds
        answer     TEXT              -- the JSON body answered, once the request succeeded
    );
    ",
    // 5: a `track` writes three pages, not five (docs/performance.md). The customer's clock is
    // the later of `clock_at` and its latest entry's time, so a write that leaves an entry need
    // not move `clock_at`: entries are indexed by time (which also serves history, in time
    // order, and point-in-time balances). The lots in force are those not `empty`, a flag that
    // changes only when a lot empties or fills again: an index whose condition reads
    // `remaining` is rewritten by every draw.
    r"
    DROP INDEX entries_by_customer;
    CREATE INDEX entries_by_time ON entries (customer_id, at);
    ALTER TABLE lots ADD COLUMN empty INTEGER NOT NULL DEFAULT 0;
    UPDATE lots SET empty = 1 WHERE remaining = '0';
    DROP INDEX lots_in_force;
    CREATE INDEX lots_in_force ON lots (customer_id, balance_key) WHERE empty = 0;
    ",
    // 6: one customer's charges read without scanning every customer's (the revenue impact
    // reads each customer's; `advance` and `charges` read one customer's).
    r"
    CREATE INDEX charges_by_customer ON charges (customer_id, id);
    ",
    // 7: entities (seats, workspaces) of a customer, each holding its own balance of the items
    // held per entity (`per_entity`). A lot or an entry with an `entity_id` is that entity's;
    // without one it is the customer's. A deleted entity keeps its row (`deleted_at`), so the
    // history still names it, and its id may be used again.
    r"
    CREATE TABLE entities (
        row_id      INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers (id),
        id          TEXT NOT NULL,
        feature_id  TEXT NOT NULL, -- the allocated feature the entity is one unit of
        name        TEXT,
        created_at  INTEGER NOT NULL,
        deleted_at  INTEGER
    );
    CREATE UNIQUE INDEX entities_live ON entities (customer_id, id) WHERE deleted_at IS NULL;
    ALTER TABLE lots ADD COLUMN entity_id TEXT;
    ALTER TABLE entries ADD COLUMN entity_id TEXT;
    ",
    // 8: a customer's own switch of its plans' auto top-ups (Autumn's customer
    // `billing_controls.auto_topups`, over the plan's default): one row per customer and
    // balance; without one, the plan's `enabled` decides.
    r"
    CREATE TABLE customer_top_ups (
        customer_id TEXT NOT NULL REFERENCES customers (id),
        balance_key TEXT NOT NULL, -- the item's feature or credit system
        enabled     INTEGER NOT NULL,
        set_at      INTEGER NOT NULL, -- Unix milliseconds
        PRIMARY KEY (customer_id, balance_key)
    );
    ",
    // 9: the operations a replay of the ledger needs and its entries cannot tell (the revenue
    // impact, `--from-ledger`): each attach (with the version it attached, and at the time it
    // was asked, a downgrade included), quantity change, grant, entity created or deleted, and
    // each track for an entity or capped at the balance, as the ledger's own `Operation` JSON.
    // `entries_before` is the last entry id written before it, `entries_after` the last it
    // wrote: usage entries up to `entries_before` came first, and those between are its own.
    // A store written before keeps its subscriptions (as attaches at their start), its gifts
    // and its customers' auto top-up switches (as set when last set).
    r"
    CREATE TABLE operations (
        id             INTEGER PRIMARY KEY,
        customer_id    TEXT NOT NULL REFERENCES customers (id),
        at             INTEGER NOT NULL,
        entries_before INTEGER NOT NULL,
        entries_after  INTEGER NOT NULL,
        operation      TEXT NOT NULL,
        version        INTEGER
    );
    CREATE INDEX operations_by_customer ON operations (customer_id, id);
    INSERT INTO operations (customer_id, at, entries_before, entries_after, operation, version)
    SELECT customer_id, at, entries_before, entries_after, operation, version FROM (
        SELECT s.customer_id AS customer_id, s.started_at AS at,
               COALESCE((SELECT MAX(e.id) FROM entries e
                         WHERE e.customer_id = s.customer_id AND e.at < s.started_at), 0)
                   AS entries_before,
               COALESCE((SELECT MAX(e.id) FROM entries e
                         WHERE e.customer_id = s.customer_id AND e.at < s.started_at), 0)
                   AS entries_after,
               json_object('operation', 'attach', 'customer_id', s.customer_id,
                           'plan_id', s.plan_id, 'quantities', json(s.quantities),
                           'idempotency_key', NULL) AS operation,
               s.version AS version, 0 AS kind, s.id AS ordinal
        FROM subscriptions s
        UNION ALL
        SELECT e.customer_id, e.at, e.id - 1, e.id,
               json_object('operation', 'grant', 'customer_id', e.customer_id,
                           'feature_id', e.feature_id, 'amount', e.units,
                           'expires_at', (SELECT l.expires_at FROM lots l
                                          WHERE l.customer_id = e.customer_id
                                            AND l.source = 'gifted' AND l.starts_at = e.at
                                            AND l.balance_key = e.balance_key
                                            AND l.granted = e.amount LIMIT 1),
                           'reason', e.reason),
               NULL, 1, e.id
        FROM entries e WHERE e.kind = 'gift' AND e.feature_id IS NOT NULL AND e.units IS NOT NULL
        UNION ALL
        SELECT t.customer_id, t.set_at,
               COALESCE((SELECT MAX(e.id) FROM entries e
                         WHERE e.customer_id = t.customer_id AND e.at < t.set_at), 0),
               COALESCE((SELECT MAX(e.id) FROM entries e
                         WHERE e.customer_id = t.customer_id AND e.at <= t.set_at), 0),
               json_object('operation', 'set_auto_top_up', 'customer_id', t.customer_id,
                           'switches', json_object(t.balance_key,
                                                   CASE WHEN t.enabled THEN 'on' ELSE 'off' END)),
               NULL, 2, 0
        FROM customer_top_ups t
    ) ORDER BY customer_id, at, kind, ordinal;
    ",
];

/// The schema version this build writes, and the only one it reads.
#[expect(clippy::cast_possible_wrap, reason = "a handful of migrations")]
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migrates a store forward to [`SCHEMA_VERSION`]. Returns the version found, so the caller
/// can refuse a store from a newer pricectl.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<i64> {
    let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found >= SCHEMA_VERSION {
        return Ok(found);
    }
    let transaction = connection.transaction()?;
    for (index, migration) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        transaction.execute_batch(migration)?;
        transaction.pragma_update(
            None,
            "user_version",
            i64::try_from(index).unwrap_or(i64::MAX) + 1,
        )?;
    }
    transaction.commit()?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::{MIGRATIONS, SCHEMA_VERSION, migrate};

    #[test]
    fn lots_emptied_before_migration_5_are_flagged_empty_and_the_rest_stay_in_force() {
        let mut connection = Connection::open_in_memory().expect("in-memory database");
        for migration in &MIGRATIONS[..3] {
            connection.execute_batch(migration).expect("migration");
        }
        connection
            .execute_batch(
                "PRAGMA user_version = 3;
                 INSERT INTO customers (id, created_at, clock_at) VALUES ('acme', 0, 0);
                 INSERT INTO lots (customer_id, balance_key, source, granted, remaining, starts_at)
                 VALUES ('acme', 'credits', 'purchased', '500', '0', 0),
                        ('acme', 'credits', 'purchased', '500', '120.5', 0),
                        ('acme', 'credits', 'overdraft', '0', '-3', 0);",
            )
            .expect("rows");
        assert_eq!(migrate(&mut connection).expect("migrate"), 3);
        let flags: Vec<(String, bool)> = connection
            .prepare("SELECT remaining, empty FROM lots ORDER BY id")
            .expect("query")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            flags,
            [
                ("0".to_string(), true),
                ("120.5".to_string(), false),
                ("-3".to_string(), false)
            ]
        );
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
    }

    /// A store at schema 8 keeps its customers' auto top-up switches through migration 9: each
    /// switch becomes a `set_auto_top_up` operation at the time it was set, ordered with the
    /// entries around it (those before it, and those it wrote at its own time, such as the
    /// purchase a top-up turned on below its threshold makes), so a replay performs it.
    #[test]
    fn auto_top_up_switches_of_a_store_at_schema_8_are_journaled_as_set_when_last_set() {
        let mut connection = Connection::open_in_memory().expect("in-memory database");
        for migration in &MIGRATIONS[..8] {
            connection.execute_batch(migration).expect("migration");
        }
        connection
            .execute_batch(
                "PRAGMA user_version = 8;
                 INSERT INTO customers (id, created_at, clock_at) VALUES
                     ('acme', 1000, 4000), ('globex', 1000, 5000);
                 INSERT INTO entries (id, customer_id, at, kind, balance_key, amount) VALUES
                     (1, 'acme', 1000, 'included', 'credits', '100'),
                     (2, 'acme', 2000, 'usage', 'credits', '-90'),
                     (3, 'acme', 3000, 'purchase', 'credits', '500'),
                     (4, 'acme', 4000, 'usage', 'credits', '-10');
                 INSERT INTO customer_top_ups (customer_id, balance_key, enabled, set_at) VALUES
                     ('acme', 'credits', 1, 3000),
                     ('acme', 'messages', 0, 2500),
                     ('globex', 'credits', 0, 5000);",
            )
            .expect("rows");
        assert_eq!(migrate(&mut connection).expect("migrate"), 8);
        let journaled: Vec<(String, i64, i64, i64, serde_json::Value, Option<i64>)> = connection
            .prepare(
                "SELECT customer_id, at, entries_before, entries_after, operation, version
                 FROM operations ORDER BY id",
            )
            .expect("query")
            .query_map([], |row| {
                let operation: String = row.get(4)?;
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    serde_json::from_str(&operation).expect("the operation is JSON"),
                    row.get(5)?,
                ))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        let switch = |customer: &str, balance: &str, switch: &str| {
            serde_json::json!({
                "operation": "set_auto_top_up",
                "customer_id": customer,
                "switches": {balance: switch},
            })
        };
        assert_eq!(
            journaled,
            [
                // After entries 1 and 2 (before 2,500), writing none at its own time.
                (
                    "acme".to_string(),
                    2500,
                    2,
                    2,
                    switch("acme", "messages", "off"),
                    None
                ),
                // After entries 1 and 2; entry 3, at its own time, is its purchase.
                (
                    "acme".to_string(),
                    3000,
                    2,
                    3,
                    switch("acme", "credits", "on"),
                    None
                ),
                (
                    "globex".to_string(),
                    5000,
                    0,
                    0,
                    switch("globex", "credits", "off"),
                    None
                ),
            ]
        );
    }
}
