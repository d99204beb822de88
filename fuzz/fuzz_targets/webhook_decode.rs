//! libFuzzer entry for the `webhook_decode` target; the body and its invariants are in
//! `waygate_fuzz_targets::webhook_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waygate_fuzz_targets::webhook_decode::run(data));
