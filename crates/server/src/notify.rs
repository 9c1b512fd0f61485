//! E-mail telling a local unit that a dossier waits on its desk.
//!
//! The message says only that: no name, no message, no fact, no place, no reference. An
//! e-mail crosses servers we do not control and lands in shared mailboxes; the dossier itself
//! is read on the desk, where reading it is authenticated and audited. For the same reason
//! the logs name the recipient's domain only, and a failure is described by its class and
//! SMTP code, never by the server's text (which often quotes the address).

use crate::config::{SmtpConfig, SmtpSecurity};
use ecoute_domain::UnitId;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// The subject: the same for every notification, in French then English.
pub const SUBJECT: &str = "Écoute : un signalement vous attend / A report is waiting for you";

/// The subject of the e-mail telling a unit that a dossier on its desk changed.
pub const UPDATE_SUBJECT: &str = "Écoute : un signalement a été mis à jour / A report was updated";

/// What a unit is told: a new dossier, or a change on one it has (the person wrote, or
/// withdrew their consent). Either way, nothing of the dossier itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A dossier waits on the desk.
    NewDossier,
    /// A dossier on the desk changed.
    Update,
}

/// How long one SMTP command (and the connection) may take before the attempt is abandoned.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// A hard bound on one whole attempt, whatever the server does between commands.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a transient failure is tried again, and how long to wait in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub first_delay: Duration,
}

impl Default for Retry {
    /// Four attempts over some 14 s: enough for a relay that restarts or greylists briefly,
    /// short enough that the caller gets an answer while the dossier is fresh.
    fn default() -> Self {
        Self {
            attempts: 4,
            first_delay: Duration::from_secs(2),
        }
    }
}

impl Retry {
    /// The wait before attempt `n + 1` (after `n` failures, `n >= 1`).
    fn delay_after(&self, failures: u32) -> Duration {
        self.first_delay
            .saturating_mul(1 << failures.saturating_sub(1).min(16))
    }
}

/// Why a notification was not delivered, in a form fit for logs and a store row: no address,
/// no server text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpErrorClass {
    /// The unit's address is not an e-mail address (a units file to correct).
    Address,
    /// The server could not be reached, or the connection broke.
    Connection,
    /// The server did not answer in time.
    Timeout,
    /// The TLS handshake failed or STARTTLS was not offered (certificate, name, downgrade).
    Tls,
    /// A 4xx reply: the server asks to try later.
    Transient {
        /// The SMTP reply code.
        code: u16,
    },
    /// A 5xx reply: refused for good (unknown mailbox, authentication, policy).
    Permanent {
        /// The SMTP reply code.
        code: u16,
    },
    /// An unreadable reply, or a message the client could not build.
    Protocol,
}

impl SmtpErrorClass {
    /// A short, stable name for a store column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::Connection => "connection",
            Self::Timeout => "timeout",
            Self::Tls => "tls",
            Self::Transient { .. } => "transient",
            Self::Permanent { .. } => "permanent",
            Self::Protocol => "protocol",
        }
    }

    /// The SMTP reply code, when the server gave one.
    pub fn code(self) -> Option<u16> {
        match self {
            Self::Transient { code } | Self::Permanent { code } => Some(code),
            _ => None,
        }
    }

    /// Whether trying again soon may help.
    fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Connection | Self::Timeout | Self::Transient { .. }
        )
    }

    /// Sorts a lettre error, reading only its kind and code.
    fn of(error: &lettre::transport::smtp::Error) -> Self {
        let code = || {
            error
                .status()
                .and_then(|c| c.to_string().parse().ok())
                .unwrap_or(0)
        };
        if error.is_transient() {
            Self::Transient { code: code() }
        } else if error.is_permanent() {
            Self::Permanent { code: code() }
        } else if error.is_tls() {
            Self::Tls
        } else if error.is_timeout() {
            Self::Timeout
        } else if error.is_client() && error.to_string().contains("STARTTLS") {
            // lettre's own words (not the server's) for a server that does not offer STARTTLS:
            // perhaps a downgrade by someone in the path; nothing was sent.
            Self::Tls
        } else if error.is_response() || error.is_client() {
            Self::Protocol
        } else {
            // lettre's remaining kinds: connection, network and a closed transport.
            Self::Connection
        }
    }
}

impl std::fmt::Display for SmtpErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Address => f.write_str("the unit's notification address is not valid"),
            Self::Connection => f.write_str("the server could not be reached"),
            Self::Timeout => f.write_str("the server did not answer in time"),
            Self::Tls => f.write_str("the TLS connection failed"),
            Self::Transient { code } => write!(f, "the server asked to try later ({code})"),
            Self::Permanent { code } => write!(f, "the server refused the message ({code})"),
            Self::Protocol => f.write_str("the server's reply could not be understood"),
        }
    }
}

/// A notification that was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dossier notification through {server} failed after {attempts} attempt(s): {class}")]
pub struct NotifyError {
    /// Why, as a class.
    pub class: SmtpErrorClass,
    /// Attempts made (0 when the address was refused before any).
    pub attempts: u32,
    /// The SMTP server, `host:port`.
    pub server: String,
}

/// What became of one notification: what a store row will keep. No address, no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyLog {
    /// When the last attempt ended.
    pub at: OffsetDateTime,
    /// The unit told.
    pub unit: UnitId,
    /// Accepted by the SMTP server, or not and why.
    pub outcome: NotifyOutcome,
    /// Attempts made.
    pub attempts: u32,
}

/// Whether the SMTP server took the notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyOutcome {
    /// The server accepted it (delivery to the mailbox is the server's business from there).
    Delivered,
    /// It was not accepted.
    Failed(SmtpErrorClass),
}

impl NotifyOutcome {
    /// `delivered`, or the failure's class: what the notification log keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed(class) => class.as_str(),
        }
    }
}

/// Sends dossier notifications. Cheap to clone: clones share one transport.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    desk_url: String,
    /// `host:port`, for errors and logs.
    server: String,
    retry: Retry,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("server", &self.inner.server)
            .field("desk_url", &self.inner.desk_url)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// The notifier the configuration asks for, saying at info level whether notifications
    /// are on. Called once at start-up.
    pub fn from_config(smtp: Option<&SmtpConfig>) -> anyhow::Result<Option<Self>> {
        let Some(smtp) = smtp else {
            tracing::info!(
                "e-mail notifications are off (no [smtp] section): units see new dossiers on \
                 their desk only"
            );
            return Ok(None);
        };
        let notifier = Self::new(smtp)?;
        tracing::info!(
            server = %notifier.inner.server,
            security = ?smtp.security,
            "units are told by e-mail when a dossier waits for them"
        );
        Ok(Some(notifier))
    }

    /// Builds the transport; nothing is sent or connected yet.
    pub fn new(smtp: &SmtpConfig) -> anyhow::Result<Self> {
        use anyhow::Context;
        let from: Mailbox = smtp
            .from
            .parse()
            .with_context(|| format!("smtp.from `{}` is not an e-mail address", smtp.from))?;
        let builder = match smtp.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                    .context("smtp: cannot set up TLS")?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                .context("smtp: cannot set up TLS")?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            }
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(COMMAND_TIMEOUT))
            .hello_name(hello_name(&smtp.desk_url));
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            // lettre keeps its own copy as a plain String for the life of the transport.
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                transport: builder.build(),
                from,
                desk_url: smtp.desk_url.clone(),
                server: format!("{}:{}", smtp.host, smtp.port),
                retry: Retry::default(),
            }),
        })
    }

    /// The same notifier with another retry policy (tests use short waits).
    pub fn with_retry(self, retry: Retry) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                transport: inner.transport.clone(),
                from: inner.from.clone(),
                desk_url: inner.desk_url.clone(),
                server: inner.server.clone(),
                retry: Retry {
                    attempts: retry.attempts.max(1),
                    ..retry
                },
            }),
        }
    }

    /// Tells `to` that a new dossier waits on the unit's desk; retries a transient failure.
    pub async fn dossier_waiting(&self, to: &str) -> Result<(), NotifyError> {
        self.send(to, Notice::NewDossier).await.map(|_| ())
    }

    /// Tells a unit that a new dossier waits, and returns the record to store about it,
    /// delivered or not.
    pub async fn notify_unit(&self, unit: &UnitId, to: &str) -> NotifyLog {
        self.notify_unit_of(unit, to, Notice::NewDossier).await
    }

    /// Tells a unit `notice`, and returns the record to store about it, delivered or not.
    pub async fn notify_unit_of(&self, unit: &UnitId, to: &str, notice: Notice) -> NotifyLog {
        let (outcome, attempts) = match self.send(to, notice).await {
            Ok(attempts) => (NotifyOutcome::Delivered, attempts),
            Err(e) => (NotifyOutcome::Failed(e.class), e.attempts),
        };
        NotifyLog {
            at: OffsetDateTime::now_utc(),
            unit: unit.clone(),
            outcome,
            attempts,
        }
    }

    /// Sends, retrying; the number of attempts on success.
    async fn send(&self, to: &str, notice: Notice) -> Result<u32, NotifyError> {
        let inner = &*self.inner;
        let fail = |class, attempts| NotifyError {
            class,
            attempts,
            server: inner.server.clone(),
        };
        let Ok(address) = to.trim().parse::<Address>() else {
            tracing::warn!("dossier notification not sent: the unit's address is not valid");
            return Err(fail(SmtpErrorClass::Address, 0));
        };
        let domain = address.domain().to_ascii_lowercase();
        let message = build_message(&inner.from, address, &inner.desk_url, notice)
            .map_err(|_| fail(SmtpErrorClass::Protocol, 0))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let class = match tokio::time::timeout(
                ATTEMPT_TIMEOUT,
                inner.transport.send(message.clone()),
            )
            .await
            {
                Ok(Ok(_)) => {
                    tracing::info!(%domain, attempt, "dossier notification accepted by the server");
                    return Ok(attempt);
                }
                Ok(Err(e)) => SmtpErrorClass::of(&e),
                Err(_) => SmtpErrorClass::Timeout,
            };
            if !class.is_retryable() || attempt >= inner.retry.attempts {
                tracing::warn!(
                    %domain,
                    attempt,
                    class = class.as_str(),
                    code = class.code(),
                    server = %inner.server,
                    "dossier notification not delivered"
                );
                return Err(fail(class, attempt));
            }
            let delay = inner.retry.delay_after(attempt);
            tracing::info!(
                %domain,
                attempt,
                class = class.as_str(),
                code = class.code(),
                retry_in_ms = delay.as_millis() as u64,
                "dossier notification failed; trying again"
            );
            tokio::time::sleep(delay).await;
        }
    }
}

/// The message: the desk's address and nothing about the dossier.
fn build_message(
    from: &Mailbox,
    to: Address,
    desk_url: &str,
    notice: Notice,
) -> Result<Message, lettre::error::Error> {
    // Our own Message-ID on the sender's domain: lettre's default names `localhost`, which
    // spam filters hold against a message.
    let id = format!(
        "<{}@{}>",
        uuid::Uuid::new_v4().simple(),
        from.email.domain()
    );
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(match notice {
            Notice::NewDossier => SUBJECT,
            Notice::Update => UPDATE_SUBJECT,
        })
        .message_id(Some(id))
        // RFC 3834: out-of-office and other robots must not answer it.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_string(),
        ))
        // A MIME part rather than a bare body: it carries MIME-Version, which filters expect.
        .singlepart(SinglePart::plain(match notice {
            Notice::NewDossier => body(desk_url),
            Notice::Update => update_body(desk_url),
        }))
}

/// The text of an update: the same calm words, about a dossier already on the desk.
pub fn update_body(desk_url: &str) -> String {
    format!(
        "Bonjour,\n\
         \n\
         Un signalement de votre espace Écoute a été mis à jour. Connectez-vous pour le \
         consulter :\n\
         {desk_url}\n\
         \n\
         Ce message est envoyé automatiquement et ne contient aucune information sur le \
         signalement. Merci de ne pas y répondre.\n\
         \n\
         --\n\
         A report on your Écoute desk was updated. Sign in to your desk to read it: \
         {desk_url}\n\
         This automatic message holds no information about the report; please do not reply.\n"
    )
}

/// The text: calm, neutral, French first, English below.
pub fn body(desk_url: &str) -> String {
    format!(
        "Bonjour,\n\
         \n\
         Un signalement vous a été transmis sur Écoute. Connectez-vous à votre espace pour le \
         consulter :\n\
         {desk_url}\n\
         \n\
         Ce message est envoyé automatiquement et ne contient aucune information sur le \
         signalement. Merci de ne pas y répondre.\n\
         \n\
         --\n\
         A report has been forwarded to you on Écoute. Sign in to your desk to read it: \
         {desk_url}\n\
         This automatic message holds no information about the report; please do not reply.\n"
    )
}

/// The name we give in `EHLO`: the host of our public address (a domain or an IP literal).
fn hello_name(desk_url: &str) -> ClientId {
    let rest = desk_url.split_once("://").map_or(desk_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some(v6) = authority
        .strip_prefix('[')
        .and_then(|a| a.split_once(']'))
        .and_then(|(ip, _)| ip.parse::<Ipv6Addr>().ok())
    {
        return ClientId::Ipv6(v6);
    }
    let host = authority.split(':').next().unwrap_or_default();
    match host.parse::<Ipv4Addr>() {
        Ok(v4) => ClientId::Ipv4(v4),
        Err(_) if !host.is_empty() => ClientId::Domain(host.to_string()),
        Err(_) => ClientId::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_body_names_the_desk_and_nothing_else() {
        let text = body("https://ecoute.example/desk");
        assert_eq!(text.matches("https://ecoute.example/desk").count(), 2);
        assert!(text.contains("Un signalement vous a été transmis sur Écoute."));
        assert!(text.contains("A report has been forwarded to you on Écoute."));
    }

    #[test]
    fn notify_message_headers() {
        let from: Mailbox = "Écoute <ne-pas-repondre@ecoute.example>".parse().unwrap();
        let to: Address = "accueil@gendarmerie.example".parse().unwrap();
        let message = build_message(
            &from,
            to.clone(),
            "https://ecoute.example/desk",
            Notice::NewDossier,
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let update =
            build_message(&from, to, "https://ecoute.example/desk", Notice::Update).unwrap();
        let update = String::from_utf8(update.formatted()).unwrap();
        assert!(update.contains("https://ecoute.example/desk"), "{update}");
        assert!(update.contains("Auto-Submitted: auto-generated"));
        let text = update_body("https://ecoute.example/desk");
        assert!(text.contains("Un signalement de votre espace Écoute a été mis à jour."));
        assert!(
            !text.contains("transmis"),
            "an update says nothing of a new dossier"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("MIME-Version: 1.0"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("@ecoute.example>"), "{raw}");
        assert!(raw.contains("To: accueil@gendarmerie.example"));
    }

    #[test]
    fn notify_retry_waits_double_and_stay_bounded() {
        let retry = Retry {
            attempts: 4,
            first_delay: Duration::from_secs(2),
        };
        let waits: Vec<u64> = (1..4).map(|n| retry.delay_after(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8]);
        assert!(retry.delay_after(u32::MAX) <= Duration::from_secs(2 << 16));
    }

    #[test]
    fn notify_hello_name_from_desk_url() {
        assert_eq!(
            hello_name("https://ecoute.example/desk"),
            ClientId::Domain("ecoute.example".into())
        );
        assert_eq!(
            hello_name("http://127.0.0.1:8080/desk"),
            ClientId::Ipv4(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(
            hello_name("http://[::1]:8080/desk"),
            ClientId::Ipv6(Ipv6Addr::LOCALHOST)
        );
    }

    #[test]
    fn notify_transport_builds_for_each_security() {
        for security in [
            SmtpSecurity::StartTls,
            SmtpSecurity::Tls,
            SmtpSecurity::None,
        ] {
            let smtp = SmtpConfig {
                host: "smtp.example".into(),
                port: 587,
                security,
                username: Some("ecoute".into()),
                password: Some(crate::config::SmtpPassword::new("secret".into())),
                from: "Écoute <ne-pas-repondre@ecoute.example>".into(),
                desk_url: "https://ecoute.example/desk".into(),
            };
            let notifier = Notifier::new(&smtp).unwrap();
            assert!(!format!("{notifier:?}").contains("secret"));
        }
    }

    #[test]
    fn notify_error_classes_have_stable_names() {
        let e = NotifyError {
            class: SmtpErrorClass::Permanent { code: 550 },
            attempts: 1,
            server: "smtp.example:587".into(),
        };
        assert_eq!(e.class.as_str(), "permanent");
        assert_eq!(e.class.code(), Some(550));
        assert!(e.to_string().contains("smtp.example:587"));
        assert!(!SmtpErrorClass::Tls.is_retryable());
        assert!(SmtpErrorClass::Transient { code: 451 }.is_retryable());
    }
}
