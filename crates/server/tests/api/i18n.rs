//! Every language: pages rendered in the visitor's language (or the one they pick), a page that
//! can change language in place, the officer told of the visitor's language, and a console in
//! the staff member's own language.

use crate::helpers::*;
use ecoute::i18n::{Locale, Tr};
use ecoute_domain::{Language, Skills, UserId};
use ecoute_store::{NewAudit, Store};
use serde_json::{Value, json};

async fn page(app: &TestApp, path: &str, accept_language: Option<&str>) -> (String, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(al) = accept_language {
        request = request.header("accept-language", al);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert!(
        r.headers().get("set-cookie").is_none(),
        "{path} sets no cookie"
    );
    let vary = r.headers()["vary"].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("accept-language"), "{path}: vary {vary}");
    let html = r.text().await.unwrap();
    let head = html.lines().nth(1).unwrap_or_default().to_string();
    (head, html)
}

#[tokio::test]
async fn the_visitor_page_speaks_the_browsers_language_unless_one_is_chosen() {
    let app = spawn_app().await;
    let (head, html) = page(&app, "/", None).await;
    assert_eq!(head, r#"<html lang="fr" dir="ltr">"#);
    assert!(html.contains("Quitter en urgence"));

    let (head, html) = page(&app, "/", Some("ar-MA,ar;q=0.9,fr;q=0.5")).await;
    assert_eq!(head, r#"<html lang="ar" dir="rtl">"#);
    let arabic = Tr::visitor(Locale::Ar);
    assert!(html.contains(&arabic.s("qe-label")));
    assert!(html.contains(&arabic.s("landing-title")));
    assert!(!html.contains("Quitter en urgence"));

    // The link of the language switch wins over the browser.
    let (head, html) = page(&app, "/?lang=es", Some("ar")).await;
    assert_eq!(head, r#"<html lang="es" dir="ltr">"#);
    assert!(html.contains(&Tr::visitor(Locale::Es).s("landing-title")));
    // The script's words are the page's language too.
    assert!(html.contains(&Tr::visitor(Locale::Es).s("start-open")));

    // An unknown language falls back to French; every language is offered by its own name.
    let (head, html) = page(&app, "/?lang=xx", Some("de")).await;
    assert_eq!(head, r#"<html lang="fr" dir="ltr">"#);
    for name in ["Français", "English", "Español", "العربية"] {
        assert!(html.contains(name), "{name} offered");
    }
}

#[tokio::test]
async fn the_stay_safe_page_exists_in_every_language() {
    let app = spawn_app().await;
    let mut titles = Vec::new();
    for locale in Locale::ALL {
        let (head, html) = page(&app, &format!("/securite?lang={}", locale.code()), None).await;
        assert!(head.contains(&format!(r#"lang="{}""#, locale.code())));
        assert!(head.contains(&format!(r#"dir="{}""#, locale.dir())));
        let t = Tr::visitor(locale);
        for id in [
            "safety-title",
            "safety-private-title",
            "safety-spy-title",
            "qe-label",
        ] {
            assert!(html.contains(&t.s(id)), "{locale:?}: {id}");
        }
        assert!(html.contains("tel:17") && html.contains("sms:114"));
        titles.push(t.s("safety-title"));
    }
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 4, "each language has its own words");
}

#[tokio::test]
async fn a_page_gets_another_languages_words_without_reloading() {
    let app = spawn_app().await;
    let r = app.http.get(app.url("/i18n/ar.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("set-cookie").is_none());
    let bundle: Value = r.json().await.unwrap();
    assert_eq!(bundle["lang"], "ar");
    assert_eq!(bundle["dir"], "rtl");
    let arabic = Tr::visitor(Locale::Ar);
    assert_eq!(bundle["page"]["landing-title"], arabic.s("landing-title"));
    assert_eq!(bundle["page"]["qe-label"], arabic.s("qe-label"));
    assert!(
        bundle["script"]["officer_joined"]
            .as_str()
            .unwrap()
            .contains("{name}")
    );
    for missing in ["/i18n/de.json", "/i18n/ar", "/i18n/..%2Fsecret.json"] {
        let r = app.http.get(app.url(missing)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn the_officer_sees_the_visitors_language_and_is_told_when_it_changes() {
    let app = spawn_app().await;
    let visitor = app
        .start_visitor_with(json!({"kind": "victim", "minor": false, "language": "es"}))
        .await;
    let officer = app.officer("olga").await;
    let skills = Skills {
        languages: ["fr", "es", "ar"]
            .into_iter()
            .map(|l| Language::parse(l).unwrap())
            .collect(),
        ..Skills::default()
    };
    let id = UserId(officer.id.parse().unwrap());
    let at = time::OffsetDateTime::now_utc();
    let audit = NewAudit::system("skills_changed", at);
    assert!(app.store.set_skills(id, &skills, audit).await.unwrap());
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    let claimed = os.recv_type("claimed").await;
    assert_eq!(claimed["chat"]["language"], "es");

    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    vs.send(json!({"type": "language", "language": "ar"})).await;
    let told = os.recv_type("visitor_language").await;
    assert_eq!(told["conversation_id"], visitor.conversation_id.as_str());
    assert_eq!(told["language"], "ar");
    // A full resync says the same.
    let (_, welcome) = app.staff_socket(&officer).await;
    let chat = welcome["chats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation_id"] == visitor.conversation_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(chat["language"], "ar");
    // The same language again says nothing; a bad code is a clear error and changes nothing.
    vs.send(json!({"type": "language", "language": "ar"})).await;
    vs.send(json!({"type": "language", "language": "not a language"}))
        .await;
    let error = vs.recv_type("error").await;
    assert_eq!(error["code"], "bad_frame");
    vs.send(json!({"type": "send", "client_id": "v1", "body": "¿Sigue ahí?"}))
        .await;
    vs.recv_type("ack").await;
    assert_eq!(os.recv_type("message").await["body"], "¿Sigue ahí?");
}

#[tokio::test]
async fn a_waiting_chat_that_changes_language_is_queued_for_that_language() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    assert_eq!(os.recv_type("queue").await["items"][0]["language"], "fr");
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    vs.send(json!({"type": "language", "language": "en"})).await;
    loop {
        let queue = os.recv_type("queue").await;
        if queue["items"][0]["language"] == "en" {
            // Olga reads French only: the chat waits for someone who reads English.
            assert_eq!(queue["items"][0]["eligible"], false);
            break;
        }
    }
}

#[tokio::test]
async fn the_console_speaks_the_language_its_user_chose() {
    let app = spawn_app().await;
    let r = app
        .http
        .get(app.url("/console/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains(&Tr::console(Locale::En).s("login-submit")));

    // The choice is kept for the console only, and needs our own origin.
    let choose = |origin: &str, lang: &str| {
        app.http
            .post(app.url("/console/language"))
            .header("origin", origin.to_string())
            .form(&[("lang", lang)])
            .send()
    };
    let r = choose("https://evil.example", "ar").await.unwrap();
    assert_eq!(r.status(), 403);
    let r = choose(&app.origin, "xx").await.unwrap();
    assert_eq!(r.status(), 400);
    let r = choose(&app.origin, "ar").await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("ecoute_lang=ar;"), "{cookie}");
    assert!(cookie.contains("Path=/console;"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");

    let arabic = Tr::console(Locale::Ar);
    let r = app
        .http
        .post(app.url("/console/login"))
        .header("origin", app.origin.clone())
        .header("cookie", "ecoute_lang=ar")
        .header("accept-language", "fr")
        .form(&[
            ("username", "nobody"),
            ("password", "wrong password!"),
            ("code", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains(&arabic.s("login-refused")), "the error too");
}
