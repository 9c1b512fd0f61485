//! Static files embedded in the binary: no CDN, nothing to install beside it.

/// Every asset, by file name, with its media type.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "visitor.css",
        "text/css; charset=utf-8",
        include_str!("../assets/visitor.css"),
    ),
    (
        "visitor.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/visitor.js"),
    ),
    (
        "follow-up.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/follow-up.js"),
    ),
    (
        "quick-exit.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/quick-exit.js"),
    ),
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("../assets/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/console.js"),
    ),
    (
        "console-shift.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/console-shift.js"),
    ),
    (
        "console-wellbeing.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/console-wellbeing.js"),
    ),
    (
        "recovery-codes.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/recovery-codes.js"),
    ),
    (
        "setup.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/setup.js"),
    ),
];

/// The body and media type of an asset.
pub fn get(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, mime, body)| (*body, *mime))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_in_the_assets_folder_is_served() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(super::get(&name).is_some(), "{name} is not embedded");
        }
    }
}
