//! Canned replies and the directory of support services.

use super::now;
use crate::*;
use ecoute_domain::ResourceKind;
use std::sync::Arc;

fn audit(action: &str) -> NewAudit {
    NewAudit::system(action, now())
}

/// Replies are created, replaced and deleted; a shortcut belongs to one reply only.
pub async fn canned_replies_are_kept_by_unique_shortcut(store: Arc<dyn Store>) {
    let hello = CannedReply::parse("bonjour", "Accueil", "Bonjour, je suis {agent}.").unwrap();
    let saved = store
        .save_canned_reply(None, &hello, now(), audit("canned_reply_saved"))
        .await
        .unwrap()
        .expect("created");
    let other =
        CannedReply::parse("plainte", "Porter plainte", "Vous pouvez porter plainte.").unwrap();
    store
        .save_canned_reply(None, &other, now(), audit("canned_reply_saved"))
        .await
        .unwrap();
    let same_shortcut = CannedReply::parse("bonjour", "Autre", "Autre texte").unwrap();
    assert!(matches!(
        store
            .save_canned_reply(None, &same_shortcut, now(), audit("canned_reply_saved"))
            .await,
        Err(StoreError::Conflict)
    ));
    let edited = CannedReply::parse("bonjour", "Accueil", "Bonsoir, je suis {agent}.").unwrap();
    store
        .save_canned_reply(Some(saved.id), &edited, now(), audit("canned_reply_saved"))
        .await
        .unwrap()
        .expect("replaced");
    assert_eq!(
        store
            .save_canned_reply(
                Some(uuid::Uuid::new_v4()),
                &edited,
                now(),
                audit("canned_reply_saved")
            )
            .await
            .unwrap(),
        None
    );
    let all = store.canned_replies().await.unwrap();
    let shortcuts: Vec<_> = all.iter().map(|r| r.reply.shortcut.as_str()).collect();
    assert_eq!(shortcuts, ["bonjour", "plainte"]);
    assert_eq!(all[0].reply.body, "Bonsoir, je suis {agent}.");
    assert!(
        store
            .delete_canned_reply(saved.id, audit("canned_reply_deleted"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_canned_reply(saved.id, audit("canned_reply_deleted"))
            .await
            .unwrap()
    );
    assert_eq!(store.canned_replies().await.unwrap().len(), 1);
}

/// The directory is replaced whole; a département sees the national services first, then its
/// own, in file order.
pub async fn the_directory_lists_national_services_then_the_departements_own(
    store: Arc<dyn Store>,
) {
    let d = |s: &str| Departement::parse(s);
    let entry = |dep: Option<&str>, name: &str| Resource {
        departement: dep.and_then(Departement::parse),
        kind: ResourceKind::Association,
        name: name.to_string(),
        phone: Some("01 00 00 00 00".into()),
        address: None,
        hours: None,
        url: None,
        sample: true,
    };
    assert_eq!(store.count_resources().await.unwrap(), 0);
    let n = store
        .load_resources(
            &[
                entry(Some("69"), "Lyon B"),
                entry(None, "3919"),
                entry(Some("13"), "Marseille"),
                entry(Some("69"), "Lyon A"),
            ],
            audit("resources_loaded"),
        )
        .await
        .unwrap();
    assert_eq!(n, 4);
    let names = |v: Vec<Resource>| v.into_iter().map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.resources_for(d("69").as_ref()).await.unwrap()),
        ["3919", "Lyon B", "Lyon A"]
    );
    assert_eq!(names(store.resources_for(None).await.unwrap()), ["3919"]);
    let one = &store.resources_for(d("13").as_ref()).await.unwrap()[1];
    assert_eq!(one, &entry(Some("13"), "Marseille"));
    store
        .load_resources(&[entry(None, "119")], audit("resources_loaded"))
        .await
        .unwrap();
    assert_eq!(
        names(store.resources_for(d("69").as_ref()).await.unwrap()),
        ["119"]
    );
}
