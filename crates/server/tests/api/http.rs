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

/// Reads what the server sent next onto `wire`.
async fn read_more(tcp: &mut tokio::net::TcpStream, wire: &mut Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let mut chunk = vec![0u8; 16 * 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut chunk))
        .await
        .expect("the answer goes on")
        .unwrap();
    assert!(n > 0, "the connection ended before the answer did");
    wire.extend_from_slice(&chunk[..n]);
}

/// One GET as a browser sends it (gzip accepted, the connection kept open), on a connection of
/// its own: how many bytes the server sent for it on the wire (status line, headers, and the
/// body as framed, chunks included), the head, and the body once unframed.
async fn get_on_the_wire(addr: &str, path: &str) -> (usize, String, Vec<u8>) {
    use tokio::io::AsyncWriteExt;
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: gzip\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut wire = Vec::new();
    let head_end = loop {
        if let Some(i) = wire.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        read_more(&mut tcp, &mut wire).await;
    };
    let head = String::from_utf8(wire[..head_end].to_vec()).unwrap();
    let lower = head.to_ascii_lowercase();
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    let body = if let Some(length) = length {
        while wire.len() < head_end + length {
            read_more(&mut tcp, &mut wire).await;
        }
        assert_eq!(wire.len(), head_end + length, "nothing after the answer");
        wire[head_end..].to_vec()
    } else {
        assert!(lower.contains("transfer-encoding: chunked"), "{head}");
        // Chunks: a hexadecimal size line, the data, CRLF; a last chunk of size 0, then CRLF.
        let mut body = Vec::new();
        let mut at = head_end;
        loop {
            let line_end = loop {
                if let Some(i) = wire[at..].windows(2).position(|w| w == b"\r\n") {
                    break at + i;
                }
                read_more(&mut tcp, &mut wire).await;
            };
            let size_text = std::str::from_utf8(&wire[at..line_end]).unwrap();
            let size =
                usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
            let chunk_end = line_end + 2 + size + 2;
            while wire.len() < chunk_end {
                read_more(&mut tcp, &mut wire).await;
            }
            body.extend_from_slice(&wire[line_end + 2..line_end + 2 + size]);
            at = chunk_end;
            if size == 0 {
                break;
            }
        }
        assert_eq!(wire.len(), at, "nothing after the last chunk");
        body
    };
    (wire.len(), head, body)
}

fn gunzip(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// What README.md says a visitor page weighs at most: the page and everything it loads, as
/// transferred, response headers included (every answer is `no-store`: each visit pays them).
const VISITOR_PAGE_CLAIM: usize = 30_000;

/// Everything a visitor page needs (the page and each asset it names), counted on the wire:
/// every byte of every answer, headers included, bodies gzip-compressed. Within README's
/// figure; and with the heaviest language file a change of language fetches, within the
/// 60 KB of the performance target: the person may be on a weak network with a cheap phone.
#[tokio::test]
async fn each_visitor_page_weighs_what_the_readme_says_on_the_wire_headers_included() {
    const BUDGET: usize = 60 * 1024;
    let app = spawn_app().await;
    // Changing language during a chat fetches one more file: the heaviest one counts too.
    let mut switch = 0;
    for lang in ["fr", "en", "es", "ar"] {
        let (wire, head, _) = get_on_the_wire(&app.addr, &format!("/i18n/{lang}.json")).await;
        assert!(
            head.to_ascii_lowercase().contains("content-encoding: gzip"),
            "{lang}.json"
        );
        switch = switch.max(wire);
    }
    let pages = ["/", "/securite", "/suivi"]
        .into_iter()
        .flat_map(|p| ["fr", "en", "es", "ar"].map(|l| format!("{p}?lang={l}")));
    let mut heaviest = 0;
    for page in pages {
        let (wire, head, body) = get_on_the_wire(&app.addr, &page).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{page}: {head}");
        assert!(
            head.to_ascii_lowercase().contains("content-encoding: gzip"),
            "{page} is compressed"
        );
        let html = gunzip(&body);
        // No web font, no image file, nothing from elsewhere.
        assert!(
            !html.contains("@font-face") && !html.contains("<img"),
            "{page}"
        );
        let mut total = wire;
        let mut headers = head.len();
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
            let (wire, head, body) = get_on_the_wire(&app.addr, &assets[i]).await;
            assert!(head.starts_with("HTTP/1.1 200"), "{}", assets[i]);
            total += wire;
            headers += head.len();
            let text = gunzip(&body);
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
            "{page}: {total} bytes on the wire ({headers} of them headers) for the page and \
             {assets:?}, {switch} more for a change of language"
        );
        heaviest = heaviest.max(total);
        assert!(
            total <= VISITOR_PAGE_CLAIM,
            "{page}: {total} bytes > the {VISITOR_PAGE_CLAIM} README.md says"
        );
        assert!(
            total + switch <= BUDGET,
            "{page}: {total} + {switch} bytes > {BUDGET}"
        );
    }
    println!("heaviest visitor page: {heaviest} bytes on the wire");
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
