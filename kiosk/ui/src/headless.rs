//! Rendering without a display: a Slint platform on a `MinimalSoftwareWindow`, frames
//! drawn by the software renderer into memory and written as PNG. Used for screenshots
//! (`kiosk screenshot`) and the render benchmark.

use crate::controller::UiError;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, Rgb8Pixel};
use std::path::Path;
use std::rc::Rc;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// The one window of a headless thread. Create it before any Slint component, on the
/// thread that will use it (Slint's platform is per thread).
pub struct HeadlessWindow {
    window: Rc<MinimalSoftwareWindow>,
    buffer: Vec<Rgb8Pixel>,
}

impl HeadlessWindow {
    /// Installs the headless platform on this thread.
    pub fn install(width: u32, height: u32) -> Result<HeadlessWindow, UiError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(Headless {
            window: window.clone(),
        }))
        .map_err(|e| UiError::Platform(slint::PlatformError::Other(e.to_string())))?;
        window.set_size(PhysicalSize::new(width, height));
        Ok(HeadlessWindow {
            window,
            buffer: Vec::new(),
        })
    }

    pub fn resize(&self, width: u32, height: u32) {
        self.window.set_size(PhysicalSize::new(width, height));
    }

    pub fn size(&self) -> (u32, u32) {
        let s = self.window.size();
        (s.width, s.height)
    }

    /// Runs timers, then draws a whole frame into memory. Returns whether it drew.
    pub fn render(&mut self) -> bool {
        slint::platform::update_timers_and_animations();
        let (w, h) = self.size();
        self.buffer
            .resize((w as usize) * (h as usize), Rgb8Pixel::default());
        self.window.request_redraw();
        let buffer = &mut self.buffer;
        self.window.draw_if_needed(|renderer| {
            renderer.render(buffer, w as usize);
        })
    }

    /// Draws a frame and writes it as an 8-bit RGB PNG.
    pub fn save_png(&mut self, path: &Path) -> Result<(), UiError> {
        self.render();
        let (w, h) = self.size();
        let mut rgb = Vec::with_capacity(self.buffer.len() * 3);
        for p in &self.buffer {
            rgb.extend_from_slice(&[p.r, p.g, p.b]);
        }
        let write_error = |source: std::io::Error| UiError::Write {
            path: path.to_owned(),
            source,
        };
        let image_error = |e: png::EncodingError| UiError::Image {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let file = std::fs::File::create(path).map_err(write_error)?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(image_error)?;
        writer.write_image_data(&rgb).map_err(image_error)?;
        writer.finish().map_err(image_error)?;
        Ok(())
    }
}
