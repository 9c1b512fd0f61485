//! The data files and the audit log: loading and showing the force table (départements and
//! postal codes) and the directory, trying the risk rules, verifying the audit chain.

use super::*;

pub(super) async fn audit_verify(
    config: Config,
    expect_head: Option<String>,
) -> anyhow::Result<()> {
    let expect = match expect_head {
        None => None,
        Some(text) => {
            let (seq, hash) = text
                .split_once(':')
                .context("--expect-head is SEQ:HASH, as printed by an earlier verify")?;
            let seq: u64 = seq.parse().context("--expect-head: SEQ is a number")?;
            Some((seq, hash.to_string()))
        }
    };
    let store = open_store(&config).await?;
    let verdict = crate::audit::verify(&*store, expect, |n| eprintln!("checked {n} entries")).await;
    store.close().await;
    match verdict? {
        crate::audit::Verdict::Intact { entries, head } => {
            println!("audit log intact: {entries} entries");
            if let Some((seq, hash)) = head {
                println!("head {seq}:{hash}");
                println!("keep this head elsewhere and pass it as --expect-head next time");
            }
            Ok(())
        }
        crate::audit::Verdict::Broken { seq, reason } => {
            bail!("audit log broken at entry {seq}: {reason}")
        }
    }
}

pub(super) async fn forces_load(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    // Checked before the database is touched: a bad file changes nothing.
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    crate::forces::parse(&text).with_context(|| format!("in {}", file.display()))?;
    require_database(&config)?;
    let store = open_store(&config).await?;
    let result = crate::forces::load_file(&*store, file).await;
    store.close().await;
    let held = result?;
    println!("loaded {held} from {}", file.display());
    println!("running servers use it for the next chats that start");
    Ok(())
}

pub(super) async fn forces_show(config: Config) -> anyhow::Result<()> {
    let store = open_store_to_read(&config).await?;
    let rows = store.forces().await;
    store.close().await;
    println!("place,force");
    for (place, f) in rows? {
        println!("{},{}", place.as_str(), f.as_str());
    }
    Ok(())
}

pub(super) async fn resources_load(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let entries =
        crate::resources::parse(&text).with_context(|| format!("in {}", file.display()))?;
    require_database(&config)?;
    let store = open_store(&config).await?;
    let result = crate::resources::load_file(&*store, file).await;
    store.close().await;
    let n = result?;
    let samples = entries.iter().filter(|e| e.sample).count();
    println!(
        "loaded {} from {}",
        plural(n, "entry", "entries"),
        file.display()
    );
    if samples > 0 {
        println!(
            "{} marked as sample data",
            plural(samples as u64, "entry is", "entries are")
        );
    }
    Ok(())
}

pub(super) fn risk_check(file: &std::path::Path, text: Option<String>) -> anyhow::Result<()> {
    let rules = crate::risk::RiskRules::load(file)?;
    println!("{}: {} rules, valid", file.display(), rules.len());
    if let Some(text) = text {
        let labels = rules.matches(&text);
        if labels.is_empty() {
            println!("no rule matches");
        } else {
            for l in labels {
                println!("matches: {l}");
            }
        }
    }
    Ok(())
}
