//! What officers insert into a chat: canned replies managed by supervisors, and the directory
//! of support services by département. Both are checked here, once, at the edge.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a canned reply or a resource is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// A field is empty or too long.
    #[error("{field}: {min} to {max} characters")]
    Length {
        /// Which field.
        field: &'static str,
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
    /// The shortcut has characters other than a-z, 0-9 and -.
    #[error("shortcut: only a-z, 0-9 and -")]
    Shortcut,
    /// Unknown kind of resource.
    #[error("kind: one of association, victim_service, medical, legal_aid, helpline")]
    Kind,
    /// A variable the console does not know.
    #[error("unknown variable {{{0}}}: use {{agent}}, {{departement}} or {{services}}")]
    Variable(String),
    /// A web address that is not https.
    #[error("url: must start with https://")]
    Url,
}

fn check_len(
    field: &'static str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<String, DirectoryError> {
    let s = s.trim();
    let n = s.chars().count();
    if n < min || n > max {
        return Err(DirectoryError::Length { field, min, max });
    }
    Ok(s.to_string())
}

/// The variables a canned reply may use, filled in by the console when it is inserted.
pub const VARIABLES: [&str; 3] = ["agent", "departement", "services"];

/// A reply written once by a supervisor and inserted by officers with its shortcut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CannedReply {
    /// Typed after `/` in the composer ("plainte", "3919").
    pub shortcut: String,
    /// What the list shows.
    pub title: String,
    /// The text, with `{agent}`, `{departement}` and `{services}` filled in on insertion.
    pub body: String,
}

impl CannedReply {
    /// Checks and normalises a reply.
    pub fn parse(shortcut: &str, title: &str, body: &str) -> Result<Self, DirectoryError> {
        let shortcut = check_len("shortcut", shortcut, 1, 24)?.to_ascii_lowercase();
        if !shortcut
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(DirectoryError::Shortcut);
        }
        let title = check_len("title", title, 1, 80)?;
        let body = check_len("body", body, 1, crate::MAX_MESSAGE_CHARS)?;
        for var in variables_in(&body) {
            if !VARIABLES.contains(&var) {
                return Err(DirectoryError::Variable(var.to_string()));
            }
        }
        Ok(Self {
            shortcut,
            title,
            body,
        })
    }

    /// The text with its variables filled in (unknown ones are left as written).
    pub fn fill(&self, agent: &str, departement: &str, services: &str) -> String {
        let mut out = String::with_capacity(self.body.len());
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    let value = match &after[..end] {
                        "agent" => Some(agent),
                        "departement" => Some(departement),
                        "services" => Some(services),
                        _ => None,
                    };
                    match value {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[start..start + end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The `{name}` variables a text uses.
fn variables_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    out.push(name);
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// What a support service is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A support association.
    Association,
    /// A victim support service (aide aux victimes).
    VictimService,
    /// A medical unit (unité médico-judiciaire, hospital).
    Medical,
    /// Legal aid (avocats, point-justice, CDAD).
    LegalAid,
    /// A national helpline.
    Helpline,
}

impl ResourceKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Association => "association",
            Self::VictimService => "victim_service",
            Self::Medical => "medical",
            Self::LegalAid => "legal_aid",
            Self::Helpline => "helpline",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Result<Self, DirectoryError> {
        Ok(match s {
            "association" => Self::Association,
            "victim_service" => Self::VictimService,
            "medical" => Self::Medical,
            "legal_aid" => Self::LegalAid,
            "helpline" => Self::Helpline,
            _ => return Err(DirectoryError::Kind),
        })
    }
}

/// One entry of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Resource {
    /// Its département, or `None` for a national service.
    pub departement: Option<crate::Departement>,
    /// What it is.
    pub kind: ResourceKind,
    /// Its name.
    pub name: String,
    /// Phone number, as dialled.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Opening hours.
    pub hours: Option<String>,
    /// Web site (https only).
    pub url: Option<String>,
    /// Sample data, not a real service: shown as such.
    pub sample: bool,
}

impl Resource {
    /// Checks the lengths of every field and that the web address is https.
    pub fn check(mut self) -> Result<Self, DirectoryError> {
        self.name = check_len("name", &self.name, 1, 120)?;
        let opt = |field, v: Option<String>, max| -> Result<Option<String>, DirectoryError> {
            match v {
                Some(v) if !v.trim().is_empty() => check_len(field, &v, 1, max).map(Some),
                _ => Ok(None),
            }
        };
        self.phone = opt("phone", self.phone, 32)?;
        self.address = opt("address", self.address, 200)?;
        self.hours = opt("hours", self.hours, 120)?;
        self.url = opt("url", self.url, 300)?;
        if self
            .url
            .as_deref()
            .is_some_and(|u| !u.starts_with("https://"))
        {
            return Err(DirectoryError::Url);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canned_reply_fills_its_variables() {
        let r = CannedReply::parse(
            "Bonjour",
            "Accueil",
            "Bonjour, je suis {agent}. Dans le {departement} : {services}. {agent}",
        )
        .unwrap();
        assert_eq!(r.shortcut, "bonjour");
        assert_eq!(
            r.fill("Agent Martin", "69", "France Victimes 69"),
            "Bonjour, je suis Agent Martin. Dans le 69 : France Victimes 69. Agent Martin"
        );
        let odd = CannedReply::parse("x", "x", "un { seul et {agent").unwrap();
        assert_eq!(odd.fill("A", "", ""), "un { seul et {agent");
    }

    #[test]
    fn a_bad_canned_reply_is_refused_with_its_field() {
        assert_eq!(
            CannedReply::parse("with space", "t", "b"),
            Err(DirectoryError::Shortcut)
        );
        assert!(matches!(
            CannedReply::parse("", "t", "b"),
            Err(DirectoryError::Length {
                field: "shortcut",
                ..
            })
        ));
        assert!(matches!(
            CannedReply::parse("a", "t", "  "),
            Err(DirectoryError::Length { field: "body", .. })
        ));
        assert_eq!(
            CannedReply::parse("a", "t", "Bonjour {prenom}"),
            Err(DirectoryError::Variable("prenom".into()))
        );
    }

    #[test]
    fn a_resource_needs_a_name_and_an_https_address() {
        let r = Resource {
            departement: None,
            kind: ResourceKind::Helpline,
            name: " 3919 ".into(),
            phone: Some("3919".into()),
            address: Some("  ".into()),
            hours: None,
            url: Some("http://example.org".into()),
            sample: false,
        };
        assert_eq!(r.clone().check(), Err(DirectoryError::Url));
        let ok = Resource { url: None, ..r }.check().unwrap();
        assert_eq!(ok.name, "3919");
        assert_eq!(ok.address, None);
        assert_eq!(ResourceKind::parse("medical"), Ok(ResourceKind::Medical));
        assert!(ResourceKind::parse("police").is_err());
    }
}
