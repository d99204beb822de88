//! libFuzzer entry for the `config_toml` target; the body and its invariants are in
//! `waygate_fuzz_targets::config_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waygate_fuzz_targets::config_toml::run(data));
