//! The kiosk's voice: audio, recognition, synthesis and the prompt cache (being written).
