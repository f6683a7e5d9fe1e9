//! Pictograms: the flows' pictogram names mapped to small stroked SVG paths (24x24 view
//! box) authored for this kiosk. Unknown names get a neutral fallback, never nothing.

/// A path, by its meaning.
mod glyph {
    pub const STREET_LIGHT: &str = "M7 22 H15 M11 22 V6 C11 4 12 3 14 3 H16 M13 6 H19 L17.5 8.5 H14.5 Z M16 11 V13 M13 10.5 L12.3 12 M19 10.5 L19.7 12";
    pub const LIGHT_FALLEN: &str =
        "M2 21 H22 M4 20 L15 9 M13 7 L18 12 L20 8.5 L16.5 6.5 Z M19 15 L20.5 16.5 M17 17 L17.5 19";
    pub const BULB: &str = "M9 18 H15 M10 21 H14 M12 3 C8.5 3 6 5.5 6 8.8 C6 11 7.2 12.5 8.3 13.6 C9 14.3 9 15.2 9 16 H15 C15 15.2 15 14.3 15.7 13.6 C16.8 12.5 18 11 18 8.8 C18 5.5 15.5 3 12 3 Z";
    pub const BULB_OFF: &str = "M9 18 H15 M10 21 H14 M12 3 C8.5 3 6 5.5 6 8.8 C6 11 7.2 12.5 8.3 13.6 C9 14.3 9 15.2 9 16 H15 C15 15.2 15 14.3 15.7 13.6 C16.8 12.5 18 11 18 8.8 C18 5.5 15.5 3 12 3 Z M3 3 L21 21";
    pub const BULB_BLINK: &str = "M9 18 H15 M10 21 H14 M12 5 C9.2 5 7.5 7 7.5 9.6 C7.5 11.4 8.4 12.6 9.2 13.4 C9.7 14 9.8 14.8 9.8 16 H14.2 C14.2 14.8 14.3 14 14.8 13.4 C15.6 12.6 16.5 11.4 16.5 9.6 C16.5 7 14.8 5 12 5 Z M2 10 H4.5 M19.5 10 H22 M4 3.5 L6 5.5 M20 3.5 L18 5.5 M12 0.5 V2.5";
    pub const SUN: &str = "M8 12 A4 4 0 1 0 16 12 A4 4 0 1 0 8 12 Z M12 1.5 V4 M12 20 V22.5 M1.5 12 H4 M20 12 H22.5 M4.6 4.6 L6.3 6.3 M17.7 17.7 L19.4 19.4 M4.6 19.4 L6.3 17.7 M17.7 6.3 L19.4 4.6";
    pub const AFTERNOON: &str = "M2 18 H22 M6 18 A6 6 0 0 1 18 18 M12 6 V8.5 M4.5 10.5 L6.2 12.2 M19.5 10.5 L17.8 12.2 M5 22 H19";
    pub const DANGER: &str = "M12 2.5 L22.5 20.5 H1.5 Z M12 9 V14.5 M12 17 V17.6";
    pub const PHONE: &str = "M5 2.5 H9 L11 8 L8.5 9.5 C9.6 11.9 12.1 14.4 14.5 15.5 L16 13 L21.5 15 V19 C21.5 20.3 20.3 21.5 19 21.5 C9.9 21.5 2.5 14.1 2.5 5 C2.5 3.7 3.7 2.5 5 2.5 Z";
    pub const TOWN_HALL: &str = "M2 21.5 H22 M4.5 21.5 V11 M19.5 21.5 V11 M8.5 11 V17 M15.5 11 V17 M10.5 21.5 V17 H13.5 V21.5 M2.5 11 L12 5 L21.5 11 Z M12 5 V1.5 L15 2.5 L12 3.5";
    pub const PLACE: &str = "M12 22 C12 22 19 15.5 19 9.5 C19 5.4 15.9 2.5 12 2.5 C8.1 2.5 5 5.4 5 9.5 C5 15.5 12 22 12 22 Z M9.5 9.5 A2.5 2.5 0 1 0 14.5 9.5 A2.5 2.5 0 1 0 9.5 9.5 Z";
    pub const CALENDAR: &str = "M3.5 5 H20.5 V21 H3.5 Z M3.5 10 H20.5 M8 2.5 V7 M16 2.5 V7 M7 13.5 H9 M11 13.5 H13 M15 13.5 H17 M7 17 H9 M11 17 H13";
    pub const PERSON: &str = "M8 7 A4 4 0 1 0 16 7 A4 4 0 1 0 8 7 Z M4 21.5 C4 16.5 7.6 14 12 14 C16.4 14 20 16.5 20 21.5";
    pub const PEOPLE: &str = "M6 7 A3 3 0 1 0 12 7 A3 3 0 1 0 6 7 Z M2 20.5 C2 16 5 13.5 9 13.5 C13 13.5 16 16 16 20.5 M15.5 4.3 A3 3 0 0 1 15.5 9.7 M17.8 13.8 C20.3 14.6 22 16.6 22 20.5";
    pub const MAIL: &str = "M2.5 5 H21.5 V19 H2.5 Z M2.5 5 L12 13 L21.5 5";
    pub const ROAD: &str = "M8.5 2 L4 22 M15.5 2 L20 22 M12 3 V6 M12 9.5 V12.5 M12 16 V19";
    pub const POTHOLE: &str = "M8.5 2 L5.5 15 M15.5 2 L18.5 15 M3 19 C3 16.8 7 15.5 12 15.5 C17 15.5 21 16.8 21 19 C21 21.2 17 22 12 22 C7 22 3 21.2 3 19 Z";
    pub const BAG: &str = "M8 3 L10 6.5 H14 L16 3 M10 6.5 C5.5 8.5 4 13 4.8 17.5 C5.5 21 18.5 21 19.2 17.5 C20 13 18.5 8.5 14 6.5 M9.5 11 L14.5 11";
    pub const ID_CARD: &str = "M2 5 H22 V19 H2 Z M5 10 A2 2 0 1 0 9 10 A2 2 0 1 0 5 10 Z M4.5 16 C5 14 9 14 9.5 16 M12 9 H19 M12 12 H19 M12 15 H17";
    pub const PASSPORT: &str = "M5 2 H19 V22 H5 Z M8.5 10.5 A3.5 3.5 0 1 0 15.5 10.5 A3.5 3.5 0 1 0 8.5 10.5 Z M8.5 10.5 H15.5 M9 18 H15";
    pub const STROLLER: &str = "M3 9 H16 C16 13 13.5 16 9.5 16 C5.5 16 3 13 3 9 Z M3 9 C3 5.5 6 3 9.5 3 V9 M16 9 L18 5 H21 M5.5 19.5 A1.5 1.5 0 1 0 8.5 19.5 A1.5 1.5 0 1 0 5.5 19.5 Z M11.5 19.5 A1.5 1.5 0 1 0 14.5 19.5 A1.5 1.5 0 1 0 11.5 19.5 Z";
    pub const HALL: &str = "M3 21.5 V10 L12 3 L21 10 V21.5 Z M9.5 21.5 V15.5 H14.5 V21.5 M12 7 L12.8 8.7 L14.6 8.9 L13.3 10.1 L13.6 11.9 L12 11 L10.4 11.9 L10.7 10.1 L9.4 8.9 L11.2 8.7 Z";
    pub const TABLE: &str = "M2 8 H22 M5 8 V20 M19 8 V20 M2 8 L4 5 H20 L22 8 M5 14 H19";
    pub const CHAIR: &str = "M7 2.5 V21.5 M7 12 H17 V21.5 M7 12 V3 H15 V12 M7 16 H17";
    pub const CAR: &str = "M2.5 16 V12 L5 7 H19 L21.5 12 V16 Z M3 16 V19 H6.5 V16 M17.5 16 V19 H21 V16 M6 12.5 H8 M16 12.5 H18 M2.5 12 H21.5";
    pub const COMPUTER: &str = "M3 4 H21 V16 H3 Z M8 20.5 H16 M12 16 V20.5";
    pub const LEAF: &str =
        "M4.5 19.5 C4.5 9.5 10.5 4 20 4 C20 13.5 14.5 19.5 4.5 19.5 Z M4.5 19.5 L13.5 10.5";
    pub const DOCUMENT: &str =
        "M5.5 2 H14.5 L19 6.5 V22 H5.5 Z M14.5 2 V6.5 H19 M8.5 11 H16 M8.5 14 H16 M8.5 17 H13";
    pub const LIST: &str = "M9 6 H21 M9 12 H21 M9 18 H21 M3.5 6 H5 M3.5 12 H5 M3.5 18 H5";
    pub const NUMBER: &str = "M9.5 3 L7.5 21 M16.5 3 L14.5 21 M4 8.5 H20.5 M3.5 15.5 H20";
    pub const QUESTION: &str = "M2 12 A10 10 0 1 0 22 12 A10 10 0 1 0 2 12 Z M9 9.3 C9 5.8 15 5.8 15 9.3 C15 12 12 12 12 14.5 M12 17.2 V17.8";
    pub const YES: &str = "M4 12.5 L9.5 18 L20 6";
    pub const NO: &str = "M6 6 L18 18 M18 6 L6 18";
    pub const CAKE: &str = "M3 21.5 H21 M4.5 21.5 V13 H19.5 V21.5 M4.5 16.5 C7 18 9.5 15 12 16.5 C14.5 18 17 15 19.5 16.5 M8 13 V9.5 M12 13 V9.5 M16 13 V9.5 M8 6 V7 M12 6 V7 M16 6 V7";
    pub const RINGS: &str = "M3 14 A5 5 0 1 0 13 14 A5 5 0 1 0 3 14 Z M11 14 A5 5 0 1 0 21 14 A5 5 0 1 0 11 14 Z M6.5 5 L8 3 H16 L17.5 5";
    pub const TENT: &str = "M2 20 L12 4 L22 20 Z M12 4 V20 M7 20 L12 12 L17 20";
    pub const BARRIER: &str =
        "M2 9 H22 V14 H2 Z M6 9 L9 14 M12 9 L15 14 M18 9 L21 14 M5 14 V21 M19 14 V21";
    pub const BENCH: &str = "M3 11 H21 M3 15 H21 M3 7 H21 M5 15 V20 M19 15 V20";
    pub const TRUCK: &str = "M2 6 H14 V17 H2 Z M14 10 H18.5 L22 13.5 V17 H14 M4.5 19 A2 2 0 1 0 8.5 19 A2 2 0 1 0 4.5 19 Z M15.5 19 A2 2 0 1 0 19.5 19 A2 2 0 1 0 15.5 19 Z";
    pub const TYRE: &str =
        "M3 12 A9 9 0 1 0 21 12 A9 9 0 1 0 3 12 Z M8 12 A4 4 0 1 0 16 12 A4 4 0 1 0 8 12 Z";
    pub const MANHOLE: &str =
        "M3 12 A9 9 0 1 0 21 12 A9 9 0 1 0 3 12 Z M6 9 H18 M4.5 12 H19.5 M6 15 H18";
    pub const STAMP: &str = "M4 3 H20 V21 H4 Z M4 6 H2.5 M4 10 H2.5 M4 14 H2.5 M4 18 H2.5 M20 6 H21.5 M20 10 H21.5 M20 14 H21.5 M20 18 H21.5 M8 15 L11 10 L13 13 L14.5 11 L16.5 15 Z";
    pub const RUBBLE: &str = "M2 20 H22 M3 20 L5 15 L9 14 L10 20 M9 20 L12 12 L16 13 L16 20 M15.5 20 L18 16 L21 17 L21.5 20";
    pub const NEXT: &str = "M5 12 H19 M13 6 L19 12 L13 18";
    pub const PRINTER: &str = "M7 9 V3 H17 V9 M7 17 H4 V10 H20 V17 H17 M7 14 H17 V21 H7 Z";
    pub const FALLBACK: &str = "M2 12 A10 10 0 1 0 22 12 A10 10 0 1 0 2 12 Z M12 11 V17 M12 7 V7.8";
}

/// The path for a pictogram name, or `None` when the name has no drawing of its own.
pub fn known(name: &str) -> Option<&'static str> {
    use glyph::*;
    Some(match name {
        "lampadaire" => STREET_LIGHT,
        "lampadaire-tombe" => LIGHT_FALLEN,
        "ampoule" => BULB,
        "ampoule-eteinte" => BULB_OFF,
        "ampoule-clignote" => BULB_BLINK,
        "soleil" | "matin" => SUN,
        "apres-midi" => AFTERNOON,
        "danger" | "signaler" => DANGER,
        "telephone" | "rappel" => PHONE,
        "commune" | "mairie" => TOWN_HALL,
        "lieu" => PLACE,
        "calendrier" | "reserver" => CALENDAR,
        "personne" | "agent" | "ambassadeur" => PERSON,
        "personnes" | "famille" | "association" => PEOPLE,
        "courriel" => MAIL,
        "route" | "trottoir" => ROAD,
        "nid-de-poule" => POTHOLE,
        "depot-sauvage" | "sac-poubelle" | "encombrants" => BAG,
        "gravats" => RUBBLE,
        "pneu" => TYRE,
        "plaque-egout" => MANHOLE,
        "carte-identite" | "carte-et-passeport" => ID_CARD,
        "passeport" => PASSPORT,
        "creche" | "bebe" => STROLLER,
        "salle-des-fetes" => HALL,
        "tables-chaises" | "table" => TABLE,
        "chaise" => CHAIR,
        "banc" => BENCH,
        "barriere" => BARRIER,
        "barnum" => TENT,
        "camionnette" => TRUCK,
        "voiture" => CAR,
        "ordinateur" => COMPUTER,
        "feuilles" => LEAF,
        "formulaire" | "caf" | "impots" | "demarche" | "lire" => DOCUMENT,
        "imprimer" => PRINTER,
        "timbre-fiscal" => STAMP,
        "liste" => LIST,
        "nombre" => NUMBER,
        "gateau" => CAKE,
        "alliances" => RINGS,
        "point-interrogation" | "indifferent" | "suivi" => QUESTION,
        "oui" => YES,
        "non" => NO,
        "suivant" => NEXT,
        _ => return None,
    })
}

/// The path to draw for an optional pictogram name: unknown names get the fallback,
/// no name gets nothing.
pub fn path_for(name: Option<&str>) -> &'static str {
    match name {
        None => "",
        Some(name) => known(name).unwrap_or_else(|| {
            tracing::debug!(
                pictogram = name,
                "no drawing for this pictogram, fallback used"
            );
            glyph::FALLBACK
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_fall_back_and_none_draws_nothing() {
        assert_eq!(path_for(None), "");
        assert_eq!(path_for(Some("licorne")), glyph::FALLBACK);
        assert_eq!(path_for(Some("lampadaire")), glyph::STREET_LIGHT);
    }

    #[test]
    fn every_pictogram_of_the_shipped_flows_has_a_drawing() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                if let Some(name) = line.trim().strip_prefix("pictogram:") {
                    let name = name.trim();
                    if known(name).is_none() {
                        missing.push(format!("{}: {name}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "pictograms without a drawing: {missing:?}"
        );
    }
}
