#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const AT: UnixMs = 1_790_812_800_000;
const USD: u64 = MICRO_USD_PER_USD;

fn service() -> SettledCategory {
    SettledCategory::from("service")
}

fn funded(credits: u64) -> Ledger {
    let mut ledger = Ledger::new();
    ledger
        .purchase(AT, credits, "invoice-1", CreditSettings::default())
        .unwrap();
    ledger
}

#[test]
fn a_purchase_adds_its_value_and_records_the_fee_apart() {
    let mut ledger = Ledger::new();
    let [purchase, fee] = ledger
        .purchase(AT, 10, "invoice-7", CreditSettings::default())
        .unwrap();
    assert_eq!(
        purchase,
        Entry {
            seq: 0,
            at: AT,
            kind: EntryKind::Purchase {
                credits: 10,
                reference: "invoice-7".into(),
                micro_usd: 20 * USD
            }
        }
    );
    assert_eq!(
        fee,
        Entry {
            seq: 1,
            at: AT,
            kind: EntryKind::Fee {
                micro_usd: 600_000,
                reference: "invoice-7".into()
            }
        }
    );
    // The fee is paid on top: the balance is the purchase's whole value.
    assert_eq!(ledger.balance(), 20_000_000);
    assert_eq!(ledger.available(), 20_000_000);
    assert_eq!(ledger.fees(), 600_000);
    assert_eq!(ledger.purchased(), 20 * USD);
    assert_eq!(ledger.next_seq(), 2);
}

#[test]
fn credit_settings_compute_exactly() {
    let settings = CreditSettings {
        usd_per_credit: 5,
        purchase_fee_percent: 7,
    };
    assert_eq!(settings.purchase_micro_usd(3), Some(15 * USD));
    // 3 × 5 USD × 7 % = 1.05 USD.
    assert_eq!(settings.fee_micro_usd(3), Some(1_050_000));
    let free = CreditSettings {
        usd_per_credit: 2,
        purchase_fee_percent: 0,
    };
    assert_eq!(free.fee_micro_usd(1), Some(0));
    assert_eq!(CreditSettings::default().fee_micro_usd(1), Some(60_000));
    assert_eq!(CreditSettings::default().purchase_micro_usd(u64::MAX), None);
    let dear = CreditSettings {
        usd_per_credit: u32::MAX,
        purchase_fee_percent: 100,
    };
    assert_eq!(dear.fee_micro_usd(1), dear.purchase_micro_usd(1));
    assert_eq!(dear.fee_micro_usd(1), Some(u64::from(u32::MAX) * USD));
    assert_eq!(dear.fee_micro_usd(u64::from(u32::MAX)), None);
    let absurd = CreditSettings {
        usd_per_credit: u32::MAX,
        purchase_fee_percent: u32::MAX,
    };
    assert_eq!(absurd.fee_micro_usd(1), None);
}

#[test]
fn bad_purchases_change_nothing() {
    let mut ledger = funded(1);
    let before = ledger.clone();
    let settings = CreditSettings::default();
    assert_eq!(
        ledger.purchase(AT, 0, "x", settings),
        Err(LedgerError::NoCredits)
    );
    assert_eq!(
        ledger.purchase(AT, u64::MAX, "x", settings),
        Err(LedgerError::TooLarge)
    );
    assert_eq!(
        ledger.purchase(AT, 1 << 62, "x", settings),
        Err(LedgerError::TooLarge)
    );
    // Within u64 but beyond the ledger's total: refused too, and the fee is not recorded alone.
    let big = CreditSettings {
        usd_per_credit: 1,
        purchase_fee_percent: 0,
    };
    let credits = MAX_TOTAL / USD;
    let mut almost_full = Ledger::new();
    almost_full.purchase(AT, credits, "a", big).unwrap();
    let full = almost_full.clone();
    assert_eq!(
        almost_full.purchase(AT, credits, "b", big),
        Err(LedgerError::TooLarge)
    );
    assert_eq!(almost_full, full);
    assert_eq!(ledger, before);
    assert!(LedgerError::TooLarge.to_string().contains("USD"));
}

#[test]
fn reservations_hold_credits_until_charged_or_released() {
    let mut ledger = funded(1); // 2 USD
    ledger.reserve(1, 1_500_000).unwrap();
    assert_eq!(ledger.available(), 500_000);
    assert_eq!(ledger.reserved(), 1_500_000);
    // The next message cannot spend what the first holds.
    let refused = ledger.reserve(2, 600_000).unwrap_err();
    assert_eq!(
        refused,
        ReserveError::Insufficient(Insufficient {
            estimate: 600_000,
            available: 500_000,
            balance: 2_000_000
        })
    );
    assert_eq!(
        refused.to_string(),
        "not enough credits: this message is expected to cost 0.600000 USD, and 0.500000 USD is \
         available (a balance of 2.000000 USD, less what queued messages have reserved); buy \
         credits, then send again"
    );
    ledger.reserve(2, 500_000).unwrap();
    assert_eq!(ledger.available(), 0);
    assert!(matches!(
        ledger.reserve(2, 1),
        Err(ReserveError::AlreadyReserved {
            message: 2,
            micro_usd: 500_000
        })
    ));
    // Free messages need nothing and hold nothing.
    ledger.reserve(3, 0).unwrap();
    assert_eq!(ledger.reservation(3), None);
    // Message 1 is delivered and costs less than estimated: the charge settles it.
    ledger
        .charge(AT, 1, 1_200_000, service(), "regular")
        .unwrap();
    assert_eq!(ledger.balance(), 800_000);
    assert_eq!(ledger.reserved(), 500_000);
    assert_eq!(ledger.available(), 300_000);
    // Message 2 fails: its reservation goes back.
    assert_eq!(ledger.release(2), Some(500_000));
    assert_eq!(ledger.release(2), None);
    assert_eq!(ledger.available(), 800_000);
    assert_eq!(ledger.reservation_count(), 0);
}

#[test]
fn a_charge_beyond_the_balance_overdraws_it() {
    let mut ledger = funded(1);
    ledger.reserve(1, 2_000_000).unwrap();
    // Meta settled more than the estimate: the debt shows, and nothing more can be sent.
    ledger
        .charge(
            AT,
            1,
            2_500_000,
            SettledCategory::from("marketing_lite"),
            "regular",
        )
        .unwrap();
    assert_eq!(ledger.balance(), -500_000);
    assert_eq!(ledger.available(), -500_000);
    assert_eq!(
        ledger.can_cover(1),
        Err(Insufficient {
            estimate: 1,
            available: -500_000,
            balance: -500_000
        })
    );
    // Free messages still go.
    assert_eq!(ledger.can_cover(0), Ok(()));
    assert_eq!(ledger.reserve(2, 0), Ok(()));
    assert!(
        ledger
            .can_cover(1)
            .unwrap_err()
            .to_string()
            .contains("-0.500000 USD")
    );
    ledger
        .purchase(AT, 1, "top-up", CreditSettings::default())
        .unwrap();
    assert_eq!(ledger.balance(), 1_500_000);
    assert_eq!(ledger.can_cover(1_500_000), Ok(()));
}

#[test]
fn charges_of_any_size_never_panic() {
    let mut ledger = funded(1);
    ledger
        .charge(AT, 1, MAX_TOTAL, service(), "regular")
        .unwrap();
    assert_eq!(ledger.balance(), 2_000_000 - i64::MAX);
    let before = ledger.clone();
    assert_eq!(
        ledger.charge(AT, 2, 1, service(), "regular"),
        Err(LedgerError::TooLarge)
    );
    assert_eq!(
        ledger.charge(AT, 2, u64::MAX, service(), "regular"),
        Err(LedgerError::TooLarge)
    );
    assert_eq!(ledger, before);
    assert_eq!(ledger.can_cover(u64::MAX).unwrap_err().estimate, u64::MAX);
}

#[test]
fn replay_rebuilds_the_ledger_and_refuses_gaps() {
    let mut ledger = Ledger::new();
    let mut entries = Vec::new();
    entries.extend(
        ledger
            .purchase(AT, 5, "a", CreditSettings::default())
            .unwrap(),
    );
    entries.push(
        ledger
            .charge(AT + 1, 9, 70_000, service(), "regular")
            .unwrap(),
    );
    entries.push(
        ledger
            .charge(
                AT + 2,
                10,
                0,
                SettledCategory::from("utility"),
                "free_customer_service",
            )
            .unwrap(),
    );
    let rebuilt = Ledger::from_entries(&entries).unwrap();
    assert_eq!(rebuilt, ledger);
    assert_eq!(rebuilt.balance(), 10_000_000 - 70_000);
    // Persisted with postcard and read back, the entries rebuild the same ledger.
    let bytes: Vec<Vec<u8>> = entries
        .iter()
        .map(|e| postcard::to_allocvec(e).unwrap())
        .collect();
    let decoded: Vec<Entry> = bytes
        .iter()
        .map(|b| postcard::from_bytes(b).unwrap())
        .collect();
    assert_eq!(Ledger::from_entries(decoded).unwrap(), ledger);
    // A missing, repeated or reordered entry is refused.
    let mut gap = entries.clone();
    gap.remove(1);
    assert_eq!(
        Ledger::from_entries(&gap),
        Err(ReplayError::OutOfSequence {
            expected: 1,
            found: 2
        })
    );
    let mut repeated = entries.clone();
    repeated.insert(2, entries[1].clone());
    assert!(matches!(
        Ledger::from_entries(&repeated),
        Err(ReplayError::OutOfSequence {
            expected: 2,
            found: 1
        })
    ));
    let text = Ledger::from_entries(&gap).unwrap_err().to_string();
    assert!(text.contains("#1") && text.contains("#2"), "{text}");
    // An entry beyond the totals' bound is refused by number.
    let huge = Entry {
        seq: 0,
        at: AT,
        kind: EntryKind::Purchase {
            credits: 1,
            reference: String::new(),
            micro_usd: u64::MAX,
        },
    };
    assert_eq!(
        Ledger::from_entries([huge]),
        Err(ReplayError::TooLarge { seq: 0 })
    );
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Purchase(u64),
    Reserve(u64, u64),
    Charge(u64, u64),
    Release(u64),
}

fn any_step() -> impl Strategy<Value = Step> {
    let message = 0_u64..6;
    let micro_usd = prop_oneof![0_u64..3_000_000, Just(0), 0_u64..30_000_000];
    prop_oneof![
        (0_u64..4).prop_map(Step::Purchase),
        (message.clone(), micro_usd.clone()).prop_map(|(m, a)| Step::Reserve(m, a)),
        (message.clone(), micro_usd).prop_map(|(m, a)| Step::Charge(m, a)),
        message.prop_map(Step::Release),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        max_shrink_iters: 2_000,
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    })]

    /// Against a plain model: the balance is purchases less charges, the reservations are the
    /// open ones, no reservation passes that the credits available do not cover, and the
    /// entries rebuild the same totals.
    #[test]
    fn random_histories_keep_the_books(steps in prop::collection::vec(any_step(), 0..60)) {
        let settings = CreditSettings::default();
        let mut ledger = Ledger::new();
        let mut entries = Vec::new();
        let (mut purchases, mut charges) = (0_i64, 0_i64);
        let mut open: BTreeMap<u64, u64> = BTreeMap::new();
        for (index, step) in steps.into_iter().enumerate() {
            let at = AT + index as u64;
            match step {
                Step::Purchase(credits) => match ledger.purchase(at, credits, "p", settings) {
                    Ok(new) => {
                        prop_assert!(credits > 0);
                        purchases += i64::try_from(credits).unwrap() * 2_000_000;
                        entries.extend(new);
                    }
                    Err(error) => prop_assert_eq!((credits, error), (0, LedgerError::NoCredits)),
                },
                Step::Reserve(message, micro_usd) => {
                    let available = ledger.available();
                    let result = ledger.reserve(message, micro_usd);
                    if let Some(&held) = open.get(&message) {
                        prop_assert_eq!(
                            result,
                            Err(ReserveError::AlreadyReserved { message, micro_usd: held })
                        );
                    } else if micro_usd == 0 || i128::from(micro_usd) <= i128::from(available) {
                        prop_assert_eq!(result, Ok(()));
                        prop_assert!(micro_usd == 0 || ledger.available() >= 0);
                        if micro_usd > 0 {
                            open.insert(message, micro_usd);
                        }
                    } else {
                        prop_assert!(matches!(result, Err(ReserveError::Insufficient(_))));
                    }
                }
                Step::Charge(message, micro_usd) => {
                    entries.push(ledger.charge(at, message, micro_usd, service(), "regular").unwrap());
                    charges += i64::try_from(micro_usd).unwrap();
                    open.remove(&message);
                }
                Step::Release(message) => {
                    prop_assert_eq!(ledger.release(message), open.remove(&message));
                }
            }
            prop_assert_eq!(ledger.balance(), purchases - charges);
            prop_assert_eq!(ledger.reserved(), open.values().sum::<u64>());
            prop_assert_eq!(
                i128::from(ledger.available()),
                i128::from(purchases - charges) - i128::from(ledger.reserved())
            );
            prop_assert_eq!(ledger.reservation_count(), open.len());
        }
        let rebuilt = Ledger::from_entries(&entries).unwrap();
        prop_assert_eq!(rebuilt.balance(), ledger.balance());
        prop_assert_eq!(rebuilt.purchased(), ledger.purchased());
        prop_assert_eq!(rebuilt.charged(), ledger.charged());
        prop_assert_eq!(rebuilt.fees(), ledger.fees());
        prop_assert_eq!(rebuilt.next_seq(), u64::try_from(entries.len()).unwrap());
        prop_assert_eq!(rebuilt.reserved(), 0);
    }
}
