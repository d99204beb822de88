//! Shared fixtures: the golden blobs of every version, the configurations they encode, and
//! helpers to frame a body.

use firmware_config::blob;
use firmware_config::{
    Article, CannedResponse, Config, ConsoleSettings, Date, Department, EnvName, Headquarters,
    LogFilter, LogFormat, Number, Operator, OperatorToken, Path, PricingCategory, Rate,
    SecretSource, Template, TemplateCategory, TemplateStatus, UtcOffset,
};

/// `Config::default()` as a version-6 blob: the version-5 body, then the console (no time
/// zone, 28,800 s idle, 24 h at most).
pub(crate) const DEFAULT_BLOB: &str = "
    57474346 0600 9c000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    901c 901c 00 d804 03 00 00
    00
    00
    00
    b0ea01 80808010 e807 d00f 904e
    1a 68747470733a2f2f67726170682e66616365626f6f6b2e636f6d 05 7632342e30 00 00
    00
    e807 00 00
    02 03
    00
    00 00 00 f403 808040 00
    00
    00
    00 80e101 18
    5db7d073";

/// `non_default()` as a version-6 blob.
pub(crate) const NON_DEFAULT_BLOB: &str = "
    57474346 0600 a8020000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    8407 80a305 01 ac02 05
    01 1d 2f6574632f776179676174652f70726f66616e6974792f656e2e747874
    01
    02
      07 737570706f7274 01 0f 313036353430333532323432393232
      05 73616c6573 00
    02
      0c 6f726465725f757064617465 05 656e5f5553 00 02 00
      0b 737072696e675f73616c65 05 70745f4252 01 00 01
    02
      05 6b696f736b 00 abababababababababababababababababababababababababababababababab
      02 6871 02 08 48515f544f4b454e
    8827 80808008 64 c801 ac02
    1b 687474703a2f2f3132372e302e302e313a393030302f6772617068 05 7632332e30
    02 19 2f72756e2f736563726574732f6163636573735f746f6b656e
    01 13 2f6574632f776179676174652f63612e70656d
    01
      0f 313036353430333532323432393232 01 0f 313032323930313239333430333938
      01 0b 2b31203535352030313030 14 00
    f403 9305
    02
      02 5553 00 a8c301 ea07 0a 01
      02 6272 01 c03e e807 02 1d
    05 00
    01 07
    01 14 68747470733a2f2f68712e6578616d706c652f62 03 02 4851 01 06 73686f702d31
    64 808004 01 14 68747470733a2f2f68712e6578616d706c652f63
    01
      02 6869 03 2f6869 16 48656c6c6f207b7b636f6e746163742e6e616d657d7d
    01
      03 666171 03 464151 08 4f70656e20392d35
      01 18 68747470733a2f2f73686f702e6578616d706c652f666171
    01 0a 417369612f546f6b796f 901c 0c
    d196b0ee";

/// `Config::default()` as a version-5 blob (written by the previous release): the version-4
/// body, then the retention (none), headquarters (no URL, no secret, no id, 500 events, 1 MiB,
/// no commands URL), no canned responses and no articles.
pub(crate) const V5_DEFAULT_BLOB: &str = "
    57474346 0500 97000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    901c 901c 00 d804 03 00 00
    00
    00
    00
    b0ea01 80808010 e807 d00f 904e
    1a 68747470733a2f2f67726170682e66616365626f6f6b2e636f6d 05 7632342e30 00 00
    00
    e807 00 00
    02 03
    00
    00 00 00 f403 808040 00
    00
    00
    9d3f5fa9";

/// `non_default_v5()` as a version-5 blob (written by the previous release).
pub(crate) const V5_NON_DEFAULT_BLOB: &str = "
    57474346 0500 99020000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    8407 80a305 01 ac02 05
    01 1d 2f6574632f776179676174652f70726f66616e6974792f656e2e747874
    01
    02
      07 737570706f7274 01 0f 313036353430333532323432393232
      05 73616c6573 00
    02
      0c 6f726465725f757064617465 05 656e5f5553 00 02 00
      0b 737072696e675f73616c65 05 70745f4252 01 00 01
    02
      05 6b696f736b 00 abababababababababababababababababababababababababababababababab
      02 6871 02 08 48515f544f4b454e
    8827 80808008 64 c801 ac02
    1b 687474703a2f2f3132372e302e302e313a393030302f6772617068 05 7632332e30
    02 19 2f72756e2f736563726574732f6163636573735f746f6b656e
    01 13 2f6574632f776179676174652f63612e70656d
    01
      0f 313036353430333532323432393232 01 0f 313032323930313239333430333938
      01 0b 2b31203535352030313030 14 00
    f403 9305
    02
      02 5553 00 a8c301 ea07 0a 01
      02 6272 01 c03e e807 02 1d
    05 00
    01 07
    01 14 68747470733a2f2f68712e6578616d706c652f62 03 02 4851 01 06 73686f702d31
    64 808004 01 14 68747470733a2f2f68712e6578616d706c652f63
    01
      02 6869 03 2f6869 16 48656c6c6f207b7b636f6e746163742e6e616d657d7d
    01
      03 666171 03 464151 08 4f70656e20392d35
      01 18 68747470733a2f2f73686f702e6578616d706c652f666171
    cfa3f813";

/// `Config::default()` as a version-4 blob (written by the previous release): the version-3
/// body, then the outbound settings (Graph URL, version, access token, trust roots; numbers;
/// pricing; credits).
pub(crate) const V4_DEFAULT_BLOB: &str = "
    57474346 0400 8b000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    901c 901c 00 d804 03 00 00
    00
    00
    00
    b0ea01 80808010 e807 d00f 904e
    1a 68747470733a2f2f67726170682e66616365626f6f6b2e636f6d 05 7632342e30 00 00
    00
    e807 00 00
    02 03
    0a95ee0c";

/// `non_default_v4()` as a version-4 blob (written by the previous release).
pub(crate) const V4_NON_DEFAULT_BLOB: &str = "
    57474346 0400 10020000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    8407 80a305 01 ac02 05
    01 1d 2f6574632f776179676174652f70726f66616e6974792f656e2e747874
    01
    02
      07 737570706f7274 01 0f 313036353430333532323432393232
      05 73616c6573 00
    02
      0c 6f726465725f757064617465 05 656e5f5553 00 02 00
      0b 737072696e675f73616c65 05 70745f4252 01 00 01
    02
      05 6b696f736b 00 abababababababababababababababababababababababababababababababab
      02 6871 02 08 48515f544f4b454e
    8827 80808008 64 c801 ac02
    1b 687474703a2f2f3132372e302e302e313a393030302f6772617068 05 7632332e30
    02 19 2f72756e2f736563726574732f6163636573735f746f6b656e
    01 13 2f6574632f776179676174652f63612e70656d
    01
      0f 313036353430333532323432393232 01 0f 313032323930313239333430333938
      01 0b 2b31203535352030313030 14 00
    f403 9305
    02
      02 5553 00 a8c301 ea07 0a 01
      02 6272 01 c03e e807 02 1d
    05 00
    42b96792";

/// `Config::default()` as a version-3 blob (written by the previous release): the version-2
/// body, then the public listener's bounds (idle timeout, body budget, entries, changes, items).
pub(crate) const V3_DEFAULT_BLOB: &str = "
    57474346 0300 61000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    901c 901c 00 d804 03 00 00
    00
    00
    00
    b0ea01 80808010 e807 d00f 904e
    6461dc94";

/// `non_default_v3()` as a version-3 blob (written by the previous release).
pub(crate) const V3_NON_DEFAULT_BLOB: &str = "
    57474346 0300 71010000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    8407 80a305 01 ac02 05
    01 1d 2f6574632f776179676174652f70726f66616e6974792f656e2e747874
    01
    02
      07 737570706f7274 01 0f 313036353430333532323432393232
      05 73616c6573 00
    02
      0c 6f726465725f757064617465 05 656e5f5553 00 02 00
      0b 737072696e675f73616c65 05 70745f4252 01 00 01
    02
      05 6b696f736b 00 abababababababababababababababababababababababababababababababab
      02 6871 02 08 48515f544f4b454e
    8827 80808008 64 c801 ac02
    6468261a";

/// `Config::default()` as a version-2 blob (written by the previous release): the version-1 body, then the chat settings and
/// three empty lists.
pub(crate) const V2_DEFAULT_BLOB: &str = "
    57474346 0200 54000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    901c 901c 00 d804 03 00 00
    00
    00
    00
    dbea258c";

/// `non_default_v2()` as a version-2 blob (written by the previous release).
pub(crate) const V2_NON_DEFAULT_BLOB: &str = "
    57474346 0200 66010000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    8407 80a305 01 ac02 05
    01 1d 2f6574632f776179676174652f70726f66616e6974792f656e2e747874
    01
    02
      07 737570706f7274 01 0f 313036353430333532323432393232
      05 73616c6573 00
    02
      0c 6f726465725f757064617465 05 656e5f5553 00 02 00
      0b 737072696e675f73616c65 05 70745f4252 01 00 01
    02
      05 6b696f736b 00 abababababababababababababababababababababababababababababababab
      02 6871 02 08 48515f544f4b454e
    c53e2d69";

/// `Config::default()` as a version-1 blob (written by the previous release).
pub(crate) const V1_DEFAULT_BLOB: &str = "
    57474346 0100 47000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    f6fd6869";

/// `non_default_v1()` as a version-1 blob (written by the previous release).
pub(crate) const V1_NON_DEFAULT_BLOB: &str = "
    57474346 0100 bb000000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    51886372";

pub(crate) fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// Every setting version 1 has, away from its default.
pub(crate) fn non_default_v1() -> Config {
    let mut config = Config {
        data_dir: Path::try_from("/var/lib/waygate").unwrap(),
        ..Config::default()
    };
    config.public.listen = "[::]:443".parse().unwrap();
    config.public.tls_cert = Some(Path::try_from("/etc/waygate/cert.pem").unwrap());
    config.public.tls_key = Some(Path::try_from("/etc/waygate/key.pem").unwrap());
    config.local.listen = "192.168.1.10:8080".parse().unwrap();
    config.meta.app_secret = SecretSource::Env(EnvName::try_from("WAYGATE_APP_SECRET").unwrap());
    config.meta.verify_token =
        SecretSource::File(Path::try_from("/run/secrets/verify_token").unwrap());
    config.store.quota_bytes = 8 << 30;
    config.store.max_batch = 64;
    config.shutdown.grace_ms = 0;
    config.log.format = LogFormat::Json;
    config.log.filter = LogFilter::try_from("waygate=debug,info").unwrap();
    config
}

/// `non_default_v1()` with the settings version 2 adds, away from their defaults too.
pub(crate) fn non_default_v2() -> Config {
    let mut config = non_default_v1();
    let chat = &mut config.chat;
    chat.unattended_close_seconds = 900;
    chat.idle_close_seconds = 86_400;
    chat.bot_enabled = true;
    chat.bot_idle_close_seconds = 300;
    chat.profanity_limit = 5;
    let word_list = Path::try_from("/etc/waygate/profanity/en.txt").unwrap();
    chat.profanity_word_lists.push(word_list).unwrap();
    chat.strict_order = true;
    let mut support = Department {
        name: "support".try_into().unwrap(),
        ..Department::default()
    };
    support
        .numbers
        .push("106540352242922".try_into().unwrap())
        .unwrap();
    let sales = Department {
        name: "sales".try_into().unwrap(),
        ..Department::default()
    };
    config.departments.extend([support, sales]);
    config.templates.extend([
        Template {
            name: "order_update".try_into().unwrap(),
            language: "en_US".try_into().unwrap(),
            category: TemplateCategory::Utility,
            parameters: 2,
            status: TemplateStatus::Approved,
        },
        Template {
            name: "spring_sale".try_into().unwrap(),
            language: "pt_BR".try_into().unwrap(),
            category: TemplateCategory::Marketing,
            parameters: 0,
            status: TemplateStatus::Pending,
        },
    ]);
    config.operators.extend([
        Operator {
            name: "kiosk".try_into().unwrap(),
            token: OperatorToken::Sha256([0xab; 32]),
        },
        Operator {
            name: "hq".try_into().unwrap(),
            token: OperatorToken::Env("HQ_TOKEN".try_into().unwrap()),
        },
    ]);
    config
}

/// `non_default_v2()` with the bounds version 3 adds, away from their defaults too.
pub(crate) fn non_default_v3() -> Config {
    let mut config = non_default_v2();
    let public = &mut config.public;
    public.idle_timeout_ms = 5_000;
    public.inflight_body_bytes = 16 << 20;
    public.max_delivery_entries = 100;
    public.max_delivery_changes = 200;
    public.max_delivery_items = 300;
    config
}

/// `non_default_v3()` with the outbound settings version 4 adds, away from their defaults too.
pub(crate) fn non_default_v4() -> Config {
    let mut config = non_default_v3();
    let meta = &mut config.meta;
    meta.graph_base_url = "http://127.0.0.1:9000/graph".try_into().unwrap();
    meta.graph_api_version = "v23.0".try_into().unwrap();
    meta.access_token = SecretSource::File("/run/secrets/access_token".try_into().unwrap());
    meta.ca_file = Some("/etc/waygate/ca.pem".try_into().unwrap());
    let number = Number {
        phone_number_id: "106540352242922".try_into().unwrap(),
        waba_id: Some("102290129340398".try_into().unwrap()),
        display_phone_number: Some("+1 555 0100".try_into().unwrap()),
        messages_per_second: 20,
        strict_order: false,
    };
    config.numbers.push(number).unwrap();
    let pricing = &mut config.pricing;
    pricing.service_free_tier_per_month = 500;
    pricing.billing_utc_offset = UtcOffset { minutes: -330 };
    let rate = |market: &str, category, micro_usd, (year, month, day)| Rate {
        market: market.try_into().unwrap(),
        category,
        micro_usd,
        from: Date { year, month, day },
    };
    pricing.rates.extend([
        rate("US", PricingCategory::Marketing, 25_000, (2026, 10, 1)),
        rate("br", PricingCategory::Utility, 8_000, (2024, 2, 29)),
    ]);
    config.credits.usd_per_credit = 5;
    config.credits.purchase_fee_percent = 0;
    config
}

/// `non_default_v4()` with what version 5 adds, away from its defaults too: a retention,
/// headquarters, a canned response and an article.
pub(crate) fn non_default_v5() -> Config {
    let mut config = non_default_v4();
    config.store.retention_days = Some(7);
    config.upstream = Headquarters {
        url: Some("https://hq.example/b".try_into().unwrap()),
        secret: SecretSource::Env("HQ".try_into().unwrap()),
        gateway_id: Some("shop-1".try_into().unwrap()),
        max_batch_events: 100,
        max_batch_bytes: 64 << 10,
        commands_url: Some("https://hq.example/c".try_into().unwrap()),
    };
    let canned = CannedResponse {
        id: "hi".try_into().unwrap(),
        shortcut: "/hi".try_into().unwrap(),
        body: "Hello {{contact.name}}".try_into().unwrap(),
    };
    config.canned_responses.push(canned).unwrap();
    let article = Article {
        id: "faq".try_into().unwrap(),
        title: "FAQ".try_into().unwrap(),
        body: "Open 9-5".try_into().unwrap(),
        link: Some("https://shop.example/faq".try_into().unwrap()),
    };
    config.articles.push(article).unwrap();
    config
}

/// `non_default_v5()` with the console version 6 adds, away from its defaults too.
pub(crate) fn non_default() -> Config {
    let mut config = non_default_v5();
    config.console = ConsoleSettings {
        time_zone: Some("Asia/Tokyo".try_into().unwrap()),
        session_idle_seconds: 3_600,
        session_max_hours: 12,
    };
    config
}

/// A blob with the given version and body, with a correct length and checksum.
pub(crate) fn frame(version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = b"WGCF".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    out.extend_from_slice(body);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

pub(crate) fn body_of(blob: &[u8]) -> &[u8] {
    &blob[blob::HEADER_LEN..blob.len() - blob::CHECKSUM_LEN]
}

pub(crate) fn full(fill: char, capacity: usize) -> String {
    std::iter::repeat_n(fill, capacity).collect()
}
