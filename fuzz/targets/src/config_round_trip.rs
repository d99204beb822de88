//! What every configuration that loads (from TOML or from a blob) must satisfy: it is valid, the
//! TOML writer's text reads back to an equal configuration and is written again unchanged, and
//! the blob encoder's bytes decode back to an equal configuration and are encoded again
//! unchanged.

use core::net::SocketAddr;

use firmware_config::{Config, blob, parse_toml};

/// Checks `config`, a configuration that loaded.
pub fn check(config: &Config) {
    if let Err(problems) = config.validate() {
        panic!("a loaded configuration is invalid:\n{problems}");
    }
    check_toml(config);
    check_blob(config);
}

fn check_toml(config: &Config) {
    let text = config.to_toml();
    let back = parse_toml(&text)
        .unwrap_or_else(|errors| panic!("the TOML writer's text does not load:\n{errors}"));
    assert_eq!(
        back,
        without_flow_labels(config),
        "the TOML writer's text loads to another configuration"
    );
    assert_eq!(back.to_toml(), text, "the TOML writer is not stable");
}

fn check_blob(config: &Config) {
    let bytes = blob::encode(config);
    assert_eq!(bytes.len(), blob::encoded_len(config));
    assert!(
        bytes.len() <= blob::MAX_ENCODED_LEN,
        "a blob past MAX_ENCODED_LEN"
    );
    let back = blob::decode(&bytes)
        .unwrap_or_else(|error| panic!("the blob encoder's bytes do not decode: {error}"));
    assert_eq!(
        &back, config,
        "the blob encoder's bytes decode to another configuration"
    );
    assert_eq!(blob::encode(&back), bytes, "the blob encoder is not stable");
}

/// `config` as TOML can hold it: without IPv6 flow labels (documented on `Config::to_toml`).
fn without_flow_labels(config: &Config) -> Config {
    let mut config = config.clone();
    for listen in [&mut config.public.listen, &mut config.local.listen] {
        if let SocketAddr::V6(address) = listen {
            address.set_flowinfo(0);
        }
    }
    config
}
