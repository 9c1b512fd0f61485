//! Every byte string a client could send as a WebSocket text frame, through both decoders:
//! a clear error or a frame, never a panic.
#![no_main]

use ecoute::ws::frames::{StaffIn, VisitorIn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server only decodes text frames, which the WebSocket layer has checked are UTF-8.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = serde_json::from_str::<VisitorIn>(text);
        let _ = serde_json::from_str::<StaffIn>(text);
    }
});
