//! The YAML parser's errors in plain French, placed where the mistake is rather than where
//! the parser noticed it: the tab, the opening quote never closed, the apostrophe that closed
//! a quoted text too early, the `[` never closed. No English from the parser ever reaches
//! the administrator: every message of yaml-rust2 has a French one, and an unknown message
//! gets a general French one at the parser's position.

use crate::diagnostic::Position;

const PREFIX: &str = "YAML mal formé : ";

/// Where the mistake is and what to do, for a parser error at `at` with the parser's `info`.
pub(super) fn explain(source: &str, at: Position, info: &str) -> (Position, String) {
    let info = info.to_lowercase();
    let has = |part: &str| info.contains(part);
    let lines: Vec<&str> = source.lines().collect();
    let (position, message) = if let Some(tab) = tab_on_blank_line_above(&lines, at) {
        (
            tab,
            "tabulation sur une ligne vide, qui coupe le bloc en deux : effacez-la (on indente avec des espaces)"
                .to_string(),
        )
    } else if has("tab") && !has("tag") {
        (
            tab_near(&lines, at).unwrap_or(at),
            "tabulation interdite : remplacez-la par des espaces (on indente avec des espaces)"
                .to_string(),
        )
    } else if has("trailing content after") {
        quote_closed_too_early(&lines, at)
    } else if has("quoted scalar, found unexpected")
        || has("indentation in quoted scalar")
        || has("end of stream") && open_quote_before(&lines, at).is_some()
    {
        match open_quote_before(&lines, at) {
            Some((position, '\'')) => (
                position,
                "apostrophe « ' » ouverte ici et jamais fermée : ajoutez « ' » à la fin du texte (et écrivez deux fois une apostrophe du texte : 'l''école')".to_string(),
            ),
            Some((position, _)) => (
                position,
                "guillemet « \" » ouvert ici et jamais fermé : ajoutez « \" » à la fin du texte"
                    .to_string(),
            ),
            None => (at, "un guillemet ou une apostrophe ouvrant un texte n'est pas fermé : ajoutez-le à la fin du texte".to_string()),
        }
    } else if has("mapping values are not allowed") {
        colon(&lines, at)
    } else if let Some(found) = unclosed_bracket_before(&lines, at) {
        found
    } else if has("unexpected character") {
        let c = char_at(&lines, at).unwrap_or('@');
        (
            at,
            format!("« {c} » ne peut pas commencer une valeur : mettez le texte entre guillemets"),
        )
    } else {
        (at, known_message(&info).to_string())
    };
    (position, format!("{PREFIX}{message}"))
}

/// French for the parser's other messages (lower case), by a part of them; the first match
/// wins, so the more precise come first.
const MESSAGES: [(&str, &str); 30] = [
    ("tag", "« ! » ne peut pas commencer une valeur (étiquette YAML) : mettez le texte entre guillemets"),
    ("handle", "« ! » ne peut pas commencer une valeur (étiquette YAML) : mettez le texte entre guillemets"),
    ("escape", "barre oblique « \\ » dans un texte entre guillemets : écrivez-la deux fois (\\\\), ou mettez le texte entre apostrophes"),
    ("hexadecimal", "barre oblique « \\ » dans un texte entre guillemets : écrivez-la deux fois (\\\\), ou mettez le texte entre apostrophes"),
    ("':' must be followed", "après « : », mettez une espace (par exemple « label: Taille »)"),
    ("'-' must be followed", "après « - », mettez une espace (par exemple « - id: taille »)"),
    ("illegal placement of ':'", "« : » inattendu : un crochet « [ » ou une accolade « { » n'est peut-être pas fermé"),
    ("expected ',' or ']'", "crochet « [ » jamais fermé : ajoutez « ] »"),
    ("expected ',' or '}'", "accolade « { » jamais fermée : ajoutez « } »"),
    ("indentation in flow construct", "suite d'une liste entre crochets « [ ] » ou accolades « { } » mal placée : fermez-la, ou décalez la ligne suivante"),
    ("did not find expected key", "indentation incorrecte : cette ligne n'est pas alignée avec les clés de son bloc"),
    ("expected '-' indicator", "indentation incorrecte : cette ligne n'est pas alignée avec les éléments « - » de sa liste"),
    ("block sequence entries are not allowed", "« - » inattendu : vérifiez l'indentation de la liste, ou mettez entre guillemets un texte qui commence par « - »"),
    ("is only valid inside a block", "« - » inattendu entre crochets ou accolades : séparez les éléments par des virgules"),
    ("cannot start with '-'", "un texte qui commence par « - » doit être entre guillemets"),
    ("mapping keys are not allowed", "« ? » inattendu : mettez entre guillemets un texte qui commence par « ? »"),
    ("simple key expect", "« : » attendu après une clé (par exemple « label: Taille ») : la ligne d'avant n'est peut-être pas finie"),
    ("expected node content", "valeur attendue ici : écrivez une valeur, ou vérifiez l'indentation"),
    ("wrongly indented line in block scalar", "ligne mal décalée dans un texte sur plusieurs lignes (« | » ou « > ») : décalez-la comme les autres lignes du texte"),
    ("block scalar", "texte sur plusieurs lignes mal commencé : rien d'autre que « | » ou « > » sur la ligne de la clé, et le texte sur les lignes suivantes"),
    ("comments must be separated", "« # » commence un commentaire : mettez une espace avant, ou mettez le texte entre guillemets"),
    ("anchor", "« & » et « * » ne peuvent pas commencer une valeur (ancres YAML) : mettez le texte entre guillemets"),
    ("alias", "« & » et « * » ne peuvent pas commencer une valeur (ancres YAML) : mettez le texte entre guillemets"),
    ("document", "ligne « --- » ou « ... » inattendue : un fichier contient un seul parcours ; supprimez cette ligne"),
    ("directive", "ligne commençant par « % » (directive YAML) : supprimez-la, ou mettez le texte entre guillemets"),
    ("recursion limit", "trop de crochets ou d'accolades les uns dans les autres : simplifiez"),
    ("duplicated key", "clé écrite deux fois dans le même bloc : gardez-en une"),
    ("end of stream", "fin du fichier inattendue : un guillemet, un crochet ou une accolade n'est pas fermé"),
    ("unexpected eof", "fin du fichier inattendue : un guillemet, un crochet ou une accolade n'est pas fermé"),
    ("indentation", "indentation incorrecte : alignez cette ligne avec les clés de son bloc"),
];

/// The general message, for a parser message not in [`MESSAGES`].
const UNKNOWN: &str =
    "écriture incorrecte à cet endroit : vérifiez l'indentation, les « : » et les guillemets";

fn known_message(info: &str) -> &'static str {
    MESSAGES
        .iter()
        .find(|(part, _)| info.contains(part))
        .map_or(UNKNOWN, |(_, french)| french)
}

fn char_at(lines: &[&str], at: Position) -> Option<char> {
    lines
        .get(at.line.checked_sub(1)?)?
        .chars()
        .nth(at.column.checked_sub(1)?)
}

/// The tab the parser met: the first one from the start of its line on (it often reports
/// the token before), else the last one before it.
fn tab_near(lines: &[&str], at: Position) -> Option<Position> {
    let tab_on = |line_no: usize| {
        let column = lines.get(line_no - 1)?.chars().position(|c| c == '\t')?;
        Some(Position::new(line_no, column + 1))
    };
    (at.line.max(1)..=lines.len())
        .find_map(tab_on)
        .or_else(|| (1..at.line.min(lines.len() + 1)).rev().find_map(tab_on))
}

/// A tab on the blank lines just above the error's line: the parser accepts it on most
/// blank lines, but inside a text on several lines (`|`, `>`) it ends the text, and the
/// parser only complains at the next line.
fn tab_on_blank_line_above(lines: &[&str], at: Position) -> Option<Position> {
    let above = lines.get(..at.line.saturating_sub(1).min(lines.len()))?;
    above
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, line)| line.trim().is_empty())
        .filter_map(|(i, line)| {
            let column = line.chars().position(|c| c == '\t')?;
            Some(Position::new(i + 1, column + 1))
        })
        .last()
}

/// A quoted text went on after its closing quote: that quote was meant inside the text
/// (`'l'école'`, `"le "petit" modèle"`). Placed on that quote.
fn quote_closed_too_early(lines: &[&str], at: Position) -> (Position, String) {
    let line: Vec<char> = at
        .line
        .checked_sub(1)
        .and_then(|i| lines.get(i))
        .map(|l| l.chars().collect())
        .unwrap_or_default();
    let before = at.column.saturating_sub(1).min(line.len());
    let quote = line[..before]
        .iter()
        .rposition(|c| *c == '\'' || *c == '"')
        .map(|i| (Position::new(at.line, i + 1), line[i]));
    match quote {
        Some((position, '\'')) => (
            position,
            "apostrophe dans un texte entre apostrophes : elle ferme le texte trop tôt. Écrivez-la deux fois ('l''école'), ou entourez le texte de guillemets (\"l'école\")".to_string(),
        ),
        Some((position, _)) => (
            position,
            "guillemet « \" » dans un texte entre guillemets : il ferme le texte trop tôt. Écrivez-le \\\", ou utilisez les guillemets français « »".to_string(),
        ),
        None => (at, "texte en trop après un texte entre guillemets : mettez tout le texte entre les guillemets".to_string()),
    }
}

/// `key: text: more`: a `: ` inside a text without quotes, or a line indented too far.
fn colon(lines: &[&str], at: Position) -> (Position, String) {
    let line = at
        .line
        .checked_sub(1)
        .and_then(|i| lines.get(i))
        .copied()
        .unwrap_or_default();
    let before: String = line.chars().take(at.column.saturating_sub(1)).collect();
    let entry = line.trim_start();
    let entry = entry.strip_prefix("- ").unwrap_or(entry);
    // A key before the faulty `:` on the same line: the `:` is in its value.
    let in_value = before.trim_start().trim_start_matches("- ").contains(": ");
    let Some((key, value)) = entry.split_once(": ").filter(|_| in_value) else {
        return (
            at,
            "« : » inattendu : vérifiez l'indentation, ou mettez le texte entre guillemets"
                .to_string(),
        );
    };
    let value = value.trim();
    let quoted = if value.contains('"') {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        format!("\"{value}\"")
    };
    (
        at,
        format!("« : » dans un texte sans guillemets : il y est pris pour une nouvelle clé. Mettez tout le texte entre guillemets : « {key}: {quoted} »"),
    )
}

/// The opening quote of a quoted text still open at `until` (included), following texts
/// over lines.
fn open_quote_before(lines: &[&str], until: Position) -> Option<(Position, char)> {
    let mut open: Option<(Position, char)> = None;
    // The indentation of a `key: |` line while its block text lasts: quotes there are text.
    let mut block_text_of: Option<usize> = None;
    for (index, line) in lines.iter().enumerate().take(until.line) {
        let line_no = index + 1;
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        if let Some(parent) = block_text_of {
            if open.is_none() && (indent > parent || line.trim().is_empty()) {
                continue;
            }
            block_text_of = None;
        }
        // The parser places these errors on the opening quote itself: include its char.
        let end = if line_no == until.line {
            until.column.min(chars.len())
        } else {
            chars.len()
        };
        let mut i = 0;
        while i < end {
            let c = chars[i];
            match open {
                Some((_, '\'')) if c == '\'' => {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 1;
                    } else {
                        open = None;
                    }
                }
                Some((_, '"')) if c == '\\' => i += 1,
                Some((_, '"')) if c == '"' => open = None,
                Some(_) => {}
                None if c == '#' && (i == 0 || chars[i - 1].is_whitespace()) => break,
                None if (c == '\'' || c == '"') && starts_value(&chars[..i]) => {
                    open = Some((Position::new(line_no, i + 1), c));
                }
                None => {}
            }
            i += 1;
        }
        let value = line.trim_end();
        if open.is_none()
            && value.ends_with(['|', '>'])
            && starts_value(&chars[..value.len().min(chars.len()).saturating_sub(1)])
        {
            block_text_of = Some(indent);
        }
    }
    open
}

/// Whether a char after `before` on its line starts a value (after `key:`, `-`, `[`, `{`, `,`).
fn starts_value(before: &[char]) -> bool {
    before
        .iter()
        .rev()
        .find(|c| !c.is_whitespace())
        .is_none_or(|c| matches!(c, ':' | '-' | '[' | '{' | ',' | '?'))
}

/// An unclosed `[` or `{` on the error's line or the few before it: the parser only
/// notices it later.
fn unclosed_bracket_before(lines: &[&str], at: Position) -> Option<(Position, String)> {
    let first = at.line.saturating_sub(6).max(1);
    for line_no in (first..=at.line).rev() {
        let Some(line) = lines.get(line_no - 1) else {
            continue;
        };
        let code = line.split(" #").next().unwrap_or(line);
        let mut depth: Vec<(char, usize)> = Vec::new();
        let mut quote: Option<char> = None;
        for (col, c) in code.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"')
                    if col == 0
                        || !code.chars().nth(col - 1).is_some_and(char::is_alphanumeric) =>
                {
                    quote = Some(c)
                }
                (None, '[' | '{') => depth.push((c, col + 1)),
                (None, ']' | '}') => {
                    depth.pop();
                }
                _ => {}
            }
        }
        if let Some((bracket, col)) = depth.last() {
            let message = if *bracket == '[' {
                "crochet « [ » jamais fermé : ajoutez « ] » à la fin de la ligne"
            } else {
                "accolade « { » jamais fermée : ajoutez « } » à la fin de la ligne"
            };
            return Some((Position::new(line_no, *col), message.to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message yaml-rust2 0.10 can give (`grep ScanError::new src/*.rs`).
    const PARSER_MESSAGES: [&str; 70] = [
        "'-' must be followed by a valid YAML whitespace",
        "':' must be followed by a valid YAML whitespace",
        "a block scalar content cannot start with a tab",
        "block sequence entries are not allowed in this context",
        "comments must be separated from other tokens by whitespace",
        "did not find expected <document start>",
        "did not find expected <document-start>",
        "did not find expected <stream-start>",
        "did not find expected next token",
        "duplicate version directive",
        "expected whitespace",
        "found incompatible YAML document",
        "illegal placement of ':' indicator",
        "invalid content after document end marker",
        "invalid global tag character",
        "invalid indentation for anchor",
        "invalid indentation in flow construct",
        "invalid indentation in quoted scalar",
        "invalid indentation",
        "invalid trailing content after double-quoted scalar",
        "mapping keys are not allowed in this context",
        "mapping values are not allowed in this context",
        "missing explicit document end marker before directive",
        "plain scalar cannot start with '-' followed by ,[]{}",
        "recursion limit exceeded",
        "simple key expect ':'",
        "simple key expected",
        "tab cannot be used as indentation",
        "tabs disallowed in this context",
        "tabs disallowed within this context (block indentation)",
        "the TAG directive must only be given at most once per handle in the same document",
        "the handle wasn't declared",
        "unexpected character: `@'",
        "unexpected eof",
        "while parsing a block collection, did not find expected '-' indicator",
        "while parsing a block mapping, did not find expected key",
        "while parsing a flow mapping, did not find expected ',' or '}'",
        "while parsing a flow sequence, expected ',' or ']'",
        "while parsing a node, did not find expected node content",
        "while parsing a quoted scalar, did not find expected hexadecimal number",
        "while parsing a quoted scalar, found invalid Unicode character escape code",
        "while parsing a quoted scalar, found unknown escape character",
        "while parsing a tag directive, did not find expected '!'",
        "while parsing a tag, did not find URI escaped octet",
        "while parsing a tag, did not find expected tag URI",
        "while parsing a tag, found an incorrect leading UTF-8 octet",
        "while parsing a tag, found an incorrect trailing UTF-8 octet",
        "while parsing a tag, found an invalid UTF-8 codepoint",
        "while parsing anchor, found duplicated anchor",
        "while parsing node, found unknown anchor",
        "while scanning TAG, did not find expected whitespace or line break",
        "while scanning a YAML directive, did not find expected digit or '.' character",
        "while scanning a YAML directive, did not find expected version number",
        "while scanning a YAML directive, found extremely long version number",
        "while scanning a block scalar, did not find expected comment or line break",
        "while scanning a block scalar, found an indentation indicator equal to 0",
        "while scanning a directive, could not find expected directive name",
        "while scanning a directive, did not find expected comment or line break",
        "while scanning a directive, found unexpected non-alphabetical character",
        "while scanning a directive, found unknown directive name",
        "while scanning a plain scalar, found a tab",
        "while scanning a quoted scalar, found unexpected document indicator",
        "while scanning a quoted scalar, found unexpected end of stream",
        "while scanning a tag, did not find expected '!'",
        "while scanning a tag, did not find expected whitespace or line break",
        "while scanning a verbatim tag, did not find the expected '>'",
        "while scanning an anchor or alias, did not find expected alphabetic or numeric character",
        "wrongly indented line in block scalar",
        "\"key\": duplicated key in mapping",
        "\"-\" is only valid inside a block",
    ];

    #[test]
    fn every_parser_message_has_its_own_french_one() {
        // Internal states of the parser that a file cannot reach on its own.
        let internal = ["<stream-start>", "next token", "expected whitespace"];
        for info in PARSER_MESSAGES {
            let (_, french) = explain("a: b\n", Position::new(1, 1), info);
            assert!(french.starts_with(PREFIX), "{info}: {french}");
            if !internal.iter().any(|i| info.contains(i)) {
                assert!(
                    !french.ends_with(UNKNOWN),
                    "« {info} » has no French message"
                );
            }
            let english = [
                "found", "while", "expected", "scalar", "mapping", "allowed", "not ",
            ];
            assert!(
                !english.iter().any(|w| french.contains(w)),
                "English in « {french} »"
            );
        }
    }

    #[test]
    fn an_unknown_parser_message_gets_a_french_one_at_its_place() {
        let (at, french) = explain("a: b\n", Position::new(1, 3), "something new happened");
        assert_eq!(at, Position::new(1, 3));
        assert_eq!(french, format!("{PREFIX}{UNKNOWN}"));
    }

    #[test]
    fn finds_the_quote_left_open_over_lines_and_block_texts() {
        let lines = ["a: |", "  'texte", "b: \"ouvert", "c: d"];
        assert_eq!(
            open_quote_before(&lines, Position::new(4, 1)),
            Some((Position::new(3, 4), '"'))
        );
        let lines = ["a: 'l''école'", "b: l'un", "c: d"];
        assert_eq!(open_quote_before(&lines, Position::new(3, 1)), None);
    }
}
