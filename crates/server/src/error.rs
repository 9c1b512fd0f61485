//! One error type for the HTTP layer, mapped once to a status and a stable code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ecoute_domain::{InputError, TransitionError};
use ecoute_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer: a stable `error` code and a sentence for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code, listed in docs/PROTOCOL.md.
    pub error: &'static str,
    /// Explanation for people; may change.
    pub message: String,
}

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request was understood but a field is wrong.
    #[error("{0}")]
    Input(#[from] InputError),
    /// Malformed body or missing fields.
    #[error("{0}")]
    BadRequest(String),
    /// Wrong username or password.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// No valid session.
    #[error("please log in")]
    Unauthenticated,
    /// The request did not come from our own pages.
    #[error("this request must come from the Écoute pages")]
    BadOrigin,
    /// Refused by the conversation rules.
    #[error("{0}")]
    Transition(#[from] TransitionError),
    /// No open conversation has this return code (or it was blocked or purged). The same
    /// answer whatever the reason, so that nothing can be learnt about which codes exist.
    #[error("this code does not open any conversation; check it, or start a new one")]
    UnknownReturnCode,
    /// The case file was refused.
    #[error("{0}")]
    Case(#[from] ecoute_domain::CaseError),
    /// Nothing here.
    #[error("not found")]
    NotFound,
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts, please wait before trying again")]
    TooManyAttempts {
        /// Seconds until an attempt may succeed.
        retry_after_secs: u64,
    },
    /// The account must enrol an authenticator before anything else.
    #[error("enrol a TOTP authenticator first, at /console/security")]
    TotpEnrolmentRequired,
    /// The account's role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Too many people are waiting; the service refuses new conversations for now.
    #[error("too many people are waiting right now; in danger, call 17 or 112, or text 114")]
    QueueFull,
    /// The body is over the limit.
    #[error("the request body is over 64 KiB")]
    PayloadTooLarge,
    /// A whisper to a chat that no officer holds.
    #[error("only a chat an officer is holding can get a whisper")]
    NoOfficer,
    /// A transfer to someone with no console open, or who does not answer chats.
    #[error("this colleague is not at a console now; choose another one, or the queue")]
    ColleagueUnavailable,
    /// The database did not answer.
    #[error("the service is briefly unavailable, please retry")]
    Unavailable,
    /// More messages are waiting to be written than the server answers quickly: this one was
    /// not taken; send it again after this long (service/gate.rs).
    #[error(
        "the service is very busy; this message was not taken, send it again after retry_after_ms"
    )]
    Overloaded { retry_after_ms: u64 },
    /// A bug; details are in the server log.
    #[error("internal error")]
    Internal,
    /// A consent rule refused (`no_consent`, `consent_not_asked`).
    #[error("{0}")]
    Consent(#[from] ecoute_domain::ConsentError),
    /// A dossier rule refused.
    #[error("{0}")]
    Dossier(#[from] ecoute_domain::DossierError),
    /// The unit named is not in the directory.
    #[error("this unit is not in the directory of local units")]
    UnknownUnit,
    /// The return code belongs to a report forwarded to a local unit: it follows the report
    /// (`/suivi`) and no longer reopens the chat.
    #[error("this code follows your forwarded report")]
    ReportForwarded,
    /// A yes to forwarding must say how the unit may get in touch, or that it must not.
    #[error("say how the unit may contact you, or that it must not")]
    ContactRequired,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::Unavailable
            }
            StoreError::Conflict => Self::BadRequest("this already exists".into()),
            StoreError::Corrupt(cause) => {
                tracing::error!(%cause, "corrupt data");
                Self::Internal
            }
        }
    }
}

impl ApiError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Input(e) => e.code(),
            Self::BadRequest(_) => "invalid_request",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Unauthenticated => "unauthenticated",
            Self::BadOrigin => "bad_origin",
            Self::Transition(e) => e.code(),
            Self::Case(e) => e.code(),
            Self::UnknownReturnCode => "unknown_return_code",
            Self::NotFound => "not_found",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::TotpEnrolmentRequired => "totp_enrolment_required",
            Self::Forbidden => "forbidden",
            Self::QueueFull => "queue_full",
            Self::NoOfficer => "no_officer",
            Self::ColleagueUnavailable => "colleague_unavailable",
            Self::Unavailable => "unavailable",
            Self::Overloaded { .. } => "overloaded",
            Self::Internal => "internal",
            Self::Consent(ecoute_domain::ConsentError::NotAsked) => "consent_not_asked",
            Self::Consent(ecoute_domain::ConsentError::NoConsent) => "no_consent",
            Self::Dossier(ecoute_domain::DossierError::Closed) => "dossier_closed",
            Self::Dossier(ecoute_domain::DossierError::NotTheUnits) => "not_a_unit_state",
            Self::Dossier(ecoute_domain::DossierError::AlreadyReceived) => "already_received",
            Self::Dossier(ecoute_domain::DossierError::Note) => "note_required",
            Self::UnknownUnit => "unknown_unit",
            Self::ContactRequired => "contact_required",
            Self::ReportForwarded => "report_forwarded",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Input(_) | Self::BadRequest(_) | Self::Case(_) => StatusCode::BAD_REQUEST,
            Self::InvalidCredentials | Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::BadOrigin => StatusCode::FORBIDDEN,
            Self::Transition(_) | Self::NoOfficer | Self::ColleagueUnavailable => {
                StatusCode::CONFLICT
            }
            Self::NotFound | Self::UnknownReturnCode => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::TotpEnrolmentRequired | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::QueueFull => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unavailable | Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Consent(_) | Self::ReportForwarded => StatusCode::CONFLICT,
            Self::Dossier(ecoute_domain::DossierError::Closed)
            | Self::Dossier(ecoute_domain::DossierError::AlreadyReceived) => StatusCode::CONFLICT,
            Self::Dossier(_) | Self::UnknownUnit | Self::ContactRequired => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        crate::metrics::error(self.code());
        let body = ErrorBody {
            error: self.code(),
            message: self.to_string(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        self.add_retry_after(&mut response);
        response
    }
}

impl ApiError {
    /// Adds `Retry-After` to a response about this error, when it says when to retry.
    pub fn add_retry_after(&self, response: &mut Response) {
        let secs = match self {
            Self::TooManyAttempts { retry_after_secs } => *retry_after_secs,
            Self::Overloaded { retry_after_ms } => retry_after_ms.div_ceil(1000),
            _ => return,
        };
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(secs.max(1)),
        );
    }
}
