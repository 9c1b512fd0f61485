//! How both backends store values and read them back: pure, no query runs here. Times are
//! whole milliseconds since the epoch, ids are uuids as text, risk labels one per line.

use crate::{Conversation, KeyKind, StoreError, StoreResult};
use ecoute_domain::{
    ConversationState, Coverage, Force, Outcome, Priority, StateName, Unit, UnitId, UnitKind,
    UserId,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// The conversation columns a backend's row reader expects, for `conversations c` joined to
/// its owner `users u`.
pub const CONVERSATION_COLUMNS: &str = "c.id, c.kind, c.minor, c.departement, c.state, \
     c.officer_id, c.outcome, c.wrapped_key, c.key_version, c.last_seq, c.created_at, \
     c.claimed_at, c.visitor_left_at, c.closed_at, u.display_name AS officer_name, c.force, \
     c.language, c.priority, c.risk_flags, c.danger, c.open_to_all_at, c.handovers, \
     c.visitor_received_seq, c.visitor_read_seq, c.officer_received_seq, c.officer_read_seq, \
     c.proposed_unit";

/// The account columns a backend's row reader expects, for a query on `users` aliased `u`.
pub const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.unit_id, \
     u.totp_secret, u.force, u.minors, u.languages, u.capacity";

/// The columns a dossier row is read from.
pub const DOSSIER_COLUMNS: &str = "id, conversation_id, reference, unit_id, state, produced_at, \
     acknowledged_at, first_contact_at, updated_at, digest, signed_by";

/// The columns the purge reads: enough to apply the retention policy, no content.
pub const PURGE_COLUMNS: &str = "id, state, officer_id, outcome, created_at, closed_at, last_seq";

/// Conversations with their owner's name, `filter` being the rest of the query.
pub fn conversation_query(filter: &str) -> String {
    format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations c \
         LEFT JOIN users u ON u.id = c.officer_id {filter}"
    )
}

/// Stored data that makes no sense.
pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A time as stored.
pub fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A stored time read back.
pub fn from_millis(ms: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// An optional stored time read back.
pub fn opt_time(ms: Option<i64>) -> StoreResult<Option<OffsetDateTime>> {
    ms.map(from_millis).transpose()
}

/// A stored id read back.
pub fn parse_uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A conversation's state read back from its three columns, which must agree.
pub fn state_from(
    state: &str,
    officer: Option<&str>,
    outcome: Option<&str>,
) -> StoreResult<ConversationState> {
    let name = StateName::parse(state).ok_or_else(|| corrupt("state"))?;
    let officer = officer.map(parse_uuid).transpose()?.map(UserId);
    let outcome = outcome
        .map(|o| Outcome::parse(o).ok_or_else(|| corrupt("outcome")))
        .transpose()?;
    ConversationState::from_parts(name, officer, outcome)
        .ok_or_else(|| corrupt("state does not match officer and outcome"))
}

/// The columns of `signing_keys` a backend's row reader expects.
pub const SIGNING_KEY_COLUMNS: &str =
    "version, public_key, sealed, key_version, created_at, retired_at";

/// The `id` of a signing key's row: the record id its sealed secret is bound to.
pub fn signing_key_id(version: u32) -> String {
    ecoute_crypto::signing::record_id(version).to_string()
}

/// A signing key's public half read back.
pub fn public_key(stored: Vec<u8>) -> StoreResult<[u8; 32]> {
    stored.try_into().map_err(|_| corrupt("public_key"))
}

/// A stored master key version read back.
pub fn key_version(stored: i64) -> StoreResult<u32> {
    u32::try_from(stored).map_err(|_| corrupt("key_version"))
}

/// A stored force read back.
pub fn opt_force(stored: Option<String>) -> StoreResult<Option<Force>> {
    stored
        .as_deref()
        .map(|f| Force::parse(f).ok_or_else(|| corrupt("force")))
        .transpose()
}

/// A stored proposed unit read back.
pub fn opt_unit_id(stored: Option<String>) -> StoreResult<Option<UnitId>> {
    stored
        .as_deref()
        .map(|u| UnitId::parse(u).ok_or_else(|| corrupt("proposed_unit")))
        .transpose()
}

/// A row of the force table read back.
pub fn force_row(place: &str, force: &str) -> StoreResult<(Coverage, Force)> {
    Ok((
        Coverage::parse(place).ok_or_else(|| corrupt("force place"))?,
        Force::parse(force).ok_or_else(|| corrupt("force"))?,
    ))
}

/// The local units with their places, `filter` being the rest of the query (a `WHERE` on
/// `u.id` or nothing). One statement with a join, so a unit and its places are read in the same
/// snapshot even while a load replaces the directory; ordered as [`units_from`] expects.
pub fn unit_query(filter: &str) -> String {
    format!(
        "SELECT u.id, u.force, u.kind, u.name, u.notify, c.place FROM units u \
         LEFT JOIN unit_coverage c ON c.unit_id = u.id {filter} ORDER BY u.id, c.position"
    )
}

/// One row of [`unit_query`]: a unit's columns and one of its places (none if it has none).
pub struct UnitRow {
    /// `u.id`.
    pub id: String,
    /// `u.force`.
    pub force: String,
    /// `u.kind`.
    pub kind: String,
    /// `u.name`.
    pub name: String,
    /// `u.notify`.
    pub notify: String,
    /// `c.place`.
    pub place: Option<String>,
}

/// The units of [`unit_query`]'s rows, whose rows of one unit come together in the order of
/// its places.
pub fn units_from(rows: Vec<UnitRow>) -> StoreResult<Vec<Unit>> {
    let mut units: Vec<Unit> = Vec::new();
    for row in rows {
        let place = row
            .place
            .as_deref()
            .map(|p| Coverage::parse(p).ok_or_else(|| corrupt("unit place")))
            .transpose()?;
        let id = UnitId::parse(&row.id).ok_or_else(|| corrupt("unit id"))?;
        let unit = match units.last_mut() {
            Some(last) if last.id == id => last,
            _ => {
                units.push(Unit {
                    id,
                    force: Force::parse(&row.force).ok_or_else(|| corrupt("unit force"))?,
                    kind: UnitKind::parse(&row.kind).ok_or_else(|| corrupt("unit kind"))?,
                    name: row.name,
                    notify: row.notify,
                    covers: Vec::new(),
                });
                units.last_mut().expect("just pushed")
            }
        };
        unit.covers.extend(place);
    }
    Ok(units)
}

/// Risk labels as stored, one per line.
pub fn labels_from(stored: &str) -> Vec<String> {
    stored
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A chat's priority raised (never lowered) and the labels not yet there added, each on one
/// line; `None` when nothing would change.
pub fn raised(
    current: &Conversation,
    priority: Priority,
    labels: &[String],
) -> Option<(Priority, Vec<String>)> {
    let mut flags = current.risk_flags.clone();
    for label in labels {
        let label = label.replace(['\n', '\r'], " ");
        if !flags.contains(&label) {
            flags.push(label);
        }
    }
    let priority = current.priority.max(priority);
    if priority == current.priority && flags == current.risk_flags {
        None
    } else {
        Some((priority, flags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_millisecond() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_000_000).unwrap();
        assert_eq!(from_millis(millis(t)).unwrap(), t);
        assert_eq!(millis(t), 1_700_000_000_123);
    }
}

/// Where the secrets of one [`KeyKind`] live, and the queries that list, count and seal them
/// again. `$n`-style or `?` parameters are the caller's: `params` are written in as given.
#[derive(Debug, Clone, Copy)]
pub struct KeyRows {
    table: &'static str,
    version: &'static str,
    sealed: &'static str,
    /// The condition a row meets when it holds a secret of this kind.
    only: &'static str,
}

impl KeyRows {
    /// The rows of `kind` in the schema, which keeps each kind in its own columns.
    pub fn of(kind: KeyKind) -> Self {
        match kind {
            KeyKind::Data => Self {
                table: "conversations",
                version: "key_version",
                sealed: "wrapped_key",
                only: "TRUE",
            },
            KeyKind::Totp => Self {
                table: "users",
                version: "totp_key_version",
                sealed: "totp_secret",
                only: "totp_secret IS NOT NULL",
            },
            // `id` is the record id the sealed secret is bound to, kept beside the version so
            // that the same queries serve every kind.
            KeyKind::Signing => Self {
                table: "signing_keys",
                version: "key_version",
                sealed: "sealed",
                only: "TRUE",
            },
        }
    }

    /// Lists `id`, `key_version` and `sealed` below a version, oldest version first; `params`
    /// are the version and the limit.
    pub fn below(&self, params: [&str; 2]) -> String {
        let Self {
            table,
            version,
            sealed,
            only,
        } = self;
        let [below, limit] = params;
        format!(
            "SELECT id, {version} AS key_version, {sealed} AS sealed FROM {table} \
             WHERE {only} AND {version} < {below} ORDER BY {version}, id LIMIT {limit}"
        )
    }

    /// Lists `id`, `key_version` and `sealed` of one row sealed by a version, if any; `param`
    /// is the version.
    pub fn one_at(&self, param: &str) -> String {
        let Self {
            table,
            version,
            sealed,
            only,
        } = self;
        format!(
            "SELECT id, {version} AS key_version, {sealed} AS sealed FROM {table} \
             WHERE {only} AND {version} = {param} LIMIT 1"
        )
    }

    /// Counts `n` rows per `key_version`.
    pub fn counts(&self) -> String {
        let Self {
            table,
            version,
            only,
            ..
        } = self;
        format!(
            "SELECT {version} AS key_version, COUNT(*) AS n FROM {table} \
             WHERE {only} GROUP BY {version}"
        )
    }

    /// The compare-and-set of a [`crate::Reseal`]; `params` are the new sealed bytes, the new
    /// version, the owner's id, the version read and the sealed bytes read.
    pub fn reseal(&self, params: [&str; 5]) -> String {
        let Self {
            table,
            version,
            sealed,
            ..
        } = self;
        let [to_sealed, to_version, id, from_version, from_sealed] = params;
        format!(
            "UPDATE {table} SET {sealed} = {to_sealed}, {version} = {to_version} \
             WHERE id = {id} AND {version} = {from_version} AND {sealed} = {from_sealed}"
        )
    }
}
