//! Risk rules: phrases that signal immediate danger in what a visitor writes. A match raises
//! the chat's priority and shows the officer the rule's label; the rules decide nothing else.
//! The file format is described in `share/risk-rules.toml` and docs/ROUTING.md.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::Path;

/// The rules shipped with Écoute.
pub const BUILT_IN: &str = include_str!("../../../share/risk-rules.toml");

/// Longest label accepted: it is shown in a queue line.
const MAX_LABEL_CHARS: usize = 80;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    label: String,
    phrases: Vec<String>,
}

#[derive(Debug, Clone)]
struct Rule {
    label: String,
    /// Normalised, with a space on each side so that only whole words match.
    phrases: Vec<String>,
}

/// A checked set of rules.
#[derive(Debug, Clone)]
pub struct RiskRules {
    rules: Vec<Rule>,
}

impl RiskRules {
    /// The built-in rules.
    pub fn built_in() -> Self {
        Self::parse(BUILT_IN).expect("the built-in risk rules are valid")
    }

    /// Reads and checks a rules file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the risk rules file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in the risk rules file {}", path.display()))
    }

    /// Parses and checks rules: every rule has a one-line label and at least one phrase with
    /// a letter or digit in it.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: File = toml::from_str(text).context("not a valid rules file")?;
        if file.rule.is_empty() {
            bail!("no [[rule]]");
        }
        let mut rules = Vec::new();
        for (i, raw) in file.rule.into_iter().enumerate() {
            let n = i + 1;
            let label = raw.label.trim().to_string();
            if label.is_empty() || label.contains(['\n', '\r']) {
                bail!("rule {n}: the label must be one non-empty line");
            }
            if label.chars().count() > MAX_LABEL_CHARS {
                bail!("rule {n} ({label}): the label is longer than {MAX_LABEL_CHARS} characters");
            }
            if raw.phrases.is_empty() {
                bail!("rule {n} ({label}): no phrase");
            }
            let mut phrases = Vec::new();
            for p in &raw.phrases {
                let folded = normalise(p);
                if folded.trim().is_empty() {
                    bail!("rule {n} ({label}): the phrase {p:?} has no letter or digit");
                }
                phrases.push(folded);
            }
            rules.push(Rule { label, phrases });
        }
        Ok(Self { rules })
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there is none (never true for a parsed set).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The labels of the rules that match `text`, in file order.
    pub fn matches(&self, text: &str) -> Vec<String> {
        let text = normalise(text);
        self.rules
            .iter()
            .filter(|r| r.phrases.iter().any(|p| text.contains(p.as_str())))
            .map(|r| r.label.clone())
            .collect()
    }
}

/// Lower case, accents removed, every run of non-alphanumeric characters turned into one
/// space, with a space at each end. Arabic is read as people write it: short vowels and the
/// tatweel dropped, the forms of alef read as ا, ة as ه and ى as ي.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ç' => "c",
            'ñ' => "n",
            'ÿ' | 'ý' => "y",
            'œ' => "oe",
            'æ' => "ae",
            // Arabic short vowels, shadda, sukun, dagger alef; the tatweel that only stretches.
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            'أ' | 'إ' | 'آ' | 'ٱ' => "ا",
            'ة' => "ه",
            'ى' => "ي",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        if folded == " " {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push_str(folded);
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_rules_are_valid() {
        assert!(RiskRules::built_in().len() >= 5);
    }

    #[test]
    fn a_threat_or_the_aggressors_presence_is_flagged_in_french_and_english() {
        let rules = RiskRules::built_in();
        assert_eq!(
            rules.matches("J'ai peur, IL EST LÀ !!"),
            ["Agresseur présent / aggressor present"]
        );
        assert_eq!(
            rules.matches("il m'a dit qu'il va me tuer"),
            ["Menace de mort / death threat"]
        );
        assert_eq!(
            rules.matches("He said he is going to kill me"),
            ["Menace de mort / death threat"]
        );
    }

    /// What a person would write to say the aggressor is there, in each language of the pages.
    const AGGRESSOR_THERE: &str = "Agresseur présent / aggressor present";

    #[test]
    fn the_aggressors_presence_is_flagged_in_spanish() {
        let rules = RiskRules::built_in();
        for text in [
            "¡Está aquí! Tengo miedo",
            "el está aquí",
            "ya llegó, está detrás de la puerta",
            "Está en la puerta",
        ] {
            assert_eq!(rules.matches(text), [AGGRESSOR_THERE], "{text}");
        }
        assert_eq!(
            rules.matches("Me dijo que me va a matar"),
            ["Menace de mort / death threat"]
        );
        assert_eq!(rules.matches("tiene un cuchillo"), ["Arme / weapon"]);
        assert_eq!(
            rules.matches("me está pegando ahora"),
            ["Violence en cours / violence now"]
        );
        assert_eq!(
            rules.matches("ya no quiero vivir"),
            ["Idées suicidaires / suicidal thoughts"]
        );
        assert_eq!(
            rules.matches("¡Socorro!"),
            ["Appel à l'aide / call for help"]
        );
        assert!(
            rules
                .matches("Buenas tardes, quisiera información sobre cómo poner una denuncia")
                .is_empty()
        );
    }

    #[test]
    fn the_aggressors_presence_is_flagged_in_arabic_written_with_or_without_vowels() {
        let rules = RiskRules::built_in();
        for text in [
            "إنه هنا! أنا خائفة",
            "انه هنا",
            "إِنَّهُ هُنَا",
            "هو هنا، خلف الباب",
            "هـو هـنا",
        ] {
            assert_eq!(rules.matches(text), [AGGRESSOR_THERE], "{text}");
        }
        assert_eq!(
            rules.matches("قال إنه سيقتلني"),
            ["Menace de mort / death threat"]
        );
        assert_eq!(rules.matches("معه سكين"), ["Arme / weapon"]);
        assert_eq!(rules.matches("هددني بالسكين"), ["Arme / weapon"]);
        assert_eq!(
            rules.matches("إنه يضربني الآن"),
            ["Violence en cours / violence now"]
        );
        assert_eq!(
            rules.matches("أريد أن أنتحر"),
            ["Idées suicidaires / suicidal thoughts"]
        );
        assert_eq!(rules.matches("النجدة"), ["Appel à l'aide / call for help"]);
        assert!(
            rules
                .matches("مساء الخير، أريد معلومات عن تقديم شكوى")
                .is_empty()
        );
    }

    #[test]
    fn only_whole_words_match_and_ordinary_words_do_not() {
        let rules = RiskRules::parse("[[rule]]\nlabel = \"L\"\nphrases = [\"tuer\"]\n").unwrap();
        assert!(rules.matches("une tuerie").is_empty());
        assert!(rules.matches("tuerai").is_empty());
        assert_eq!(rules.matches("Tuer."), ["L"]);
        let built_in = RiskRules::built_in();
        assert!(
            built_in
                .matches("Bonjour, je voudrais des informations sur la plainte")
                .is_empty()
        );
        assert!(
            built_in
                .matches("Il est laborieux de tout raconter")
                .is_empty()
        );
    }

    #[test]
    fn bad_rule_files_are_refused_with_the_rule_named() {
        for (text, says) in [
            ("", "valid rules file"),
            ("rule = []\n", "no [[rule]]"),
            ("[[rule]]\nlabel = \"\"\nphrases = [\"x\"]\n", "rule 1"),
            (
                "[[rule]]\nlabel = \"A\"\nphrases = []\n",
                "rule 1 (A): no phrase",
            ),
            (
                "[[rule]]\nlabel = \"A\"\nphrases = [\"!!\"]\n",
                "no letter or digit",
            ),
            (
                "[[rule]]\nlabel = \"A\"\nphrases = [\"x\"]\nweight = 3\n",
                "valid rules file",
            ),
        ] {
            let e = format!("{:#}", RiskRules::parse(text).unwrap_err());
            assert!(e.contains(says), "{e} should say {says}");
        }
    }
}
