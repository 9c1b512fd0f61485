//! What every HTTP answer carries, and the operational endpoints.

use crate::helpers::*;
use serde_json::Value;

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let h = r.headers();
    let get = |name: &str| {
        h.get(name)
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let csp = get("content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{what}");
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}");
    assert_eq!(get("cache-control"), "no-store", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers_errors_included() {
    let app = spawn_app().await;
    let gets = [
        ("/", 200),
        ("/securite", 200),
        ("/console", 303),
        ("/console/login", 200),
        ("/setup", 200),
        ("/assets/visitor.js", 200),
        ("/assets/nope.js", 404),
        ("/healthz", 200),
        ("/readyz", 200),
        ("/api/openapi.json", 200),
        ("/api/staff/me", 401),
        ("/no/such/page", 404),
        ("/ws/visitor", 400),
    ];
    for (path, status) in gets {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert_security_headers(&r, path);
    }
    let r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_security_headers(&r, "400");
}

#[tokio::test]
async fn the_visitor_page_is_marked_noindex_and_sets_no_cookie() {
    let app = spawn_app().await;
    let r = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["x-robots-tag"], "noindex, nofollow");
    assert!(r.headers().get("set-cookie").is_none());
    let html = r.text().await.unwrap();
    assert!(html.contains("Quitter en urgence"));
    assert!(html.contains(NEUTRAL_URL));
    assert!(!html.contains("<script>"), "no inline script");
    let started = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .json(&serde_json::json!({"kind": "victim", "minor": false}))
        .send()
        .await
        .unwrap();
    assert!(started.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn the_openapi_document_describes_the_rest_api() {
    let app = spawn_app().await;
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/visitor/conversations",
        "/api/visitor/quick-exit",
        "/api/staff/login",
        "/api/staff/logout",
        "/api/staff/me",
        "/healthz",
        "/readyz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["StartRequest"].is_object());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("alice", ecoute_domain::Role::Officer).await;
    let wrong = app.login("alice", "not the right password").await;
    let unknown = app.login("nobody", "not the right password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    let a: Value = wrong.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a["error"], "invalid_credentials");
}

#[tokio::test]
async fn login_sets_an_httponly_strict_session_cookie_and_needs_our_origin() {
    let app = spawn_app().await;
    app.create_user("alice", ecoute_domain::Role::Supervisor)
        .await;
    let r = app.login("alice", PASSWORD).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("ecoute_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Path=/"));
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["role"], "supervisor");
    let forged = app
        .http
        .post(app.url("/api/staff/login"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn the_console_page_needs_a_session() {
    let app = spawn_app().await;
    let officer = app.officer("alice").await;
    let r = app.http.get(app.url("/console")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console/login");
    let r = app
        .http
        .get(app.url("/console"))
        .header("cookie", &officer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Agent alice"));
}

#[tokio::test]
async fn a_form_post_with_a_null_origin_is_accepted_only_when_the_browser_says_same_origin() {
    let app = spawn_app().await;
    app.create_user("alice", ecoute_domain::Role::Officer).await;
    let post = |origin: Option<&'static str>, site: Option<&'static str>| {
        let code = app.code("alice").unwrap();
        let mut r = app.http.post(app.url("/console/login")).form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("code", code.as_str()),
        ]);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        r.send()
    };
    assert_eq!(
        post(Some("null"), Some("same-origin"))
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(
        post(Some("null"), Some("cross-site"))
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(post(Some("null"), None).await.unwrap().status(), 403);
    assert_eq!(post(None, Some("same-origin")).await.unwrap().status(), 403);
    assert_eq!(
        post(Some("https://evil.example"), Some("same-origin"))
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn behind_an_https_origin_every_response_demands_https() {
    let app = spawn_app_with(|c| c.public_origin = Some("https://ecoute.example.fr".into())).await;
    for path in ["/", "/no/such/page", "/healthz"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            r.headers()["strict-transport-security"],
            "max-age=63072000; includeSubDomains",
            "{path}"
        );
    }
    let plain = spawn_app().await;
    let r = plain.http.get(plain.url("/")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}

/// Everything a visitor page needs (the page and each asset it names), as transferred with
/// gzip, must stay within 60 KB: the person may be on a weak network with a cheap phone.
#[tokio::test]
async fn each_visitor_page_weighs_at_most_60_kb_transferred_with_everything_it_loads() {
    const BUDGET: usize = 60 * 1024;
    let app = spawn_app().await;
    let get = |path: String| {
        app.http
            .get(app.url(&path))
            .header("accept-encoding", "gzip")
            .send()
    };
    // Changing language during a chat fetches one more file: the heaviest one counts too.
    let mut switch = 0;
    for lang in ["fr", "en", "es", "ar"] {
        let r = get(format!("/i18n/{lang}.json")).await.unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip", "{lang}.json");
        switch = switch.max(r.bytes().await.unwrap().len());
    }
    let pages = ["/", "/securite"]
        .into_iter()
        .flat_map(|p| ["fr", "en", "es", "ar"].map(|l| format!("{p}?lang={l}")));
    for page in pages {
        let r = get(page.to_string()).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-encoding"],
            "gzip",
            "{page} is compressed"
        );
        let html_gz = r.bytes().await.unwrap();
        let html = {
            use std::io::Read;
            let mut s = String::new();
            flate2::read::GzDecoder::new(&html_gz[..])
                .read_to_string(&mut s)
                .unwrap();
            s
        };
        // No web font, no image file, nothing from elsewhere.
        assert!(
            !html.contains("@font-face") && !html.contains("<img"),
            "{page}"
        );
        let mut total = html_gz.len();
        let mut assets = Vec::new();
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap();
                if url.starts_with("/assets/") && !assets.contains(&url.to_string()) {
                    assets.push(url.to_string());
                }
            }
        }
        assert!(
            assets.iter().any(|a| a.ends_with(".css")),
            "{page}: {assets:?}"
        );
        // Modules a script imports are fetched too.
        let mut i = 0;
        while i < assets.len() {
            let r = get(assets[i].clone()).await.unwrap();
            assert_eq!(r.status(), 200, "{}", assets[i]);
            let gz = r.bytes().await.unwrap();
            total += gz.len();
            let text = {
                use std::io::Read;
                let mut s = String::new();
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_string(&mut s)
                    .unwrap_or_default();
                s
            };
            for part in text.split("from './").skip(1) {
                let name = part.split('\'').next().unwrap();
                let url = format!("/assets/{name}");
                if !assets.contains(&url) {
                    assets.push(url);
                }
            }
            i += 1;
        }
        println!(
            "{page}: {total} bytes transferred for the page and {assets:?}, \
             {switch} more for a change of language"
        );
        assert!(
            total + switch <= BUDGET,
            "{page}: {total} + {switch} bytes > {BUDGET}"
        );
    }
}

/// API answers are never compressed: one carries the visitor's token next to what they sent,
/// and a compressed size could then say something about the token.
#[tokio::test]
async fn api_answers_that_carry_a_token_are_not_compressed() {
    let app = spawn_app().await;
    let r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .header("accept-encoding", "gzip")
        .json(&serde_json::json!({"kind": "victim", "minor": false, "postal_code": "69003"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("content-encoding").is_none());
}
