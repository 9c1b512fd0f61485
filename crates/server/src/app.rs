//! Wiring: open the store and the master keys, bind the listener, serve until told to stop.

use crate::auth::AddressLimiter;
use crate::config::Config;
use crate::keys::{KeyUse, LiveKeys, RELOAD_INTERVAL, Record};
use crate::queue::spawn_watcher;
use crate::risk::RiskRules;
use crate::routing::Router;
use crate::service::ChatService;
use crate::state::{AppState, OpenSockets};
use anyhow::Context;
use axum::serve::ListenerExt;
use ecoute_bus::LocalBus;
use ecoute_crypto::{KeyFiles, Token};
use ecoute_store::{KeyKind, Store};
use ecoute_store_postgres::PgStore;
use ecoute_store_sqlite::SqliteStore;
use std::net::SocketAddr;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long a stopping node waits for its sockets to tell their clients to reconnect.
const SOCKETS_CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// A built server, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    admin: Option<TcpListener>,
    state: AppState,
    store: Arc<dyn Store>,
    /// Events to and from the other nodes, when there are some.
    bridge: Option<ecoute_bus::NatsBridge>,
    setup_link: Option<String>,
    stop: watch::Sender<bool>,
}

/// Opens the configured database: PostgreSQL when `database_url` is set, else SQLite in the
/// data directory (creating it, mode 0700). Either way its migrations run first.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(url) = &config.database_url {
        let store = PgStore::connect(url.expose())
            .await
            .with_context(|| format!("cannot open the PostgreSQL database {url:?}"))?;
        return Ok(Arc::new(store));
    }
    create_private_dir(&config.data_dir)?;
    let store = SqliteStore::open(&config.data_dir)
        .await
        .with_context(|| format!("cannot open the database in {}", config.data_dir.display()))?;
    Ok(Arc::new(store))
}

/// Opens the configured database to read it, for commands that change nothing: SQLite opens
/// read-only and must already exist.
pub async fn open_store_to_read(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    if config.database_url.is_some() {
        return open_store(config).await;
    }
    let path = config.data_dir.join(ecoute_store_sqlite::DATABASE_FILE);
    if !path.is_file() {
        anyhow::bail!(
            "no database at {} (check --data-dir or ECOUTE_DATA_DIR, or set ECOUTE_DATABASE_URL)",
            path.display()
        );
    }
    let store = SqliteStore::open_read_only(&config.data_dir)
        .await
        .with_context(|| format!("cannot open the database in {}", config.data_dir.display()))?;
    Ok(Arc::new(store))
}

fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))
}

/// Says at start when conversations, TOTP secrets or signing keys use a master key version
/// whose file is missing: those messages cannot be read, and those staff cannot log in with a code (a
/// recovery code still works), until it is restored. The server still serves everything else.
fn warn_of_missing_keys(key_use: &KeyUse, keys: &LiveKeys) {
    let held = keys.ring().versions();
    let counts = |kind| key_use.counts.get(&kind).cloned().unwrap_or_default();
    for (version, count) in counts(KeyKind::Data) {
        if !held.contains(&version) {
            tracing::error!(
                version,
                conversations = count,
                "conversations use a master key version whose file is missing; restore it"
            );
        }
    }
    for (version, count) in counts(KeyKind::Totp) {
        if !held.contains(&version) {
            tracing::error!(
                version,
                totp_secrets = count,
                "staff TOTP secrets use a master key version whose file is missing; restore it"
            );
        }
    }
    for (version, count) in counts(KeyKind::Signing) {
        if !held.contains(&version) {
            tracing::error!(
                version,
                signing_keys = count,
                "dossier signing keys use a master key version whose file is missing; restore it"
            );
        }
    }
}

impl Application {
    /// Opens everything and binds the listener (port 0 picks a free port, for tests).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // A broken translation file stops the server here, not on a page later.
        crate::i18n::init();
        let store = open_store(&config).await?;
        let risk = match &config.routing.risk_rules {
            Some(path) => RiskRules::load(path)?,
            None => RiskRules::built_in(),
        };
        let key_path = config.master_key_path();
        let files = KeyFiles::new(&key_path);
        let made_now = files.versions().map_or(true, |held| held.is_empty());
        let keys = LiveKeys::open(files.clone())
            .with_context(|| format!("master key {}", key_path.display()))?;
        // Before anything is served, sealed or announced: a node holding another key than the
        // database's stops here (crates/server/src/keys/check.rs).
        let key_use = crate::keys::check(
            &*store,
            &keys.ring(),
            files.dir().to_path_buf(),
            made_now,
            Record::Yes,
        )
        .await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let port = listener.local_addr()?.port();
        // Always recorded, served only with an admin listener: a gauge counted from the start
        // of the process never sees a decrement without its increment.
        crate::metrics::install();
        let admin = match config.admin_listen {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (admin_listen)"))?,
            ),
            None => None,
        };
        let allowed_origins = Arc::new(config.allowed_origins(port));

        let shared = store.clone();
        let bus = LocalBus::new();
        // This process among the nodes sharing the database: a new one at every start.
        let node = uuid::Uuid::new_v4();
        // A node that cannot reach NATS at start does not serve: alone, it would hide the
        // others' events from its clients. (Once running, NATS may come and go.)
        let bridge = match &config.nats_url {
            Some(url) => {
                let joining = ecoute_bus::connect_nats_with(
                    &bus,
                    ecoute_bus::NatsOptions::new(url.clone(), node.to_string())
                        .prefix(config.nats_prefix.clone()),
                );
                let joined = tokio::time::timeout(std::time::Duration::from_secs(15), joining)
                    .await
                    .map_err(|_| anyhow::anyhow!("NATS did not answer within 15 s"))
                    .and_then(|joined| joined.map_err(anyhow::Error::from))
                    .context("cannot join the other nodes (nats_url)")?;
                Some(joined)
            }
            None => None,
        };
        let queue = spawn_watcher(shared.clone(), &bus).await;
        warn_of_missing_keys(&key_use, &keys);
        // Like the return codes' lookup key, the dossier signing key is the installation's own:
        // made once, here, so that the published key list is never empty.
        crate::signing::ensure_first(&*shared, &keys.ring()).await?;
        crate::forces::seed(&*shared).await?;
        crate::resources::seed(&*shared).await?;
        let chat = ChatService::new(
            shared.clone(),
            bus,
            keys.clone(),
            risk,
            std::time::Duration::from_secs(config.routing.overflow_secs.into()),
            crate::codes::ReadyCodes::start(config.limits.ready_return_codes as usize)?,
        )
        .with_forwarding(
            crate::notify::Notifier::from_config(config.smtp.as_ref())?,
            std::time::Duration::from_secs(u64::from(config.dossier_ack_hours) * 3600),
        )
        .with_message_gate(config.limits.gate());
        chat.message_gate().spawn_probe();
        crate::auth::prepare();
        let (stop, stopping) = watch::channel(false);
        keys.spawn_watcher(RELOAD_INTERVAL, stopping.clone());
        let presence =
            Router::new(config.routing.clone(), node).with_exposure_rule(config.wellbeing.rule());
        let visitors_here = Arc::new(crate::queue::VisitorsHere::default());
        presence.spawn(
            chat.clone(),
            queue.clone(),
            visitors_here.clone(),
            stopping.clone(),
        );
        let limits = &config.limits;
        let login_limiter = Arc::new(AddressLimiter::new(
            limits.logins_per_source_per_quarter,
            900,
        ));
        let start_limiter = Arc::new(AddressLimiter::new(limits.starts_per_source_per_hour, 3600));
        // Ten return codes an hour from one address (an IPv6 /64 counts as one).
        let resume_limiter = Arc::new(AddressLimiter::new(10, 3600));
        {
            // Addresses are forgotten as soon as their budget is full again.
            let (a, b, c) = (
                login_limiter.clone(),
                start_limiter.clone(),
                resume_limiter.clone(),
            );
            let mut stopping = stopping.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    tokio::select! {
                        _ = tick.tick() => { a.forget_idle(); b.forget_idle(); c.forget_idle(); }
                        _ = stopping.changed() => return,
                    }
                }
            });
        }

        let setup_link = if shared.count_users().await? == 0 {
            let code = Token::generate();
            shared
                .create_setup_code(code.hash, OffsetDateTime::now_utc() + Duration::hours(1))
                .await?;
            Some(format!("{}/setup#{}", allowed_origins[0], code.secret))
        } else {
            None
        };

        Ok(Self {
            listener,
            admin,
            state: AppState {
                config: Arc::new(config),
                allowed_origins,
                chat,
                queue,
                stopping,
                login_limiter,
                start_limiter,
                resume_limiter,
                visitors_here,
                resume_work: Arc::new(tokio::sync::Semaphore::new(4)),
                presence,
                sockets: OpenSockets::default(),
            },
            store,
            bridge,
            setup_link,
            stop,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The admin listener's address, when there is one.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The one-time link to create the first administrator, when no account exists yet.
    pub fn setup_link(&self) -> Option<&str> {
        self.setup_link.as_deref()
    }

    /// Serves, and runs the purge job, until `shutdown` completes; then closes the database
    /// cleanly.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let purge_job = crate::purge::spawn_job(
            self.state.chat.store().clone(),
            self.state.chat.bus().clone(),
            self.state.config.retention.clone(),
            self.state.stopping.clone(),
        );
        let dossier_job =
            spawn_dossier_upkeep(self.state.chat.clone(), self.state.stopping.clone());
        // The staffing plan's presence history: one sample a minute (docs/STAFFING.md).
        let presence_job = self
            .state
            .chat
            .spawn_presence_sampler(self.state.presence.staff(), self.state.stopping.clone());
        // Officers' exposure: sampled and measured (docs/WELLBEING.md).
        let exposure_job = self.state.chat.spawn_exposure_sampler(
            self.state.presence.exposures().clone(),
            std::time::Duration::from_secs(self.state.config.wellbeing.sample_secs.into()),
            self.state.stopping.clone(),
        );
        let sockets = self.state.sockets.clone();
        let app = crate::http::router(self.state);
        let stop = Arc::new(self.stop);
        if let Some(admin) = self.admin {
            let mut stopped = stop.subscribe();
            tokio::spawn(async move {
                let served = axum::serve(admin, crate::metrics::router())
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the admin listener stopped");
                }
            });
        }
        let on_shutdown = stop.clone();
        let shutdown = async move {
            shutdown.await;
            // Open sockets close with 1012 so clients reconnect (to another node, later).
            let _ = on_shutdown.send(true);
        };
        // Chat frames are small and each one is awaited by a person: sent at once, never held
        // back by Nagle's algorithm waiting for the peer's acknowledgement of the previous one.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        // Also when serving failed: the job must not outlive the store it writes to.
        stop.send_replace(true);
        // The sockets are not the server's connections any more once upgraded: without this
        // wait the process could end before they sent their close frame (1012, reconnect).
        if !sockets.all_closed(SOCKETS_CLOSE_WITHIN).await {
            tracing::warn!("some sockets were still open when the node stopped");
        }
        dossier_job.abort();
        presence_job.abort();
        exposure_job.abort();
        if let Err(e) = purge_job.await {
            tracing::error!(error = %e, "the purge job ended abnormally");
        }
        if let Some(bridge) = self.bridge {
            // What this node announced last (chats closed by the drain) still reaches the others.
            bridge.shutdown().await;
        }
        self.store.close().await;
        served?;
        Ok(())
    }
}

/// How often the server looks for forwarded chats whose dossier was not produced (a crash
/// between the closing and the production, a signing key that could not be opened).
const DOSSIER_UPKEEP: std::time::Duration = std::time::Duration::from_secs(300);

/// Produces the dossiers left unproduced: soon after the start, then every
/// [`DOSSIER_UPKEEP`], on every node (a dossier is stored once per chat whoever makes it).
fn spawn_dossier_upkeep(
    chat: crate::service::ChatService,
    mut stopping: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut next = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep_until(next) => {}
            }
            match chat.produce_missing_dossiers().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(dossiers = n, "dossiers left unproduced are made"),
                Err(e) => tracing::warn!(error = %e, "dossiers left unproduced: will retry"),
            }
            next = tokio::time::Instant::now() + DOSSIER_UPKEEP;
        }
    })
}
