//! libFuzzer entry for the `signed_ingress` target; the body and its invariants are in
//! `waygate_fuzz_targets::signed_ingress`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waygate_fuzz_targets::signed_ingress::run(data));
