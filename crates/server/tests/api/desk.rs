//! The unit's desk: a unit's account reads, downloads and follows only its own unit's
//! dossiers, and nothing else of the platform; every reading and download is audited; the
//! files it downloads check out with `ecoute dossier verify`; the states follow the units'
//! rules; supervisors see every dossier, its time to first contact, and an alert on their
//! board when a dossier waits too long for its unit.

use crate::helpers::*;
use ecoute::i18n::{Locale, Tr};
use ecoute_domain::Role;
use ecoute_store::Store;
use serde_json::Value;

const LYON: &str = "commissariat-lyon";
const VILLEFRANCHE: &str = "bta-villefranche";

fn fr() -> Tr {
    Tr::console(Locale::Fr)
}

async fn page(app: &TestApp, who: &Officer, path: &str) -> (u16, String) {
    let r = get_as(app, who, path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts the desk's state form from our own origin; the status and the page or redirection.
async fn record(
    app: &TestApp,
    who: &Officer,
    id: uuid::Uuid,
    state: &str,
    note: &str,
) -> (u16, String, String) {
    let r = app
        .http
        .post(app.url(&format!("/desk/{id}/state")))
        .header("cookie", &who.cookie)
        .header("origin", &app.origin)
        .header("accept-language", "fr")
        .form(&[("state", state), ("note", note)])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

fn location(r: &reqwest::Response) -> &str {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap())
        .unwrap_or("")
}

async fn audited(app: &TestApp, action: &str, detail: &str) -> usize {
    app.store
        .audit_page(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == action && r.entry.detail.as_deref() == Some(detail))
        .count()
}

/// The html with a value escaped as askama escapes text.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_account_sees_only_its_own_units_dossiers() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let ours = app
        .forwarded_chat(&o, LYON, "Il m'a suivie jusqu'au tramway.")
        .await;
    let theirs = app
        .forwarded_chat(&o, VILLEFRANCHE, "C'était au marché du samedi.")
        .await;

    let (status, html) = page(&app, &lyon, "/desk").await;
    assert_eq!(status, 200);
    assert!(html.contains(&ours.dossier.reference), "{html}");
    assert!(html.contains(&format!("/desk/{}", ours.dossier.id)));
    assert!(
        !html.contains(&theirs.dossier.reference),
        "another unit's dossier is not listed"
    );
    assert!(html.contains(&fr().s("dossier-state-sent")));
    assert!(html.contains(&fr().s("desk-first-contact-none")));

    // Another unit's dossier answers exactly as an unknown one, page and files alike.
    let unknown = uuid::Uuid::new_v4();
    for suffix in ["", "/dossier.pdf", "/dossier.json"] {
        let (status, other) =
            page(&app, &lyon, &format!("/desk/{}{suffix}", theirs.dossier.id)).await;
        let (unknown_status, none) = page(&app, &lyon, &format!("/desk/{unknown}{suffix}")).await;
        assert_eq!((status, unknown_status), (404, 404), "{suffix}");
        assert_eq!(other, none, "{suffix}: the same answer as an unknown id");
    }
    let (status, _) = page(&app, &lyon, "/desk/not-a-dossier").await;
    assert_eq!(status, 404);
    let (status, _, _) = record(&app, &lyon, theirs.dossier.id, "received", "Reçu").await;
    assert_eq!(status, 404, "nor can it record on another unit's dossier");
    assert_eq!(
        app.store
            .dossier(theirs.dossier.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        ecoute_domain::DossierState::Sent
    );
    assert_eq!(
        audited(&app, "dossier_read", &theirs.dossier.reference).await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_account_is_refused_the_console_its_chats_the_queue_and_the_board() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let f = app.forwarded_chat(&o, LYON, "Au parc, hier soir.").await;

    // Pages of the platform's staff send a unit's account to its desk.
    for path in [
        "/console".to_string(),
        "/console/history".to_string(),
        format!("/console/history/{}", f.conversation_id),
    ] {
        let r = get_as(&app, &lyon, &path).await;
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(location(&r), "/desk", "{path}");
    }
    // The supervisors' pages and the staff API are refused.
    for path in [
        "/console/dossiers".to_string(),
        format!("/console/dossiers/{}", f.dossier.id),
        "/console/audit".to_string(),
        "/api/staff/units".to_string(),
    ] {
        let r = get_as(&app, &lyon, &path).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    // The console's socket (queue, chats, board) too.
    let socket = app
        .try_ws("/ws/staff", Some(&lyon.cookie), Some(&app.origin))
        .await;
    assert!(
        matches!(socket, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 403),
        "the staff socket is refused to a unit's account"
    );
    // Its own desk is open to it.
    let (status, _) = page(&app, &lyon, "/desk").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_and_supervisors_are_refused_the_desk() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let s = app.staff("sophie", Role::Supervisor).await;
    let f = app.forwarded_chat(&o, LYON, "Dans l'ascenseur.").await;
    for who in [&o, &s] {
        for path in [
            "/desk".to_string(),
            format!("/desk/{}", f.dossier.id),
            format!("/desk/{}/dossier.pdf", f.dossier.id),
        ] {
            let r = get_as(&app, who, &path).await;
            assert_eq!(r.status(), 403, "{path}");
        }
        let (status, _, _) = record(&app, who, f.dossier.id, "received", "Reçu").await;
        assert_eq!(status, 403);
    }
    let anonymous = app.http.get(app.url("/desk")).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
    assert_eq!(location(&anonymous), "/console/login");
    // The officers' console has no link to the supervisors' overview, which refuses them.
    let r = get_as(&app, &o, "/console/dossiers").await;
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_and_downloading_a_dossier_are_audited_and_the_pdf_text_holds_the_visitors_message()
{
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let said = "Il m'a suivie jusqu'au tramway, rue Garibaldi.";
    let f = app.forwarded_chat(&o, LYON, said).await;
    let reference = f.dossier.reference.clone();

    let (status, html) = page(&app, &lyon, &format!("/desk/{}", f.dossier.id)).await;
    assert_eq!(status, 200);
    for shown in [
        reference.as_str(),
        said,
        "Le matin avant 9 h ; dire que c",
        "UTC",
        &fr().s("dossier-download-pdf"),
    ] {
        assert!(html.contains(&escaped(shown)), "{shown}: {html}");
    }
    assert_eq!(audited(&app, "dossier_read", &reference).await, 1);

    for (ext, media) in [("pdf", "application/pdf"), ("json", "application/json")] {
        let r = get_as(
            &app,
            &lyon,
            &format!("/desk/{}/dossier.{ext}", f.dossier.id),
        )
        .await;
        assert_eq!(r.status(), 200);
        let header = |name: &str| r.headers()[name].to_str().unwrap().to_string();
        assert_eq!(header("content-type"), media);
        assert_eq!(
            header("content-disposition"),
            format!("attachment; filename=\"{reference}.{ext}\"")
        );
        assert_eq!(header("cache-control"), "no-store");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(
            audited(&app, "dossier_downloaded", &format!("{reference}.{ext}")).await,
            1,
            "{ext}"
        );
        if ext == "pdf" {
            assert!(bytes.starts_with(b"%PDF-"));
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("dossier.pdf");
            std::fs::write(&file, &bytes).unwrap();
            let out = std::process::Command::new("pdftotext")
                .args([file.to_str().unwrap(), "-"])
                .output()
                .expect("pdftotext runs: apt-get install poppler-utils");
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            // The PDF may wrap a line or draw the apostrophe as a typographic one.
            let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                words.contains("jusqu") && words.contains("tramway, rue Garibaldi."),
                "{words}"
            );
            assert!(words.contains(&reference));
        } else {
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(v["dossier"]["reference"], reference.as_str());
            assert_eq!(v["dossier"]["messages"][0]["text"], said);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloaded_file_passes_dossier_verify_and_one_changed_byte_fails_it() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let f = app
        .forwarded_chat(&o, LYON, "Sur le quai de la gare.")
        .await;

    // The unit checks a file with the key list the service publishes.
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    let list = app
        .http
        .get(app.url("/.well-known/ecoute-dossier-keys.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(&keys, &list).unwrap();
    for ext in ["pdf", "json"] {
        let r = get_as(
            &app,
            &lyon,
            &format!("/desk/{}/dossier.{ext}", f.dossier.id),
        )
        .await;
        let mut bytes = r.bytes().await.unwrap().to_vec();
        let file = dir.path().join(format!("{}.{ext}", f.dossier.reference));
        std::fs::write(&file, &bytes).unwrap();
        let path = file.to_str().unwrap();
        let (ok, out, err) = ecoute(
            &["dossier", "verify", path, "--keys", keys.to_str().unwrap()],
            "",
        );
        assert!(ok, "{ext}: {out}{err}");

        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(&file, &bytes).unwrap();
        let (ok, out, err) = ecoute(
            &["dossier", "verify", path, "--keys", keys.to_str().unwrap()],
            "",
        );
        assert!(!ok, "{ext}: one changed byte must fail: {out}{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_states_follows_the_units_rules() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let f = app
        .forwarded_chat(&o, LYON, "Au travail, plusieurs fois.")
        .await;
    let id = f.dossier.id;
    let dossier_page = format!("/desk/{id}");
    let t = fr();

    // "Received" is offered while the dossier is new.
    let (_, html) = page(&app, &lyon, &dossier_page).await;
    assert!(html.contains(r#"<option value="received""#), "{html}");

    let (status, location, _) =
        record(&app, &lyon, id, "received", "Bien reçu, dossier attribué.").await;
    assert_eq!((status, location.as_str()), (303, dossier_page.as_str()));
    assert_eq!(
        audited(
            &app,
            "dossier_state",
            &format!("{}: received", f.dossier.reference)
        )
        .await,
        1
    );
    let (_, html) = page(&app, &lyon, &dossier_page).await;
    assert!(html.contains("Bien reçu, dossier attribué."));
    assert!(
        !html.contains(r#"<option value="received""#),
        "received is offered once"
    );

    // Received twice: refused, said clearly, and what was typed is kept.
    let (status, _, html) = record(&app, &lyon, id, "received", "Encore reçu").await;
    assert_eq!(status, 409);
    assert!(
        html.contains(&escaped(&t.s("desk-error-already-received"))),
        "{html}"
    );
    assert!(html.contains("Encore reçu</textarea>"));

    // A note is required, and not too long.
    for note in ["", "   ", &"x".repeat(1001)] {
        let (status, _, html) = record(&app, &lyon, id, "contact_attempted", note).await;
        assert_eq!(status, 400);
        assert!(html.contains(&escaped(&t.s("desk-error-note"))));
        assert!(html.contains(r#"aria-invalid="true""#));
    }
    // Only the unit's states.
    for state in ["sent", "withdrawn", "lost", ""] {
        let (status, _, html) = record(&app, &lyon, id, state, "Une note").await;
        assert_eq!(status, 400, "{state}");
        assert!(html.contains(&escaped(&t.s("desk-error-state"))));
    }
    // From another site: refused before anything.
    let r = app
        .http
        .post(app.url(&format!("/desk/{id}/state")))
        .header("cookie", &lyon.cookie)
        .header("origin", "https://evil.example")
        .form(&[("state", "closed"), ("note", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    for (state, note) in [
        ("contacted", "Appelée à 10 h, rendez-vous à fixer."),
        ("closed", "Plainte renvoyée au parquet."),
    ] {
        let (status, _, _) = record(&app, &lyon, id, state, note).await;
        assert_eq!(status, 303, "{state}");
    }
    // After closed, nothing more, and the page says so instead of offering the form.
    let (status, _, html) = record(&app, &lyon, id, "contact_attempted", "Rappel").await;
    assert_eq!(status, 409);
    assert!(html.contains(&escaped(&t.s("desk-error-closed"))));
    let (_, html) = page(&app, &lyon, &dossier_page).await;
    assert!(!html.contains(r#"id="record-form""#));
    assert!(html.contains(&escaped(&t.s("dossier-closed"))));
    let stored = app.store.dossier(id).await.unwrap().unwrap();
    assert_eq!(stored.state, ecoute_domain::DossierState::Closed);
    assert!(stored.first_contact_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisors_list_shows_the_time_to_first_contact_once_contacted_is_recorded() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let s = app.staff("sophie", Role::Supervisor).await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let f = app.forwarded_chat(&o, LYON, "Dans le bus 27.").await;
    let t = fr();

    let row = |html: &str| {
        let start = html
            .find(&format!(r#"data-dossier-id="{}""#, f.dossier.id))
            .expect("the dossier is listed");
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    let (status, html) = page(&app, &s, "/console/dossiers").await;
    assert_eq!(status, 200);
    let before = row(&html);
    assert!(before.contains(&f.dossier.reference));
    assert!(before.contains("Commissariat"), "the unit's name: {before}");
    assert!(before.contains(&t.s("dossiers-not-yet")), "{before}");

    let (status, _, _) = record(
        &app,
        &lyon,
        f.dossier.id,
        "contacted",
        "Jointe au téléphone.",
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = page(&app, &s, "/console/dossiers").await;
    let after = row(&html);
    assert!(!after.contains(&t.s("dossiers-not-yet")), "{after}");
    assert!(after.contains(&t.n("desk-span-minutes", "n", 0)), "{after}");
    assert!(after.contains(&t.s("dossier-state-contacted")));

    // The supervisor's read-only view, audited; with the unit's note, and no form.
    let before_reads = audited(&app, "dossier_read", &f.dossier.reference).await;
    let (status, html) = page(&app, &s, &format!("/console/dossiers/{}", f.dossier.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Dans le bus 27."));
    assert!(html.contains("Jointe au téléphone."));
    assert!(!html.contains("record-form"));
    assert!(!html.contains("/dossier.pdf"));
    assert_eq!(
        audited(&app, "dossier_read", &f.dossier.reference).await,
        before_reads + 1
    );
    // Linked from the supervisors' console.
    let (_, console) = page(&app, &s, "/console").await;
    assert!(console.contains(r#"href="/console/dossiers""#));
}

/// The board's frames until one satisfies `done` (the board is sent every 2 s when it changed).
async fn board_until(ws: &mut Ws, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..10 {
        let b = ws.recv_type("board").await;
        if done(&b) {
            return b;
        }
    }
    panic!("the board never showed what was expected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_counts_the_dossiers_that_wait_too_long_for_their_units_acknowledgement() {
    let app = spawn_app_with(|c| c.dossier_ack_hours = 1).await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let s = app.staff("sophie", Role::Supervisor).await;
    let lyon = app.unit_staff("lyon-desk", LYON).await;
    let f = app.forwarded_chat(&o, LYON, "Devant le lycée.").await;

    let (mut board, _) = app.staff_socket(&s).await;
    let b = board_until(&mut board, |b| b.get("dossiers_overdue").is_some()).await;
    assert_eq!(b["dossiers_overdue"], 0, "a fresh dossier is not late");
    assert_eq!(b["dossier_ack_hours"], 1);

    // Two hours later, still not acknowledged.
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data_dir.path().join("ecoute.db").display()
    ))
    .await
    .unwrap();
    let two_hours_ago =
        (time::OffsetDateTime::now_utc() - time::Duration::hours(2)).unix_timestamp() * 1000;
    sqlx::query("UPDATE dossiers SET produced_at = ? WHERE id = ?")
        .bind(two_hours_ago)
        .bind(f.dossier.id.to_string())
        .execute(&db)
        .await
        .unwrap();
    let b = board_until(&mut board, |b| b["dossiers_overdue"] == 1).await;
    assert_eq!(b["dossier_ack_hours"], 1);
    let (_, html) = page(&app, &s, "/console/dossiers").await;
    assert!(html.contains(r#"class="is-overdue""#), "{html}");
    assert!(html.contains(r#"id="dossiers-overdue""#));

    // The unit acknowledges it: the alert ends.
    let (status, _, _) = record(&app, &lyon, f.dossier.id, "received", "Pris en compte.").await;
    assert_eq!(status, 303);
    board_until(&mut board, |b| b["dossiers_overdue"] == 0).await;
    let (_, html) = page(&app, &s, "/console/dossiers").await;
    assert!(!html.contains(r#"class="is-overdue""#));
}
