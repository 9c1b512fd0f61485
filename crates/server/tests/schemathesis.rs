//! API conformance: schemathesis (from PyPI; `.ci/run` installs it) generates requests from our
//! OpenAPI document and checks every answer against it. A missing tool fails the test with the
//! command that installs it.

use ecoute::{Application, Config};
use std::process::Stdio;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rest_api_conforms_to_its_openapi_document_under_generated_requests() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        log: "warn".into(),
        ..Config::default()
    };
    // Generated requests come fast from one address; the limits have their own tests.
    config.limits.starts_per_source_per_hour = 100_000;
    config.limits.logins_per_source_per_quarter = 100_000;
    config.limits.max_waiting = 100_000;
    let app = Application::build(config).await.expect("server builds");
    let url = format!("http://{}/api/openapi.json", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    // Through the interpreter, so that no shim or PATH entry is needed after `pip install`.
    let output = tokio::process::Command::new("python3")
        .args([
            "-m",
            "schemathesis.cli",
            "run",
            &url,
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--no-color",
        ])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .expect("python3 runs");
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("No module named"),
        "schemathesis is not installed: run `python3 -m pip install schemathesis`"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "schemathesis found failures (above)"
    );
    assert!(stdout.contains("passed"), "schemathesis ran no test case");
}
