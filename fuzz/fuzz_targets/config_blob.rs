//! libFuzzer entry for the `config_blob` target; the body and its invariants are in
//! `waygate_fuzz_targets::config_blob`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waygate_fuzz_targets::config_blob::run(data));
