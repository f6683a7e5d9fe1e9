//! One answer, two formats: every Open311 response is built once as a [`Reply`] and written
//! as JSON or as XML (the specification's "root element, one element per item, one element
//! per field" layout, with the XML declaration), so both formats always say the same thing.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::{Map, Value as Json};

/// The format a client asked for by the file extension (`services.json`, `services.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `name.json` / `name.xml` into the name and its format.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, extension) = file.rsplit_once('.')?;
        let format = match extension {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        (!name.is_empty()).then_some((name, format))
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// A field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// Text, or nothing known (`null`, an empty element).
    Text(Option<String>),
    Bool(bool),
    Int(i64),
    /// A decimal number (coordinates), or nothing known.
    Number(Option<f64>),
    /// Nested items (`attributes` of `attribute`, `values` of `value`).
    Items {
        tag: &'static str,
        items: Vec<Item>,
    },
    /// A list of texts (`formats` of `format`).
    Texts {
        tag: &'static str,
        texts: Vec<String>,
    },
}

impl Field {
    pub fn text(text: impl Into<String>) -> Field {
        Field::Text(Some(text.into()))
    }

    pub fn maybe(text: Option<impl Into<String>>) -> Field {
        Field::Text(text.map(Into::into))
    }
}

/// An object: its fields in the specification's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item(pub Vec<(&'static str, Field)>);

impl Item {
    pub fn with(mut self, name: &'static str, field: Field) -> Item {
        self.0.push((name, field));
        self
    }
}

/// A whole response body.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A list: a JSON array; in XML, `<root>` holding one `<tag>` per item.
    List {
        root: &'static str,
        tag: &'static str,
        items: Vec<Item>,
    },
    /// One object: a JSON object; in XML, `<root>` holding its fields.
    One { root: &'static str, item: Item },
}

impl Reply {
    pub fn json(&self) -> Json {
        match self {
            Reply::List { items, .. } => Json::Array(items.iter().map(item_json).collect()),
            Reply::One { item, .. } => item_json(item),
        }
    }

    pub fn xml(&self) -> String {
        let mut writer = Writer::new(Vec::new());
        let written = (|| -> std::io::Result<()> {
            writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
            match self {
                Reply::List { root, tag, items } => {
                    writer.write_event(Event::Start(BytesStart::new(*root)))?;
                    for item in items {
                        write_item(&mut writer, tag, item)?;
                    }
                    writer.write_event(Event::End(BytesEnd::new(*root)))?;
                }
                Reply::One { root, item } => write_item(&mut writer, root, item)?,
            }
            Ok(())
        })();
        // Writing into a Vec cannot fail.
        debug_assert!(written.is_ok());
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }

    /// The response with `status`, in `format`.
    pub fn respond(&self, status: StatusCode, format: Format) -> Response {
        let body = match format {
            Format::Json => self.json().to_string(),
            Format::Xml => self.xml(),
        };
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        response
    }
}

fn item_json(item: &Item) -> Json {
    let mut object = Map::new();
    for (name, field) in &item.0 {
        object.insert((*name).to_string(), field_json(field));
    }
    Json::Object(object)
}

fn field_json(field: &Field) -> Json {
    match field {
        Field::Text(text) => text.clone().map_or(Json::Null, Json::String),
        Field::Bool(b) => Json::Bool(*b),
        Field::Int(n) => Json::from(*n),
        Field::Number(n) => n
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, Json::Number),
        Field::Items { items, .. } => Json::Array(items.iter().map(item_json).collect()),
        Field::Texts { texts, .. } => {
            Json::Array(texts.iter().cloned().map(Json::String).collect())
        }
    }
}

fn write_item(writer: &mut Writer<Vec<u8>>, tag: &str, item: &Item) -> std::io::Result<()> {
    writer.write_event(Event::Start(BytesStart::new(tag)))?;
    for (name, field) in &item.0 {
        writer.write_event(Event::Start(BytesStart::new(*name)))?;
        match field {
            Field::Items { tag, items } => {
                for nested in items {
                    write_item(writer, tag, nested)?;
                }
            }
            Field::Texts { tag, texts } => {
                for text in texts {
                    write_text(writer, tag, text)?;
                }
            }
            other => {
                let text = match field_json(other) {
                    Json::Null => String::new(),
                    Json::String(s) => s,
                    value => value.to_string(),
                };
                writer.write_event(Event::Text(BytesText::new(&text)))?;
            }
        }
        writer.write_event(Event::End(BytesEnd::new(*name)))?;
    }
    writer.write_event(Event::End(BytesEnd::new(tag)))?;
    Ok(())
}

fn write_text(writer: &mut Writer<Vec<u8>>, tag: &str, text: &str) -> std::io::Result<()> {
    writer.write_event(Event::Start(BytesStart::new(tag)))?;
    writer.write_event(Event::Text(BytesText::new(text)))?;
    writer.write_event(Event::End(BytesEnd::new(tag)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_say_the_same_and_xml_escapes() {
        let reply = Reply::List {
            root: "services",
            tag: "service",
            items: vec![Item::default()
                .with("service_code", Field::text("eclairage-public"))
                .with("service_name", Field::text("Lampe <cassée> & \"noire\""))
                .with("metadata", Field::Bool(true))
                .with("lat", Field::Number(None))
                .with(
                    "values",
                    Field::Items {
                        tag: "value",
                        items: vec![Item::default().with("key", Field::text("a"))],
                    },
                )],
        };
        assert_eq!(
            reply.json().to_string(),
            r#"[{"lat":null,"metadata":true,"service_code":"eclairage-public","service_name":"Lampe <cassée> & \"noire\"","values":[{"key":"a"}]}]"#
        );
        assert_eq!(
            reply.xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service>\
             <service_code>eclairage-public</service_code>\
             <service_name>Lampe &lt;cassée&gt; &amp; &quot;noire&quot;</service_name>\
             <metadata>true</metadata><lat></lat>\
             <values><value><key>a</key></value></values></service></services>"
        );
    }

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(
            Format::split("services.json"),
            Some(("services", Format::Json))
        );
        assert_eq!(Format::split("AB2-7KQ.xml"), Some(("AB2-7KQ", Format::Xml)));
        assert_eq!(Format::split("services.html"), None);
        assert_eq!(Format::split(".json"), None);
        assert_eq!(Format::split("services"), None);
    }
}
