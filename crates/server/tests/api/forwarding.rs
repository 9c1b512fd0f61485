//! Forwarding a report to a local unit, on the real server: the visitor's yes is asked and
//! given in the chat, nothing leaves without it, and the closing produces the signed dossier.

use crate::helpers::*;
use ecoute_store::Store;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_without_the_visitors_yes_to_that_unit_is_refused() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let visitor = app.start_visitor().await;
    let id = visitor.conversation_id.as_str();
    let (mut ws, _) = app.staff_socket(&o).await;
    ws.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    ws.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;

    // Not asked: refused.
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");
    // A unit the directory does not list cannot be proposed.
    ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "nowhere"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "unknown_unit");

    // Asked, in the visitor's language, and not answered yet: still refused.
    ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "commissariat-lyon"}))
        .await;
    let q = v.recv_type("consent").await;
    assert_eq!(q["unit_name"], "Commissariat central de Lyon");
    assert!(
        q["question"]
            .as_str()
            .unwrap()
            .contains("Commissariat central de Lyon")
    );
    assert_eq!(q["answer"], json!(null));
    assert_eq!(ws.recv_type("consent").await["answer"], json!(null));
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");

    // A yes must say how the unit may get in touch; an answer about another unit is refused.
    v.send(json!({"type": "consent_answer", "unit": "commissariat-lyon", "yes": true}))
        .await;
    assert_eq!(v.recv_type("error").await["code"], "contact_required");
    v.send(
        json!({"type": "consent_answer", "unit": "bta-mende", "yes": true, "do_not_contact": true}),
    )
    .await;
    assert_eq!(v.recv_type("error").await["code"], "consent_not_asked");

    // No: nothing leaves.
    v.send(json!({"type": "consent_answer", "unit": "commissariat-lyon", "yes": false}))
        .await;
    assert_eq!(v.recv_type("consent").await["answer"], json!(false));
    assert_eq!(ws.recv_type("consent").await["answer"], json!(false));
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");

    // Asked again, yes to Lyon; proposing another unit afterwards forgets that yes.
    ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "commissariat-lyon"}))
        .await;
    v.recv_type("consent").await;
    v.send(
        json!({"type": "consent_answer", "unit": "commissariat-lyon", "yes": true,
        "instructions": "Le soir seulement"}),
    )
    .await;
    assert_eq!(v.recv_type("consent").await["answer"], json!(true));
    ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "mpf-rhone"}))
        .await;
    assert_eq!(v.recv_type("consent").await["unit"], "mpf-rhone");
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");
    let cid: ecoute_domain::ConversationId = id.parse().unwrap();
    assert!(app.store.dossier_of(cid).await.unwrap().is_none());

    // Another officer cannot ask in this chat.
    let p = app.officer("paul").await;
    let (mut wp, _) = app.staff_socket(&p).await;
    wp.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "commissariat-lyon"}))
        .await;
    assert_eq!(wp.recv_type("error").await["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_chat_has_its_signed_dossier_and_its_code_follows_the_report() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    // The unit's account exists; it does not need to be logged in for the dossier to wait.
    let _desk = app.unit_staff("lyon-desk", "commissariat-lyon").await;
    let f = app
        .forwarded_chat(&o, "commissariat-lyon", "Il m'a suivie jusqu'au tramway.")
        .await;
    assert_eq!(f.dossier.unit.as_str(), "commissariat-lyon");
    assert_eq!(f.dossier.state, ecoute_domain::DossierState::Sent);
    assert!(f.dossier.reference.starts_with("EC-"));
    let audit = app.store.audit_page(None, 100).await.unwrap();
    for action in [
        "consent_asked",
        "consent_answered",
        "close",
        "dossier_produced",
    ] {
        assert!(
            audit.iter().any(
                |r| r.entry.action == action && r.entry.conversation == Some(f.conversation_id)
            ),
            "{action} is audited"
        );
    }
    // The code no longer reopens the chat: it follows the report.
    let r = app
        .http
        .post(app.url("/api/visitor/resume"))
        .json(&json!({"code": f.visitor.return_code}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "report_forwarded");
}

/// The unit is told by e-mail, through a real SMTP server, that a dossier waits on its desk:
/// the message holds the desk's address and no part of the conversation, of the dossier or of
/// who the person is; the notification log keeps who was told, when and how it went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_is_told_by_email_with_no_part_of_the_conversation() {
    let sink = crate::smtp::start_sink(false).await;
    let port = sink.port;
    let app = spawn_app_with(move |c| {
        c.smtp = Some(ecoute::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: ecoute::config::SmtpSecurity::None,
            username: None,
            password: None,
            from: "Écoute <ne-pas-repondre@ecoute.example>".into(),
            desk_url: "https://ecoute.example/desk".into(),
        });
    })
    .await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let canary = "Il m'a suivie jusqu'au tramway, CANARY-7731";
    let f = app.forwarded_chat(&o, "bta-villefranche", canary).await;

    let messages = sink.messages(1).await;
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], json!(["bta.villefranche@example.invalid"]));
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("https://ecoute.example/desk"), "{body}");
    let everything = format!("{}\n{}\n{}", m["subject"], body, m["raw"]).to_lowercase();
    for forbidden in [
        "canary-7731",
        "tramway",
        "la mutuelle",
        f.dossier.reference.as_str(),
        &f.conversation_id.to_string(),
        "villefranche-sur-saône",
        "olga",
    ] {
        assert!(
            !everything.contains(&forbidden.to_lowercase()),
            "the e-mail holds `{forbidden}`"
        );
    }
    // The log says it went, and nothing else.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = app.store.notifications(f.dossier.id).await.unwrap();
        if !log.is_empty() || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].unit.as_str(),
            log[0].outcome.as_str(),
            log[0].attempts
        ),
        ("bta-villefranche", "delivered", 1)
    );
}

/// What the unit receives is the whole exchange: every message with its author (the visitor, or
/// an officer by login name and display name), the handover between officers with its note,
/// the qualification, the consent (the question as the person read it, in their language) and
/// their contact instructions; the officer who forwarded it produced it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dossier_holds_every_message_the_handover_the_consent_and_the_contact() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let visitor = app
        .start_visitor_with(
            json!({"kind": "victim", "minor": false, "postal_code": "69003", "language": "es"}),
        )
        .await;
    let id = visitor.conversation_id.clone();
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let anna = app.officer("anna").await;
    let bruno = app.officer("bruno").await;
    // Both read Spanish, the language the person writes in.
    for o in [&anna, &bruno] {
        let skills = ecoute_domain::Skills {
            languages: ["fr", "es"]
                .into_iter()
                .map(|l| ecoute_domain::Language::parse(l).unwrap())
                .collect(),
            ..ecoute_domain::Skills::default()
        };
        let audit = ecoute_store::NewAudit::system("skills_set", time::OffsetDateTime::now_utc());
        let id = ecoute_domain::UserId(o.id.parse().unwrap());
        app.store.set_skills(id, &skills, audit).await.unwrap();
    }
    let (mut wa, _) = app.staff_socket(&anna).await;
    let (mut wb, _) = app.staff_socket(&bruno).await;
    wa.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    wa.recv_type("claimed").await;
    v.send(json!({"type": "send", "client_id": "v1", "body": "Me siguió hasta el tranvía."}))
        .await;
    v.recv_type("ack").await;
    wa.send(
        json!({"type": "send", "conversation_id": id, "client_id": "a1",
        "body": "Le escucho. ¿Está a salvo ahora?"}),
    )
    .await;
    wa.recv_type("ack").await;
    wa.send(
        json!({"type": "qualify", "conversation_id": id, "qualification":
        {"facts": ["sexual_assault"], "reporter": "victim", "minor": false, "danger": "moderate"}}),
    )
    .await;
    wa.recv_type("case_file").await;
    wa.send(
        json!({"type": "transfer", "conversation_id": id, "to_officer": bruno.id,
        "note": "Elle préfère l'espagnol ; Bruno le parle."}),
    )
    .await;
    wa.recv_type("handed_over").await;
    wb.recv_type("claimed").await;
    wb.send(
        json!({"type": "send", "conversation_id": id, "client_id": "b1",
        "body": "Soy Bruno, sigo con usted."}),
    )
    .await;
    wb.recv_type("ack").await;
    wb.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "commissariat-lyon"}))
        .await;
    let question = v.recv_type("consent").await;
    let asked = question["question"].as_str().unwrap().to_string();
    assert!(asked.starts_with("¿Acepta"), "asked in Spanish: {asked}");
    v.send(
        json!({"type": "consent_answer", "unit": "commissariat-lyon", "yes": true,
        "instructions": "Solo por la mañana; decir que es la mutua."}),
    )
    .await;
    while wb.recv_type("consent").await["answer"] != json!(true) {}
    wb.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    wb.recv_type("chat_closed").await;

    let cid: ecoute_domain::ConversationId = id.parse().unwrap();
    let row = app.store.dossier_of(cid).await.unwrap().expect("produced");
    let lyon = app.unit_staff("lyon-desk", "commissariat-lyon").await;
    let file: serde_json::Value = app
        .http
        .get(app.url(&format!("/desk/{}/dossier.json", row.id)))
        .header("cookie", &lyon.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let d = &file["dossier"];
    assert_eq!(d["reference"], row.reference.as_str());
    assert_eq!(d["unit"]["name"], "Commissariat central de Lyon");
    assert_eq!(d["unit"]["force"], "police");
    assert_eq!(d["departement"], "69");
    let messages: Vec<(String, String, String)> = d["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["author"]["kind"].as_str().unwrap().to_string(),
                m["author"]["id"].as_str().unwrap_or("").to_string(),
                m["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                "visitor".into(),
                "".into(),
                "Me siguió hasta el tranvía.".into()
            ),
            (
                "officer".into(),
                "anna".into(),
                "Le escucho. ¿Está a salvo ahora?".into()
            ),
            (
                "officer".into(),
                "bruno".into(),
                "Soy Bruno, sigo con usted.".into()
            ),
        ]
    );
    for (i, m) in d["messages"].as_array().unwrap().iter().enumerate() {
        assert_eq!(m["seq"], json!(i + 1), "numbered from 1 without gaps");
        assert!(
            m["at"]["utc"].is_string() && m["at"]["paris"].is_string(),
            "{m}"
        );
    }
    let handovers = d["handovers"].as_array().unwrap();
    assert_eq!(handovers.len(), 1);
    assert_eq!(handovers[0]["from"]["id"], "anna");
    assert_eq!(handovers[0]["to"]["id"], "bruno");
    assert_eq!(
        handovers[0]["reason"],
        "Elle préfère l'espagnol ; Bruno le parle."
    );
    assert!(
        d["qualification"]["facts"]
            .as_str()
            .unwrap()
            .contains("Agression sexuelle")
    );
    assert_eq!(d["qualification"]["standing"], "victim");
    assert_eq!(d["consent"]["language"], "es");
    assert_eq!(d["consent"]["question"], asked.as_str());
    assert_eq!(d["contact"]["kind"], "instructions");
    assert_eq!(
        d["contact"]["text"],
        "Solo por la mañana; decir que es la mutua."
    );
    assert_eq!(d["produced"]["by"]["id"], "bruno");
}
