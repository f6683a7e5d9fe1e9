//! The kiosk's touchscreen UI (Slint) and the session controller that drives it.
