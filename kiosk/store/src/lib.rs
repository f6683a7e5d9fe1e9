//! The kiosk's local store (being written).
