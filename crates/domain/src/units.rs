//! The directory of local units that receive forwarded reports (commissariats, brigades,
//! specialised units such as the maisons de protection des familles), read from its data file
//! (format in `share/units.sample.txt` and docs/DOSSIER.md), and the choice of the unit for a
//! place: the most precise coverage wins, a postal code before a département.

use crate::dossier::UnitId;
use crate::{Departement, Force, PostalCode};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// What kind of unit it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A police station.
    Commissariat,
    /// A gendarmerie brigade.
    Brigade,
    /// A unit for families and minors, or another specialised unit.
    Specialised,
}

impl UnitKind {
    /// Stable name used in the data file and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commissariat => "commissariat",
            Self::Brigade => "brigade",
            Self::Specialised => "specialised",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Commissariat, Self::Brigade, Self::Specialised]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A place: what a unit answers for, and what a row of the force table names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "code", rename_all = "snake_case")]
pub enum Coverage {
    /// The communes of one postal code (five digits).
    PostalCode(String),
    /// A whole département.
    Departement(Departement),
}

impl Coverage {
    /// Reads "69400" (a postal code) or "69", "2A", "974" (a département).
    pub fn parse(s: &str) -> Option<Coverage> {
        if s.len() == 5 {
            return PostalCode::parse(s)
                .ok()
                .map(|p| Coverage::PostalCode(p.as_str().to_string()));
        }
        Departement::parse(&s.to_ascii_uppercase()).map(Coverage::Departement)
    }

    /// As written in the data file.
    pub fn as_str(&self) -> &str {
        match self {
            Coverage::PostalCode(p) => p,
            Coverage::Departement(d) => d.as_str(),
        }
    }
}

/// A local unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Stable identifier.
    pub id: UnitId,
    /// Police or gendarmerie.
    pub force: Force,
    /// Commissariat, brigade or specialised unit.
    pub kind: UnitKind,
    /// Its name as the person and the officer read it.
    pub name: String,
    /// Where a new dossier is notified (an address the unit reads; no content is ever sent).
    pub notify: String,
    /// The places it answers for.
    pub covers: Vec<Coverage>,
}

/// Why a units file is refused: the first problem, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct UnitsFileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub reason: String,
}

/// The header line a units file may start with.
pub const UNITS_HEADER: &str = "id;force;kind;name;notify;covers";

fn valid_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// Parses a units file: one `id;force;kind;name;notify;covers` per line, `covers` being postal
/// codes and départements separated by spaces; `#` lines and blank lines ignored. Refuses the
/// whole file at its first bad line, naming it.
pub fn parse_units(text: &str) -> Result<Vec<Unit>, UnitsFileError> {
    let mut units = Vec::new();
    let mut ids = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let bad = |reason: String| UnitsFileError { line, reason };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == UNITS_HEADER {
            continue;
        }
        let fields: Vec<&str> = trimmed.split(';').map(str::trim).collect();
        let [id, force, kind, name, notify, covers] = fields[..] else {
            return Err(bad(format!(
                "expected 6 fields `{UNITS_HEADER}`, found {}",
                fields.len()
            )));
        };
        let id = UnitId::parse(id).ok_or_else(|| {
            bad(format!(
                "{id:?} is not a unit id (2 to 64 of a-z, 0-9 and -)"
            ))
        })?;
        if !ids.insert(id.clone()) {
            return Err(bad(format!("unit {} is listed twice", id.as_str())));
        }
        let force = Force::parse(force).ok_or_else(|| {
            bad(format!(
                "{force:?} is not a force (`police` or `gendarmerie`)"
            ))
        })?;
        let kind = UnitKind::parse(kind).ok_or_else(|| {
            bad(format!(
                "{kind:?} is not a kind (`commissariat`, `brigade` or `specialised`)"
            ))
        })?;
        let name_chars = name.chars().count();
        if !(2..=200).contains(&name_chars) {
            return Err(bad("the name must have 2 to 200 characters".into()));
        }
        if !valid_address(notify) {
            return Err(bad(format!("{notify:?} is not an e-mail address")));
        }
        let mut places = Vec::new();
        for token in covers.split_whitespace() {
            let place = Coverage::parse(token).ok_or_else(|| {
                bad(format!(
                    "{token:?} is neither a postal code nor a département code"
                ))
            })?;
            if !places.contains(&place) {
                places.push(place);
            }
        }
        if places.is_empty() {
            return Err(bad("the unit covers no place".into()));
        }
        units.push(Unit {
            id,
            force,
            kind,
            name: name.to_string(),
            notify: notify.to_string(),
            covers: places,
        });
    }
    if units.is_empty() {
        return Err(UnitsFileError {
            line: text.lines().count().max(1),
            reason: "the file lists no unit".into(),
        });
    }
    Ok(units)
}

/// The unit of `force` to propose for a place: one covering the postal code if any, else one
/// covering the département; among several, specialised units last and then by id, so the
/// choice is stable. `None` when no unit of that force covers the place (the officer chooses).
pub fn unit_for<'a>(
    units: &'a [Unit],
    force: Force,
    postal_code: Option<&PostalCode>,
    departement: Option<&Departement>,
) -> Option<&'a Unit> {
    let pick = |wanted: &Coverage| {
        units
            .iter()
            .filter(|u| u.force == force && u.covers.contains(wanted))
            .min_by_key(|u| (u.kind == UnitKind::Specialised, u.id.clone()))
    };
    let by_code = postal_code.and_then(|p| pick(&Coverage::PostalCode(p.as_str().to_string())));
    let departement = departement
        .cloned()
        .or_else(|| postal_code.map(PostalCode::departement));
    by_code.or_else(|| departement.and_then(|d| pick(&Coverage::Departement(d))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# a comment
id;force;kind;name;notify;covers
commissariat-lyon;police;commissariat;Commissariat central de Lyon;accueil.lyon@example.invalid;69001 69002 69003
cgd-villefranche;gendarmerie;brigade;Brigade de Villefranche-sur-Saône;bta.villefranche@example.invalid;69400 69
mpf-rhone;gendarmerie;specialised;Maison de protection des familles du Rhône;mpf.rhone@example.invalid;69
";

    fn code(s: &str) -> PostalCode {
        PostalCode::parse(s).unwrap()
    }

    #[test]
    fn the_shipped_sample_is_a_valid_units_file() {
        let units = parse_units(include_str!("../../../share/units.sample.txt")).unwrap();
        assert!(units.len() >= 5);
        let rhone = Departement::parse("69").unwrap();
        let village = unit_for(&units, Force::Gendarmerie, None, Some(&rhone)).unwrap();
        assert_eq!(
            village.kind,
            UnitKind::Specialised,
            "the only one for the whole Rhône"
        );
    }

    #[test]
    fn a_units_file_is_read_whole() {
        let units = parse_units(SAMPLE).unwrap();
        assert_eq!(units.len(), 3);
        assert_eq!(units[1].name, "Brigade de Villefranche-sur-Saône");
        assert_eq!(units[1].kind, UnitKind::Brigade);
        assert_eq!(
            units[1].covers,
            vec![
                Coverage::PostalCode("69400".into()),
                Coverage::Departement(Departement::parse("69").unwrap())
            ]
        );
    }

    #[test]
    fn a_bad_line_is_refused_with_its_number() {
        let cases = [
            ("x;police;commissariat;Nom;a@b.fr;75", 1, "unit id"),
            ("ab;army;commissariat;Nom;a@b.fr;75", 1, "force"),
            ("ab;police;bureau;Nom;a@b.fr;75", 1, "kind"),
            ("ab;police;commissariat;Nom;not-an-address;75", 1, "e-mail"),
            ("ab;police;commissariat;Nom;a@b.fr;", 1, "no place"),
            ("ab;police;commissariat;Nom;a@b.fr;7501", 1, "postal code"),
            ("ab;police;commissariat;Nom;a@b.fr", 1, "6 fields"),
            (
                "# c\n\nab;police;commissariat;Nom;a@b.fr;75\nab;police;brigade;Autre;a@b.fr;75",
                4,
                "twice",
            ),
        ];
        for (text, line, what) in cases {
            let e = parse_units(text).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.to_string().contains(what), "{text}: {e}");
        }
        assert!(
            parse_units("# nothing\n")
                .unwrap_err()
                .reason
                .contains("no unit")
        );
    }

    #[test]
    fn the_postal_code_chooses_before_the_departement_and_the_force_decides() {
        let units = parse_units(SAMPLE).unwrap();
        let rhone = Departement::parse("69").unwrap();
        // Lyon 3e: the police station that covers the postal code.
        let lyon = unit_for(&units, Force::Police, Some(&code("69003")), None).unwrap();
        assert_eq!(lyon.id.as_str(), "commissariat-lyon");
        // Villefranche: the brigade by its postal code.
        let v = unit_for(&units, Force::Gendarmerie, Some(&code("69400")), None).unwrap();
        assert_eq!(v.id.as_str(), "cgd-villefranche");
        // A village of the Rhône: the département's gendarmerie units, the brigade before the
        // specialised unit.
        let village = unit_for(&units, Force::Gendarmerie, Some(&code("69870")), None).unwrap();
        assert_eq!(village.id.as_str(), "cgd-villefranche");
        // The département alone (no postal code given).
        let dep = unit_for(&units, Force::Gendarmerie, None, Some(&rhone)).unwrap();
        assert_eq!(dep.id.as_str(), "cgd-villefranche");
        // No police unit covers the village: the officer chooses.
        assert!(unit_for(&units, Force::Police, Some(&code("69870")), None).is_none());
        assert!(unit_for(&units, Force::Police, None, None).is_none());
    }
}
