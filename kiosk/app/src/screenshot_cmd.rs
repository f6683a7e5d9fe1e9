//! `kiosk screenshot`: every screen of a flow rendered to PNG, headless.

use crate::catalog;
use crate::flow_cmd::load_or_explain;
use anyhow::Result;
use chrono::NaiveDate;
use std::process::ExitCode;

/// `kiosk screenshot FLOW --out DIR [--size WxH]`.
pub fn screenshot(
    flow: &std::path::Path,
    out: &std::path::Path,
    size: (u32, u32),
    today: Option<NaiveDate>,
) -> Result<ExitCode> {
    let Some(target) = load_or_explain(flow) else {
        return Ok(ExitCode::FAILURE);
    };
    // The other flows of its folder make the home menu, as on a kiosk.
    let mut flows: Vec<std::sync::Arc<kiosk_flow::Flow>> = flow
        .parent()
        .and_then(|dir| catalog::check(&[dir.to_path_buf()]).ok())
        .map(|report| {
            report
                .flows
                .into_iter()
                .map(|(_, f)| std::sync::Arc::new(f))
                .collect()
        })
        .unwrap_or_default();
    flows.retain(|f| f.id != target.id);
    let id = target.id.clone();
    flows.push(std::sync::Arc::new(target));
    let options = kiosk_ui::ScreenshotOptions {
        size,
        today,
        ..kiosk_ui::ScreenshotOptions::default()
    };
    let written = kiosk_ui::render_flow_screenshots(&flows, &id, &options, out)?;
    for path in &written {
        println!("{}", path.display());
    }
    eprintln!("{} écran(s) dans {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}
