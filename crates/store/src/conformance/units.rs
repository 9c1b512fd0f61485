//! The directory of local units: replaced whole with its audit entry, listed in a stable
//! order, read one by one.

use super::now;
use crate::*;
use ecoute_domain::{Coverage, UnitKind};
use std::sync::Arc;

fn unit(id: &str, force: Force, kind: UnitKind, covers: &[&str]) -> Unit {
    Unit {
        id: UnitId::parse(id).unwrap(),
        force,
        kind,
        name: format!("Unité {id}"),
        notify: format!("{id}@example.invalid"),
        covers: covers.iter().map(|c| Coverage::parse(c).unwrap()).collect(),
    }
}

fn audit() -> NewAudit {
    NewAudit::system("units_loaded", now())
}

/// Three units given out of id order, one covering places of both kinds, given in an order
/// that is not sorted either: what comes back must not depend on the backend's storage order.
fn three() -> Vec<Unit> {
    vec![
        unit(
            "mpf-rhone",
            Force::Gendarmerie,
            UnitKind::Specialised,
            &["69"],
        ),
        unit(
            "commissariat-lyon",
            Force::Police,
            UnitKind::Commissariat,
            &["69003", "69001", "2A"],
        ),
        unit(
            "bta-villefranche",
            Force::Gendarmerie,
            UnitKind::Brigade,
            &["69400", "69"],
        ),
    ]
}

/// A loaded directory is listed by id, each unit whole with its places in the loaded order,
/// and read back one by one; an id the directory does not list reads as `None`.
pub async fn units_loaded_are_listed_by_id_and_read_one_by_one(store: Arc<dyn Store>) {
    let missing = UnitId::parse("commissariat-lyon").unwrap();
    assert!(store.units().await.unwrap().is_empty());
    assert_eq!(store.unit(&missing).await.unwrap(), None);
    let loaded = three();
    assert_eq!(store.load_units(&loaded, audit()).await.unwrap(), 3);
    let mut expected = loaded.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.units().await.unwrap(), expected);
    assert_eq!(
        store.units().await.unwrap(),
        expected,
        "the order is stable"
    );
    for u in &loaded {
        assert_eq!(store.unit(&u.id).await.unwrap().as_ref(), Some(u));
    }
    let unknown = UnitId::parse("bta-nowhere").unwrap();
    assert_eq!(store.unit(&unknown).await.unwrap(), None);
}

/// A second load replaces the first whole (units and their places); a load that lists an id
/// twice is refused and leaves the directory as it was.
pub async fn a_second_units_load_replaces_the_first_whole(store: Arc<dyn Store>) {
    store.load_units(&three(), audit()).await.unwrap();
    let second = vec![
        unit("bta-mende", Force::Gendarmerie, UnitKind::Brigade, &["48"]),
        // Same id as a unit of the first load, other fields and places: nothing of the old
        // one may survive.
        unit(
            "commissariat-lyon",
            Force::Police,
            UnitKind::Specialised,
            &["69008"],
        ),
    ];
    assert_eq!(store.load_units(&second, audit()).await.unwrap(), 2);
    assert_eq!(store.units().await.unwrap(), second);
    let gone = UnitId::parse("mpf-rhone").unwrap();
    assert_eq!(
        store.unit(&gone).await.unwrap(),
        None,
        "the old units are gone"
    );

    let twice = vec![
        unit(
            "bta-aubagne",
            Force::Gendarmerie,
            UnitKind::Brigade,
            &["13"],
        ),
        unit(
            "bta-aubagne",
            Force::Gendarmerie,
            UnitKind::Brigade,
            &["13400"],
        ),
    ];
    assert!(matches!(
        store.load_units(&twice, audit()).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.units().await.unwrap(),
        second,
        "a refused load changes nothing"
    );
}

/// Loading the directory appends its audit entry in the same transaction.
pub async fn loading_units_is_audited(store: Arc<dyn Store>) {
    store
        .load_units(
            &three(),
            NewAudit::system("units_loaded", now()).detail("3 units from units.txt"),
        )
        .await
        .unwrap();
    let newest = store.audit_page(None, 1).await.unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].entry.action, "units_loaded");
    assert_eq!(
        newest[0].entry.detail.as_deref(),
        Some("3 units from units.txt")
    );
}
