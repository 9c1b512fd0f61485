//! The person's follow-up of a forwarded report, with their return code: the stage in neutral
//! words and never a unit's note, a message that reaches the dossier sealed and audited,
//! withdrawal that closes it, a pass that cannot be forged or kept, and a rate-limited code check.

use crate::helpers::*;
use ecoute_domain::{DossierState, UserId};
use ecoute_store::{DossierChange, NewAudit, NewDossierEvent, Store};
use serde_json::{Value, json};

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_eq!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{path} is never cached"
    );
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Opens the follow-up with the code; returns the pass and the view.
async fn open(app: &TestApp, code: &str) -> (String, Value) {
    let (status, body) = post(app, "/api/visitor/follow-up", json!({"code": code})).await;
    assert_eq!(status, 200, "{body}");
    (body["pass"].as_str().unwrap().to_string(), body)
}

/// A unit's account records a state on the dossier, with its note, as the desk would.
async fn unit_records(
    app: &TestApp,
    unit: &Officer,
    dossier: uuid::Uuid,
    state: DossierState,
    note: &str,
) {
    let by = UserId(unit.id.parse().unwrap());
    let at = time::OffsetDateTime::now_utc();
    app.store
        .record_dossier_event(
            dossier,
            NewDossierEvent {
                change: DossierChange::Unit { by, state },
                sealed_text: Some(note.as_bytes().to_vec()),
                at,
                statistics: None,
            },
            NewAudit::system("dossier_state", at),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

fn file_holds(app: &TestApp, needle: &str) -> bool {
    ["ecoute.db", "ecoute.db-wal"].iter().any(|file| {
        let bytes = std::fs::read(app.data_dir.path().join(file)).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_of_a_forwarded_chat_shows_its_stage_in_neutral_words_and_never_a_units_note() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let desk = app.unit_staff("lyon-desk", "commissariat-lyon").await;
    let f = app
        .forwarded_chat(&o, "commissariat-lyon", "Il m'attend devant le travail.")
        .await;

    let (pass, view) = open(&app, &f.visitor.return_code).await;
    assert_eq!(view["stage"], "transmitted");
    assert_eq!(view["stage_text"], "Votre signalement a été transmis.");
    assert_eq!(view["reference"], f.dossier.reference.as_str());
    assert_eq!(view["open"], true);
    assert_eq!(view["messages_sent"], 0);
    assert!(view["produced_at"].is_string() && view["updated_at"].is_string());

    // The unit tried to reach the person: the follow-up says so in neutral words, in the
    // person's language, and nothing of what the unit wrote.
    let canary = "NOTE-CANARY-5d1e: voisin hostile, rappeler via la soeur";
    unit_records(
        &app,
        &desk,
        f.dossier.id,
        DossierState::Received,
        "Bien reçu NOTE-CANARY-5d1e",
    )
    .await;
    unit_records(
        &app,
        &desk,
        f.dossier.id,
        DossierState::ContactAttempted,
        canary,
    )
    .await;
    let r = app
        .http
        .post(app.url("/api/visitor/follow-up/view"))
        .json(&json!({"pass": pass, "language": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains("NOTE-CANARY-5d1e"), "no unit note in {text}");
    assert!(!text.contains("rappeler"), "no unit note in {text}");
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["stage"], "tried_to_reach");
    assert_eq!(view["stage_text"], "The service tried to reach you.");
    assert!(
        view.get("pass").is_none(),
        "a pass is given only for the code"
    );
    let keys: Vec<&str> = view
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in &keys {
        assert!(
            [
                "reference",
                "stage",
                "stage_text",
                "open",
                "produced_at",
                "updated_at",
                "messages_sent"
            ]
            .contains(key),
            "nothing else is said: {key}"
        );
    }

    // The code checked again gives the same neutral words.
    let (_, again) = open(&app, &f.visitor.return_code).await;
    assert_eq!(again["stage_text"], "Le service a tenté de vous joindre.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn could_not_reach_reads_the_same_as_contact_attempted() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let desk = app.unit_staff("lyon-desk", "commissariat-lyon").await;
    let f = app.forwarded_chat(&o, "commissariat-lyon", "Bonjour").await;
    let (pass, _) = open(&app, &f.visitor.return_code).await;
    unit_records(&app, &desk, f.dossier.id, DossierState::Received, "reçu").await;
    unit_records(
        &app,
        &desk,
        f.dossier.id,
        DossierState::CouldNotReach,
        "messagerie pleine",
    )
    .await;
    let (status, view) = post(&app, "/api/visitor/follow-up/view", json!({"pass": pass})).await;
    assert_eq!(status, 200);
    assert_eq!(view["stage"], "tried_to_reach");
    assert_eq!(view["stage_text"], "Le service a tenté de vous joindre.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_from_the_person_is_stored_sealed_on_the_dossier_and_audited() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let f = app.forwarded_chat(&o, "commissariat-lyon", "Bonjour").await;
    let (pass, _) = open(&app, &f.visitor.return_code).await;

    let canary = "PERSON-CANARY-93b2 je peux parler le mardi";
    let (status, view) = post(
        &app,
        "/api/visitor/follow-up/message",
        json!({"pass": pass, "body": canary}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["messages_sent"], 1);
    assert_eq!(view["stage"], "transmitted", "a message changes no stage");

    let events = app.store.dossier_events(f.dossier.id).await.unwrap();
    let message = events
        .iter()
        .find(|e| e.state.is_none() && e.by.is_none())
        .expect("the message is on the dossier");
    let sealed = message.sealed_text.as_ref().expect("with its text");
    assert!(!sealed.windows(14).any(|w| w == b"PERSON-CANARY-"));
    assert!(
        !file_holds(&app, "PERSON-CANARY-93b2"),
        "the text is sealed at rest"
    );

    let audit = app.store.audit_page(None, 200).await.unwrap();
    let entry = audit
        .iter()
        .find(|r| r.entry.action == "follow_up_message")
        .expect("the message is audited");
    assert_eq!(entry.entry.conversation, Some(f.conversation_id));
    assert!(audit.iter().any(|r| r.entry.action == "follow_up_opened"));
    assert!(
        audit
            .iter()
            .all(|r| !format!("{:?}", r.entry).contains("PERSON-CANARY")),
        "the audit log does not hold the text"
    );

    // Blank or over-long messages are refused, as in the chat.
    let (status, body) = post(
        &app,
        "/api/visitor/follow-up/message",
        json!({"pass": pass, "body": "   "}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("empty_message"))
    );
    let (status, body) = post(
        &app,
        "/api/visitor/follow-up/message",
        json!({"pass": pass, "body": "x".repeat(4001)}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("message_too_long"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_consent_closes_the_dossier_and_nothing_more_can_be_added() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let f = app.forwarded_chat(&o, "commissariat-lyon", "Bonjour").await;
    let (pass, _) = open(&app, &f.visitor.return_code).await;

    let (status, view) = post(
        &app,
        "/api/visitor/follow-up/withdraw",
        json!({"pass": pass}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["stage"], "withdrawn");
    assert_eq!(
        view["stage_text"],
        "Vous avez retiré votre accord : le signalement est clos."
    );
    assert_eq!(view["open"], false);
    let row = app.store.dossier(f.dossier.id).await.unwrap().unwrap();
    assert_eq!(row.state, DossierState::Withdrawn);
    let audit = app.store.audit_page(None, 200).await.unwrap();
    assert!(audit.iter().any(|r| r.entry.action == "consent_withdrawn"
        && r.entry.conversation == Some(f.conversation_id)));

    for (path, body) in [
        (
            "/api/visitor/follow-up/message",
            json!({"pass": pass, "body": "encore un mot"}),
        ),
        ("/api/visitor/follow-up/withdraw", json!({"pass": pass})),
    ] {
        let (status, body) = post(&app, path, body).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("dossier_closed")),
            "{path}"
        );
    }
    // The code still shows the closed state.
    let (_, view) = open(&app, &f.visitor.return_code).await;
    assert_eq!(view["stage"], "withdrawn");
    assert_eq!(view["open"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_altered_or_expired_pass_is_refused() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let f = app.forwarded_chat(&o, "commissariat-lyon", "Bonjour").await;
    let (pass, _) = open(&app, &f.visitor.return_code).await;
    let events_before = app.store.dossier_events(f.dossier.id).await.unwrap().len();

    let mut altered: Vec<char> = pass.chars().collect();
    let i = altered.len() / 2;
    altered[i] = if altered[i] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    // Signed with the right key but expired a minute ago.
    let key = app
        .store
        .install_secret("follow_up_pass", [0u8; 32])
        .await
        .unwrap();
    let expired = ecoute_crypto::follow_up::issue(
        &key,
        f.dossier.id,
        time::OffsetDateTime::now_utc().unix_timestamp() - 60,
    );
    // Signed with another key.
    let forged = ecoute_crypto::follow_up::issue(
        &[7u8; 32],
        f.dossier.id,
        time::OffsetDateTime::now_utc().unix_timestamp() + 600,
    );
    for bad in [
        forged.as_str(),
        altered.as_str(),
        expired.as_str(),
        "",
        "nonsense",
    ] {
        for (path, body) in [
            ("/api/visitor/follow-up/view", json!({"pass": bad})),
            (
                "/api/visitor/follow-up/message",
                json!({"pass": bad, "body": "bonjour"}),
            ),
            ("/api/visitor/follow-up/withdraw", json!({"pass": bad})),
        ] {
            let (status, body) = post(&app, path, body).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("unauthenticated")),
                "{path} with {bad:?}"
            );
        }
    }
    let row = app.store.dossier(f.dossier.id).await.unwrap().unwrap();
    assert_eq!(row.state, DossierState::Sent, "nothing was recorded");
    assert_eq!(
        app.store.dossier_events(f.dossier.id).await.unwrap().len(),
        events_before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_code_or_the_code_of_a_chat_never_forwarded_answers_unknown_return_code() {
    let app = spawn_app().await;
    let never_forwarded = app.start_visitor().await;
    for code in [
        "12 34 56 78 90 12 34 56",
        never_forwarded.return_code.as_str(),
    ] {
        let (status, body) = post(&app, "/api/visitor/follow-up", json!({"code": code})).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("unknown_return_code")),
            "{code}"
        );
    }
    let (status, body) = post(&app, "/api/visitor/follow-up", json!({"code": "123"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    // The chat's code still reopens its chat.
    let (status, _) = post(
        &app,
        "/api/visitor/resume",
        json!({"code": never_forwarded.return_code}),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_up_code_check_is_rate_limited_with_the_resume_form() {
    let app = spawn_app().await;
    // Ten tries an hour from one address, shared with the resume form.
    for i in 0..10 {
        let path = if i % 2 == 0 {
            "/api/visitor/follow-up"
        } else {
            "/api/visitor/resume"
        };
        let (status, _) = post(
            &app,
            path,
            json!({"code": format!("00 00 00 00 00 00 00 {i:02}")}),
        )
        .await;
        assert_eq!(status, 404, "try {i}");
    }
    let r = app
        .http
        .post(app.url("/api/visitor/follow-up"))
        .json(&json!({"code": "00 00 00 00 00 00 00 99"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "too_many_attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_up_page_exists_in_every_language_with_the_quick_exit_first_and_is_never_kept() {
    let app = spawn_app().await;
    for (lang, title, dir) in [
        ("fr", "Suivre mon signalement", "ltr"),
        ("en", "Follow my report", "ltr"),
        ("es", "Seguir mi denuncia", "ltr"),
        ("ar", "متابعة بلاغي", "rtl"),
    ] {
        let r = app
            .http
            .get(app.url(&format!("/suivi?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-robots-tag"], "noindex, nofollow");
        assert!(h.get("set-cookie").is_none());
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")));
        assert!(html.contains(title), "{lang}");
        let exit = html.find("id=\"quick-exit\"").expect("the quick exit");
        let first_focusable = ["<a ", "<button", "<input", "<textarea"]
            .iter()
            .filter_map(|tag| html.find(tag))
            .min()
            .unwrap();
        assert!(
            html[first_focusable..exit].len() < 40,
            "the quick exit is the first focusable element ({lang})"
        );
    }
}
