//! The administrators' pages (docs/ADMINISTRATION.md): the accounts, a new account with its
//! enrolment link shown once, an account's page with its forms; and the page a one-time link
//! opens, where its holder chooses a password and enrols an authenticator.
//!
//! Every administrators' page and form answers only a full session of an administrator
//! ([`AdminStaff`]): anyone else gets 403 (a unit's account, and anyone not logged in, are
//! redirected as on the other staff pages). Every form is a change: it must come from our own
//! pages ([`SameOrigin`]).

use crate::auth::Staff;
use crate::error::ApiError;
use crate::http::client::ClientIp;
use crate::http::guard::{Page, PageGuard, SameOrigin, clear_cookie};
use crate::http::locale::StaffLocale;
use crate::http::pages::{codes_download, key_groups, qr_svg, render_with};
use crate::i18n::Tr;
use crate::service::admin::{AdminError, IssuedLink, NewAccount, display_name};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_domain::{Force, Language, Password, Role, Skills, UnitId, UserId, Username};
use ecoute_store::{Account, LinkPurpose};
use serde::Deserialize;
use time::OffsetDateTime;

/// A full session of an administrator; anyone else is refused (`forbidden`).
pub struct AdminStaff(pub Staff);

impl FromRequestParts<AppState> for AdminStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.user.role == Role::Admin {
            Ok(Self(staff))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// An administrator's page: not logged in goes to the login page, no authenticator yet to the
/// security page, any other refusal (another role) is a 403.
impl PageGuard for AdminStaff {}

/// A time in the service's zone, or a dash for none.
fn when(state: &AppState, t: Option<OffsetDateTime>) -> String {
    t.map(|t| state.config.time_zone.day_time(t))
        .unwrap_or_else(|| "—".to_string())
}

fn role_name(t: &Tr, role: Role) -> String {
    match role {
        Role::Officer => t.s("role-officer"),
        Role::Supervisor => t.s("role-supervisor"),
        Role::Admin => t.s("role-admin"),
        Role::Unit => t.s("admin-role-unit"),
    }
}

fn skills_text(t: &Tr, skills: &Skills) -> String {
    let force = match skills.force {
        Some(Force::Police) => t.s("force-police"),
        Some(Force::Gendarmerie) => t.s("force-gendarmerie"),
        None => t.s("admin-force-any"),
    };
    let langs: Vec<&str> = skills.languages.iter().map(Language::as_str).collect();
    let mut text = format!("{force} · {}", langs.join(", "));
    if skills.minors {
        text.push_str(" · ");
        text.push_str(&t.s("admin-minors"));
    }
    text
}

/// One account as a row of the list.
struct Row {
    id: String,
    display_name: String,
    username: String,
    role: String,
    skills: String,
    capacity: u32,
    disabled: bool,
    last_login: String,
    sessions: u32,
}

impl Row {
    fn of(state: &AppState, t: &Tr, a: &Account) -> Self {
        Self {
            id: a.user.id.to_string(),
            display_name: a.user.display_name.clone(),
            username: a.user.username.clone(),
            role: role_name(t, a.user.role),
            skills: skills_text(t, &a.user.skills),
            capacity: a.user.capacity,
            disabled: a.disabled_at.is_some(),
            last_login: when(state, a.last_login_at),
            sessions: a.sessions,
        }
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct ListPage {
    t: Tr,
    rows: Vec<Row>,
}

/// The accounts.
pub async fn list(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(AdminStaff(admin)): Page<AdminStaff>,
) -> Response {
    let t = locale.tr();
    match state.chat.admin_accounts(&admin).await {
        Ok(accounts) => {
            let rows = accounts.iter().map(|a| Row::of(&state, &t, a)).collect();
            render_with(&ListPage { t, rows }, StatusCode::OK)
        }
        Err(e) => refusal(e),
    }
}

/// An error that is not a message for the page: the error itself.
fn refusal(e: AdminError) -> Response {
    match e {
        AdminError::NotAdmin => ApiError::Forbidden.into_response(),
        AdminError::NotFound => ApiError::NotFound.into_response(),
        AdminError::Api(e) => e.into_response(),
        other => ApiError::BadRequest(other.to_string()).into_response(),
    }
}

/// The status a refusal shown on a page answers with.
fn status_of(e: &AdminError) -> StatusCode {
    match e {
        AdminError::LastAdmin | AdminError::UsernameTaken | AdminError::UnitRole => {
            StatusCode::CONFLICT
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

/// What the new-account form holds (kept to show again after a refusal).
#[derive(Deserialize, Default, Clone)]
pub struct NewAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    force: String,
    #[serde(default)]
    minors: Option<String>,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    capacity: String,
}

/// The link shown once, on the page that made it.
struct ShownLink {
    url: String,
    username: String,
    purpose: &'static str,
    expires: String,
}

impl ShownLink {
    fn of(state: &AppState, link: &IssuedLink) -> Self {
        Self {
            url: link.url(&state.allowed_origins[0]),
            username: link.user.username.clone(),
            purpose: match link.purpose {
                LinkPurpose::Enrol => "admin-link-enrol",
                LinkPurpose::ResetPassword => "admin-link-password",
                LinkPurpose::ResetTotp => "admin-link-totp",
            },
            expires: when(state, Some(link.expires_at)),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_new.html")]
struct NewPage {
    t: Tr,
    form: NewAccountForm,
    error: Option<String>,
    link: Option<ShownLink>,
}

/// The new-account form.
pub async fn new_form(locale: StaffLocale, Page(_): Page<AdminStaff>) -> Response {
    let form = NewAccountForm {
        role: "officer".into(),
        languages: "fr".into(),
        capacity: "3".into(),
        ..Default::default()
    };
    render_with(
        &NewPage {
            t: locale.tr(),
            form,
            error: None,
            link: None,
        },
        StatusCode::OK,
    )
}

/// The skills and capacity a form gives.
fn skills_of(force: &str, minors: bool, languages: &str) -> Result<Skills, AdminError> {
    let force = match force.trim() {
        "" | "any" => None,
        other => Some(Force::parse(other).ok_or(AdminError::Invalid("admin-err-force"))?),
    };
    let languages = Language::parse_list(&languages.replace(' ', "").to_lowercase())
        .ok_or(AdminError::Invalid("admin-err-languages"))?;
    Ok(Skills {
        force,
        minors,
        languages,
    })
}

fn capacity_of(text: &str) -> Result<u32, AdminError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|c| (1..=ecoute_domain::MAX_CAPACITY).contains(c))
        .ok_or(AdminError::Invalid("admin-err-capacity"))
}

fn new_account_of(form: &NewAccountForm) -> Result<NewAccount, AdminError> {
    let username = Username::parse(form.username.trim())
        .map_err(|_| AdminError::Invalid("admin-err-username"))?;
    // Visitors read it: chosen on purpose, never taken from the username.
    if form.display_name.trim().is_empty() {
        return Err(AdminError::Invalid("admin-err-display-name-required"));
    }
    let display_name = display_name(&form.display_name)?;
    let role = Role::parse(form.role.trim()).map_err(|_| AdminError::Invalid("admin-err-role"))?;
    let unit = match form.unit.trim() {
        "" => None,
        u => Some(UnitId::parse(u).ok_or(AdminError::Unit)?),
    };
    Ok(NewAccount {
        username,
        display_name,
        role,
        unit,
        skills: skills_of(&form.force, form.minors.is_some(), &form.languages)?,
        capacity: capacity_of(&form.capacity)?,
    })
}

/// Creates an account and shows its enrolment link, once.
pub async fn create(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    Form(form): Form<NewAccountForm>,
) -> Response {
    let t = locale.tr();
    let outcome = match new_account_of(&form) {
        Ok(new) => state.chat.admin_create_account(&admin, new).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(link) => render_with(
            &NewPage {
                t,
                form: NewAccountForm {
                    role: "officer".into(),
                    languages: "fr".into(),
                    capacity: "3".into(),
                    ..Default::default()
                },
                error: None,
                link: Some(ShownLink::of(&state, &link)),
            },
            StatusCode::OK,
        ),
        Err(e @ (AdminError::NotAdmin | AdminError::Api(_))) => refusal(e),
        Err(e) => {
            let status = status_of(&e);
            render_with(
                &NewPage {
                    error: Some(t.s(e.message_key())),
                    t,
                    form,
                    link: None,
                },
                status,
            )
        }
    }
}

struct SessionRow {
    id: String,
    created: String,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    t: Tr,
    row: Row,
    is_unit: bool,
    role: &'static str,
    force: &'static str,
    minors: bool,
    languages: String,
    totp_enrolled: bool,
    sessions: Vec<SessionRow>,
    error: Option<String>,
    notice: Option<String>,
    link: Option<ShownLink>,
}

/// An account's page, with a notice, an error or a link to show once.
async fn user_page(
    state: &AppState,
    t: Tr,
    admin: &Staff,
    id: UserId,
    said: Result<Option<String>, AdminError>,
    link: Option<ShownLink>,
) -> Response {
    let (account, sessions) = match state.chat.admin_account(admin, id).await {
        Ok(found) => found,
        Err(e) => return refusal(e),
    };
    let (notice, error, status) = match said {
        Ok(notice) => (notice, None, StatusCode::OK),
        Err(e @ (AdminError::NotAdmin | AdminError::NotFound | AdminError::Api(_))) => {
            return refusal(e);
        }
        Err(e) => (None, Some(t.s(e.message_key())), status_of(&e)),
    };
    let u = &account.user;
    let page = UserPage {
        row: Row::of(state, &t, &account),
        is_unit: u.role == Role::Unit,
        role: u.role.as_str(),
        force: u.skills.force.map_or("any", Force::as_str),
        minors: u.skills.minors,
        languages: u
            .skills
            .languages
            .iter()
            .map(Language::as_str)
            .collect::<Vec<_>>()
            .join(","),
        totp_enrolled: u.totp_enrolled,
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id,
                created: when(state, Some(s.created_at)),
                last_seen: when(state, Some(s.last_seen_at)),
            })
            .collect(),
        error,
        notice,
        link,
        t,
    };
    render_with(&page, status)
}

/// The account the path's `{id}` names; a path that names none is answered 404.
pub struct AccountPath(pub UserId);

impl FromRequestParts<AppState> for AccountPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match uuid::Uuid::parse_str(&raw) {
            Ok(id) => Ok(Self(UserId(id))),
            Err(_) => Err(ApiError::NotFound.into_response()),
        }
    }
}

/// An account's page after a form: with its notice, or the refusal's message and status.
async fn answer(
    state: &AppState,
    t: Tr,
    admin: &Staff,
    id: UserId,
    said: Result<Option<String>, AdminError>,
) -> Response {
    user_page(state, t, admin, id, said, None).await
}

/// An account's page.
pub async fn user(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(AdminStaff(admin)): Page<AdminStaff>,
    AccountPath(id): AccountPath,
) -> Response {
    user_page(&state, locale.tr(), &admin, id, Ok(None), None).await
}

/// The enable/disable form.
#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    action: String,
}

/// Disables or enables an account.
pub async fn set_state(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    AccountPath(id): AccountPath,
    Form(form): Form<StateForm>,
) -> Response {
    let t = locale.tr();
    let said = match form.action.as_str() {
        "disable" => state
            .chat
            .admin_disable(&admin, id)
            .await
            .map(|_| Some(t.s("admin-disabled"))),
        "enable" => state
            .chat
            .admin_enable(&admin, id)
            .await
            .map(|_| Some(t.s("admin-enabled"))),
        _ => Err(AdminError::Invalid("admin-err-action")),
    };
    // An administrator who disabled their own account has no session left.
    if said.is_ok() && form.action == "disable" && id == admin.user.id {
        return logged_out(&state);
    }
    answer(&state, t, &admin, id, said).await
}

fn logged_out(state: &AppState) -> Response {
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(state));
    r
}

/// The role form.
#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// Changes an account's role.
pub async fn set_role(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    AccountPath(id): AccountPath,
    Form(form): Form<RoleForm>,
) -> Response {
    let t = locale.tr();
    let said = match Role::parse(form.role.trim()) {
        Ok(role) => state
            .chat
            .admin_set_role(&admin, id, role)
            .await
            .map(|_| Some(t.s("admin-role-changed"))),
        Err(_) => Err(AdminError::Invalid("admin-err-role")),
    };
    answer(&state, t, &admin, id, said).await
}

/// The display name form.
#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    display_name: String,
}

/// Changes the name shown to visitors.
pub async fn set_name(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    AccountPath(id): AccountPath,
    Form(form): Form<NameForm>,
) -> Response {
    let t = locale.tr();
    let said = state
        .chat
        .admin_set_display_name(&admin, id, &form.display_name)
        .await
        .map(|_| Some(t.s("admin-name-changed")));
    answer(&state, t, &admin, id, said).await
}

/// The skills and capacity form.
#[derive(Deserialize)]
pub struct SkillsForm {
    #[serde(default)]
    force: String,
    #[serde(default)]
    minors: Option<String>,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    capacity: String,
}

/// Changes skills and capacity.
pub async fn set_skills(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    AccountPath(id): AccountPath,
    Form(form): Form<SkillsForm>,
) -> Response {
    let t = locale.tr();
    let parsed = skills_of(&form.force, form.minors.is_some(), &form.languages)
        .and_then(|s| Ok((s, capacity_of(&form.capacity)?)));
    let said = match parsed {
        Ok((skills, capacity)) => state
            .chat
            .admin_set_skills(&admin, id, skills, capacity)
            .await
            .map(|_| Some(t.s("admin-skills-changed"))),
        Err(e) => Err(e),
    };
    answer(&state, t, &admin, id, said).await
}

/// The reset-link form.
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    purpose: String,
}

/// Makes a one-time link for a new password or a new authenticator, shown once.
pub async fn issue_link(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    AccountPath(id): AccountPath,
    Form(form): Form<LinkForm>,
) -> Response {
    let t = locale.tr();
    let purpose = match LinkPurpose::parse(form.purpose.trim()) {
        Some(p) => p,
        None => {
            let said = Err(AdminError::Invalid("admin-err-action"));
            return answer(&state, t, &admin, id, said).await;
        }
    };
    match state.chat.admin_issue_link(&admin, id, purpose).await {
        Ok(link) => {
            let shown = ShownLink::of(&state, &link);
            user_page(&state, t, &admin, id, Ok(None), Some(shown)).await
        }
        Err(e) => answer(&state, t, &admin, id, Err(e)).await,
    }
}

/// The end-a-session form.
#[derive(Deserialize)]
pub struct EndSessionForm {
    #[serde(default)]
    session: String,
}

/// Ends one session of an account; its sockets close at once.
pub async fn end_session(
    State(state): State<AppState>,
    locale: StaffLocale,
    AdminStaff(admin): AdminStaff,
    _: SameOrigin,
    AccountPath(id): AccountPath,
    Form(form): Form<EndSessionForm>,
) -> Response {
    let t = locale.tr();
    match state
        .chat
        .admin_end_session(&admin, id, &form.session)
        .await
    {
        Ok(true) => logged_out(&state),
        Ok(false) => {
            let notice = Some(t.s("admin-session-ended"));
            answer(&state, t, &admin, id, Ok(notice)).await
        }
        // Ended already (or never was): the page shows the sessions as they are.
        Err(AdminError::NotFound) => {
            let said = Err(AdminError::Invalid("admin-err-session"));
            answer(&state, t, &admin, id, said).await
        }
        Err(e) => answer(&state, t, &admin, id, Err(e)).await,
    }
}

// ---- The page a one-time link opens

/// The page a link opens: the form, the refusal of a link that opens nothing (used,
/// expired, replaced, its account disabled, or never made), or the end (with the recovery
/// codes to show once, none for a new password).
#[derive(Template)]
#[template(path = "account_link.html")]
struct LinkPage {
    t: Tr,
    invalid: bool,
    done: bool,
    codes: Vec<String>,
    token: String,
    username: String,
    sets_password: bool,
    sets_totp: bool,
    qr_svg: String,
    /// The key for manual entry, in groups of four.
    secret_groups: Vec<String>,
    /// A new key replaces one that expired: the earlier entry in the app is dead.
    key_replaced: bool,
    /// The recovery codes as a text file to download.
    codes_href: String,
    error: Option<String>,
}

impl LinkPage {
    fn blank(t: Tr) -> Self {
        Self {
            t,
            invalid: false,
            done: false,
            codes: Vec::new(),
            token: String::new(),
            username: String::new(),
            sets_password: false,
            sets_totp: false,
            qr_svg: String::new(),
            secret_groups: Vec::new(),
            key_replaced: false,
            codes_href: String::new(),
            error: None,
        }
    }
}

/// The link's form, with the authenticator secret offered to the account when the link sets one
/// (the same on every load until it is enrolled or expires).
async fn link_form(
    state: &AppState,
    t: Tr,
    token: &str,
    link: &ecoute_store::AccountLink,
) -> Result<LinkPage, ApiError> {
    let sets_totp = link.purpose.sets_totp();
    let (qr, secret_groups, key_replaced) = if sets_totp {
        let offered = state.chat.offered_totp(link.user.id).await?;
        let uri = offered.secret.otpauth_uri("Écoute", &link.user.username);
        (qr_svg(&uri), key_groups(&offered.secret), offered.replaced)
    } else {
        (String::new(), Vec::new(), false)
    };
    Ok(LinkPage {
        t,
        token: token.to_string(),
        username: link.user.username.clone(),
        sets_password: link.purpose.sets_password(),
        sets_totp,
        qr_svg: qr,
        secret_groups,
        key_replaced,
        ..LinkPage::blank(t)
    })
}

fn invalid_link(t: Tr) -> Response {
    render_with(
        &LinkPage {
            t,
            invalid: true,
            ..LinkPage::blank(t)
        },
        StatusCode::GONE,
    )
}

/// The link's query: `?t=TOKEN` (a query string, which the request log never shows).
#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    t: String,
}

/// The page a one-time link opens.
pub async fn link_page(
    State(state): State<AppState>,
    locale: StaffLocale,
    Query(q): Query<LinkQuery>,
) -> Response {
    let t = locale.tr();
    let link = match state.chat.open_account_link(&q.t).await {
        Ok(Some(link)) => link,
        Ok(None) => return invalid_link(t),
        Err(e) => return e.into_response(),
    };
    match link_form(&state, t, &q.t, &link).await {
        Ok(page) => render_with(&page, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

/// The link page's form.
#[derive(Deserialize)]
pub struct LinkSubmit {
    #[serde(default)]
    t: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    code: String,
}

/// Spends the link with the password and the authenticator chosen; shows the recovery codes
/// once.
pub async fn link_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    locale: StaffLocale,
    _: SameOrigin,
    Form(form): Form<LinkSubmit>,
) -> Response {
    let t = locale.tr();
    let link = match state.chat.open_account_link(&form.t).await {
        Ok(Some(link)) => link,
        Ok(None) => return invalid_link(t),
        Err(e) => return e.into_response(),
    };
    // Guessing codes against a link is bounded like guessing logins.
    if let Err(e) = state.login_limiter.check(ip) {
        return e.into_response();
    }
    let secret = if link.purpose.sets_totp() {
        match state.chat.pending_totp(link.user.id).await {
            Ok(secret) => secret,
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    let again = async |key: &str| match link_form(&state, t, &form.t, &link).await {
        Ok(mut page) => {
            page.error = Some(t.s(key));
            render_with(&page, StatusCode::BAD_REQUEST)
        }
        Err(e) => e.into_response(),
    };
    let password = if link.purpose.sets_password() {
        if form.password != form.confirm {
            return again("password-err-mismatch").await;
        }
        match Password::parse(
            form.password.clone(),
            &[&link.user.username, &link.user.display_name],
        ) {
            Ok(p) => Some(p),
            Err(ecoute_domain::InputError::GuessablePassword) => {
                return again("password-err-guessable").await;
            }
            Err(_) => return again("admin-link-err-password").await,
        }
    } else {
        None
    };
    let totp = if link.purpose.sets_totp() {
        let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        match secret
            .as_ref()
            .and_then(|s| s.verify(&form.code, now, None).map(|step| (s, step)))
        {
            Some(found) => Some(found),
            // A secret that expired is replaced by a new one, and the page says so.
            None => return again("enrol-err-code").await,
        }
    } else {
        None
    };
    match state
        .chat
        .redeem_account_link(&form.t, password, totp)
        .await
    {
        Ok(Some((_, codes))) => render_with(
            &LinkPage {
                t,
                done: true,
                codes_href: codes_download(&t, &link.user.username, &codes),
                codes,
                ..LinkPage::blank(t)
            },
            StatusCode::OK,
        ),
        Ok(None) => invalid_link(t),
        Err(e) => e.into_response(),
    }
}
