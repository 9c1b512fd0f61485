//! The configuration's layers, checks and warnings.

use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

#[test]
fn the_database_and_the_bus_are_embedded_unless_urls_are_given() {
    let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
    assert!(c.database_url.is_none() && c.nats_url.is_none());
    let (c, _) = Config::load(
        &Overrides::default(),
        &env_of(&[
            (
                "ECOUTE_DATABASE_URL",
                "postgres://ecoute:s3cret@db:5432/ecoute",
            ),
            ("ECOUTE_NATS_URL", "nats://bus:4222"),
        ]),
    )
    .unwrap();
    let url = c.database_url.unwrap();
    assert_eq!(url.expose(), "postgres://ecoute:s3cret@db:5432/ecoute");
    assert!(
        !format!("{url:?}").contains("s3cret"),
        "the password never reaches a log"
    );
    assert_eq!(c.nats_url.as_deref(), Some("nats://bus:4222"));
}

#[test]
fn with_several_nodes_chats_wait_long_enough_for_the_nodes_to_hear_of_each_others_consoles() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(
        &file,
        "[routing]\npause_after_secs = 1\nrequeue_after_secs = 5\n",
    )
    .unwrap();
    let with_file = Overrides {
        config_file: Some(file),
        ..Default::default()
    };
    assert!(Config::load(&with_file, &env_of(&[])).is_ok(), "one node");
    let e = Config::load(
        &with_file,
        &env_of(&[("ECOUTE_NATS_URL", "nats://bus:4222")]),
    )
    .unwrap_err();
    assert!(format!("{e:#}").contains("requeue_after_secs"));
}

#[test]
fn a_database_or_bus_url_of_another_kind_is_refused_without_its_password() {
    let e = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_DATABASE_URL", "mysql://root:hunter2@db/ecoute")]),
    )
    .unwrap_err();
    let shown = format!("{e:#}");
    assert!(shown.contains("ECOUTE_DATABASE_URL") && shown.contains("PostgreSQL"));
    assert!(!shown.contains("hunter2"), "{shown}");
    let e = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_NATS_URL", "http://bus:4222")]),
    )
    .unwrap_err();
    assert!(format!("{e:#}").contains("ECOUTE_NATS_URL"));
    for (url, shown) in [
        (
            "postgres://ecoute@db/ecoute?password=hunter2&sslmode=require",
            "postgres://ecoute@db/ecoute?***",
        ),
        ("nats://s3cr3tt0ken@bus:4222", "nats://***@bus:4222"),
        ("nats://user:pw@bus:4222", "nats://user:***@bus:4222"),
        ("db.internal:5432", "***"),
    ] {
        assert_eq!(redact(url), shown);
    }
}

#[test]
fn defaults_listen_on_loopback_8080_with_data_in_dot_data() {
    let (c, w) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.data_dir, PathBuf::from("./data"));
    assert!(w.is_empty());
    assert_eq!(
        c.allowed_origins(8080),
        vec!["http://127.0.0.1:8080", "http://localhost:8080"]
    );
    assert!(!c.secure_cookies());
}

#[test]
fn the_file_is_overridden_by_the_environment_which_is_overridden_by_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9000\"\ndata_dir = \"/from/file\"\nneutral_url = \"https://example.org/\"\ncolour = \"blue\"\n",
    )
    .unwrap();
    let over = Overrides {
        config_file: Some(file),
        listen: Some("127.0.0.1:9002".into()),
        data_dir: None,
    };
    let (c, w) = Config::load(
        &over,
        &env_of(&[
            ("ECOUTE_LISTEN", "127.0.0.1:9001"),
            ("ECOUTE_DATA_DIR", "/from/env"),
        ]),
    )
    .unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:9002");
    assert_eq!(c.data_dir, PathBuf::from("/from/env"));
    assert_eq!(c.neutral_url, "https://example.org/");
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("colour"));
}

#[test]
fn the_time_zone_of_staff_pages_is_paris_unless_the_file_or_the_environment_names_another() {
    let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
    assert_eq!(c.time_zone.name(), "Europe/Paris");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(&file, "time_zone = \"Indian/Reunion\"\n").unwrap();
    let over = Overrides {
        config_file: Some(file.clone()),
        ..Overrides::default()
    };
    let (c, w) = Config::load(&over, &env_of(&[])).unwrap();
    assert_eq!(c.time_zone.name(), "Indian/Reunion");
    assert!(w.is_empty(), "{w:?}");
    let (c, _) = Config::load(&over, &env_of(&[("ECOUTE_TIME_ZONE", "America/Cayenne")])).unwrap();
    assert_eq!(c.time_zone.name(), "America/Cayenne");
    let e = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_TIME_ZONE", "Paris")]),
    )
    .unwrap_err();
    assert!(format!("{e:#}").contains("ECOUTE_TIME_ZONE"), "{e:#}");
    std::fs::write(&file, "time_zone = \"UTC+2\"\n").unwrap();
    let e = Config::load(&over, &env_of(&[])).unwrap_err();
    assert!(format!("{e:#}").contains("time_zone"), "{e:#}");
}

#[test]
fn bad_values_are_refused_with_a_clear_reason() {
    let e = Config::load(&Overrides::default(), &env_of(&[("ECOUTE_LISTEN", "nope")])).unwrap_err();
    assert!(format!("{e:#}").contains("ECOUTE_LISTEN"));
    let e = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_PUBLIC_ORIGIN", "https://x.fr/path")]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("public_origin"));
    let e = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_NEUTRAL_URL", "javascript:alert(1)")]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("neutral_url"));
}

#[test]
fn limits_and_trusted_proxies_come_from_the_file_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(
        &file,
        "trusted_proxies = [\"127.0.0.1\"]\n[limits]\nmax_waiting = 7\nmessages_per_minute = 30\n",
    )
    .unwrap();
    let over = Overrides {
        config_file: Some(file.clone()),
        ..Overrides::default()
    };
    let (c, w) = Config::load(&over, &env_of(&[])).unwrap();
    assert!(w.is_empty());
    assert_eq!(
        c.trusted_proxies,
        vec!["127.0.0.1".parse::<IpAddr>().unwrap()]
    );
    assert_eq!(c.limits.max_waiting, 7);
    assert_eq!(c.limits.messages_per_minute, 30);
    assert_eq!(
        c.limits.starts_per_source_per_hour,
        Limits::default().starts_per_source_per_hour
    );
    let (c, _) = Config::load(
        &over,
        &env_of(&[
            ("ECOUTE_TRUSTED_PROXIES", "10.0.0.1, ::1"),
            ("ECOUTE_MAX_WAITING", "3"),
        ]),
    )
    .unwrap();
    assert_eq!(c.trusted_proxies.len(), 2);
    assert_eq!(c.limits.max_waiting, 3);
    std::fs::write(&file, "[limits]\nmax_waiting = 0\n").unwrap();
    assert!(
        Config::load(&over, &env_of(&[]))
            .unwrap_err()
            .to_string()
            .contains("[limits]")
    );
    std::fs::write(&file, "[limits]\nmax_wait = 3\n").unwrap();
    assert!(
        Config::load(&over, &env_of(&[])).is_err(),
        "a misspelt limit is an error"
    );
}

#[test]
fn a_public_https_origin_is_the_only_one_allowed_and_makes_cookies_secure() {
    let (c, _) = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_PUBLIC_ORIGIN", "https://ecoute.example.fr/")]),
    )
    .unwrap();
    assert_eq!(c.allowed_origins(8080), vec!["https://ecoute.example.fr"]);
    assert!(c.secure_cookies());
}

#[test]
fn routing_comes_from_the_file_then_the_environment_and_bad_delays_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(
        &file,
        "[routing]\nmode = \"pull\"\noffer_timeout_secs = 15\nrequeue_after_secs = 600\n",
    )
    .unwrap();
    let with_file = Overrides {
        config_file: Some(file.clone()),
        ..Overrides::default()
    };
    let (c, _) = Config::load(&with_file, &env_of(&[])).unwrap();
    assert_eq!(c.routing.mode, RoutingMode::Pull);
    assert_eq!(c.routing.offer_timeout_secs, 15);
    assert_eq!(c.routing.requeue_after_secs, 600);
    assert_eq!(c.routing.pause_after_secs, 30, "default kept");
    let (c, _) = Config::load(&with_file, &env_of(&[("ECOUTE_ROUTING_MODE", "offer")])).unwrap();
    assert_eq!(c.routing.mode, RoutingMode::Offer);
    let e = Config::load(&with_file, &env_of(&[("ECOUTE_ROUTING_MODE", "push")])).unwrap_err();
    assert!(format!("{e:#}").contains("ECOUTE_ROUTING_MODE"));

    std::fs::write(
        &file,
        "[routing]\npause_after_secs = 60\nrequeue_after_secs = 60\n",
    )
    .unwrap();
    let e = Config::load(&with_file, &env_of(&[])).unwrap_err();
    assert!(format!("{e:#}").contains("requeue_after_secs"), "{e:#}");
    std::fs::write(&file, "[routing]\nmode = \"random\"\n").unwrap();
    assert!(Config::load(&with_file, &env_of(&[])).is_err());
    let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
    assert_eq!(c.routing.mode, RoutingMode::Offer, "offers by default");
}

fn days_of(c: &Config, rule: RetentionRule) -> u32 {
    c.retention.policy.days(rule).get()
}

#[test]
fn retention_defaults_follow_the_french_rules() {
    let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
    for outcome in Outcome::ALL {
        let want = match outcome {
            Outcome::ReportForwarded | Outcome::InterventionRequested => 2190,
            _ => 365,
        };
        assert_eq!(
            days_of(&c, RetentionRule::Closed(outcome)),
            want,
            "{outcome:?}"
        );
    }
    assert_eq!(days_of(&c, RetentionRule::Unclosed), 365);
    assert_eq!(c.retention.purge_interval, Duration::from_secs(3600));
}

#[test]
fn retention_settings_come_from_the_file_then_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(
        &file,
        "[retention]\nvisitor_left_days = 30\nreport_forwarded_days = 3000\nunclosed_days = 90\npurge_interval_secs = 600\n",
    )
    .unwrap();
    let over = Overrides {
        config_file: Some(file),
        ..Overrides::default()
    };
    let (c, w) = Config::load(
        &over,
        &env_of(&[
            ("ECOUTE_RETENTION_UNCLOSED_DAYS", "60"),
            ("ECOUTE_RETENTION_INFORMATION_GIVEN_DAYS", " 200 "),
        ]),
    )
    .unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(days_of(&c, RetentionRule::Closed(Outcome::VisitorLeft)), 30);
    assert_eq!(
        days_of(&c, RetentionRule::Closed(Outcome::ReportForwarded)),
        3000
    );
    assert_eq!(
        days_of(&c, RetentionRule::Closed(Outcome::InformationGiven)),
        200
    );
    assert_eq!(days_of(&c, RetentionRule::Unclosed), 60);
    assert_eq!(c.retention.purge_interval, Duration::from_secs(600));
}

#[test]
fn default_days_applies_to_every_outcome_without_a_period_of_its_own() {
    let (c, _) = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_RETENTION_DEFAULT_DAYS", "100")]),
    )
    .unwrap();
    assert_eq!(
        days_of(&c, RetentionRule::Closed(Outcome::InformationGiven)),
        100
    );
    assert_eq!(
        c.retention
            .setting_of(RetentionRule::Closed(Outcome::VisitorLeft)),
        "default_days = 100"
    );
    // Forwarded reports and interventions keep their own six years.
    assert_eq!(
        days_of(&c, RetentionRule::Closed(Outcome::ReportForwarded)),
        2190
    );
    assert_eq!(
        c.retention
            .setting_of(RetentionRule::Closed(Outcome::ReportForwarded)),
        "report_forwarded_days = 2190"
    );
    assert_eq!(
        c.retention.setting_of(RetentionRule::Unclosed),
        "unclosed_days = 365"
    );
}

#[test]
fn retention_values_must_be_positive_whole_numbers_in_range_and_errors_name_the_setting() {
    for (variable, value, says) in [
        ("ECOUTE_RETENTION_UNCLOSED_DAYS", "0", "from 1 to 36500"),
        ("ECOUTE_RETENTION_DEFAULT_DAYS", "-1", "from 1 to 36500"),
        (
            "ECOUTE_RETENTION_REPORT_FORWARDED_DAYS",
            "36501",
            "got 36501",
        ),
        (
            "ECOUTE_RETENTION_VISITOR_LEFT_DAYS",
            "a year",
            "whole number",
        ),
        ("ECOUTE_RETENTION_VISITOR_LEFT_DAYS", "1.5", "whole number"),
        (
            "ECOUTE_RETENTION_PURGE_INTERVAL_SECS",
            "0",
            "from 1 to 86400 seconds",
        ),
        ("ECOUTE_RETENTION_PURGE_INTERVAL_SECS", "86401", "got 86401"),
    ] {
        let e =
            Config::load(&Overrides::default(), &env_of(&[(variable, value)])).expect_err(value);
        let text = format!("{e:#}");
        assert!(text.contains(variable), "{text}");
        assert!(text.contains(says), "{text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    for (body, says) in [
        (
            "[retention]\nunclosed_days = \"365\"\n",
            "retention.unclosed_days",
        ),
        ("[retention]\nreferred_to_support_days = -3\n", "got -3"),
        ("retention = 365\n", "must be a table"),
    ] {
        std::fs::write(&file, body).unwrap();
        let over = Overrides {
            config_file: Some(file.clone()),
            ..Overrides::default()
        };
        let e = Config::load(&over, &env_of(&[])).expect_err(body);
        assert!(format!("{e:#}").contains(says), "{e:#}");
    }
}

#[test]
fn unknown_retention_keys_are_warned_about_and_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecoute.toml");
    std::fs::write(&file, "[retention]\nforever = 1\nunclosed_days = 10\n").unwrap();
    let over = Overrides {
        config_file: Some(file),
        ..Overrides::default()
    };
    let (c, w) = Config::load(&over, &env_of(&[])).unwrap();
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("retention.forever"), "{w:?}");
    assert_eq!(days_of(&c, RetentionRule::Unclosed), 10);
}

/// The fields a section that refuses unknown keys accepts, read from serde's own refusal of an
/// unknown one ("unknown field `…`, expected one of `a`, `b`"), so that a field added to the
/// struct is found here without anyone listing it.
fn fields_of<T: serde::de::DeserializeOwned>() -> Vec<String> {
    let err = match toml::from_str::<T>("zz_not_a_field = 1") {
        Ok(_) => panic!("the section accepted an unknown key"),
        Err(e) => e.to_string(),
    };
    let expected = err
        .split("expected one of ")
        .nth(1)
        .or_else(|| err.split("expected ").nth(1))
        .unwrap_or_else(|| panic!("serde's error names no field: {err}"));
    expected
        .split(", ")
        .filter_map(|f| f.split('`').nth(1))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_setting_and_environment_variable_is_in_configuration_md() {
    let doc = include_str!("../../../../docs/CONFIGURATION.md");
    let mut missing = Vec::new();
    let mut need = |name: String| {
        let documented = doc.contains(&format!("`{name}`"))
            || doc.contains(&format!("`[{name}]`"))
            || doc.contains(&format!("[{name}]"));
        if !documented {
            missing.push(name);
        }
    };
    for key in KNOWN_KEYS {
        need(key.to_string());
    }
    for (section, fields) in [
        ("limits", fields_of::<Limits>()),
        ("routing", fields_of::<RoutingConfig>()),
        ("staffing", fields_of::<StaffingConfig>()),
        ("wellbeing", fields_of::<WellbeingConfig>()),
    ] {
        assert!(!fields.is_empty(), "[{section}] has fields");
        for field in fields {
            need(field);
        }
    }
    for key in retention::RetentionKey::all() {
        need(key.name().to_string());
    }
    for key in smtp::SMTP_KEYS {
        need(key.to_string());
    }

    // Every variable the loader asks for, whatever it is set to.
    let asked = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let record = |name: &str| {
        asked.lock().unwrap().insert(name.to_string());
        None
    };
    Config::load(&Overrides::default(), &record).unwrap();
    let asked = asked.into_inner().unwrap();
    assert!(asked.contains("ECOUTE_TRUSTED_PROXIES"), "{asked:?}");
    for variable in asked {
        // `ECOUTE_RETENTION_*` in the table covers each retention key's variable (the general
        // `ECOUTE_*` of the introduction covers nothing).
        let covered_by_wildcard = doc.match_indices("_*`").any(|(i, _)| {
            let start = doc[..i].rfind('`').map_or(i, |s| s + 1);
            let prefix = &doc[start..=i];
            prefix != "ECOUTE_" && variable.starts_with(prefix)
        });
        if !doc.contains(&variable) && !covered_by_wildcard {
            missing.push(variable);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/CONFIGURATION.md does not mention: {missing:?}"
    );
}

#[test]
fn the_startup_line_names_the_trusted_proxies_and_warns_when_https_has_none() {
    let (c, _) = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_TRUSTED_PROXIES", "10.0.0.10, 127.0.0.1")]),
    )
    .unwrap();
    let (warn, line) = c.trusted_proxies_line();
    assert!(!warn);
    assert!(line.contains("10.0.0.10, 127.0.0.1"), "{line}");

    let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
    let (warn, line) = c.trusted_proxies_line();
    assert!(!warn, "plain http on loopback needs no proxy");
    assert!(line.contains("no trusted proxy"), "{line}");

    let (c, _) = Config::load(
        &Overrides::default(),
        &env_of(&[("ECOUTE_PUBLIC_ORIGIN", "https://ecoute.example.fr")]),
    )
    .unwrap();
    let (warn, line) = c.trusted_proxies_line();
    assert!(warn, "{line}");
    assert!(line.contains("rate limits"), "{line}");
}
