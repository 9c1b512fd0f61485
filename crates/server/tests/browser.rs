//! Browser tests: a real server in this process, driven by headless Chromium through the
//! Node tests in `e2e/`. They need Debian's `chromium` and `npm ci --prefix e2e`; `.ci/run`
//! installs both. A missing piece fails the test with the command that fixes it.

use ecoute::{Application, Config};
use ecoute_crypto::KeyFiles;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Language, Password, Role, Skills, UserId};
use ecoute_store::{NewAudit, NewUser, Store};
use ecoute_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const NEUTRAL_URL: &str = "https://neutral.invalid/";
const USERNAME: &str = "agent.martin";
const PASSWORD: &str = "officer-password-123";
const OFFICERS: usize = 60;
/// Supervisor accounts, for the board, monitoring, canned replies and the statistics.
const SUPERVISORS: usize = 11;
/// Accounts of the Lyon commissariat's desk (sample directory), for the dossier tests.
const UNIT_ACCOUNTS: usize = 5;
/// The unit those accounts belong to.
const UNIT: &str = "commissariat-lyon";
/// Administrator accounts, for the administration of accounts (e2e/admin.test.mjs, the first two),
/// the presence each role starts with (e2e/console-layout.test.mjs, the third) and the first run
/// (e2e/first-run.test.mjs, the fourth).
const ADMINS: usize = 4;

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_and_officer_chat_and_quick_exit_in_headless_chromium() {
    let chromium = std::env::var("ECOUTE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium is not installed at {chromium}: run `apt-get install chromium` (or set ECOUTE_CHROMIUM)"
    );
    let e2e = e2e_dir();
    assert!(
        e2e.join("node_modules/playwright-core").exists(),
        "the browser test packages are missing: run `npm ci --prefix e2e`"
    );

    let data_dir = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        neutral_url: NEUTRAL_URL.into(),
        log: "warn".into(),
        // Every page of the suite comes from 127.0.0.1, and the suite starts more chats than
        // one person may in an hour; the flood limits have their own tests (api/floods.rs).
        limits: ecoute::config::Limits {
            starts_per_source_per_hour: 1000,
            ..Default::default()
        },
        ..Config::default()
    };
    let app = Application::build(config).await.expect("server builds");
    let url = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    // A second server with no account at all, for the first-administrator setup.
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = Application::build(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: fresh_dir.path().to_path_buf(),
        neutral_url: NEUTRAL_URL.into(),
        log: "warn".into(),
        ..Config::default()
    })
    .await
    .expect("second server builds");
    let setup_url = fresh
        .setup_link()
        .expect("a fresh server prints a setup link")
        .to_string();
    tokio::spawn(fresh.run_until(std::future::pending()));

    let store = SqliteStore::open(data_dir.path()).await.unwrap();
    let hash = ecoute::auth::hash_password(Password::parse(PASSWORD.into(), &[]).unwrap())
        .await
        .unwrap();
    // One account per browser test: a TOTP code is accepted once, and the tests log in faster
    // than the 30-second step.
    let keys = KeyFiles::new(data_dir.path().join("master.key"))
        .load_or_create()
        .unwrap();
    let secret = TotpSecret::generate();
    let mut usernames = Vec::new();
    let mut supervisors = Vec::new();
    let mut unit_accounts = Vec::new();
    let mut admins = Vec::new();
    // The sample directory of local units, for forwarding.
    let units = ecoute_domain::parse_units(include_str!("../../../share/units.sample.txt"))
        .expect("the sample directory parses");
    store
        .load_units(
            &units,
            NewAudit::system("units_loaded", time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    let accounts = (1..=OFFICERS)
        .map(|i| {
            (
                format!("{USERNAME}{i}"),
                format!("Agent Martin {i}"),
                Role::Officer,
            )
        })
        .chain((1..=SUPERVISORS).map(|i| {
            (
                format!("superviseur.{i}"),
                format!("Superviseure Durand {i}"),
                Role::Supervisor,
            )
        }))
        .chain((1..=UNIT_ACCOUNTS).map(|i| {
            (
                format!("lyon.{i}"),
                format!("Brigadière Roux {i}"),
                Role::Unit,
            )
        }))
        .chain((1..=ADMINS).map(|i| {
            (
                format!("admin.{i}"),
                format!("Administratrice Blanc {i}"),
                Role::Admin,
            )
        }));
    for (username, display_name, role) in accounts {
        let now = time::OffsetDateTime::now_utc();
        let user = store
            .create_user(
                NewUser {
                    id: UserId::new(),
                    username: username.clone(),
                    display_name,
                    role,
                    unit: (role == Role::Unit).then(|| ecoute_domain::UnitId::parse(UNIT).unwrap()),
                    password_hash: hash.clone(),
                    created_at: now,
                },
                NewAudit::system("user_created", now),
            )
            .await
            .unwrap();
        // The test team reads every language the pages offer: a chat started in Arabic is
        // theirs to take at once.
        let skills = Skills {
            languages: ["fr", "en", "es", "ar"]
                .into_iter()
                .map(|l| Language::parse(l).unwrap())
                .collect(),
            ..Skills::default()
        };
        store
            .set_skills(user.id, &skills, NewAudit::system("skills_set", now))
            .await
            .unwrap();
        let stored = ecoute::auth::seal_totp(&keys, user.id, &secret);
        store
            .enrol_totp(
                user.id,
                stored,
                Vec::new(),
                NewAudit::system("totp_enrolled", now),
            )
            .await
            .unwrap();
        match role {
            Role::Officer => usernames.push(username),
            Role::Unit => unit_accounts.push(username),
            Role::Admin => admins.push(username),
            Role::Supervisor => supervisors.push(username),
        }
    }

    let mut command = tokio::process::Command::new("node");
    command
        .args(["--test", "--test-concurrency=1"])
        .current_dir(&e2e)
        .env("ECOUTE_URL", &url)
        .env("ECOUTE_OFFICER_USERNAMES", usernames.join(","))
        .env("ECOUTE_SUPERVISOR_USERNAMES", supervisors.join(","))
        .env("ECOUTE_UNIT_USERNAMES", unit_accounts.join(","))
        .env("ECOUTE_ADMIN_USERNAMES", admins.join(","))
        .env("ECOUTE_UNIT", UNIT)
        .env("ECOUTE_OFFICER_TOTP_SECRET", secret.to_base32())
        .env("ECOUTE_OFFICER_PASSWORD", PASSWORD)
        .env("ECOUTE_NEUTRAL_URL", NEUTRAL_URL)
        .env("ECOUTE_SETUP_URL", &setup_url)
        .env("ECOUTE_CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // While working on one behaviour: ECOUTE_E2E_ONLY=regex runs the tests whose name matches.
    // CI never sets it, and the run says so at the end when it is set.
    if let Ok(pattern) = std::env::var("ECOUTE_E2E_ONLY") {
        command.arg(format!("--test-name-pattern={pattern}"));
    }
    // Every test file of e2e/, in name order.
    let mut files: Vec<String> = std::fs::read_dir(&e2e)
        .unwrap()
        .filter_map(|f| f.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs"))
        .collect();
    files.sort();
    command.args(&files);
    let output = command
        .output()
        .await
        .expect("node runs: install Node.js 20 or later");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "the browser tests failed (output above)"
    );
    assert!(
        stdout.contains("# fail 0") && !stdout.contains("# pass 0"),
        "the browser tests ran nothing or failed"
    );
    if let Ok(pattern) = std::env::var("ECOUTE_E2E_ONLY") {
        eprintln!("NOTE: only the browser tests matching {pattern:?} ran (ECOUTE_E2E_ONLY)");
    }
}
