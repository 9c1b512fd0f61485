//! The dossier's PDF form: A4, for printing and reading, its text selectable and extractable.
//!
//! The layout is computed first (lines measured with the font's own shaping, wrapped at
//! spaces, then cut into pages) so that each page can say "page N / M" and carry the SHA-256
//! of the JSON form. The fonts (DejaVu Sans, shipped with this crate) are embedded as subsets
//! with their Unicode map, and the file is checked as PDF/A-2u by the writer.

use crate::model::{Author, Dossier, Force, Officer, SafeContact, Standing};
use crate::paris::Moment;
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use std::sync::OnceLock;
use unicode_bidi::{BidiInfo, Level};

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

// A4 in points, with margins of 2 cm (2.5 cm at the bottom, for the footer).
const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.7;
const BOTTOM: f32 = PAGE_H - 70.9;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
const INDENT: f32 = 14.0;

/// The PDF writer refused the document (a bug here, not bad input: every character the fonts
/// lack is replaced before drawing).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the dossier's PDF: {0}")]
pub struct PdfError(String);

/// What sits in the document's metadata for the signature to fill in ([`crate::sign`]).
pub(crate) struct Hole<'a>(pub &'a str);

/// Renders `dossier` as a PDF whose every page shows `sha256_hex`, the hash of its JSON form,
/// with `hole` written in its metadata keywords.
pub(crate) fn render(
    dossier: &Dossier,
    sha256_hex: &str,
    hole: Hole<'_>,
) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get();
    let pages = paginate(layout(dossier, fonts));
    let total = pages.len();

    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::A(Archival::A2_U))
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        // Untagged: PDF/A-2u asks for Unicode text, not for a structure tree.
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    for (index, lines) in pages.iter().enumerate() {
        let mut page = document.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4"));
        let mut surface = page.surface();
        let header = format!(
            "Écoute — dossier {} — {}",
            dossier.reference, dossier.unit.name
        );
        draw(
            &mut surface,
            fonts,
            &Line::plain(header, Style::Small),
            MARGIN,
            34.0,
            GREY,
        );
        rule(&mut surface, 40.0, 0.5);
        for placed in lines {
            let colour = if placed.line.style == Style::Meta {
                GREY
            } else {
                BLACK
            };
            draw(
                &mut surface,
                fonts,
                &placed.line,
                MARGIN + placed.line.indent,
                placed.y,
                colour,
            );
            if placed.line.style == Style::Heading {
                rule(&mut surface, placed.y + 4.0, 0.7);
            }
        }
        rule(&mut surface, PAGE_H - 52.0, 0.5);
        let footer = format!("SHA-256 du dossier JSON : {sha256_hex}");
        draw(
            &mut surface,
            fonts,
            &Line::plain(footer, Style::Small),
            MARGIN,
            PAGE_H - 40.0,
            GREY,
        );
        let number = Line::plain(format!("page {} / {total}", index + 1), Style::Small);
        let x = PAGE_W - MARGIN - fonts.width(&number.text, Style::Small);
        draw(&mut surface, fonts, &number, x, PAGE_H - 40.0, GREY);
        surface.finish();
        page.finish();
    }
    let produced = dossier.produced.at.utc;
    document.set_metadata(
        Metadata::new()
            .title(format!("Dossier {} — Écoute", dossier.reference))
            .creator("Écoute".into())
            .language("fr".into())
            .keywords(vec![hole.0.to_string()])
            .creation_date(
                krilla::metadata::DateTime::new(produced.year() as u16)
                    .month(produced.month() as u8)
                    .day(produced.day())
                    .hour(produced.hour())
                    .minute(produced.minute())
                    .second(produced.second())
                    .utc_offset_hour(0)
                    .utc_offset_minute(0),
            )
            .document_id(dossier.reference.clone()),
    );
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

/// Grey levels (0 is black) of the text.
const BLACK: u8 = 0;
const GREY: u8 = 90;

fn draw(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &Fonts,
    line: &Line,
    x: f32,
    y: f32,
    grey: u8,
) {
    if line.text.is_empty() {
        return;
    }
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(grey, grey, grey).into(),
        ..Fill::default()
    }));
    let (font, size) = fonts.of(line.style);
    // The line is cut into runs of one direction, in the order they are seen (the Unicode
    // bidirectional algorithm); each run is shaped in its own direction.
    let base = if line.rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(&line.text, Some(base));
    let Some(paragraph) = info.paragraphs.first() else {
        return;
    };
    let (_, runs) = info.visual_runs(paragraph, paragraph.range.clone());
    let widths: Vec<f32> = runs
        .iter()
        .map(|r| fonts.width(&line.text[r.clone()], line.style))
        .collect();
    // Right-to-left paragraphs are set flush right, as their readers expect.
    let mut x = if line.rtl {
        PAGE_W - MARGIN - widths.iter().sum::<f32>()
    } else {
        x
    };
    for (run, w) in runs.iter().zip(widths) {
        let direction = if info.levels[run.start].is_rtl() {
            TextDirection::RightToLeft
        } else {
            TextDirection::LeftToRight
        };
        let text = &line.text[run.clone()];
        surface.draw_text(
            Point::from_xy(x, y),
            font.clone(),
            size,
            text,
            false,
            direction,
        );
        x += w;
    }
}

fn rule(surface: &mut krilla::surface::Surface<'_>, y: f32, width: f32) {
    let mut path = PathBuilder::new();
    path.move_to(MARGIN, y);
    path.line_to(PAGE_W - MARGIN, y);
    let Some(path) = path.finish() else { return };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: rgb::Color::new(160, 160, 160).into(),
        width,
        ..Stroke::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

/// How a line is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Title,
    Heading,
    /// A label or a message's author and time.
    Meta,
    Body,
    Strong,
    Small,
}

/// One line of text, already short enough to fit.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    style: Style,
    indent: f32,
    rtl: bool,
    /// Space above the line, beyond its own height.
    space_before: f32,
    /// Keep on the same page as the next line (headings, a message's author).
    keep_with_next: bool,
}

impl Line {
    fn plain(text: String, style: Style) -> Self {
        Self {
            text,
            style,
            indent: 0.0,
            rtl: false,
            space_before: 0.0,
            keep_with_next: false,
        }
    }
}

/// The fonts, parsed once per process.
struct Fonts {
    regular: Font,
    bold: Font,
    regular_face: rustybuzz::Face<'static>,
    bold_face: rustybuzz::Face<'static>,
}

impl Fonts {
    fn get() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| Fonts {
            regular: Font::new(REGULAR.into(), 0).expect("the shipped font parses"),
            bold: Font::new(BOLD.into(), 0).expect("the shipped font parses"),
            regular_face: rustybuzz::Face::from_slice(REGULAR, 0).expect("the shipped font parses"),
            bold_face: rustybuzz::Face::from_slice(BOLD, 0).expect("the shipped font parses"),
        })
    }

    fn of(&self, style: Style) -> (&Font, f32) {
        match style {
            Style::Title => (&self.bold, 18.0),
            Style::Heading => (&self.bold, 12.5),
            Style::Meta => (&self.bold, 8.5),
            Style::Body => (&self.regular, 10.0),
            Style::Strong => (&self.bold, 10.0),
            Style::Small => (&self.regular, 7.5),
        }
    }

    fn face(&self, style: Style) -> &rustybuzz::Face<'static> {
        match style {
            Style::Title | Style::Heading | Style::Meta | Style::Strong => &self.bold_face,
            Style::Body | Style::Small => &self.regular_face,
        }
    }

    /// The advance of `text` set in `style`, shaped as the writer will shape it.
    fn width(&self, text: &str, style: Style) -> f32 {
        let face = self.face(style);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|p| i64::from(p.x_advance))
            .sum();
        let (_, size) = self.of(style);
        units as f32 * size / f32::from(face.units_per_em() as u16)
    }

    /// `text` with every character the font cannot draw replaced by U+FFFD: PDF/A forbids the
    /// empty glyph, and the JSON form keeps the exact text anyway.
    fn drawable(&self, text: &str, style: Style) -> String {
        let face = self.face(style);
        text.chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if face.glyph_index(c).is_some() || c.is_whitespace() {
                    c
                } else {
                    '\u{FFFD}'
                }
            })
            .collect()
    }

    fn line_height(&self, style: Style) -> f32 {
        self.of(style).1 * 1.35
    }
}

/// Whether a paragraph reads right to left: its first letter of a strong direction is from
/// Hebrew or Arabic script.
fn is_rtl(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

/// Cuts a paragraph into lines of at most `width`, at spaces; a word longer than a line is cut
/// where it must.
fn wrap(fonts: &Fonts, text: &str, style: Style, width: f32) -> Vec<String> {
    let space = fonts.width(" ", style);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_w = 0.0;
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        let mut w = fonts.width(&word, style);
        if !current.is_empty() && current_w + space + w <= width {
            current.push(' ');
            current.push_str(&word);
            current_w += space + w;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        while w > width {
            // Longest prefix that fits, at least one character.
            let mut cut = word.len();
            while cut > 0 && fonts.width(&word[..cut], style) > width {
                cut = word[..cut].char_indices().last().map_or(0, |(i, _)| i);
            }
            let cut = cut.max(word.chars().next().map_or(1, char::len_utf8));
            lines.push(word[..cut].to_string());
            word = word[cut..].to_string();
            w = fonts.width(&word, style);
        }
        current = word;
        current_w = w;
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// The document as a list of lines, in reading order.
struct Flow<'f> {
    fonts: &'f Fonts,
    lines: Vec<Line>,
}

impl Flow<'_> {
    fn heading(&mut self, text: &str) {
        let mut line = Line::plain(text.to_string(), Style::Heading);
        line.space_before = 14.0;
        line.keep_with_next = true;
        self.lines.push(line);
        // Room under the rule drawn beneath the heading.
        let mut gap = Line::plain(String::new(), Style::Small);
        gap.keep_with_next = true;
        self.lines.push(gap);
    }

    /// A message's number, time and author, kept with the message's first line.
    fn meta(&mut self, text: &str) {
        let first = self.lines.len();
        self.paragraph(text, Style::Meta, 0.0, 6.0);
        for line in &mut self.lines[first..] {
            line.keep_with_next = true;
        }
    }

    /// A label and its value, the value wrapped under the label's indent.
    fn field(&mut self, label: &str, value: &str) {
        self.paragraph(&format!("{label} : {value}"), Style::Body, 0.0, 2.0);
    }

    fn paragraph(&mut self, text: &str, style: Style, indent: f32, space_before: f32) {
        let start = self.lines.len();
        let mut first = true;
        for para in text.split('\n') {
            let clean = self.fonts.drawable(para, style);
            let rtl = is_rtl(&clean);
            for piece in wrap(self.fonts, &clean, style, TEXT_W - indent - 4.0) {
                let mut line = Line::plain(piece, style);
                line.indent = indent;
                line.rtl = rtl;
                if first {
                    line.space_before = space_before;
                    first = false;
                }
                self.lines.push(line);
            }
        }
        // No line of a paragraph left alone at the foot or the head of a page: the first two
        // lines stay together, and so do the last two.
        let end = self.lines.len();
        if end - start >= 2 {
            self.lines[start].keep_with_next = true;
            self.lines[end - 2].keep_with_next = true;
        }
    }
}

fn layout(d: &Dossier, fonts: &Fonts) -> Vec<Line> {
    let mut flow = Flow {
        fonts,
        lines: Vec::new(),
    };
    flow.lines
        .push(Line::plain("Dossier de signalement".into(), Style::Title));
    flow.paragraph(
        &format!(
            "Référence {} — transmis par la plateforme Écoute",
            d.reference
        ),
        Style::Body,
        0.0,
        4.0,
    );

    flow.heading("Transmission");
    flow.field("Unité destinataire", &d.unit.name);
    flow.field(
        "Force",
        match d.unit.force {
            Force::Police => "Police nationale",
            Force::Gendarmerie => "Gendarmerie nationale",
        },
    );
    flow.field("Département", &d.departement);
    flow.field("Dossier établi le", &when(&d.produced.at));
    flow.field("par", &officer(&d.produced.by));

    flow.heading("Qualification");
    flow.field(
        "Qualité de la personne",
        match d.qualification.standing {
            Standing::Victim => "victime",
            Standing::Witness => "témoin",
        },
    );
    flow.field(
        "Victime mineure",
        if d.qualification.minor { "oui" } else { "non" },
    );
    flow.field("Faits", &d.qualification.facts);

    flow.heading("Consentement à la transmission");
    flow.field("Donné le", &when(&d.consent.at));
    flow.field("Langue", &d.consent.language);
    flow.field("Question posée", &format!("« {} »", d.consent.question));

    flow.heading("Recontacter la personne");
    match &d.contact {
        SafeContact::DoNotContact => flow.paragraph(
            "NE PAS CONTACTER : la personne a demandé à ne pas être recontactée.",
            Style::Strong,
            0.0,
            2.0,
        ),
        SafeContact::Instructions { text } => {
            flow.paragraph(
                "Consignes de la personne, à suivre à la lettre :",
                Style::Body,
                0.0,
                2.0,
            );
            flow.paragraph(text, Style::Strong, INDENT, 2.0);
        }
    }

    flow.heading("Prises en charge successives");
    if d.handovers.is_empty() {
        flow.paragraph("Aucun changement d'écoutant·e.", Style::Body, 0.0, 2.0);
    }
    for h in &d.handovers {
        flow.paragraph(
            &format!(
                "{} — de {} à {}",
                when(&h.at),
                officer(&h.from),
                officer(&h.to)
            ),
            Style::Body,
            0.0,
            4.0,
        );
        flow.paragraph(&format!("Motif : {}", h.reason), Style::Body, INDENT, 0.0);
    }

    flow.heading(&format!("Échanges ({} messages)", d.messages.len()));
    for m in &d.messages {
        let who = match &m.author {
            Author::Visitor => "Personne accueillie".to_string(),
            Author::Officer(o) => format!("écoutant·e {} ({})", o.name, o.id),
        };
        flow.meta(&format!("n° {} · {} · {}", m.seq, when(&m.at), who));
        flow.paragraph(&m.text, Style::Body, INDENT, 0.0);
    }
    flow.lines
}

fn officer(o: &Officer) -> String {
    format!("{} (identifiant {})", o.name, o.id)
}

/// "14/07/2026 14:03:12 heure de Paris (UTC+2), 12:03:12 UTC".
fn when(m: &Moment) -> String {
    let p = m.paris;
    let u = m.utc;
    format!(
        "{:02}/{:02}/{} {:02}:{:02}:{:02} heure de Paris (UTC+{}), {:02}/{:02}/{} {:02}:{:02}:{:02} UTC",
        p.day(),
        p.month() as u8,
        p.year(),
        p.hour(),
        p.minute(),
        p.second(),
        p.offset().whole_hours(),
        u.day(),
        u.month() as u8,
        u.year(),
        u.hour(),
        u.minute(),
        u.second(),
    )
}

/// A line and the baseline it sits on.
struct Placed {
    line: Line,
    y: f32,
}

/// Cuts the flow into pages; a line marked keep-with-next moves to the next page with the line
/// that follows it.
fn paginate(lines: Vec<Line>) -> Vec<Vec<Placed>> {
    let fonts = Fonts::get();
    let top = MARGIN + 10.0;
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = top;
    let mut i = 0;
    while i < lines.len() {
        // The group: this line and every following line it must stay with.
        let mut end = i;
        while end + 1 < lines.len() && lines[end].keep_with_next {
            end += 1;
        }
        let page_has_lines = pages.last().is_some_and(|p| !p.is_empty());
        let group_h: f32 = lines[i..=end]
            .iter()
            .enumerate()
            .map(|(k, l)| {
                fonts.line_height(l.style)
                    + if k == 0 && !page_has_lines {
                        0.0
                    } else {
                        l.space_before
                    }
            })
            .sum();
        if page_has_lines && y + group_h > BOTTOM {
            pages.push(Vec::new());
            y = top;
        }
        for line in &lines[i..=end] {
            let on_fresh_page = pages.last().is_none_or(|p| p.is_empty());
            let h = fonts.line_height(line.style);
            if !on_fresh_page && y + h + line.space_before > BOTTOM {
                pages.push(Vec::new());
                y = top;
            }
            let fresh = pages.last().is_none_or(|p| p.is_empty());
            if !fresh {
                y += line.space_before;
            }
            y += h;
            pages.last_mut().expect("a page").push(Placed {
                line: line.clone(),
                y,
            });
        }
        i = end + 1;
    }
    pages
}
