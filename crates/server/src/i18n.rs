//! The words of the interface, in Fluent files (`crates/server/locales/LANG/*.ftl`), compiled
//! into the binary: French (the default), English, Spanish and Arabic (right to left).
//!
//! Two sides, each its own bundle per language:
//! - the visitor's pages (`visitor.ftl`) and their script (`visitor-script.ftl`);
//! - the staff's pages (`console.ftl`) and the console's script (`console-script.ftl`).
//!
//! Rules the tests hold every file to:
//! - every message of the French file exists in every other language, with the same
//!   variables, and no language has a message French lacks;
//! - only messages whose id ends in `-html` may hold markup (they are our own text, inserted as
//!   is); every other message is escaped where it is used;
//! - a script message is plain text with `{ $name }` variables, which the page receives as
//!   `{name}` for the script to fill in.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_syntax::ast;
use unic_langid::LanguageIdentifier;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    Fr,
    En,
    Es,
    Ar,
}

impl Locale {
    /// Every language, the default first.
    pub const ALL: [Locale; 4] = [Locale::Fr, Locale::En, Locale::Es, Locale::Ar];

    /// Its code: "fr", "en", "es", "ar".
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
            Locale::Es => "es",
            Locale::Ar => "ar",
        }
    }

    /// The writing direction of its pages.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// A language tag ("ar", "es-MX", "EN"), by its primary subtag; `None` when not offered.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The best offered language for an `Accept-Language` header; French when none fits.
    pub fn negotiate(accept_language: Option<&str>) -> Locale {
        let Some(header) = accept_language else {
            return Locale::Fr;
        };
        let mut wanted: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
            })
            .collect();
        // Highest weight first; the header's order among equals.
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let requested: Vec<LanguageIdentifier> = wanted
            .iter()
            .filter_map(|(_, _, tag)| tag.parse().ok())
            .collect();
        let available: Vec<LanguageIdentifier> = Locale::ALL
            .iter()
            .filter_map(|l| l.code().parse().ok())
            .collect();
        let default: LanguageIdentifier = Locale::Fr.code().parse().expect("valid tag");
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            Some(&default),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Locale::parse(&id.to_string()))
            .unwrap_or(Locale::Fr)
    }
}

/// Which side of the service a text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The visitor's pages: chat, "stay safe online", quick exit.
    Visitor,
    /// The staff's pages: console, login, account security, canned replies, audit.
    Console,
}

impl Side {
    const ALL: [Side; 2] = [Side::Visitor, Side::Console];

    fn index(self) -> usize {
        self as usize
    }
}

/// The Fluent sources, by language and side: (page file, script file).
fn sources(locale: Locale, side: Side) -> (&'static str, &'static str) {
    macro_rules! files {
        ($lang:literal) => {
            (
                (
                    include_str!(concat!("../locales/", $lang, "/visitor.ftl")),
                    include_str!(concat!("../locales/", $lang, "/visitor-script.ftl")),
                ),
                (
                    include_str!(concat!("../locales/", $lang, "/console.ftl")),
                    include_str!(concat!("../locales/", $lang, "/console-script.ftl")),
                ),
            )
        };
    }
    let (visitor, console) = match locale {
        Locale::Fr => files!("fr"),
        Locale::En => files!("en"),
        Locale::Es => files!("es"),
        Locale::Ar => files!("ar"),
    };
    match side {
        Side::Visitor => visitor,
        Side::Console => console,
    }
}

/// One language of one side: its bundle, and what the pages and scripts receive of it.
struct Catalog {
    bundle: FluentBundle<Arc<FluentResource>>,
    page: Arc<FluentResource>,
    script: Arc<FluentResource>,
    /// The script's messages as JSON (`{"id": "text with {name}"}`), built once.
    script_json: String,
}

/// A problem in a Fluent file, found when the catalogs are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError(pub String);

impl Catalog {
    fn build(locale: Locale, side: Side) -> Result<Catalog, CatalogError> {
        let (page_src, script_src) = sources(locale, side);
        let parse = |src: &str, file: &str| {
            FluentResource::try_new(src.to_owned())
                .map(Arc::new)
                .map_err(|(_, errors)| {
                    CatalogError(format!(
                        "{}/{file}: {} syntax error(s), first: {:?}",
                        locale.code(),
                        errors.len(),
                        errors.first()
                    ))
                })
        };
        let file = |s: Side, script: bool| match (s, script) {
            (Side::Visitor, false) => "visitor.ftl",
            (Side::Visitor, true) => "visitor-script.ftl",
            (Side::Console, false) => "console.ftl",
            (Side::Console, true) => "console-script.ftl",
        };
        let page = parse(page_src, file(side, false))?;
        let script = parse(script_src, file(side, true))?;
        let lang: LanguageIdentifier = locale.code().parse().expect("valid tag");
        let mut bundle = FluentBundle::new_concurrent(vec![lang]);
        // Names and numbers are placed by the page's direction; isolation marks would also end
        // up in the script's templates and in copied text.
        bundle.set_use_isolating(false);
        for resource in [&page, &script] {
            bundle
                .add_resource(Arc::clone(resource))
                .map_err(|errors| {
                    CatalogError(format!(
                        "{}/{}: {errors:?}",
                        locale.code(),
                        file(side, false)
                    ))
                })?;
        }
        let mut catalog = Catalog {
            bundle,
            page,
            script,
            script_json: String::new(),
        };
        let script_map = catalog.script_templates()?;
        catalog.script_json = json_for_script_tag(&script_map);
        Ok(catalog)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> Option<String> {
        let message = self.bundle.get_message(id)?;
        let pattern = message.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "message formatted with errors");
        }
        Some(text.into_owned())
    }

    /// The script's messages, each variable left as `{name}`.
    fn script_templates(&self) -> Result<BTreeMap<String, String>, CatalogError> {
        let mut out = BTreeMap::new();
        for (id, variables) in messages(&self.script) {
            let mut args = FluentArgs::new();
            for v in &variables {
                args.set(v.clone(), format!("{{{v}}}"));
            }
            let text = self
                .format(&id, Some(&args))
                .ok_or_else(|| CatalogError(format!("script message {id} has no value")))?;
            out.insert(id, text);
        }
        Ok(out)
    }

    /// Every page message without variables, for a page that changes language in place.
    fn page_texts(&self) -> BTreeMap<String, String> {
        messages(&self.page)
            .into_iter()
            .filter(|(_, variables)| variables.is_empty())
            .filter_map(|(id, _)| self.format(&id, None).map(|text| (id, text)))
            .collect()
    }
}

/// The messages of a resource, each with the variables it uses.
fn messages(resource: &FluentResource) -> Vec<(String, Vec<String>)> {
    resource
        .entries()
        .filter_map(|entry| match entry {
            ast::Entry::Message(m) => {
                let mut variables = Vec::new();
                if let Some(value) = &m.value {
                    pattern_variables(value, &mut variables);
                }
                Some((m.id.name.to_string(), variables))
            }
            _ => None,
        })
        .collect()
}

fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut Vec<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut Vec<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_variables(inline, out),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut Vec<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } if !out.iter().any(|v| v == id.name) => {
            out.push(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

/// JSON that may sit inside `<script type="application/json">`: no `<` can close the element.
fn json_for_script_tag<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .expect("strings serialise")
        .replace('<', "\\u003c")
}

struct Catalogs {
    /// Indexed by `[locale][side]`.
    all: Vec<[Catalog; 2]>,
}

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| {
    let all = Locale::ALL
        .iter()
        .map(|&locale| {
            Side::ALL.map(|side| match Catalog::build(locale, side) {
                Ok(c) => c,
                Err(e) => panic!("the built-in translations are broken: {}", e.0),
            })
        })
        .collect();
    Catalogs { all }
});

fn catalog(locale: Locale, side: Side) -> &'static Catalog {
    let index = Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0);
    &CATALOGS.all[index][side.index()]
}

/// Builds every catalog now, so that a broken file stops the server at start, not a page later.
pub fn init() {
    LazyLock::force(&CATALOGS);
}

/// The words of one side in one language, as templates use them: `{{ t.s("landing-title") }}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub locale: Locale,
    pub side: Side,
}

impl Tr {
    pub fn visitor(locale: Locale) -> Tr {
        Tr {
            locale,
            side: Side::Visitor,
        }
    }

    pub fn console(locale: Locale) -> Tr {
        Tr {
            locale,
            side: Side::Console,
        }
    }

    /// The language's code, for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// The writing direction, for `<html dir>`.
    pub fn dir(&self) -> &'static str {
        self.locale.dir()
    }

    /// A message without variables. A message missing in this language falls back to French,
    /// then to its id (the completeness test keeps both from happening).
    pub fn s(&self, id: &str) -> String {
        self.with(id, None)
    }

    /// A message with one variable.
    pub fn a(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), value.to_string());
        self.with(id, Some(&args))
    }

    /// A message with several variables, given as text.
    pub fn args(&self, id: &str, values: &[(&str, String)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(name.to_string(), value.clone());
        }
        self.with(id, Some(&args))
    }

    /// A message with a number, for plural forms.
    pub fn n(&self, id: &str, name: &str, value: i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), value);
        self.with(id, Some(&args))
    }

    fn with(&self, id: &str, args: Option<&FluentArgs>) -> String {
        catalog(self.locale, self.side)
            .format(id, args)
            .or_else(|| catalog(Locale::Fr, self.side).format(id, args))
            .unwrap_or_else(|| {
                tracing::error!(id, "message missing from the translations");
                id.to_string()
            })
    }

    /// The script's messages, as JSON for the page's `#i18n` block.
    pub fn script_json(&self) -> &'static str {
        &catalog(self.locale, self.side).script_json
    }

    /// Each language by its own name, for a language switch: (code, name, is current).
    pub fn languages(&self) -> Vec<(&'static str, String, bool)> {
        Locale::ALL
            .iter()
            .map(|&l| {
                let own = Tr {
                    locale: l,
                    side: self.side,
                };
                (l.code(), own.s("lang-name"), l == self.locale)
            })
            .collect()
    }
}

/// What a visitor page needs to change language without reloading: direction, every page text
/// and the script's messages. Served as JSON by `GET /i18n/{lang}.json`.
pub fn visitor_bundle_json(locale: Locale) -> String {
    #[derive(serde::Serialize)]
    struct Bundle<'a> {
        lang: &'a str,
        dir: &'a str,
        page: BTreeMap<String, String>,
        script: BTreeMap<String, String>,
    }
    let c = catalog(locale, Side::Visitor);
    let bundle = Bundle {
        lang: locale.code(),
        dir: locale.dir(),
        page: c.page_texts(),
        script: c.script_templates().unwrap_or_default(),
    };
    serde_json::to_string(&bundle).expect("strings serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids_and_variables(locale: Locale, side: Side) -> BTreeMap<String, BTreeSet<String>> {
        let c = Catalog::build(locale, side).unwrap_or_else(|e| panic!("{}", e.0));
        messages(&c.page)
            .into_iter()
            .chain(messages(&c.script))
            .map(|(id, vars)| (id, vars.into_iter().collect()))
            .collect()
    }

    #[test]
    fn every_file_of_every_language_parses() {
        for locale in Locale::ALL {
            for side in Side::ALL {
                if let Err(e) = Catalog::build(locale, side) {
                    panic!("{}", e.0);
                }
            }
        }
    }

    #[test]
    fn every_language_has_exactly_the_french_messages_with_the_same_variables() {
        for side in Side::ALL {
            let french = ids_and_variables(Locale::Fr, side);
            assert!(french.len() > 50, "{side:?}: {} messages", french.len());
            for locale in &Locale::ALL[1..] {
                let other = ids_and_variables(*locale, side);
                let missing: Vec<_> = french.keys().filter(|k| !other.contains_key(*k)).collect();
                let extra: Vec<_> = other.keys().filter(|k| !french.contains_key(*k)).collect();
                assert!(missing.is_empty(), "{locale:?} {side:?} lacks {missing:?}");
                assert!(
                    extra.is_empty(),
                    "{locale:?} {side:?} has unknown {extra:?}"
                );
                for (id, vars) in &french {
                    assert_eq!(
                        vars, &other[id],
                        "{locale:?} {side:?}: {id} must use the same variables as French"
                    );
                }
            }
        }
    }

    #[test]
    fn only_html_messages_hold_markup() {
        for locale in Locale::ALL {
            for side in Side::ALL {
                let c = Catalog::build(locale, side).unwrap();
                for (id, vars) in messages(&c.page).into_iter().chain(messages(&c.script)) {
                    let mut args = FluentArgs::new();
                    for v in &vars {
                        args.set(v.clone(), "x");
                    }
                    let text = c.format(&id, Some(&args)).unwrap_or_default();
                    assert!(!text.trim().is_empty(), "{locale:?} {id} is empty");
                    if !id.ends_with("-html") {
                        assert!(
                            !text.contains('<') && !text.contains('&'),
                            "{locale:?} {id} holds markup but is not an -html message: {text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn script_messages_become_templates_with_braced_names() {
        let c = catalog(Locale::Fr, Side::Visitor);
        let templates = c.script_templates().unwrap();
        assert_eq!(
            templates["officer_joined"],
            "{name} a rejoint la conversation."
        );
        let json: serde_json::Value = serde_json::from_str(c.script_json.as_str()).unwrap();
        assert_eq!(json["officer_joined"], "{name} a rejoint la conversation.");
    }

    #[test]
    fn json_in_a_script_tag_cannot_close_it() {
        let json = json_for_script_tag(&BTreeMap::from([("a", "</script><b>")]));
        assert!(!json.contains('<'));
        let back: BTreeMap<String, String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back["a"], "</script><b>");
    }

    #[test]
    fn arabic_is_written_right_to_left_and_the_others_left_to_right() {
        assert_eq!(Tr::visitor(Locale::Ar).dir(), "rtl");
        for l in [Locale::Fr, Locale::En, Locale::Es] {
            assert_eq!(l.dir(), "ltr");
        }
    }

    #[test]
    fn accept_language_picks_the_best_offered_language() {
        assert_eq!(Locale::negotiate(None), Locale::Fr);
        assert_eq!(Locale::negotiate(Some("")), Locale::Fr);
        assert_eq!(Locale::negotiate(Some("de-DE, de;q=0.9")), Locale::Fr);
        assert_eq!(
            Locale::negotiate(Some("ar-MA,ar;q=0.9,fr;q=0.8")),
            Locale::Ar
        );
        assert_eq!(
            Locale::negotiate(Some("de, es-MX;q=0.5, en;q=0.7")),
            Locale::En
        );
        assert_eq!(Locale::negotiate(Some("en;q=0, es")), Locale::Es);
        assert_eq!(Locale::negotiate(Some("fr-CA")), Locale::Fr);
        assert_eq!(Locale::negotiate(Some("garbage;;;q=x, en-GB")), Locale::En);
    }

    #[test]
    fn a_language_tag_is_read_by_its_primary_subtag() {
        assert_eq!(Locale::parse("AR"), Some(Locale::Ar));
        assert_eq!(Locale::parse("es-419"), Some(Locale::Es));
        assert_eq!(Locale::parse("en_GB"), Some(Locale::En));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::parse(""), None);
    }

    #[test]
    fn each_language_is_offered_under_its_own_name() {
        let names: Vec<String> = Tr::visitor(Locale::En)
            .languages()
            .into_iter()
            .map(|(_, name, _)| name)
            .collect();
        assert_eq!(names, ["Français", "English", "Español", "العربية"]);
    }

    #[test]
    fn the_visitor_bundle_carries_direction_page_and_script() {
        let v: serde_json::Value = serde_json::from_str(&visitor_bundle_json(Locale::Ar)).unwrap();
        assert_eq!(v["dir"], "rtl");
        assert_eq!(v["lang"], "ar");
        assert!(v["page"]["landing-title"].as_str().is_some());
        assert!(
            v["script"]["officer_joined"]
                .as_str()
                .unwrap()
                .contains("{name}")
        );
    }
}
