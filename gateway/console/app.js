// waygate kiosk console: one branch's chats, served by the box (no framework, no build step).
// Reads the boot JSON the server put in #waygate-boot, follows /api/v1/events, and talks to the
// operator API with the session cookie (X-CSRF-Token on every state-changing request). Only the
// language preference is kept in localStorage.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const bootNode = $('waygate-boot');
  const boot = Object.assign(
    { operator: '', csrf: '', after: 0, time_zone: 'UTC', departments: [], attachments: [], now: Date.now() },
    bootNode ? JSON.parse(bootNode.textContent) : {},
  );
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = boot.csrf || (meta && meta.content) || '';
  const skew = boot.now - Date.now();
  const now = () => Date.now() + skew;

  // ---------------------------------------------------------------- words
  const D = {
    en: {
      signOut: 'Sign out', waiting: 'Waiting', active: 'Active', noWaiting: 'No one is waiting.',
      noActive: 'No active chats.', pickChat: 'Pick a chat from the list.', back: 'Back',
      accept: 'Accept', transfer: 'Transfer', close: 'Close', tools: 'Tools',
      replyPlaceholder: 'Type a reply (/ for canned responses)', template: 'Template',
      attach: 'Attach', useTemplate: 'Template', freeText: 'Free text', send: 'Send',
      confirmSend: 'Confirm and send', sending: 'Sending…', tags: 'Tags',
      addTag: 'Add a tag and press Enter', removeTag: 'Remove tag {t}', articles: 'Articles',
      searchArticles: 'Search articles', note: 'Internal note',
      notePlaceholder: 'Only operators see notes', addNote: 'Add note', lead: 'Lead',
      leadName: 'Name', leadEmail: 'Email', leadPhone: 'Phone', leadCompany: 'Company',
      saveLead: 'Capture lead', ticketTitle: 'Ticket', ticketSubject: 'Subject (optional)',
      ticket: 'Convert to ticket', live: 'Live', retrying: 'disconnected, retrying',
      connecting: 'Connecting…', operator: 'Signed in as {o}', waitedTitle: 'Waiting time',
      sinceTitle: 'Since the customer’s last message', noDept: 'No department',
      servedBy: 'with {o}', servedByYou: 'with you', bot: 'the bot',
      'dl.unattended': 'Unattended at {t}', 'dl.idle': 'Idle close at {t}',
      'dl.bot-idle': 'Bot idle close at {t}', dlIn: 'in {d}', dlOverdue: 'overdue',
      'state.waiting': 'waiting', 'state.active': 'active', 'state.closed': 'closed',
      closedAt: 'closed at {t} ({r})', openedAt: 'opened {t}', chatNo: 'chat {n}',
      'ms.queued': 'queued', 'ms.sending': 'sending', 'ms.sent': 'sent',
      'ms.delivered': 'delivered', 'ms.read': 'read', 'ms.failed': 'failed',
      'ms.uncertain': 'uncertain', retry: 'Retry', retried: 'retried as message {n}',
      noteLabel: 'Internal note · {a}', templateMsg: 'Template {n} ({l})',
      download: 'Download {k}', mediaGone: 'The file is not on the box (yet).',
      reaction: 'Reacted {e}', location: 'Location', contacts: 'Shared contact',
      unsupported: 'A message this console cannot show ({k})', estimate: 'est. {m}',
      cost: 'cost {m}', windowOpen: 'Window open until {t}: free text allowed',
      windowClosed: 'The window closed at {t}: send a template',
      windowNever: 'The customer has not written: send a template',
      fepOpen: 'Free entry point window open until {t}',
      costConfirm: 'This message costs {m}', costCategory: 'This message is charged ({c}); its price is set when it is sent',
      pressConfirm: 'Press “Confirm and send” to send it.',
      chooseTemplate: 'Choose a template', templateNone: 'No templates are configured.',
      param: 'Parameter {n}', paramEmpty: 'Fill in parameter {n}.',
      templateState: '{c} · {s}', notSendable: '{s}: cannot be sent{r}',
      pendingCategory: 'becomes {c} on {t}', empty: 'Type a message first.',
      unreachable: 'The box could not be reached; nothing was confirmed. Send again: it will not be sent twice.',
      attachType: '{n}: this kind of file cannot be sent. Allowed: {l}.',
      attachSize: '{n} is {s}; the largest {k} is {m}.',
      attachNeedsWindow: 'Attachments can be sent only while the window is open.',
      placeholderLeft: 'Replace {p} before sending.',
      linkNeedsText: 'The free text box is closed (outside the window): the link was not inserted.',
      noArticles: 'No articles found.', leadEmpty: 'Fill in at least one field.',
      leadSaved: 'Lead sent to headquarters.', ticketSent: 'Ticket requested ({n} entries{x}).',
      truncated: ', transcript shortened', noteSaved: 'Note added.',
      uplinkOff: 'Uplink: not configured', uplinkSynced: 'Uplink: synced',
      uplinkBacklog: 'Uplink: {n} events waiting, oldest {a}', deadBatches: '{n} batches refused by HQ',
      notReady: 'Not ready: {r}', numberSending: '{n}: sending', numberHeld: '{n}: held',
      queued: '{n} queued', credits: 'Credits: {m}', reserved: '({m} reserved)',
      store: 'Store: {p} used ({u} of {q})', daysAgo: '{n} d', chatGone: 'This chat no longer exists.',
      statusTitle: 'Box status',
    },
    ja: {
      signOut: 'サインアウト', waiting: '待機中', active: '対応中', noWaiting: '待機中のお客様はいません。',
      noActive: '対応中のチャットはありません。', pickChat: '一覧からチャットを選んでください。', back: '戻る',
      accept: '対応する', transfer: '転送', close: '終了', tools: 'ツール',
      replyPlaceholder: '返信を入力（/ で定型文）', template: 'テンプレート',
      attach: '添付', useTemplate: 'テンプレート', freeText: '自由入力', send: '送信',
      confirmSend: '確認して送信', sending: '送信中…', tags: 'タグ',
      addTag: 'タグを入力して Enter', removeTag: 'タグ {t} を外す', articles: '記事',
      searchArticles: '記事を検索', note: '社内メモ',
      notePlaceholder: 'メモはオペレーターだけに表示されます', addNote: 'メモを追加', lead: 'リード',
      leadName: '氏名', leadEmail: 'メール', leadPhone: '電話番号', leadCompany: '会社名',
      saveLead: 'リードを登録', ticketTitle: 'チケット', ticketSubject: '件名（任意）',
      ticket: 'チケットに変換', live: 'オンライン', retrying: '切断されました。再接続中',
      connecting: '接続しています…', operator: '{o} でサインイン中', waitedTitle: '待ち時間',
      sinceTitle: 'お客様の最後のメッセージから', noDept: '部署なし',
      servedBy: '担当: {o}', servedByYou: '担当: あなた', bot: 'ボット',
      'dl.unattended': '未対応終了 {t}', 'dl.idle': '無操作終了 {t}',
      'dl.bot-idle': 'ボット無操作終了 {t}', dlIn: 'あと {d}', dlOverdue: '期限切れ',
      'state.waiting': '待機中', 'state.active': '対応中', 'state.closed': '終了',
      closedAt: '{t} に終了（{r}）', openedAt: '{t} 開始', chatNo: 'チャット {n}',
      'ms.queued': '送信待ち', 'ms.sending': '送信中', 'ms.sent': '送信済み',
      'ms.delivered': '配信済み', 'ms.read': '既読', 'ms.failed': '失敗',
      'ms.uncertain': '不明', retry: '再送', retried: 'メッセージ {n} として再送済み',
      noteLabel: '社内メモ · {a}', templateMsg: 'テンプレート {n}（{l}）',
      download: '{k} をダウンロード', mediaGone: 'ファイルはまだボックスにありません。',
      reaction: 'リアクション {e}', location: '位置情報', contacts: '連絡先の共有',
      unsupported: 'このコンソールでは表示できないメッセージ（{k}）', estimate: '見積 {m}',
      cost: '料金 {m}', windowOpen: '{t} まで自由入力で返信できます',
      windowClosed: '{t} に返信期間が終了しました。テンプレートを送ってください',
      windowNever: 'お客様からのメッセージがありません。テンプレートを送ってください',
      fepOpen: '無料エントリーポイント期間は {t} まで',
      costConfirm: 'このメッセージは {m} かかります', costCategory: 'このメッセージは有料です（{c}）。料金は送信時に決まります',
      pressConfirm: '「確認して送信」を押すと送信します。',
      chooseTemplate: 'テンプレートを選択', templateNone: 'テンプレートが設定されていません。',
      param: 'パラメーター {n}', paramEmpty: 'パラメーター {n} を入力してください。',
      templateState: '{c} · {s}', notSendable: '{s}: 送信できません{r}',
      pendingCategory: '{t} から {c}', empty: 'メッセージを入力してください。',
      unreachable: 'ボックスに接続できず、送信を確認できませんでした。もう一度送信してください（二重には送られません）。',
      attachType: '{n}: この種類のファイルは送れません。送れる形式: {l}',
      attachSize: '{n} は {s} です。{k} の上限は {m} です。',
      attachNeedsWindow: '添付ファイルは返信期間中だけ送れます。',
      placeholderLeft: '送信する前に {p} を置き換えてください。',
      linkNeedsText: '返信期間外のため自由入力欄がありません。リンクは挿入されませんでした。',
      noArticles: '記事が見つかりません。', leadEmpty: '少なくとも 1 項目を入力してください。',
      leadSaved: 'リードを本部に送りました。', ticketSent: 'チケットを依頼しました（{n} 件{x}）。',
      truncated: '、履歴は短縮', noteSaved: 'メモを追加しました。',
      uplinkOff: '本部連携: 未設定', uplinkSynced: '本部連携: 同期済み',
      uplinkBacklog: '本部連携: {n} 件待ち、最古 {a}', deadBatches: '本部が拒否したバッチ {n} 件',
      notReady: '準備中: {r}', numberSending: '{n}: 送信可', numberHeld: '{n}: 停止中',
      queued: '{n} 件待ち', credits: 'クレジット: {m}', reserved: '（予約 {m}）',
      store: 'ストア: {p} 使用（{u} / {q}）', daysAgo: '{n} 日', chatGone: 'このチャットはもうありません。',
      statusTitle: 'ボックスの状態',
    },
  };
  const LANGS = ['en', 'ja'];
  const LANG_KEY = 'waygate.lang';
  let lang = pickLang();
  function pickLang() {
    try {
      const saved = localStorage.getItem(LANG_KEY);
      if (LANGS.includes(saved)) return saved;
    } catch (_) { /* storage refused: follow the browser */ }
    for (const l of navigator.languages || [navigator.language || 'en']) {
      const p = String(l).toLowerCase().slice(0, 2);
      if (LANGS.includes(p)) return p;
    }
    return 'en';
  }
  function t(key, vars) {
    const s = D[lang][key] ?? D.en[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] ?? m)) : s;
  }

  // ---------------------------------------------------------------- time, money, sizes
  const zone = resolveZone(boot.time_zone);
  function resolveZone(name) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return { id: name, shift: 0 };
    } catch (_) { /* an offset this browser does not take: shift UTC by hand */ }
    const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(name || '');
    const minutes = m ? Number(m[2]) * 60 + Number(m[3] || 0) : 0;
    return { id: 'UTC', shift: (m && m[1] === '-' ? -1 : 1) * minutes * 60000 };
  }
  let fmt = {};
  function makeFormats() {
    const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
    const o = { timeZone: zone.id };
    fmt = {
      time: new Intl.DateTimeFormat(locale, { ...o, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      day: new Intl.DateTimeFormat(locale, { ...o, month: 'short', day: 'numeric' }),
      key: new Intl.DateTimeFormat('en-CA', { ...o, year: 'numeric', month: '2-digit', day: '2-digit' }),
    };
  }
  function fmtTime(ms) {
    if (ms == null) return '';
    const d = new Date(ms + zone.shift);
    const time = fmt.time.format(d);
    return fmt.key.format(d) === fmt.key.format(new Date(now() + zone.shift)) ? time : `${fmt.day.format(d)} ${time}`;
  }
  const pad = (n) => String(n).padStart(2, '0');
  function fmtDur(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    if (h >= 48) return t('daysAgo', { n: Math.floor(h / 24) });
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }
  // Money is integer micro-USD: whole dollars and the fraction by integer arithmetic only.
  function money(micro) {
    const n = Math.trunc(Number(micro) || 0);
    const a = Math.abs(n);
    const cents = a % 1000000;
    const whole = (a - cents) / 1000000;
    let frac = String(cents).padStart(6, '0');
    if (frac.endsWith('00')) frac = frac.slice(0, 4);
    else if (frac.endsWith('0')) frac = frac.slice(0, 5);
    const grouped = String(whole).replace(/\B(?=(\d{3})+$)/g, ',');
    return `${n < 0 ? '-' : ''}$${grouped}.${frac}`;
  }
  function fmtBytes(n) {
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let v = Number(n) || 0;
    let i = 0;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
    return `${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${units[i]}`;
  }

  // ---------------------------------------------------------------- DOM
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v == null || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else if (k === 'value' || k === 'hidden' || k === 'disabled') e[k] = v;
        else e.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const c of kids.flat()) if (c != null && c !== false) e.append(c);
    return e;
  }
  function setText(id, text) { $(id).textContent = text; }
  let noticeTimer = 0;
  function notice(text) {
    const n = $('notice');
    n.replaceChildren(el('span', { text }), el('button', {
      type: 'button', class: 'icon', 'aria-label': t('close'), text: '×', onclick: () => { n.hidden = true; },
    }));
    n.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { n.hidden = true; }, 12000);
  }

  // ---------------------------------------------------------------- the API
  let reloading = false;
  function reload() {
    if (!reloading) { reloading = true; location.reload(); }
  }
  class Unreachable extends Error {}
  async function api(method, path, body, headers) {
    const h = { Accept: 'application/json', ...headers };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
    if (method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = csrf;
    let res;
    try {
      res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin', cache: 'no-store' });
    } catch (_) {
      throw new Unreachable(t('unreachable'));
    }
    if (res.status === 401) { reload(); throw new Error('signed out'); }
    const text = await res.text();
    let data = {};
    try { data = text ? JSON.parse(text) : {}; } catch (_) { data = { error: text }; }
    return { status: res.status, ok: res.ok, data: data || {} };
  }
  // Every reason a refusal gives, verbatim: the error, then each of `reasons` it does not repeat.
  // (An error that only joins its reasons, "the message was not sent: a; b", is shown as its
  // lead-in and then each reason.)
  function reasonsOf(data) {
    const error = String((data && data.error) || '');
    const reasons = ((data && data.reasons) || []).map(String);
    const at = reasons.length ? error.indexOf(reasons[0]) : -1;
    const joined = at > 0 && error.slice(at) === reasons.join('; ');
    const head = joined ? error.slice(0, at).replace(/[\s:]+$/, '') : error;
    const out = head ? [head] : [];
    for (const r of reasons) if (!out.includes(r)) out.push(r);
    return out.length ? out : ['?'];
  }
  function reportError(e) {
    if (e && e.message !== 'signed out') notice(e instanceof Unreachable ? t('unreachable') : String(e.message || e));
  }

  // ---------------------------------------------------------------- state
  const S = {
    chats: new Map(), // id -> chat JSON
    names: new Map(), // id -> {name, username} (the chat's contact)
    stamps: new Map(), // id -> fetch number the chat was last taken from
    fetches: 0,
    open: null,
    detail: null,
    drafts: new Map(),
    templates: [],
    canned: [],
    cannedAt: 0,
    status: null,
    numbers: [],
    credits: null,
    listsDrawn: false,
    streamOpen: false,
    lastSeq: Number(boot.after) || 0,
    retries: 0,
    compose: null,
    sending: false,
    useTemplate: false,
    attachment: null,
    undefinedPlaceholders: [],
    menu: { items: [], index: 0, start: -1 },
  };

  function takeChat(chat, stamp) {
    if ((S.stamps.get(chat.id) || 0) > stamp) return false;
    S.stamps.set(chat.id, stamp);
    S.chats.set(chat.id, chat);
    if (chat.contact) S.names.set(chat.id, { name: chat.contact.name, username: chat.contact.username });
    return true;
  }

  function who(chat) {
    const n = S.names.get(chat.id) || {};
    const c = String(chat.customer || '');
    const phone = /^\d{5,}$/.test(c);
    const id = phone ? `+${c}` : c;
    const user = n.username ? `@${n.username}` : '';
    if (n.name) return [n.name, phone ? id : [user, c].filter(Boolean).join(' · ')];
    if (!phone && user) return [user, c];
    return [id, ''];
  }
  function whoNode(chat, cls) {
    const [main, sub] = who(chat);
    return el('span', { class: cls }, el('b', { text: main }), sub ? el('span', { class: 'sub', text: ` ${sub}` }) : null);
  }

  // ---------------------------------------------------------------- lists
  function listed(state) {
    const chats = [...S.chats.values()].filter((c) => c.state === state);
    if (state === 'waiting') return chats.sort((a, b) => a.opened_at - b.opened_at);
    const mine = (c) => (c.served_by === boot.operator ? 0 : 1);
    return chats.sort((a, b) => mine(a) - mine(b) || b.last_customer_message_at - a.last_customer_message_at);
  }
  function chatSig(c) {
    const n = S.names.get(c.id) || {};
    return [c.state, c.department, c.served_by, c.opened_at, c.last_customer_message_at, c.deadline_at,
      c.deadline_kind, n.name, n.username, c.id === S.open, lang].join('|');
  }
  function chatItem(c) {
    const since = c.state === 'waiting' ? c.opened_at : c.last_customer_message_at;
    const served = c.state === 'active'
      ? el('span', { class: 'served', text: c.served_by === boot.operator ? t('servedByYou') : t('servedBy', { o: c.served_by === 'bot' ? t('bot') : c.served_by }) })
      : null;
    const current = c.id === S.open;
    return el('li', { 'data-chat-id': c.id, class: current ? 'current' : null, onclick: () => openChat(c.id) },
      el('button', { type: 'button', class: 'chat', 'aria-current': current ? 'true' : null },
        el('span', { class: 'line' }, whoNode(c, 'who'),
          el('span', { class: 'waited', 'data-since': since, title: c.state === 'waiting' ? t('waitedTitle') : t('sinceTitle'), text: fmtDur(now() - since) })),
        el('span', { class: 'line small' },
          el('span', { class: 'department', text: c.department || t('noDept') }),
          served,
          deadlineNode(c))));
  }
  function deadlineNode(c) {
    if (!c.deadline_at) return el('span', { class: 'deadline', hidden: true });
    const e = el('span', { class: 'deadline', 'data-at': c.deadline_at, 'data-kind': c.deadline_kind || '' });
    drawDeadline(e, now());
    return e;
  }
  function drawDeadline(e, n) {
    const at = Number(e.dataset.at);
    const left = at - n;
    const kind = e.dataset.kind;
    const label = t(`dl.${kind}`, { t: fmtTime(at) });
    e.textContent = `${label} · ${left > 0 ? t('dlIn', { d: fmtDur(left) }) : t('dlOverdue')}`;
    e.toggleAttribute('data-soon', left < 120000);
  }
  function fill(ul, chats) {
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('li[data-chat-id]');
    const focusedId = focused && focused.dataset.chatId;
    const old = new Map([...ul.children].map((li) => [li.dataset.chatId, li]));
    const items = chats.map((c) => {
      const sig = chatSig(c);
      let li = old.get(String(c.id));
      if (!li || li.dataset.sig !== sig) { li = chatItem(c); li.dataset.sig = sig; }
      return li;
    });
    const same = items.length === ul.children.length && items.every((li, i) => ul.children[i] === li);
    if (!same) ul.replaceChildren(...items);
    if (focusedId && (!document.activeElement || document.activeElement === document.body)) {
      const again = ul.querySelector(`li[data-chat-id="${focusedId}"] button`);
      if (again) again.focus();
    }
  }
  function drawLists() {
    const waiting = listed('waiting');
    const active = listed('active');
    fill($('waiting-list'), waiting);
    fill($('active-list'), active);
    setText('waiting-count', waiting.length);
    setText('active-count', active.length);
    $('waiting-empty').hidden = waiting.length > 0;
    $('active-empty').hidden = active.length > 0;
    document.title = waiting.length ? `(${waiting.length}) waygate` : 'waygate';
  }
  async function loadLists() {
    const stamp = ++S.fetches;
    const [w, a] = await Promise.all([api('GET', '/api/v1/chats?state=waiting'), api('GET', '/api/v1/chats?state=active')]);
    if (!w.ok || !a.ok) throw new Error(reasonsOf(w.ok ? a.data : w.data).join(' '));
    const seen = new Set();
    for (const c of [...w.data.chats, ...a.data.chats]) { seen.add(c.id); takeChat(c, stamp); }
    for (const [id, c] of S.chats) {
      if (!seen.has(id) && c.state !== 'closed' && (S.stamps.get(id) || 0) < stamp) S.chats.delete(id);
    }
    drawLists();
  }

  // One fetch of a chat at a time; an event during a fetch makes one more.
  const inflight = new Map();
  async function refreshChat(id) {
    const slot = inflight.get(id);
    if (slot) { slot.again = true; return; }
    const mine = { again: false };
    inflight.set(id, mine);
    try {
      do { mine.again = false; await loadChat(id); } while (mine.again);
    } catch (e) {
      reportError(e);
    } finally {
      inflight.delete(id);
    }
  }
  async function loadChat(id) {
    const stamp = ++S.fetches;
    const r = await api('GET', `/api/v1/chats/${id}`);
    if (r.status === 404) {
      S.chats.delete(id);
      drawLists();
      if (S.open === id) { S.detail = null; drawConversation(); notice(t('chatGone')); }
      return;
    }
    if (!r.ok) throw new Error(reasonsOf(r.data).join(' '));
    const d = r.data;
    takeChat(d.chat, stamp);
    drawLists();
    if (S.open === id) { S.detail = d; drawConversation(); }
  }

  // ---------------------------------------------------------------- conversation
  function openChat(id) {
    if (S.open !== id) {
      if (S.open != null) S.drafts.set(S.open, $('reply-text').value);
      S.open = id;
      S.detail = null;
      S.compose = null;
      S.useTemplate = false;
      S.attachment = null;
      S.undefinedPlaceholders = [];
      $('reply-text').value = S.drafts.get(id) || '';
      $('template-name').value = '';
      $('template-params').replaceChildren();
      delete $('template-params').dataset.key;
      clearRefusal();
      hideCost();
      closeMenu();
      setText('tools-result', '');
      $('messages').replaceChildren();
    }
    $('conversation').dataset.chatId = id;
    setView('chat');
    drawLists();
    drawConversation();
    refreshChat(id);
  }
  function closeConversation() {
    if (S.open != null) S.drafts.set(S.open, $('reply-text').value);
    S.open = null;
    S.detail = null;
    delete $('conversation').dataset.chatId;
    drawLists();
    drawConversation();
  }
  function setView(v) { document.body.dataset.view = v; }

  function drawConversation() {
    const has = S.open != null;
    $('pick').hidden = has;
    $('chat-view').hidden = !has;
    $('tools').hidden = !has;
    if (!has) return;
    const d = S.detail;
    const chat = (d && d.chat) || S.chats.get(S.open);
    if (!chat) return;
    $('chat-who').replaceChildren(whoNode(chat, 'who'));
    const metaBits = [
      el('span', { class: 'department', text: chat.department || t('noDept') }),
      el('span', { text: t(`state.${chat.state}`) }),
    ];
    if (chat.state === 'active' && chat.served_by) {
      metaBits.push(el('span', { text: chat.served_by === boot.operator ? t('servedByYou') : t('servedBy', { o: chat.served_by === 'bot' ? t('bot') : chat.served_by }) }));
    }
    if (chat.state === 'closed') metaBits.push(el('span', { text: t('closedAt', { t: fmtTime(chat.closed_at), r: chat.reason }) }));
    else metaBits.push(deadlineNode(chat));
    metaBits.push(el('span', { text: t('chatNo', { n: chat.id }) }));
    $('chat-meta').replaceChildren(...metaBits);
    const closed = chat.state === 'closed';
    $('accept').disabled = !(chat.state === 'waiting' || (chat.state === 'active' && chat.served_by !== boot.operator));
    $('accept').hidden = chat.state === 'active' && chat.served_by === boot.operator;
    $('close').disabled = closed;
    $('transfer').disabled = closed;
    $('transfer-department').disabled = closed;
    drawDepartments(chat);
    if (!d) return;
    drawWindow(d.window);
    drawMessages(d);
    drawTags(d.tags || []);
    drawReply();
  }

  function drawDepartments(chat) {
    const sel = $('transfer-department');
    const deps = boot.departments || [];
    const sig = deps.join('\n');
    if (sel.dataset.sig !== sig) {
      sel.replaceChildren(...deps.map((d) => el('option', { value: d, text: d })));
      sel.dataset.sig = sig;
      sel.dataset.chat = '';
    }
    if (sel.dataset.chat !== String(chat.id)) {
      const other = deps.find((d) => d !== chat.department);
      if (other) sel.value = other;
      sel.dataset.chat = String(chat.id);
    }
    $('transfer').hidden = deps.length === 0;
    sel.hidden = deps.length === 0;
  }

  let windowTimer = 0;
  function drawWindow(w) {
    const box = $('window-state');
    clearTimeout(windowTimer);
    if (!w) { box.textContent = ''; return; }
    let text;
    if (w.free_form_allowed) text = t('windowOpen', { t: fmtTime(w.closes_at) });
    else if (w.closes_at) text = t('windowClosed', { t: fmtTime(w.closes_at) });
    else text = t('windowNever');
    const fep = w.free_entry_point;
    if (fep && fep.current && fep.state === 'open') text += ` · ${t('fepOpen', { t: fmtTime(fep.closes_at) })}`;
    box.textContent = text;
    box.title = w.summary || '';
    box.dataset.open = w.free_form_allowed ? '1' : '0';
    // When the window closes while the chat is open, read it again: the reply box changes.
    if (w.free_form_allowed && w.closes_at) {
      const wait = w.closes_at - now() + 500;
      if (wait < 2 ** 31 - 1) windowTimer = setTimeout(() => { if (S.open != null) refreshChat(S.open); }, Math.max(wait, 0));
    }
  }

  function timeline(d) {
    const items = [];
    for (const m of d.messages || []) items.push({ at: (m.timestamp || 0) * 1000, key: `i${m.seq}`, sig: `${m.seq}|${m.media_id || ''}`, make: () => inboundItem(m) });
    for (const o of d.outbound || []) items.push({ at: o.created_at, key: `o${o.id}`, sig: [o.state, o.error && o.error.remedy, o.retried_by, o.cost_micro_usd].join('|'), make: () => outboundItem(o) });
    for (const n of d.notes || []) items.push({ at: n.at, key: `n${n.n}`, sig: 'n', make: () => noteItem(n) });
    return items.sort((a, b) => a.at - b.at);
  }
  function drawMessages(d) {
    const ol = $('messages');
    const atEnd = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 60 || ol.dataset.chat !== String(d.chat.id);
    const old = new Map([...ol.children].map((li) => [li.dataset.key, li]));
    const items = timeline(d).map((it) => {
      let li = old.get(it.key);
      const sig = `${it.sig}|${lang}`;
      if (!li || li.dataset.sig !== sig) {
        li = it.make();
        li.dataset.key = it.key;
        li.dataset.sig = sig;
      }
      return li;
    });
    ol.replaceChildren(...items);
    ol.dataset.chat = String(d.chat.id);
    if (atEnd) ol.scrollTop = ol.scrollHeight;
  }
  function stickToEnd() {
    const ol = $('messages');
    if (ol.scrollHeight - ol.scrollTop - ol.clientHeight < 400) ol.scrollTop = ol.scrollHeight;
  }
  function msgMeta(at, ...extra) {
    return el('span', { class: 'meta' }, el('time', { text: fmtTime(at) }), ...extra);
  }
  function mediaLink(href, label) {
    return el('a', { href, download: '', class: 'file', text: label });
  }
  function inboundBody(m) {
    const msg = (m.content && m.content.message) || {};
    const c = msg.content;
    const type = m.type;
    if (typeof c === 'string') return [el('span', { class: 'muted', text: c.replace(/_/g, ' ') })];
    const part = (c && c[type]) || (c && c.other && c.other.payload) || {};
    const href = `/api/v1/log/${m.seq}/media`;
    switch (type) {
      case 'text': return [el('p', { text: part.body || '' })];
      case 'image':
      case 'sticker': {
        const caption = part.caption ? el('p', { text: part.caption }) : null;
        if (!m.media_id) return [el('p', { class: 'muted', text: t('mediaGone') }), mediaLink(href, t('download', { k: type })), caption];
        const img = el('img', { src: href, alt: part.caption || type, loading: 'lazy', onload: stickToEnd });
        const pic = el('a', { href, target: '_blank', rel: 'noopener', class: 'pic' }, img);
        img.addEventListener('error', () => pic.replaceWith(mediaLink(href, t('download', { k: type }))));
        return [pic, caption];
      }
      case 'audio':
      case 'video':
      case 'document':
        return [mediaLink(href, part.filename || t('download', { k: type })), part.caption ? el('p', { text: part.caption }) : null];
      case 'location':
        return [el('p', { text: [t('location'), part.name, part.address, `${part.latitude}, ${part.longitude}`].filter(Boolean).join(' · ') })];
      case 'reaction': return [el('p', { text: t('reaction', { e: part.emoji || '' }) })];
      case 'button': return [el('p', { text: part.text || part.payload || '' })];
      case 'interactive': {
        const r = part.button_reply || part.list_reply || part.nfm_reply || {};
        return [el('p', { text: r.title || r.body || r.name || JSON.stringify(part) })];
      }
      case 'contacts': return [el('p', { text: `${t('contacts')}: ${(Array.isArray(c.contacts) ? c.contacts : []).map((x) => (x.name && x.name.formatted_name) || '').join(', ')}` })];
      case 'order': return [el('p', { text: part.text || 'order' })];
      case 'system': return [el('p', { class: 'muted', text: part.body || 'system' })];
      default: return [el('p', { class: 'muted', text: t('unsupported', { k: type }) })];
    }
  }
  function inboundItem(m) {
    return el('li', { class: 'msg', 'data-direction': 'in', 'data-seq': m.seq },
      el('div', { class: 'bubble' }, ...inboundBody(m)),
      msgMeta(m.timestamp ? m.timestamp * 1000 : null));
  }
  const STATE_ICON = { queued: '…', sending: '…', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!', uncertain: '?' };
  function outboundBody(o) {
    const b = o.body || {};
    const type = b.type || o.type;
    const part = b[type] || {};
    switch (type) {
      case 'text': return [el('p', { text: part.body || '' })];
      case 'template': {
        const params = [];
        for (const comp of part.components || []) for (const p of comp.parameters || []) params.push(p.text ?? '');
        return [el('p', { class: 'tpl', text: t('templateMsg', { n: part.name, l: part.language && part.language.code }) }),
          params.length ? el('p', { class: 'sub', text: params.join(' · ') }) : null];
      }
      case 'image': case 'document': case 'audio': case 'video': {
        const href = `/api/v1/media/${encodeURIComponent(part.id || '')}`;
        const shown = type === 'image'
          ? el('a', { href, target: '_blank', rel: 'noopener', class: 'pic' }, el('img', { src: href, alt: part.caption || type, loading: 'lazy', onload: stickToEnd }))
          : mediaLink(href, part.filename || t('download', { k: type }));
        return [shown, part.caption ? el('p', { text: part.caption }) : null];
      }
      case 'reaction': return [el('p', { text: t('reaction', { e: part.emoji || '' }) })];
      default: return [el('p', { class: 'muted', text: type || '' })];
    }
  }
  function outboundItem(o) {
    const money_ = o.cost_micro_usd != null ? (o.cost_micro_usd > 0 ? t('cost', { m: money(o.cost_micro_usd) }) : null)
      : (o.estimate_micro_usd > 0 ? t('estimate', { m: money(o.estimate_micro_usd) }) : null);
    const li = el('li', { class: 'msg', 'data-direction': 'out', 'data-message-id': o.id, 'data-state': o.state },
      el('div', { class: 'bubble' }, ...outboundBody(o)),
      msgMeta(o.created_at, o.operator ? el('span', { text: o.operator }) : null,
        money_ ? el('span', { text: money_ }) : null,
        el('span', { class: 'state', title: t(`ms.${o.state}`) },
          el('span', { class: 'icon-state', 'aria-hidden': 'true', text: STATE_ICON[o.state] || '' }), ` ${t(`ms.${o.state}`)}`)));
    if (o.error) {
      const e = o.error;
      const box = el('div', { class: 'failure' },
        el('p', { text: `${e.title}${e.code != null ? ` (${e.code})` : ''}${e.details ? `: ${e.details}` : ''}` }),
        el('p', { class: 'remedy', text: e.remedy }));
      if ((o.state === 'failed' || o.state === 'uncertain') && o.retried_by == null) {
        box.append(el('button', { type: 'button', class: 'retry', text: t('retry'), onclick: (ev) => retryMessage(o, ev.currentTarget) }));
      } else if (o.retried_by != null) {
        box.append(el('p', { class: 'muted', text: t('retried', { n: o.retried_by }) }));
      }
      li.append(box);
    }
    return li;
  }
  async function retryMessage(o, button) {
    button.disabled = true;
    try {
      const r = await api('POST', `/api/v1/messages/${o.id}/retry`);
      if (!r.ok) showRefusal(reasonsOf(r.data), 'retry');
      refreshChat(o.chat);
    } catch (e) {
      showRefusal([e instanceof Unreachable ? t('unreachable') : String(e.message)], 'network');
    } finally {
      button.disabled = false;
    }
  }
  function noteItem(n) {
    return el('li', { class: 'note' },
      el('span', { class: 'label', text: t('noteLabel', { a: n.author }) }),
      el('p', { text: n.text }),
      msgMeta(n.at));
  }

  // ---------------------------------------------------------------- tags
  function drawTags(tags) {
    $('tags').replaceChildren(...tags.map((tag) => el('span', { class: 'tag', 'data-tag': tag }, tag,
      el('button', { type: 'button', class: 'icon', 'aria-label': t('removeTag', { t: tag }), text: '×', onclick: () => saveTags(tags.filter((x) => x !== tag)) }))));
  }
  async function saveTags(tags) {
    const id = S.open;
    if (id == null) return;
    try {
      const r = await api('PUT', `/api/v1/chats/${id}/tags`, { tags });
      if (!r.ok) { setText('tools-result', reasonsOf(r.data).join(' ')); return; }
      if (S.detail && S.open === id) { S.detail.tags = r.data.tags; drawTags(r.data.tags); }
    } catch (e) { reportError(e); }
  }

  // ---------------------------------------------------------------- reply box
  function windowOpen() { return !!(S.detail && S.detail.window && S.detail.window.free_form_allowed); }
  function templateMode() { return !windowOpen() || S.useTemplate; }
  function drawReply() {
    const tm = templateMode();
    $('reply-text').hidden = tm;
    $('template-picker').hidden = !tm;
    $('use-template').hidden = !windowOpen();
    $('use-template').textContent = S.useTemplate ? t('freeText') : t('useTemplate');
    $('attach-label').hidden = tm;
    if (tm) { closeMenu(); drawTemplates(); }
    drawAttachment();
    checkPlaceholders();
  }
  function drawTemplates() {
    const sel = $('template-name');
    const sig = JSON.stringify(S.templates) + lang;
    if (sel.dataset.sig !== sig) {
      const cur = sel.value;
      sel.replaceChildren(el('option', { value: '', text: S.templates.length ? t('chooseTemplate') : t('templateNone') }),
        ...S.templates.map((tp) => el('option', {
          value: `${tp.name}|${tp.language}`,
          text: `${tp.name} (${tp.language}) · ${tp.category}${tp.sendable ? '' : ` · ${tp.status}`}`,
        })));
      sel.value = cur;
      if (sel.value !== cur) sel.value = '';
      sel.dataset.sig = sig;
    }
    drawTemplateParams();
  }
  function chosenTemplate() {
    const v = $('template-name').value;
    const cut = v.lastIndexOf('|');
    if (cut < 0) return null;
    const name = v.slice(0, cut);
    const language = v.slice(cut + 1);
    return S.templates.find((tp) => tp.name === name && tp.language === language) || { name, language, parameters: 0 };
  }
  function drawTemplateParams() {
    const tp = chosenTemplate();
    const box = $('template-params');
    const n = tp ? Number(tp.parameters) || 0 : 0;
    const key = tp ? `${tp.name}|${tp.language}|${n}` : '';
    if (box.dataset.key !== key) {
      const old = [...box.querySelectorAll('.template-param')].map((i) => i.value);
      box.replaceChildren(...Array.from({ length: n }, (_, i) => el('label', { class: 'param' },
        el('span', { text: `{{${i + 1}}}` }),
        el('input', { type: 'text', class: 'template-param', 'data-index': i + 1, placeholder: t('param', { n: i + 1 }), value: old[i] || '' }))));
      box.dataset.key = key;
    }
    const info = [];
    if (tp && tp.category) {
      info.push(t('templateState', { c: tp.category, s: tp.status }));
      if (tp.pending_category) info.push(t('pendingCategory', { c: tp.pending_category.category, t: fmtTime(tp.pending_category.effective_at) }));
      if (!tp.sendable) info.push(t('notSendable', { s: tp.status, r: tp.status_reason ? `: ${tp.status_reason}` : '' }));
    }
    setText('template-info', info.join(' · '));
  }
  async function loadTemplates() {
    try {
      const r = await api('GET', '/api/v1/templates');
      if (r.ok) { S.templates = r.data.templates || []; if (S.detail) drawReply(); }
    } catch (e) { reportError(e); }
  }

  // The refusals box: every reason, verbatim.
  // The gateway words instants in UTC (2026-12-06T05:02:00Z): show them in the box's zone.
  const INSTANT = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z)\b/g;
  function localInstants(text) {
    return String(text).replace(INSTANT, (iso) => {
      const ms = Date.parse(iso);
      return Number.isNaN(ms) ? iso : fmtTime(ms);
    });
  }
  function showRefusal(reasons, kind) {
    const ul = $('send-refusal');
    ul.replaceChildren(...reasons.map((r) => el('li', { text: localInstants(r), title: r })));
    ul.dataset.kind = kind;
    ul.hidden = false;
  }
  function clearRefusal() {
    const ul = $('send-refusal');
    ul.replaceChildren();
    ul.hidden = true;
    delete ul.dataset.kind;
  }
  function showCost(text) {
    const c = $('cost');
    c.textContent = text;
    c.hidden = false;
  }
  function hideCost() { $('cost').hidden = true; $('cost').textContent = ''; }

  const PLACEHOLDER = /\{\{[^{}]*\}\}/g;
  function checkPlaceholders() {
    const box = $('placeholder-problems');
    const found = templateMode() ? [] : [...new Set($('reply-text').value.match(PLACEHOLDER) || [])];
    if (!found.length) {
      box.hidden = true;
      box.replaceChildren();
      S.undefinedPlaceholders = [];
    } else {
      const lines = [];
      if (S.undefinedPlaceholders.length) lines.push(el('p', { text: S.undefinedPlaceholders[0] }));
      box.replaceChildren(...lines, el('ul', {}, ...found.map((p) => el('li', { 'data-placeholder': p.slice(2, -2).trim(), text: t('placeholderLeft', { p }) }))));
      box.hidden = false;
    }
    drawSendButton(found.length > 0);
  }
  function drawSendButton(blocked) {
    const b = $('send');
    const pending = blocked ?? !$('placeholder-problems').hidden;
    b.disabled = S.sending || S.open == null || pending;
    b.textContent = S.sending ? t('sending') : (S.compose && S.compose.confirmed ? t('confirmSend') : t('send'));
    const ta = $('reply-text');
    const len = ta.value.length;
    setText('char-count', len > 3500 ? `${len}/4096` : '');
  }

  // What the operator composed: the send-check body, the messages to send, and a signature
  // naming the compose (the same signature reuses the same Idempotency-Keys).
  function composePlan() {
    if (templateMode()) {
      const tp = chosenTemplate();
      if (!tp) return { error: t('chooseTemplate') };
      const params = [...document.querySelectorAll('#template-params .template-param')].map((i) => i.value.trim());
      const missing = params.findIndex((p) => !p);
      if (missing >= 0) return { error: t('paramEmpty', { n: missing + 1 }) };
      const template = { name: tp.name, language: { code: tp.language }, components: [] };
      if (params.length) template.components.push({ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) });
      const body = { type: 'template', template };
      return {
        check: { type: 'template', name: tp.name, language: tp.language, parameters: params.length },
        parts: [() => body],
        sig: JSON.stringify(body),
      };
    }
    const text = $('reply-text').value.trim();
    const att = S.attachment;
    if (!text && !att) return { error: t('empty') };
    const parts = [];
    if (att) {
      const kind = att.kind;
      const withCaption = kind !== 'audio' && text;
      parts.push((mediaId) => {
        const media = { id: mediaId };
        if (withCaption) media.caption = text;
        if (kind === 'document') media.filename = att.file.name;
        return { type: kind, [kind]: media };
      });
      if (kind === 'audio' && text) parts.push(() => ({ type: 'text', text: { body: text } }));
    } else {
      parts.push(() => ({ type: 'text', text: { body: text } }));
    }
    const fileSig = att ? [att.file.name, att.file.size, att.file.lastModified].join('/') : '';
    return { check: { type: 'free_form' }, parts, file: att && att.file, sig: JSON.stringify([text, fileSig]) };
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function costText(check) {
    const est = Math.trunc(Number(check.estimate_micro_usd) || 0);
    if (est > 0) return t('costConfirm', { m: money(est) });
    if (check.pricing === 'regular' && !check.free_of_charge) return t('costCategory', { c: check.category || '?' });
    return '';
  }
  async function send() {
    const chatId = S.open;
    if (S.sending || chatId == null || $('send').disabled) return;
    closeMenu();
    const plan = composePlan();
    if (plan.error) { showRefusal([plan.error], 'input'); return; }
    if (!S.compose || S.compose.sig !== plan.sig || S.compose.chat !== chatId) {
      S.compose = { sig: plan.sig, chat: chatId, keys: plan.parts.map(uuid), done: plan.parts.map(() => false), mediaId: null, confirmed: false };
      hideCost();
    }
    const compose = S.compose;
    S.sending = true;
    drawSendButton();
    clearRefusal();
    let sent = false;
    try {
      const check = await api('POST', `/api/v1/chats/${chatId}/send-check`, plan.check);
      if (!check.ok) { showRefusal(reasonsOf(check.data), 'check'); return; }
      if (!check.data.allowed) { showRefusal((check.data.refusals || []).map(String), 'check'); return; }
      const cost = costText(check.data);
      if (cost && !compose.confirmed) {
        showCost(`${cost}${lang === 'ja' ? '。' : '. '}${t('pressConfirm')}`);
        compose.confirmed = true;
        return;
      }
      if (plan.file && !compose.mediaId) {
        const form = new FormData();
        form.append('file', plan.file, plan.file.name);
        const up = await api('POST', '/api/v1/media', form);
        if (!up.ok) { showRefusal(reasonsOf(up.data), 'attachment'); return; }
        compose.mediaId = up.data.id;
      }
      for (let i = 0; i < plan.parts.length; i += 1) {
        if (compose.done[i]) continue;
        const r = await api('POST', `/api/v1/chats/${chatId}/messages`, plan.parts[i](compose.mediaId), { 'Idempotency-Key': compose.keys[i] });
        if (!r.ok) { showRefusal(reasonsOf(r.data), r.status === 402 ? 'credits' : 'send'); return; }
        compose.done[i] = true;
      }
      sent = true;
    } catch (e) {
      if (e.message !== 'signed out') showRefusal([e instanceof Unreachable ? t('unreachable') : String(e.message)], 'network');
    } finally {
      S.sending = false;
      if (sent) {
        S.compose = null;
        hideCost();
        if (templateMode()) {
          for (const i of document.querySelectorAll('.template-param')) i.value = '';
        } else {
          $('reply-text').value = '';
          S.drafts.delete(chatId);
        }
        S.attachment = null;
        drawAttachment();
        checkPlaceholders();
        refreshChat(chatId);
      }
      drawSendButton();
    }
  }
  // Checks a template as soon as it is picked: its refusal or its cost shows before sending.
  async function precheckTemplate() {
    const tp = chosenTemplate();
    const chatId = S.open;
    clearRefusal();
    hideCost();
    if (S.compose) S.compose.confirmed = false;
    drawSendButton();
    if (!tp || chatId == null) return;
    try {
      const r = await api('POST', `/api/v1/chats/${chatId}/send-check`, { type: 'template', name: tp.name, language: tp.language, parameters: Number(tp.parameters) || 0 });
      if (S.open !== chatId || chosenTemplate() !== tp) return;
      if (!r.ok) showRefusal(reasonsOf(r.data), 'check');
      else if (!r.data.allowed) showRefusal((r.data.refusals || []).map(String), 'check');
      else {
        const cost = costText(r.data);
        if (cost) showCost(cost);
      }
    } catch (e) { reportError(e); }
  }

  // ---------------------------------------------------------------- attachments
  function allowedFormats() {
    const out = [];
    for (const a of boot.attachments || []) for (const f of a.formats || []) out.push(...(f.extensions || []).map((x) => `.${x}`), f.mime);
    return out.filter(Boolean);
  }
  function policyFor(file) {
    const ext = (file.name.includes('.') ? file.name.split('.').pop() : '').toLowerCase();
    const mime = (file.type || '').toLowerCase();
    let byMime = null;
    for (const a of boot.attachments || []) {
      for (const f of a.formats || []) {
        if ((f.extensions || []).map((x) => x.toLowerCase()).includes(ext)) return a;
        if (mime && f.mime === mime) byMime = byMime || a;
      }
    }
    return byMime;
  }
  function pickFile(input) {
    const file = input.files && input.files[0];
    input.value = '';
    if (!file) return;
    clearRefusal();
    if (!windowOpen()) { showRefusal([t('attachNeedsWindow')], 'attachment'); return; }
    const policy = policyFor(file);
    if (!policy) {
      const list = (boot.attachments || []).map((a) => `${a.kind} (${(a.formats || []).flatMap((f) => f.extensions || []).join(', ')})`).join('; ');
      showRefusal([t('attachType', { n: file.name, l: list })], 'attachment');
      return;
    }
    if (file.size > policy.max_bytes) {
      showRefusal([t('attachSize', { n: file.name, s: fmtBytes(file.size), k: policy.kind, m: fmtBytes(policy.max_bytes) })], 'attachment');
      return;
    }
    S.attachment = { file, kind: policy.kind };
    drawAttachment();
  }
  function drawAttachment() {
    const a = S.attachment;
    $('attachment').hidden = !a;
    setText('attachment-name', a ? `${a.kind}: ${a.file.name} (${fmtBytes(a.file.size)})` : '');
  }

  // ---------------------------------------------------------------- canned responses
  async function loadCanned(force) {
    if (!force && Date.now() - S.cannedAt < 30000) return;
    S.cannedAt = Date.now();
    try {
      const r = await api('GET', '/api/v1/canned-responses');
      // Typed before the list came: show the menu now if the caret is still on a /shortcut.
      if (r.ok) { S.canned = r.data.canned_responses || []; if (document.activeElement === $('reply-text')) updateMenu(); }
    } catch (e) { reportError(e); }
  }
  function shortcutAtCaret() {
    const ta = $('reply-text');
    const before = ta.value.slice(0, ta.selectionStart);
    const m = /(^|\s)\/(\S*)$/.exec(before);
    return m ? { start: before.length - m[2].length - 1, query: m[2].toLowerCase() } : null;
  }
  function updateMenu() {
    const at = templateMode() ? null : shortcutAtCaret();
    if (!at) { closeMenu(); return; }
    loadCanned(false);
    const key = (c) => c.shortcut.replace(/^\//, '').toLowerCase();
    const items = [
      ...S.canned.filter((c) => key(c).startsWith(at.query)),
      ...S.canned.filter((c) => !key(c).startsWith(at.query) && key(c).includes(at.query)),
    ].slice(0, 8);
    const menu = $('canned-menu');
    if (!items.length) { closeMenu(); return; }
    S.menu = { items, index: Math.min(S.menu.index, items.length - 1), start: at.start };
    menu.replaceChildren(...items.map((c, i) => el('li', {
      'data-shortcut': c.shortcut, role: 'option', 'aria-selected': i === S.menu.index ? 'true' : 'false',
      onmousedown: (e) => { e.preventDefault(); pickCanned(c); },
      onclick: () => pickCanned(c),
    }, el('b', { text: `/${c.shortcut.replace(/^\//, '')}` }), el('span', { text: ` ${c.body}` }))));
    menu.hidden = false;
  }
  function closeMenu() {
    $('canned-menu').hidden = true;
    $('canned-menu').replaceChildren();
    S.menu = { items: [], index: 0, start: -1 };
  }
  function moveMenu(delta) {
    const n = S.menu.items.length;
    S.menu.index = (S.menu.index + delta + n) % n;
    [...$('canned-menu').children].forEach((li, i) => li.setAttribute('aria-selected', i === S.menu.index ? 'true' : 'false'));
  }
  async function pickCanned(c) {
    const chatId = S.open;
    const ta = $('reply-text');
    const start = S.menu.start;
    const end = ta.selectionStart;
    closeMenu();
    if (chatId == null || start < 0) return;
    let text = c.body;
    let undefinedReason = null;
    try {
      const r = await api('POST', `/api/v1/chats/${chatId}/render`, { canned_response: c.id });
      if (r.ok) text = r.data.text;
      else if (r.status === 422 && r.data.placeholders) {
        // The text with what is known filled in (the server's partial text when it sends one);
        // the undefined placeholders stay for the operator to replace.
        undefinedReason = r.data.error;
        text = r.data.text || c.body.replace(/\{\{\s*(agent\.name|chat\.id)\s*\}\}/g, (m, k) => (k === 'chat.id' ? String(chatId) : boot.operator));
      }
      else { showRefusal(reasonsOf(r.data), 'canned'); return; }
    } catch (e) { reportError(e); return; }
    if (S.open !== chatId) return;
    ta.value = ta.value.slice(0, start) + text + ta.value.slice(end);
    const caret = start + text.length;
    ta.focus();
    const first = undefinedReason ? ta.value.indexOf('{{', start) : -1;
    if (first >= 0) ta.setSelectionRange(first, ta.value.indexOf('}}', first) + 2);
    else ta.setSelectionRange(caret, caret);
    S.undefinedPlaceholders = undefinedReason ? [undefinedReason] : [];
    checkPlaceholders();
  }
  function insertText(text) {
    if (templateMode()) { setText('tools-result', t('linkNeedsText')); return; }
    const ta = $('reply-text');
    const s = ta.selectionStart;
    const e = ta.selectionEnd;
    const before = ta.value.slice(0, s);
    const glue = before && !/\s$/.test(before) ? ' ' : '';
    ta.value = before + glue + text + ta.value.slice(e);
    const caret = s + glue.length + text.length;
    ta.focus();
    ta.setSelectionRange(caret, caret);
    checkPlaceholders();
  }

  // ---------------------------------------------------------------- articles
  let articleTimer = 0;
  let articleAsk = 0;
  async function searchArticles() {
    const q = $('article-search').value.trim();
    const ask = ++articleAsk;
    try {
      const r = await api('GET', `/api/v1/articles${q ? `?q=${encodeURIComponent(q)}` : ''}`);
      if (ask !== articleAsk) return;
      const ul = $('article-results');
      if (!r.ok) { ul.replaceChildren(el('li', { class: 'muted', text: reasonsOf(r.data).join(' ') })); return; }
      const found = (r.data.articles || []).slice(0, 20);
      ul.replaceChildren(...(found.length ? found.map((a) => el('li', { 'data-article-id': a.id, onclick: () => insertText(a.link ? `${a.title}: ${a.link}` : `${a.title}\n${a.body}`) },
        el('button', { type: 'button' },
          el('b', { text: a.title }), a.link ? el('span', { class: 'sub', text: ` ${a.link}` }) : null)))
        : [el('li', { class: 'muted', text: t('noArticles') })]));
    } catch (e) { reportError(e); }
  }

  // ---------------------------------------------------------------- chat actions and tools
  async function act(action) {
    const id = S.open;
    if (id == null || $(action).disabled) return;
    const body = action === 'transfer' ? { department: $('transfer-department').value } : undefined;
    $(action).disabled = true;
    try {
      const stamp = ++S.fetches;
      const r = await api('POST', `/api/v1/chats/${id}/${action}`, body);
      if (!r.ok) { notice(reasonsOf(r.data).join(' — ')); return; }
      takeChat(r.data.chat, stamp);
      if (S.detail && S.open === id) S.detail.chat = r.data.chat;
      drawLists();
      drawConversation();
      refreshChat(id);
      if (action === 'accept' && !$('reply-text').hidden) $('reply-text').focus();
    } catch (e) {
      reportError(e);
    } finally {
      drawConversation();
    }
  }
  async function tool(path, body, done) {
    const id = S.open;
    if (id == null) return;
    setText('tools-result', '');
    try {
      const r = await api('POST', `/api/v1/chats/${id}/${path}`, body);
      if (!r.ok) { setText('tools-result', reasonsOf(r.data).join(' ')); return; }
      done(r.data);
      $('tools-result').scrollIntoView({ block: 'nearest' });
    } catch (e) {
      setText('tools-result', e instanceof Unreachable ? t('unreachable') : String(e.message));
    }
  }

  // ---------------------------------------------------------------- box status corner
  async function loadStatus() {
    try {
      const r = await api('GET', '/api/v1/status');
      if (r.ok) { S.status = r.data; drawStatus(); }
    } catch (e) { /* the connection indicator shows it */ }
  }
  async function loadNumbers() {
    try {
      const r = await api('GET', '/api/v1/numbers');
      if (r.ok) { S.numbers = r.data.numbers || []; drawNumbers(); }
    } catch (e) { /* shown by the connection indicator */ }
  }
  async function loadCredits() {
    try {
      const r = await api('GET', '/api/v1/credits');
      if (r.ok) { S.credits = r.data; drawCredits(); }
    } catch (e) { /* shown by the connection indicator */ }
  }
  // At most one read of each corner figure per second, however many events come.
  const soonTimers = new Map();
  function soon(fn) {
    if (!soonTimers.has(fn)) soonTimers.set(fn, setTimeout(() => { soonTimers.delete(fn); fn(); }, 1000));
  }
  function drawStatus() {
    const st = S.status;
    if (!st) return;
    const u = st.upstream || {};
    const sink = (u.sync && u.sync.sink && u.sync.sink.state) || 'not_configured';
    const box = $('uplink');
    const bits = [];
    let state;
    if (sink === 'not_configured') { state = 'off'; bits.push(t('uplinkOff')); } else if (!u.backlog_events) { state = 'synced'; bits.push(t('uplinkSynced')); } else {
      state = 'backlog';
      const age = el('span', { 'data-since': u.oldest_event_at, text: fmtDur(now() - u.oldest_event_at) });
      const [a, b] = t('uplinkBacklog', { n: u.backlog_events, a: '\u0000' }).split('\u0000');
      bits.push(a, age, b);
    }
    if (u.waiting && state !== 'off') bits.push(el('span', { class: 'why', text: ` ${u.waiting}` }));
    if (u.dead_batch_count) bits.push(el('span', { class: 'why', text: ` · ${t('deadBatches', { n: u.dead_batch_count })}` }));
    if (!st.ready && st.not_ready_reason) bits.push(el('span', { class: 'why', text: ` · ${t('notReady', { r: st.not_ready_reason })}` }));
    box.replaceChildren(...bits);
    box.dataset.state = state;
    box.title = (st.problems || []).join('\n');
    const s = st.store || {};
    const q = Number(s.quota_bytes) || 0;
    const perMille = q ? Math.floor((Number(s.used_bytes) * 1000) / q) : 0;
    const pct = `${Math.floor(perMille / 10)}.${perMille % 10}%`;
    const store = $('store');
    store.textContent = t('store', { p: pct, u: fmtBytes(s.used_bytes), q: fmtBytes(q) });
    store.dataset.state = perMille > 900 ? 'full' : 'ok';
  }
  function drawNumbers() {
    $('numbers').replaceChildren(...S.numbers.map((n) => {
      const name = n.display_phone_number || n.verified_name || n.phone_number_id;
      const li = el('li', { 'data-phone-number-id': n.phone_number_id, 'data-state': n.state },
        el('span', { text: t(n.state === 'held' ? 'numberHeld' : 'numberSending', { n: name }) }));
      if (n.queue_depth) li.append(el('span', { text: ` · ${t('queued', { n: n.queue_depth })}` }));
      if (n.hold) li.append(el('p', { class: 'why', text: `${n.hold.reason}: ${n.hold.remedy}` }));
      for (const p of n.problems || []) li.append(el('p', { class: 'why', text: `${p.reason}: ${p.remedy}` }));
      return li;
    }));
  }
  function drawCredits() {
    const c = S.credits;
    if (!c) return;
    const box = $('credits');
    box.textContent = t('credits', { m: money(c.available_micro_usd) });
    if (c.reserved_micro_usd > 0) box.append(` ${t('reserved', { m: money(c.reserved_micro_usd) })}`);
    box.dataset.state = c.available_micro_usd > 0 ? 'ok' : 'empty';
  }

  // ---------------------------------------------------------------- the event stream
  function setConnection(state) {
    const c = $('connection');
    c.dataset.state = state;
    c.textContent = t(state === 'live' ? 'live' : state === 'retrying' ? 'retrying' : 'connecting');
  }
  function onEvent(ev) {
    let e;
    try { e = JSON.parse(ev.data); } catch (_) { return; }
    if (e.seq > S.lastSeq) S.lastSeq = e.seq;
    const type = String(e.type || '');
    const id = e.chat_id;
    if (id != null && (type.startsWith('chat.') || type === 'message.received')) refreshChat(id);
    else if (id != null && /^(message\.|note\.|tags\.|lead\.|ticket\.)/.test(type)) {
      if (id === S.open || S.chats.has(id)) refreshChat(id);
    }
    // A customer's file came down from Meta after its message: show it if it is on screen.
    if (type === 'media.downloaded' && S.open != null && e.data &&
        $('messages').querySelector(`[data-seq="${Number(e.data.log_seq)}"]`)) refreshChat(S.open);
    if (type === 'number.state_changed' || type.startsWith('message.')) soon(loadNumbers);
    if (type === 'credits.changed') soon(loadCredits);
    if (type === 'template.status_changed') soon(loadTemplates);
    soon(loadStatus);
  }
  function connect() {
    const es = new EventSource(`/api/v1/events?after=${S.lastSeq}`);
    es.onopen = () => {
      S.retries = 0;
      setConnection('live');
      if (!S.streamOpen) { S.streamOpen = true; maybeReady(); }
    };
    es.onmessage = onEvent;
    es.addEventListener('reset', (ev) => {
      try {
        const d = JSON.parse(ev.data);
        if (d.resumes_after != null) S.lastSeq = d.resumes_after;
      } catch (_) { /* reload anyway */ }
      loadLists().catch(reportError);
      if (S.open != null) refreshChat(S.open);
    });
    es.onerror = () => {
      setConnection('retrying');
      // The browser reconnects by itself (with Last-Event-ID) unless the answer was an error
      // status: then open a new stream after the last event seen (a 401 reloads the page).
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        const wait = Math.min(30000, 1000 * 2 ** S.retries);
        S.retries += 1;
        setTimeout(() => { api('GET', '/api/v1/status').catch(() => {}).finally(connect); }, wait);
      }
    };
  }
  function maybeReady() {
    if (S.listsDrawn && S.streamOpen && document.body.dataset.ready !== '1') {
      document.body.dataset.ready = '1';
      performance.mark('waygate-interactive');
    }
  }

  // ---------------------------------------------------------------- language
  function applyLang() {
    document.documentElement.lang = lang;
    $('lang').value = lang;
    makeFormats();
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    for (const e of document.querySelectorAll('[data-t-ph]')) e.placeholder = t(e.dataset.tPh);
    for (const e of document.querySelectorAll('[data-t-label]')) e.setAttribute('aria-label', t(e.dataset.tLabel));
    $('box-status').setAttribute('aria-label', t('statusTitle'));
    setText('operator', boot.operator ? t('operator', { o: boot.operator }) : '');
    $('accept').title = `${t('accept')} (Alt+A)`;
    $('close').title = `${t('close')} (Alt+C)`;
    $('send').title = `${t('send')} (Ctrl+Enter)`;
    setConnection($('connection').dataset.state);
    drawLists();
    drawConversation();
    drawStatus();
    drawNumbers();
    drawCredits();
  }

  // ---------------------------------------------------------------- keyboard
  function moveChat(delta) {
    const ids = [...document.querySelectorAll('#waiting-list > li, #active-list > li')].map((li) => Number(li.dataset.chatId));
    if (!ids.length) return;
    const at = ids.indexOf(S.open);
    const next = ids[at < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.max(0, Math.min(ids.length - 1, at + delta))];
    openChat(next);
    const b = document.querySelector(`li[data-chat-id="${next}"] button`);
    if (b) b.focus();
  }
  function onKey(e) {
    const typing = e.target.closest && e.target.closest('input, textarea, select, [contenteditable]');
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      const map = { KeyA: () => act('accept'), KeyC: () => act('close'), KeyT: () => $('transfer-department').focus(), ArrowUp: () => moveChat(-1), ArrowDown: () => moveChat(1) };
      if (map[e.code]) { e.preventDefault(); map[e.code](); }
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      if (typing && !e.target.closest('#reply')) return;
      e.preventDefault();
      send();
      return;
    }
    if (e.key === 'Escape') {
      if (!$('canned-menu').hidden) closeMenu();
      else if (document.body.dataset.view === 'tools') setView('chat');
      else if (!typing && document.body.dataset.view === 'chat') setView('lists');
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'j') { e.preventDefault(); moveChat(1); } else if (e.key === 'k') { e.preventDefault(); moveChat(-1); } else if (e.key === '/') {
      const ta = $('reply-text');
      if (S.open == null || ta.hidden) return;
      e.preventDefault();
      ta.focus();
      if (!ta.value) { ta.value = '/'; updateMenu(); }
    }
  }

  // ---------------------------------------------------------------- wiring
  function wire() {
    document.addEventListener('keydown', onKey);
    $('lang').addEventListener('change', (e) => {
      lang = LANGS.includes(e.target.value) ? e.target.value : 'en';
      try { localStorage.setItem(LANG_KEY, lang); } catch (_) { /* the choice lasts this page */ }
      applyLang();
    });
    $('sign-out').addEventListener('click', async () => {
      try { await fetch('/console/sign-out', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin' }); } catch (_) { /* reload shows where we stand */ }
      reload();
    });
    $('back').addEventListener('click', () => { setView('lists'); closeConversation(); });
    $('show-tools').addEventListener('click', () => setView('tools'));
    $('tools-back').addEventListener('click', () => setView('chat'));
    $('accept').addEventListener('click', () => act('accept'));
    $('close').addEventListener('click', () => act('close'));
    $('transfer').addEventListener('click', () => act('transfer'));
    $('reply').addEventListener('submit', (e) => { e.preventDefault(); send(); });
    const ta = $('reply-text');
    ta.addEventListener('input', () => { updateMenu(); checkPlaceholders(); if (S.compose) S.compose.confirmed = false; hideCost(); drawSendButton(); });
    ta.addEventListener('click', updateMenu);
    ta.addEventListener('blur', () => setTimeout(closeMenu, 150));
    ta.addEventListener('keydown', (e) => {
      if ($('canned-menu').hidden) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); moveMenu(e.key === 'ArrowDown' ? 1 : -1); } else if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        pickCanned(S.menu.items[S.menu.index]);
      }
    });
    $('use-template').addEventListener('click', () => { S.useTemplate = !S.useTemplate; S.compose = null; clearRefusal(); hideCost(); drawReply(); });
    $('template-name').addEventListener('change', () => { drawTemplateParams(); precheckTemplate(); });
    $('template-params').addEventListener('input', () => { if (S.compose) S.compose.confirmed = false; drawSendButton(); });
    $('attach').addEventListener('change', (e) => pickFile(e.target));
    $('attachment-remove').addEventListener('click', () => { S.attachment = null; drawAttachment(); });
    $('attach').setAttribute('accept', allowedFormats().join(','));
    $('tag-input').addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const tag = e.target.value.trim();
      if (!tag || !S.detail) return;
      e.target.value = '';
      const tags = S.detail.tags || [];
      if (!tags.includes(tag)) saveTags([...tags, tag]);
    });
    $('article-search').addEventListener('input', () => { clearTimeout(articleTimer); articleTimer = setTimeout(searchArticles, 250); });
    $('article-search').addEventListener('focus', () => { if (!$('article-results').children.length) searchArticles(); });
    $('add-note').addEventListener('click', () => {
      const text = $('note-text').value.trim();
      if (!text) return;
      tool('notes', { text }, () => { $('note-text').value = ''; setText('tools-result', t('noteSaved')); refreshChat(S.open); });
    });
    $('lead-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const lead = {};
      for (const f of ['name', 'email', 'phone', 'company']) {
        const v = e.target.elements[f].value.trim();
        if (v) lead[f] = v;
      }
      if (!Object.keys(lead).length) { setText('tools-result', t('leadEmpty')); return; }
      tool('lead', lead, () => { e.target.reset(); setText('tools-result', t('leadSaved')); });
    });
    $('ticket').addEventListener('click', () => {
      const subject = $('ticket-subject').value.trim();
      tool('ticket', subject ? { subject } : undefined, (d) => {
        $('ticket-subject').value = '';
        setText('tools-result', t('ticketSent', { n: d.entries, x: d.truncated ? t('truncated') : '' }));
      });
    });
    setInterval(() => {
      const n = now();
      for (const e of document.querySelectorAll('[data-since]')) e.textContent = fmtDur(n - Number(e.dataset.since));
      for (const e of document.querySelectorAll('.deadline[data-at]')) drawDeadline(e, n);
    }, 1000);
    // Uplink and store figures change without journal events: read them once a minute.
    setInterval(loadStatus, 60000);
    // When the session was due to end, ask: a 401 reloads to the sign-in page; a session kept
    // alive by use is asked again later.
    const expiry = () => { api('GET', '/api/v1/status').catch(() => {}); setTimeout(expiry, 300000); };
    if (boot.session_expires_at) {
      const wait = boot.session_expires_at - now() + 1000;
      if (wait < 2 ** 31 - 1) setTimeout(expiry, Math.max(wait, 0));
    }
  }

  function start() {
    wire();
    applyLang();
    setConnection('connecting');
    connect(); // first, so nothing after boot.after is missed while the lists load
    loadLists().then(() => { S.listsDrawn = true; maybeReady(); }, (e) => {
      reportError(e);
      setTimeout(() => loadLists().then(() => { S.listsDrawn = true; maybeReady(); }, reportError), 3000);
    });
    loadTemplates();
    loadCanned(true);
    loadStatus();
    loadNumbers();
    loadCredits();
  }
  start();
})();
