//! What the gateway accepts at start, and what it refuses: every refusal exits with status 2
//! and says what to change, naming the file, flag or key (never a secret).

use std::process::Command;
use std::time::Duration;

mod common;
use common::{binary, client, fresh_database, refused_start, start_gateway};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("model-alias-start-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_lists_every_flag_with_its_default_and_the_admin_token_variable() {
    let out = Command::new(binary()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--upstream",
        "--database",
        "--keys",
        "--demo",
        "--ttl",
        "--header-timeout",
        "--idle-timeout",
        "--max-connections",
        "--max-buffered-bytes",
        "--store-timeout",
        "--shutdown-grace",
        "--log-format",
        "MODEL_ALIAS_ADMIN_TOKEN",
        "[default: model-alias-gateway.db]",
        "[default: 1024]",
    ] {
        assert!(
            help.contains(flag),
            "--help does not mention {flag}:\n{help}"
        );
    }
    let short = Command::new(binary()).arg("-h").output().unwrap();
    assert!(short.status.success());
}

#[test]
fn demo_keys_are_refused_with_a_real_upstream() {
    let (code, err) = refused_start(&["--demo", "--upstream", "https://api.example.com"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--demo") && err.contains("--upstream"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_holds_no_well_known_key_without_demo() {
    let gw = start_gateway(&["--database", &fresh_database()]);
    for secret in ["sk-demo", "sk-plain"] {
        let response = client()
            .get(format!("{}/v1/models", gw.url))
            .bearer_auth(secret)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{secret}");
    }
}

#[test]
fn a_file_that_is_not_a_database_is_refused_naming_it() {
    let dir = temp_dir("notdb");
    for (name, contents, says) in [
        ("empty.db", &b""[..], "is an empty file"),
        (
            "text.db",
            &b"{\"keys\": []}\n"[..],
            "is not a SQLite database",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        for given in [
            path.display().to_string(),
            format!("sqlite://{}", path.display()),
        ] {
            let (code, err) = refused_start(&["--database", &given], &[]);
            assert_eq!(code, Some(2), "{err}");
            assert!(
                err.contains(&path.display().to_string()) && err.contains(says),
                "{err}"
            );
            assert_eq!(
                std::fs::read(&path).unwrap(),
                contents,
                "the file is left as it was"
            );
        }
    }
    let missing = dir.join("no-such-dir").join("keys.db");
    let (code, err) = refused_start(&["--database", &missing.display().to_string()], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&dir.join("no-such-dir").display().to_string()),
        "{err}"
    );
    let (code, err) = refused_start(&["--database", "mysql://localhost/keys"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("postgres://"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_path_is_a_sqlite_file_kept_across_restarts() {
    let dir = temp_dir("plain");
    let path = dir.join("keys.db").display().to_string();
    let gw = start_gateway(&["--database", &path, "--demo"]);
    let models = |url: String| async move {
        client()
            .get(format!("{url}/v1/models"))
            .bearer_auth("sk-demo")
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(models(gw.url.clone()).await, 200);
    drop(gw);
    assert!(std::fs::metadata(&path).unwrap().len() > 0);
    let again = start_gateway(&["--database", &path]);
    assert_eq!(
        models(again.url.clone()).await,
        200,
        "the keys are still there"
    );
}

#[test]
fn a_short_admin_token_is_refused() {
    let (code, err) = refused_start(&[], &[("MODEL_ALIAS_ADMIN_TOKEN", "123456789012345")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("MODEL_ALIAS_ADMIN_TOKEN") && err.contains("16"),
        "{err}"
    );
    assert!(
        !err.contains("123456789012345"),
        "the token is not repeated: {err}"
    );
}

#[test]
fn a_keys_file_with_a_repeated_secret_or_a_bad_alias_is_refused_naming_the_key() {
    let dir = temp_dir("keysfile");
    let cases = [
        (
            r#"{"sk-shared-secret": {"key_id": "team-a", "aliases": []},
                "sk-shared-secret": {"key_id": "team-b", "aliases": []}}"#,
            ["team-a", "team-b"],
        ),
        (
            r#"{"sk-one": {"key_id": "team-a", "aliases": []},
                "sk-two": {"key_id": "team-b", "aliases": [{"name": "Bad Name", "target": "x"}]}}"#,
            ["team-b", "Bad Name"],
        ),
    ];
    for (n, (text, names)) in cases.iter().enumerate() {
        let path = dir.join(format!("keys-{n}.json"));
        std::fs::write(&path, text).unwrap();
        let (code, err) = refused_start(&["--keys", &path.display().to_string()], &[]);
        assert_eq!(code, Some(2), "{err}");
        for name in names {
            assert!(err.contains(name), "{err} does not name {name}");
        }
        assert!(!err.contains("sk-"), "a secret in the error: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_keys_file_is_logged_once_and_the_last_keys_keep_serving() {
    let dir = temp_dir("deleted");
    let path = dir.join("keys.json");
    std::fs::write(&path, include_str!("../src/keys.json")).unwrap();
    let gw = start_gateway(&["--keys", &path.display().to_string(), "--ttl", "0.1"]);
    std::fs::remove_file(&path).unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let response = client()
        .get(format!("{}/v1/models", gw.url))
        .bearer_auth("sk-demo")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    gw.log_line("keeping the last keys");
    let log = gw.log();
    assert_eq!(log.matches("keeping the last keys").count(), 1, "{log}");
}
