//! The theme's promises, read back from the compiled .slint through the generated API:
//! every colour pair at least 7:1 (WCAG 2 contrast) in both modes, text at least 24 px,
//! touch targets at least 90 px.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

use kiosk_ui::{KioskWindow, Theme};
use slint::{Color, ComponentHandle};

fn channel(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(c: Color) -> f64 {
    0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn wcag_contrast_formula() {
    let black = Color::from_rgb_u8(0, 0, 0);
    let white = Color::from_rgb_u8(255, 255, 255);
    assert!((contrast(black, white) - 21.0).abs() < 1e-9);
    // #767676 on white is the classic 4.54:1.
    let grey = Color::from_rgb_u8(0x76, 0x76, 0x76);
    assert!((contrast(grey, white) - 4.54).abs() < 0.01);
}

#[test]
fn every_colour_pair_is_at_least_7_to_1_in_both_modes() {
    i_slint_backend_testing::init_no_event_loop();
    let window = KioskWindow::new().unwrap();
    let theme = window.global::<Theme>();
    for high in [false, true] {
        theme.set_high_contrast(high);
        let pairs = [
            ("text/background", theme.get_text(), theme.get_background()),
            (
                "muted/background",
                theme.get_muted(),
                theme.get_background(),
            ),
            ("header", theme.get_header_text(), theme.get_header_bg()),
            ("primary", theme.get_on_primary(), theme.get_primary()),
            ("yes", theme.get_on_yes(), theme.get_yes()),
            ("no", theme.get_on_no(), theme.get_no()),
            ("call", theme.get_on_call(), theme.get_call()),
            ("surface", theme.get_on_surface(), theme.get_surface()),
            ("muted/surface", theme.get_muted(), theme.get_surface()),
            ("notice", theme.get_notice_text(), theme.get_notice_bg()),
            (
                "disabled",
                theme.get_disabled_text(),
                theme.get_disabled_bg(),
            ),
        ];
        for (name, fg, bg) in pairs {
            let ratio = contrast(fg, bg);
            assert!(ratio >= 7.0, "{name} (high contrast {high}): {ratio:.2}:1");
        }
    }
}

#[test]
fn text_and_touch_targets_are_large_enough() {
    i_slint_backend_testing::init_no_event_loop();
    let window = KioskWindow::new().unwrap();
    let theme = window.global::<Theme>();
    for height in [480.0, 800.0] {
        theme.set_screen_height(height);
        assert!(theme.get_small_size() >= 24.0);
        assert!(theme.get_bar_size() >= 24.0);
        assert!(theme.get_text_size() >= 24.0);
        assert!(theme.get_touch_min() >= 90.0);
    }
    assert!(!theme.get_compact());
    theme.set_screen_height(480.0);
    assert!(theme.get_compact());
}
