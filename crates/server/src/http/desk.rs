//! The unit's desk: the dossiers forwarded to one local unit, each dossier whole, its two
//! signed files, and the states the unit records. A unit's account reaches only its own unit's
//! dossiers: the service answers `not_found` for any other, exactly as for an unknown id.
//! The supervisors' overview of every dossier (`/console/dossiers`) shares the dossier view.

use crate::http::guard::{Page, SameOrigin, UnitStaff};
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::Tr;
use crate::service::dossiers::{DossierFile, DossierRecord, OpenDossier};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_domain::{DossierError, DossierState, UnitId};
use ecoute_dossier::model::{Author, SafeContact, Standing};
use ecoute_dossier::paris::Moment;
use ecoute_store::DossierRow;
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;

/// A time as the desk shows it: in Paris, where the service works.
pub(crate) fn paris(t: OffsetDateTime) -> String {
    t.to_offset(ecoute_dossier::paris::paris_offset(t))
        .format(format_description!("[day]/[month]/[year] [hour]:[minute]"))
        .unwrap_or_default()
}

/// A moment of the dossier, in UTC and in Paris, to the second, as the signed files give it.
fn moment(m: &Moment) -> (String, String) {
    let utc = m
        .utc
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
        ))
        .unwrap_or_default();
    let paris = m
        .paris
        .format(format_description!(
            "[day]/[month]/[year] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    (utc, paris)
}

/// A span of time in words: minutes under an hour, hours under two days, then days.
pub(crate) fn span(t: &Tr, d: time::Duration) -> String {
    let minutes = d.whole_minutes().max(0);
    if minutes < 60 {
        t.n("desk-span-minutes", "n", minutes)
    } else if minutes < 48 * 60 {
        t.n("desk-span-hours", "n", minutes / 60)
    } else {
        t.n("desk-span-days", "n", minutes / (24 * 60))
    }
}

/// A dossier state's label in the page's language.
pub(crate) fn state_label(t: &Tr, s: DossierState) -> String {
    t.s(&format!("dossier-state-{}", s.as_str().replace('_', "-")))
}

struct DeskRow {
    id: String,
    reference: String,
    produced: String,
    age: String,
    state: String,
    open: bool,
    first_contact: Option<String>,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    t: Tr,
    unit_name: String,
    display_name: String,
    rows: Vec<DeskRow>,
}

pub(crate) struct MessageRow {
    author: String,
    officer: bool,
    utc: String,
    paris: String,
    text: String,
}

pub(crate) struct HandoverRow {
    from: String,
    to: String,
    reason: String,
    utc: String,
    paris: String,
}

pub(crate) struct RecordRow {
    label: String,
    by: String,
    /// A message from the person, or their withdrawal: shown apart from the unit's records.
    person: bool,
    text: String,
    paris: String,
}

/// Everything a dossier page shows of a dossier, in the reader's language.
pub(crate) struct DossierView {
    id: String,
    reference: String,
    unit: String,
    force: String,
    departement: String,
    facts: String,
    standing: String,
    minor: bool,
    consent_question: String,
    consent_language: String,
    consent_utc: String,
    consent_paris: String,
    contact: Option<String>,
    messages: Vec<MessageRow>,
    handovers: Vec<HandoverRow>,
    produced_utc: String,
    produced_paris: String,
    produced_by: String,
    state: String,
    open: bool,
    digest: String,
    /// Which key signed it, in words.
    seal: String,
    records: Vec<RecordRow>,
}

/// A state the form offers.
pub(crate) struct StateOption {
    value: &'static str,
    label: String,
    selected: bool,
}

/// The form that records a state: the states allowed now, and what was typed when it failed.
pub(crate) struct StateForm {
    states: Vec<StateOption>,
    chosen: String,
    note: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "dossier.html")]
pub(crate) struct DossierPage {
    pub(crate) t: Tr,
    /// The unit's name on its desk; `None` on the supervisors' read-only view.
    pub(crate) desk: Option<String>,
    pub(crate) display_name: String,
    pub(crate) d: DossierView,
    pub(crate) form: Option<StateForm>,
}

fn officer_name(o: &ecoute_dossier::model::Officer) -> String {
    format!("{} ({})", o.name, o.id)
}

fn record_row(t: &Tr, r: DossierRecord) -> RecordRow {
    let person = r.by.is_none();
    let label = match r.state {
        Some(DossierState::Withdrawn) => t.s("desk-record-withdrawn"),
        Some(s) => state_label(t, s),
        None => t.s("desk-record-person-message"),
    };
    RecordRow {
        label,
        by: r.by.unwrap_or_else(|| t.s("history-visitor")),
        person,
        text: r.text.unwrap_or_default(),
        paris: paris(r.at),
    }
}

/// The dossier as its page shows it.
pub(crate) fn dossier_view(t: &Tr, open: OpenDossier) -> DossierView {
    let OpenDossier {
        row,
        content: c,
        records,
    } = open;
    let visitor = t.s("history-visitor");
    let messages = c
        .messages
        .iter()
        .map(|m| {
            let (utc, paris) = moment(&m.at);
            let (author, officer) = match &m.author {
                Author::Visitor => (visitor.clone(), false),
                Author::Officer(o) => (officer_name(o), true),
            };
            MessageRow {
                author,
                officer,
                utc,
                paris,
                text: m.text.clone(),
            }
        })
        .collect();
    let handovers = c
        .handovers
        .iter()
        .map(|h| {
            let (utc, paris) = moment(&h.at);
            HandoverRow {
                from: officer_name(&h.from),
                to: officer_name(&h.to),
                reason: h.reason.clone(),
                utc,
                paris,
            }
        })
        .collect();
    let (consent_utc, consent_paris) = moment(&c.consent.at);
    let (produced_utc, produced_paris) = moment(&c.produced.at);
    DossierView {
        id: row.id.to_string(),
        reference: row.reference.clone(),
        unit: c.unit.name.clone(),
        force: t.s(match c.unit.force {
            ecoute_dossier::model::Force::Police => "desk-force-police",
            ecoute_dossier::model::Force::Gendarmerie => "desk-force-gendarmerie",
        }),
        departement: c.departement.clone(),
        facts: c.qualification.facts.clone(),
        standing: t.s(match c.qualification.standing {
            Standing::Victim => "desk-standing-victim",
            Standing::Witness => "desk-standing-witness",
        }),
        minor: c.qualification.minor,
        consent_question: c.consent.question.clone(),
        consent_language: c.consent.language.clone(),
        consent_utc,
        consent_paris,
        contact: match &c.contact {
            SafeContact::Instructions { text } => Some(text.clone()),
            SafeContact::DoNotContact => None,
        },
        messages,
        handovers,
        produced_utc,
        produced_paris,
        produced_by: officer_name(&c.produced.by),
        state: state_label(t, row.state),
        open: !row.state.is_final(),
        digest: row.digest.clone(),
        seal: t.n("dossier-seal-text", "version", row.signed_by.into()),
        records: records.into_iter().map(|r| record_row(t, r)).collect(),
    }
}

/// The states a unit may record on a dossier in `state`, in the desk's order.
fn allowed_states(t: &Tr, state: DossierState, chosen: &str) -> Vec<StateOption> {
    DossierState::recorded_by_units()
        .into_iter()
        .filter(|s| state.unit_records(*s).is_ok())
        .map(|s| StateOption {
            value: s.as_str(),
            label: state_label(t, s),
            selected: s.as_str() == chosen,
        })
        .collect()
}

/// The unit's dossiers: open ones first, then newest first.
pub async fn list(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(UnitStaff(staff, unit)): Page<UnitStaff>,
) -> Response {
    let (rows, unit_name) =
        match tokio::try_join!(state.chat.unit_dossiers(&unit), state.chat.unit_name(&unit)) {
            Ok(r) => r,
            Err(e) => return e.into_response(),
        };
    let t = locale.tr();
    let now = OffsetDateTime::now_utc();
    let rows = rows
        .iter()
        .map(|d: &DossierRow| DeskRow {
            id: d.id.to_string(),
            reference: d.reference.clone(),
            produced: paris(d.produced_at),
            age: span(&t, now - d.produced_at),
            state: state_label(&t, d.state),
            open: !d.state.is_final(),
            first_contact: d.first_contact_at.map(paris),
        })
        .collect();
    render_with(
        &DeskPage {
            t,
            unit_name,
            display_name: staff.user.display_name,
            rows,
        },
        StatusCode::OK,
    )
}

/// The id in a desk path, or `None` for anything that is not one (answered as unknown).
fn dossier_id(id: &str) -> Option<uuid::Uuid> {
    id.parse().ok()
}

async fn desk_page(
    state: &AppState,
    t: Tr,
    staff: &crate::auth::Staff,
    unit: &UnitId,
    id: uuid::Uuid,
    form: Option<StateForm>,
) -> Result<DossierPage, crate::error::ApiError> {
    let open = state.chat.open_dossier(&staff.user, Some(unit), id).await?;
    let unit_name = state.chat.unit_name(unit).await?;
    let current = open.row.state;
    let d = dossier_view(&t, open);
    let mut form = form.unwrap_or(StateForm {
        states: Vec::new(),
        chosen: String::new(),
        note: String::new(),
        error: None,
    });
    form.states = allowed_states(&t, current, &form.chosen);
    Ok(DossierPage {
        t,
        desk: Some(unit_name),
        display_name: staff.user.display_name.clone(),
        d,
        form: Some(form),
    })
}

/// One dossier of the unit, whole; reading it is audited.
pub async fn dossier(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(UnitStaff(staff, unit)): Page<UnitStaff>,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = dossier_id(&id) else {
        return crate::error::ApiError::NotFound.into_response();
    };
    match desk_page(&state, locale.tr(), &staff, &unit, id, None).await {
        Ok(page) => render_with(&page, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

async fn download(state: AppState, staff: UnitStaff, id: String, which: DossierFile) -> Response {
    let UnitStaff(staff, unit) = staff;
    let Some(id) = dossier_id(&id) else {
        return crate::error::ApiError::NotFound.into_response();
    };
    let file = match state
        .chat
        .download_dossier(&staff.user, Some(&unit), id, which)
        .await
    {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The signed PDF/A, as an attachment; audited.
pub async fn pdf(
    State(state): State<AppState>,
    Page(staff): Page<UnitStaff>,
    Path(id): Path<String>,
) -> Response {
    download(state, staff, id, DossierFile::Pdf).await
}

/// The signed JSON, as an attachment; audited.
pub async fn json(
    State(state): State<AppState>,
    Page(staff): Page<UnitStaff>,
    Path(id): Path<String>,
) -> Response {
    download(state, staff, id, DossierFile::Json).await
}

/// Fields of the form that records a state.
#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
}

fn form_error(t: &Tr, e: &crate::error::ApiError) -> Option<String> {
    use crate::error::ApiError;
    Some(t.s(match e {
        ApiError::Dossier(DossierError::Closed) => "desk-error-closed",
        ApiError::Dossier(DossierError::AlreadyReceived) => "desk-error-already-received",
        ApiError::Dossier(DossierError::NotTheUnits) => "desk-error-state",
        ApiError::Dossier(DossierError::Note) => "desk-error-note",
        _ => return None,
    }))
}

/// Records a state with its note, then back to the dossier (`303`). A refused state or note
/// shows the dossier again with the error and what was typed (`400`, or `409` when the
/// dossier's state forbids it).
pub async fn record(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(UnitStaff(staff, unit)): Page<UnitStaff>,
    _: SameOrigin,
    Path(id): Path<String>,
    Form(form): Form<RecordForm>,
) -> Response {
    let Some(id) = dossier_id(&id) else {
        return crate::error::ApiError::NotFound.into_response();
    };
    let t = locale.tr();
    let result = match DossierState::parse(&form.state) {
        Some(s) => {
            state
                .chat
                .record_dossier_state(&staff.user, &unit, id, s, &form.note)
                .await
        }
        None => Err(crate::error::ApiError::Dossier(DossierError::NotTheUnits)),
    };
    let e = match result {
        Ok(_) => return Redirect::to(&format!("/desk/{id}")).into_response(),
        Err(e) => e,
    };
    let Some(message) = form_error(&t, &e) else {
        return e.into_response();
    };
    let status = match e {
        crate::error::ApiError::Dossier(DossierError::Closed)
        | crate::error::ApiError::Dossier(DossierError::AlreadyReceived) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let typed = StateForm {
        states: Vec::new(),
        chosen: form.state,
        note: form.note,
        error: Some(message),
    };
    match desk_page(&state, t, &staff, &unit, id, Some(typed)).await {
        Ok(page) => render_with(&page, status),
        Err(e) => e.into_response(),
    }
}
