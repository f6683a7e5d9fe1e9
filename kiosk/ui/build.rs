//! Compiles the .slint files (pages, components, theme) into Rust at build time.
//! Fonts are embedded whole (the software renderer rasterizes them at any size, and no
//! system font is needed); debug builds carry element info for the UI tests.
fn main() {
    let debug = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
    let config = slint_build::CompilerConfiguration::new()
        .embed_resources(slint_build::EmbedResourcesKind::EmbedFiles)
        .with_debug_info(debug);
    if let Err(error) = slint_build::compile_with_config("ui/main.slint", config) {
        panic!("ui/main.slint: {error}");
    }
}
