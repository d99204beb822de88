//! The operator API on the local listener, end to end: a customer's message shows up as a
//! waiting chat; an operator accepts it (active, served by them), closes it (reason operator);
//! the customer's next message opens a new chat; the closed chat refuses further actions with
//! its reason (409). Tokens are checked before anything else (401), unknown chats are 404, bad
//! queries and bodies 400, a transfer to a department that is not configured 422, and a second
//! operator from `[[operators]]` cannot take over the first one's chat. A client that guesses
//! ten wrong tokens is refused every token (429) while another client is not.
#![forbid(unsafe_code)]

use bytes::Bytes;
use http::Method;
use serde_json::{Value, json};
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::{assert_status, must, start};
use waygate_e2e::{Gateway, GatewayOptions, HttpConnection};

/// 24 h in milliseconds: the customer-service window.
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Two departments chats can be transferred to (no business numbers of their own).
const DEPARTMENTS: &str =
    "[[departments]]\nname = \"sales\"\n\n[[departments]]\nname = \"support\"\n";

/// Delivers one signed text message from the customer `from`.
async fn send(gateway: &Gateway, from: &str, text: &str) {
    let meta = gateway.meta();
    let mut message = meta.text_message(text);
    message["from"] = json!(from);
    let change = meta.messages_change(&[message], &[]);
    let webhook = meta.sign_payload(
        &meta.payload(vec![vec![change]]),
        waygate_e2e::Escaping::META,
    );
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&webhook).await), 200, text);
}

/// `GET /api/v1/chats/{id}`, answered 200.
async fn chat_detail(
    api: &mut HttpConnection,
    token: Option<&str>,
    id: u64,
    context: &str,
) -> Value {
    let path = format!("/api/v1/chats/{id}");
    json_of(
        &call(api, Method::GET, &path, token, None).await,
        200,
        context,
    )
}

/// The id of the first chat `GET /api/v1/chats` lists.
async fn first_chat_id(api: &mut HttpConnection, token: Option<&str>) -> u64 {
    let list = json_of(
        &call(api, Method::GET, "/api/v1/chats", token, None).await,
        200,
        "list",
    );
    chats_in(&list)
        .first()
        .and_then(|chat| chat["id"].as_u64())
        .unwrap_or(u64::MAX)
}

fn chats_in(list: &Value) -> &[Value] {
    list["chats"].as_array().map_or(&[], Vec::as_slice)
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_accept_and_close_chats_and_a_closed_chat_stays_closed() {
    let gateway = start(GatewayOptions::with_config(DEPARTMENTS)).await;
    let token = gateway.operator_token().to_owned();
    let token = Some(token.as_str());
    let customer = "16505550101";
    send(&gateway, customer, "hello, anyone?").await;
    let mut api = must(gateway.connect_local().await);

    // The message opened a waiting chat.
    let list = json_of(
        &call(&mut api, Method::GET, "/api/v1/chats", token, None).await,
        200,
        "list",
    );
    let chats = chats_in(&list);
    assert_eq!(chats.len(), 1, "{list}");
    let chat = &chats[0];
    assert_eq!(chat["customer"], customer);
    assert_eq!(chat["state"], "waiting");
    assert_eq!(chat["deadline_kind"], "unattended");
    assert_eq!(chat["served_by"], Value::Null);
    assert_eq!(chat["messages"], 1);
    let id = chat["id"].as_u64().unwrap_or(u64::MAX);
    let waiting = json_of(
        &call(
            &mut api,
            Method::GET,
            "/api/v1/chats?state=waiting",
            token,
            None,
        )
        .await,
        200,
        "waiting",
    );
    assert_eq!(chats_in(&waiting).len(), 1);
    let active = json_of(
        &call(
            &mut api,
            Method::GET,
            "/api/v1/chats?state=active",
            token,
            None,
        )
        .await,
        200,
        "active",
    );
    assert!(chats_in(&active).is_empty(), "{active}");

    // Its detail has the message and the window's closing time.
    let detail = chat_detail(&mut api, token, id, "detail").await;
    assert_eq!(detail["chat"]["id"], id);
    let messages = detail["messages"].as_array().map_or(&[][..], Vec::as_slice);
    assert_eq!(messages.len(), 1, "{detail}");
    assert_eq!(messages[0]["type"], "text");
    assert_eq!(
        messages[0]["content"]["message"]["content"]["text"]["body"], "hello, anyone?",
        "{detail}"
    );
    assert!(messages[0]["wamid"].is_string(), "{detail}");
    // The window runs from Meta's timestamp of the message (whole seconds).
    let window = &detail["window"];
    let wrote = messages[0]["timestamp"].as_u64().unwrap_or(0) * 1000;
    assert_eq!(
        window["last_customer_message_at"].as_u64(),
        Some(wrote),
        "{detail}"
    );
    assert_eq!(
        window["closes_at"].as_u64(),
        Some(wrote + DAY_MS),
        "{detail}"
    );
    assert_eq!(window["free_form_allowed"], true, "{detail}");
    assert_eq!(window["template_required"], false, "{detail}");
    assert_eq!(window["free_entry_point"], Value::Null, "{detail}");

    // Accept: active, served by the env-token operator "default".
    let accepted = json_of(
        &call(
            &mut api,
            Method::POST,
            &format!("/api/v1/chats/{id}/accept"),
            token,
            None,
        )
        .await,
        200,
        "accept",
    );
    assert_eq!(accepted["chat"]["state"], "active");
    assert_eq!(accepted["chat"]["served_by"], "default");
    assert_eq!(accepted["chat"]["deadline_kind"], "idle");
    let active = json_of(
        &call(
            &mut api,
            Method::GET,
            "/api/v1/chats?state=active",
            token,
            None,
        )
        .await,
        200,
        "active after accept",
    );
    assert_eq!(chats_in(&active).len(), 1, "{active}");

    // Close: closed by the operator.
    let closed = json_of(
        &call(
            &mut api,
            Method::POST,
            &format!("/api/v1/chats/{id}/close"),
            token,
            None,
        )
        .await,
        200,
        "close",
    );
    assert_eq!(closed["chat"]["state"], "closed");
    assert_eq!(closed["chat"]["reason"], "operator");
    assert!(closed["chat"]["closed_at"].is_u64(), "{closed}");
    assert_eq!(closed["chat"]["deadline_at"], Value::Null);

    // The customer's next message opens a new chat; the old one stays closed.
    send(&gateway, customer, "me again").await;
    let list = json_of(
        &call(&mut api, Method::GET, "/api/v1/chats", token, None).await,
        200,
        "list after the new message",
    );
    let chats = chats_in(&list);
    assert_eq!(chats.len(), 2, "{list}");
    let new = chats
        .iter()
        .find(|chat| chat["id"] != id)
        .cloned()
        .unwrap_or_default();
    assert_eq!(new["state"], "waiting");
    assert_eq!(new["customer"], customer);
    assert!(new["id"].as_u64() > Some(id), "{list}");
    let old = chats
        .iter()
        .find(|chat| chat["id"] == id)
        .cloned()
        .unwrap_or_default();
    assert_eq!(old["state"], "closed");
    assert_eq!(old["messages"], 1);

    // Acting on the closed chat: 409 with the reason.
    for (action, body) in [
        ("accept", None),
        ("close", None),
        ("transfer", Some(json!({"department": "sales"}))),
    ] {
        let reply = call(
            &mut api,
            Method::POST,
            &format!("/api/v1/chats/{id}/{action}"),
            token,
            body,
        )
        .await;
        let error = json_of(&reply, 409, action);
        let message = error["error"].as_str().unwrap_or_default();
        assert!(
            message.contains("closed (operator)") && message.contains("never reopens"),
            "{action}: {message}"
        );
    }

    // Transfer the new chat: it waits in the department's queue.
    let new_id = new["id"].as_u64().unwrap_or(u64::MAX);
    let transferred = json_of(
        &call(
            &mut api,
            Method::POST,
            &format!("/api/v1/chats/{new_id}/transfer"),
            token,
            Some(json!({"department": "sales"})),
        )
        .await,
        200,
        "transfer",
    );
    assert_eq!(transferred["chat"]["department"], "sales");
    assert_eq!(transferred["chat"]["state"], "waiting");
    let bad = call(
        &mut api,
        Method::POST,
        &format!("/api/v1/chats/{new_id}/transfer"),
        token,
        Some(json!({"dept": "sales"})),
    )
    .await;
    let error = json_of(&bad, 400, "transfer without a department");
    assert!(
        error["error"]
            .as_str()
            .is_some_and(|text| text.contains("department")),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transfer_to_a_department_that_is_not_configured_is_refused_with_the_configured_ones() {
    let gateway = start(GatewayOptions::with_config(DEPARTMENTS)).await;
    let token = gateway.operator_token().to_owned();
    let token = Some(token.as_str());
    send(&gateway, "16505550103", "where is my order?").await;
    let mut api = must(gateway.connect_local().await);
    let id = first_chat_id(&mut api, token).await;
    let transfer = format!("/api/v1/chats/{id}/transfer");

    for department in ["../../etc", "billing", "Sales"] {
        let reply = call(
            &mut api,
            Method::POST,
            &transfer,
            token,
            Some(json!({ "department": department })),
        )
        .await;
        assert_eq!(
            json_of(&reply, 422, department),
            json!({
                "error": format!("unknown department \"{department}\"; configured: sales, support")
            })
        );
    }
    // Nothing was written: the chat still waits outside any department.
    let detail = chat_detail(&mut api, token, id, "detail after the refused transfers").await;
    assert_eq!(detail["chat"]["department"], Value::Null, "{detail}");
    assert_eq!(detail["chat"]["state"], "waiting", "{detail}");

    let moved = json_of(
        &call(
            &mut api,
            Method::POST,
            &transfer,
            token,
            Some(json!({"department": "support"})),
        )
        .await,
        200,
        "transfer to a configured department",
    );
    assert_eq!(moved["chat"]["department"], "support", "{moved}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_checked_first_and_errors_say_what_to_do() {
    let gateway = start(GatewayOptions::default()).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);

    for (path, presented) in [
        ("/api/v1/chats", None),
        ("/api/v1/chats", Some("not-the-token")),
        ("/api/v1/chats/42", None),
        ("/api/v1/no-such-endpoint", None),
        ("/api/v1/no-such-endpoint", Some("not-the-token")),
    ] {
        let reply = call(&mut api, Method::GET, path, presented, None).await;
        let error = json_of(&reply, 401, path);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{path}");
        assert!(error["error"].is_string(), "{error}");
        assert!(!reply.text().contains(&token), "the token leaked: {path}");
    }
    let basic = must(
        api.request(
            Method::GET,
            "/api/v1/chats",
            &[("authorization", &format!("Basic {token}"))],
            Bytes::new(),
        )
        .await,
    );
    assert_status(&basic, 401, "another scheme");

    let token = Some(token.as_str());
    let missing = call(&mut api, Method::GET, "/api/v1/chats/42", token, None).await;
    assert_eq!(
        json_of(&missing, 404, "unknown chat"),
        json!({"error": "no chat 42"})
    );
    let missing = call(
        &mut api,
        Method::POST,
        "/api/v1/chats/42/accept",
        token,
        None,
    )
    .await;
    assert_eq!(
        json_of(&missing, 404, "accept an unknown chat"),
        json!({"error": "no chat 42"})
    );
    let not_a_number = call(&mut api, Method::GET, "/api/v1/chats/abc", token, None).await;
    json_of(&not_a_number, 404, "an id that is not a number");
    let bogus = call(
        &mut api,
        Method::GET,
        "/api/v1/chats?state=bogus",
        token,
        None,
    )
    .await;
    let error = json_of(&bogus, 400, "bad state");
    let message = error["error"].as_str().unwrap_or_default();
    for allowed in ["waiting", "active", "closed"] {
        assert!(message.contains(allowed), "{message}");
    }
    let wrong_method = call(&mut api, Method::DELETE, "/api/v1/chats", token, None).await;
    json_of(&wrong_method, 405, "DELETE");
    // HEAD is answered wherever GET is, and Allow says so.
    assert_eq!(wrong_method.header("allow"), Some("GET,HEAD"));
    let unknown = call(&mut api, Method::GET, "/api/v1/nothing", token, None).await;
    json_of(&unknown, 404, "unknown endpoint");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_operator_signs_in_and_cannot_take_another_operators_chat() {
    let ben_token = "ben-token-0123456789abcdef";
    let digest = ring::digest::digest(&ring::digest::SHA256, ben_token.as_bytes());
    let config = format!(
        "[[operators]]\nname = \"ben\"\ntoken_sha256 = \"{}\"\n",
        hex::encode(digest.as_ref())
    );
    let gateway = start(GatewayOptions::with_config(config)).await;
    let default_token = gateway.operator_token().to_owned();
    send(&gateway, "16505550102", "hi").await;
    let mut api = must(gateway.connect_local().await);

    let id = first_chat_id(&mut api, Some(ben_token)).await;
    let accepted = json_of(
        &call(
            &mut api,
            Method::POST,
            &format!("/api/v1/chats/{id}/accept"),
            Some(ben_token),
            None,
        )
        .await,
        200,
        "ben accepts",
    );
    assert_eq!(accepted["chat"]["served_by"], "ben");
    for action in ["accept", "close"] {
        let reply = call(
            &mut api,
            Method::POST,
            &format!("/api/v1/chats/{id}/{action}"),
            Some(&default_token),
            None,
        )
        .await;
        let error = json_of(&reply, 409, action);
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|text| text.contains("ben")),
            "{error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_guesses_tokens_is_refused_even_the_right_one_for_a_minute_alone() {
    let gateway = start(GatewayOptions::default()).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let right = call(&mut api, Method::GET, "/api/v1/chats", Some(&token), None).await;
    json_of(&right, 200, "before any guess");
    for n in 0..10 {
        let guess = format!("guess-{n}");
        let reply = call(&mut api, Method::GET, "/api/v1/chats", Some(&guess), None).await;
        json_of(&reply, 401, &guess);
    }
    let held = call(&mut api, Method::GET, "/api/v1/chats", Some(&token), None).await;
    let error = json_of(&held, 429, "the right token after ten wrong ones");
    let message = error["error"].as_str().unwrap_or_default();
    assert!(message.contains("too many wrong tokens"), "{message}");
    let wait: u64 = held
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_default();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // The probes need no token and are not held up; nor is another client (127.0.0.2).
    let health = must(
        api.request(Method::GET, "/healthz", &[], Bytes::new())
            .await,
    );
    assert_status(&health, 200, "health while held");
    let endpoint = must(gateway.local_endpoint());
    let mut kiosk = must(endpoint.connect_from([127, 0, 0, 2].into()).await);
    let reply = call(&mut kiosk, Method::GET, "/api/v1/chats", Some(&token), None).await;
    json_of(&reply, 200, "another client");
}
