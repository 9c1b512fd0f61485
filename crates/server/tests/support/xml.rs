//! A strict reader of the XML our charts are written in, for tests: no XML crate is in the
//! build, and a chart must be a document any XML parser accepts (a standalone SVG file).
//!
//! It accepts elements, attributes in double or single quotes, text, comments, the five
//! predefined entities and character references; it refuses anything else a well-formed
//! document may not hold: an unclosed or misnested element, a bare `&` or `<`, a duplicate
//! attribute, text or a second element after the root, a name that is not a name. It does not
//! read DTDs or processing instructions other than the XML declaration (our SVG has none).
#![allow(dead_code)]

/// An element, with its attributes in document order and its children.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// What an element holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Text with its references resolved.
    Text(String),
}

impl Element {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The element children.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// This element and every element below it, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for child in self.elements() {
            out.extend(child.descendants());
        }
        out
    }

    /// The text of this element and its descendants, joined.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            match child {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => out.push_str(&e.text()),
            }
        }
        out
    }
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        let context: String = self.rest().chars().take(40).collect();
        Err(format!("{what} at byte {}: {context:?}", self.pos))
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        self.pos > start
    }

    fn name(&mut self) -> Result<String, String> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_name_start(c) => self.pos += c.len_utf8(),
            _ => return self.err("a name was expected"),
        }
        while let Some(c) = self.peek() {
            if is_name_char(c) {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        Ok(self.src[start..self.pos].to_string())
    }

    /// A reference after its `&`, resolved.
    fn reference(&mut self) -> Result<char, String> {
        let end = match self.rest().find(';') {
            Some(e) if e <= 10 => e,
            _ => return self.err("a bare & (write &amp;)"),
        };
        let body = &self.rest()[..end];
        let c = match body {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => {
                let code = if let Some(hex) = body.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = body.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).filter(|c| is_xml_char(*c))
            }
        };
        match c {
            Some(c) => {
                self.pos += end + 1;
                Ok(c)
            }
            None => self.err("an unknown reference"),
        }
    }

    fn attribute_value(&mut self) -> Result<String, String> {
        let quote = match self.peek() {
            Some(q @ ('"' | '\'')) => q,
            _ => return self.err("an attribute value must be quoted"),
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return self.err("an unclosed attribute value"),
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('<') => return self.err("a < inside an attribute value"),
                Some('&') => {
                    self.pos += 1;
                    out.push(self.reference()?);
                }
                Some(c) if !is_xml_char(c) => return self.err("a character XML forbids"),
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn comment(&mut self) -> Result<(), String> {
        match self.rest().find("-->") {
            Some(end) if !self.rest()[..end].contains("--") => {
                self.pos += end + 3;
                Ok(())
            }
            _ => self.err("a bad comment"),
        }
    }

    /// An element whose `<` was just read.
    fn element(&mut self) -> Result<Element, String> {
        let name = self.name()?;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let spaced = self.skip_space();
            if self.eat("/>") {
                return Ok(Element {
                    name,
                    attrs,
                    children: Vec::new(),
                });
            }
            if self.eat(">") {
                break;
            }
            if !spaced {
                return self.err("attributes must be separated by space");
            }
            let attr = self.name()?;
            self.skip_space();
            if !self.eat("=") {
                return self.err("an attribute without a value");
            }
            self.skip_space();
            let value = self.attribute_value()?;
            if attrs.iter().any(|(n, _)| *n == attr) {
                return self.err(&format!("a duplicate attribute {attr}"));
            }
            attrs.push((attr, value));
        }
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return self.err(&format!("<{name}> is never closed")),
                Some('<') => {
                    if !text.is_empty() {
                        children.push(Node::Text(std::mem::take(&mut text)));
                    }
                    if self.eat("</") {
                        let closing = self.name()?;
                        self.skip_space();
                        if closing != name || !self.eat(">") {
                            return self.err(&format!("<{name}> closed by </{closing}>"));
                        }
                        return Ok(Element {
                            name,
                            attrs,
                            children,
                        });
                    } else if self.eat("<!--") {
                        self.comment()?;
                    } else if self.rest().starts_with("<![CDATA[") {
                        return self.err("CDATA is not used in our charts");
                    } else {
                        self.pos += 1;
                        children.push(Node::Element(self.element()?));
                    }
                }
                Some('&') => {
                    self.pos += 1;
                    text.push(self.reference()?);
                }
                Some(c) if !is_xml_char(c) => return self.err("a character XML forbids"),
                Some(c) => {
                    if self.rest().starts_with("]]>") {
                        return self.err("]]> in text");
                    }
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_space();
            if self.eat("<!--") {
                self.comment()?;
            } else {
                return Ok(());
            }
        }
    }
}

/// Reads a whole document: an optional XML declaration, comments and space, one root element,
/// comments and space.
pub fn parse(src: &str) -> Result<Element, String> {
    let mut r = Reader { src, pos: 0 };
    if r.rest().starts_with("<?xml") {
        match r.rest().find("?>") {
            Some(end) => r.pos += end + 2,
            None => return r.err("an unclosed XML declaration"),
        }
    }
    r.misc()?;
    if !r.eat("<") {
        return r.err("the root element was expected");
    }
    let root = r.element()?;
    r.misc()?;
    if r.pos != src.len() {
        return r.err("something after the root element");
    }
    Ok(root)
}

#[test]
fn the_reader_refuses_what_is_not_well_formed() {
    for bad in [
        "<svg>",
        "<svg></g>",
        "<svg><g></svg></g>",
        "<svg a=1/>",
        "<svg a=\"1\" a=\"2\"/>",
        "<svg a=\"<\"/>",
        "<svg>a & b</svg>",
        "<svg>&nbsp;</svg>",
        "<svg/><svg/>",
        "<svg/>text",
        "<svg a=\"1\"b=\"2\"/>",
        "<1svg/>",
        "<svg>\u{1}</svg>",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad:?}");
    }
    let good = parse(
        "<?xml version=\"1.0\"?>\n<!-- c --><svg xmlns=\"x\" b='it&apos;s'><t>a &amp; b &#233;&#x41;</t><g/></svg>\n",
    )
    .unwrap();
    assert_eq!(good.attr("b"), Some("it's"));
    assert_eq!(good.text(), "a & b éA");
    assert_eq!(good.descendants().len(), 3);
}
