//! Dossier notifications against a real SMTP server: aiosmtpd, run by `tests/smtp_sink.py`,
//! without TLS (`security = none`). A STARTTLS exchange is not tested here: it would need a
//! certificate made by the test, and no certificate generator is in the dependency tree; only
//! the refusal to send when a server does not offer STARTTLS is.

use ecoute::config::{SmtpConfig, SmtpSecurity};
use ecoute::notify::{NotifyOutcome, Retry, SUBJECT, SmtpErrorClass};
use ecoute_domain::UnitId;
use std::io::Write;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/smtp.rs"]
mod smtp;
use smtp::start_sink;

const DESK_URL: &str = "https://ecoute.example/desk";

/// A forwarded report as the test passes it around: only `unit` and `notify` may reach the
/// notifier, and nothing else of it may reach the message.
struct FakeDossier {
    unit: UnitId,
    unit_name: &'static str,
    notify: &'static str,
    message: &'static str,
    departement: &'static str,
    conversation: &'static str,
}

fn dossier() -> FakeDossier {
    FakeDossier {
        unit: UnitId::parse("bta-villefranche").unwrap(),
        unit_name: "Brigade territoriale autonome de Villefranche",
        notify: "accueil.brigade@gendarmerie.example",
        message: "Il m'a menacée hier soir devant les enfants",
        departement: "Rhône (69)",
        conversation: "0190a7c2-5e4b-7d11-9c3f-8a2b6d4e1f00",
    }
}

fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Écoute <ne-pas-repondre@ecoute.example>".into(),
        desk_url: DESK_URL.into(),
    }
}

/// Short waits, so that a failing server answers the test in well under a second.
const QUICK: Retry = Retry {
    attempts: 3,
    first_delay: Duration::from_millis(50),
};

/// Log lines written while the returned guard lives (the test runs on one thread).
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let logs = Arc::new(Mutex::new(Vec::new()));
    let writer = Buffer(logs.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

fn text(logs: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&logs.lock().unwrap()).into_owned()
}

#[tokio::test]
async fn notification_reaches_the_unit_with_the_desk_address_and_nothing_else() {
    let sink = start_sink(false).await;
    let dossier = dossier();
    let (logs, _guard) = capture_logs();
    let notifier = ecoute::notify::Notifier::new(&smtp_config(sink.port))
        .unwrap()
        .with_retry(QUICK);

    let log = notifier.notify_unit(&dossier.unit, dossier.notify).await;
    assert_eq!(log.outcome, NotifyOutcome::Delivered);
    assert_eq!((log.unit.as_str(), log.attempts), ("bta-villefranche", 1));
    assert!(!format!("{log:?}").contains("brigade@"), "{log:?}");

    let messages = sink.messages(1).await;
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!([dossier.notify]));
    assert_eq!(m["mail_from"], "ne-pas-repondre@ecoute.example");
    assert_eq!(m["subject"], SUBJECT);
    let body = m["body"].as_str().unwrap();
    assert!(body.contains(DESK_URL), "{body}");
    assert!(body.contains("Un signalement vous a été transmis sur Écoute."));
    let everything = format!("{}\n{}\n{}", m["subject"], body, m["raw"]).to_lowercase();
    for forbidden in [
        dossier.message,
        "menacée",
        dossier.departement,
        "rhône",
        dossier.conversation,
        "0190a7c2",
        dossier.unit_name,
        "villefranche",
    ] {
        assert!(
            !everything.contains(&forbidden.to_lowercase()),
            "the message holds `{forbidden}`:\n{everything}"
        );
    }

    let logs = text(&logs);
    assert!(logs.contains("gendarmerie.example"), "{logs}");
    assert!(
        !logs.contains("accueil"),
        "the full address was logged: {logs}"
    );
}

#[tokio::test]
async fn nobody_listening_gives_a_clear_error_after_the_bounded_retries_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let notifier = ecoute::notify::Notifier::new(&smtp_config(port))
        .unwrap()
        .with_retry(QUICK);
    let started = Instant::now();
    let err = notifier
        .dossier_waiting(dossier().notify)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((err.class, err.attempts), (SmtpErrorClass::Connection, 3));
    let message = err.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("could not be reached"), "{message}");
}

#[tokio::test]
async fn a_refused_recipient_is_not_retried_and_not_quoted() {
    let sink = start_sink(true).await;
    let dossier = dossier();
    let (logs, _guard) = capture_logs();
    let notifier = ecoute::notify::Notifier::new(&smtp_config(sink.port))
        .unwrap()
        .with_retry(QUICK);
    let log = notifier.notify_unit(&dossier.unit, dossier.notify).await;
    assert_eq!(
        log.outcome,
        NotifyOutcome::Failed(SmtpErrorClass::Permanent { code: 550 })
    );
    assert_eq!(log.attempts, 1);
    let err = notifier.dossier_waiting(dossier.notify).await.unwrap_err();
    assert!(!err.to_string().contains("accueil"), "{err}");
    assert!(!text(&logs).contains("accueil"), "{}", text(&logs));
}

#[tokio::test]
async fn an_invalid_unit_address_is_refused_before_any_connection() {
    let notifier = ecoute::notify::Notifier::new(&smtp_config(9)).unwrap();
    let err = notifier
        .dossier_waiting("pas une adresse")
        .await
        .unwrap_err();
    assert_eq!((err.class, err.attempts), (SmtpErrorClass::Address, 0));
}

#[tokio::test]
async fn starttls_required_sends_nothing_to_a_server_without_it() {
    let sink = start_sink(false).await;
    let config = SmtpConfig {
        security: SmtpSecurity::StartTls,
        ..smtp_config(sink.port)
    };
    let notifier = ecoute::notify::Notifier::new(&config)
        .unwrap()
        .with_retry(QUICK);
    let err = notifier
        .dossier_waiting(dossier().notify)
        .await
        .unwrap_err();
    assert_eq!((err.class, err.attempts), (SmtpErrorClass::Tls, 1));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(std::fs::read_dir(sink.dir.path()).unwrap().count(), 0);
}
