// The sandbox's web chat: choose a person, then chat with the bot as them, the way Telegram shows it.
//
// Everything the page does goes through the sandbox's control API (/sandbox/api), like the tests.
// Messages arrive as Server-Sent Events. The DOM is built from data with createElement and
// textContent only: nothing the bot or a person typed is ever parsed as HTML.

const API = "/sandbox/api";
const CLOCK_REFRESH_MS = 10000;
const TOAST_MS = 3500;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "tg:", "mailto:", "tel:"]);
const TELEGRAM_HOSTS = new Set(["t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"]);
const LANGUAGES = { "zh-hans": "中文", zh: "中文", en: "English" };
// Telegram marks links and /commands in every message; the sandbox leaves that to its clients.
const AUTODETECT = new RegExp(
  // A link ends at a space, at CJK text or full-width punctuation, and not on ASCII punctuation.
  String.raw`(https?:\/\/|(?<![\w.])t\.me\/)[^\s<>"\u3000-\u9fff\uff00-\uffef]*` +
    String.raw`[^\s<>".,;:!?)\]\u3000-\u9fff\uff00-\uffef]` +
    String.raw`|(?<![\w/])\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])`,
  "g",
);
// Inside these nothing more is detected.
const NO_AUTODETECT = new Set(["code", "pre", "text_link", "url", "email", "phone_number", "bot_command", "mention", "text_mention", "hashtag", "cashtag"]);

const $ = (id) => document.getElementById(id);

const view = {
  userId: null,
  user: null,
  bot: null,
  source: null,
  messages: new Map(),
  keyboard: null,
  keyboardHidden: false,
  pendingStart: null,
  commands: [],
  clock: null,
};

// --- small helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(API + path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    throw new Error((body && body.error) || `HTTP ${response.status}`);
  }
  return body;
}

function postJson(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function colorClass(id) {
  return `c${Math.abs(Number(id)) % 7}`;
}

function initial(name) {
  return Array.from((name || "?").trim())[0] || "?";
}

function zone() {
  return (view.clock && view.clock.timezone) || undefined;
}

function parts(date) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone(),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const out = {};
  for (const part of format.formatToParts(date)) out[part.type] = part.value;
  return out;
}

function dateTimeText(date) {
  const p = parts(date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

function timeText(date) {
  const p = parts(date);
  return `${p.hour}:${p.minute}`;
}

function dayText(date) {
  const p = parts(date);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日`;
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function showToast(text, kind) {
  const toast = el("div", kind === "error" ? "toast error" : "toast", text);
  toast.setAttribute("role", "status");
  $("toasts").append(toast);
  setTimeout(() => toast.remove(), TOAST_MS);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  $("alert-ok").focus();
}

function failed(error) {
  showToast(`⚠️ ${error.message || error}`, "error");
}

// --- links: Telegram deep links open in this person's chat

function safeHref(raw) {
  try {
    const url = new URL(raw, window.location.href);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// Returns {start} for a link to this bot (start is null when the link has no payload).
function deepLink(raw) {
  if (!view.bot) return null;
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  let name = null;
  if ((url.protocol === "https:" || url.protocol === "http:") && TELEGRAM_HOSTS.has(url.hostname)) {
    name = url.pathname.replace(/^\/+/, "").split("/")[0];
  } else if (url.protocol === "tg:" && (url.hostname === "resolve" || url.pathname.startsWith("//resolve"))) {
    name = url.searchParams.get("domain");
  }
  if (!name || name.toLowerCase() !== String(view.bot.username).toLowerCase()) return null;
  return { start: url.searchParams.get("start") };
}

function startHere(start) {
  if (start === null) $("text").focus();
  else sendText(start ? `/start ${start}` : "/start");
}

function chatAddress(userId, start) {
  return start === null ? `/#/chat/${userId}` : `/#/chat/${userId}/start/${encodeURIComponent(start)}`;
}

// A link to this bot opens the bot for whoever follows it: this person, or (in a new tab)
// someone else, e.g. the invitee of a cadre invitation or a member scanning a check-in code.
async function chooseWhoOpens(link) {
  const box = $("link-chooser-options");
  box.replaceChildren();
  const here = el("button", "primary", `以 ${view.user ? view.user.first_name : "我"}（当前）的身份打开`);
  here.type = "button";
  here.addEventListener("click", () => {
    $("link-chooser").hidden = true;
    startHere(link.start);
  });
  box.append(here);
  let users = [];
  try {
    users = await api("/users");
  } catch (error) {
    failed(error);
  }
  for (const user of users.sort((a, b) => a.id - b.id)) {
    if (user.id === view.userId) continue;
    const other = el("button", null, `以 ${user.first_name} 的身份打开（新标签页）`);
    other.type = "button";
    other.dataset.userId = String(user.id);
    if (user.note) other.title = user.note;
    other.addEventListener("click", () => {
      $("link-chooser").hidden = true;
      window.open(chatAddress(user.id, link.start), "_blank");
    });
    box.append(other);
  }
  $("link-chooser-target").textContent = link.start ? `/start ${link.start}` : `@${view.bot.username}`;
  $("link-chooser").hidden = false;
}

function openLink(raw) {
  const link = deepLink(raw);
  if (link) {
    chooseWhoOpens(link);
    return;
  }
  const href = safeHref(raw);
  if (href) window.open(href, "_blank", "noopener,noreferrer");
}

// --- Telegram formatting: text + entities (UTF-16 offsets, which JavaScript strings use too)

// A link to a safe address (anything else, javascript: included, stays plain text).
function linkElement(href, showAddress = false) {
  const safe = safeHref(href);
  if (!safe) return el("span");
  const a = el("a");
  a.href = safe;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.dataset.link = safe;
  if (showAddress) a.title = safe;
  return a;
}

// The element for one entity, and the element its inner text goes into.
function entityElement(entity, text) {
  switch (entity.type) {
    case "bold":
      return el("b");
    case "italic":
      return el("i");
    case "underline":
      return el("u");
    case "strikethrough":
      return el("s");
    case "code":
      return el("code");
    case "pre": {
      const pre = el("pre");
      const code = el("code");
      if (entity.language) code.dataset.language = entity.language;
      pre.append(code);
      return [pre, code];
    }
    case "text_link":
      return linkElement(entity.url, true);
    case "url":
      return linkElement(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `http://${text}`);
    case "email":
      return linkElement(`mailto:${text}`);
    case "phone_number":
      return linkElement(`tel:${text.replace(/[^\d+]/g, "")}`);
    case "spoiler": {
      const span = el("span", "spoiler");
      span.tabIndex = 0;
      span.title = "点击显示";
      return span;
    }
    case "blockquote":
      return el("blockquote");
    case "expandable_blockquote":
      return el("blockquote", "expandable");
    case "bot_command": {
      const span = el("span", "command");
      span.dataset.command = text;
      return span;
    }
    case "mention":
    case "text_mention":
      return el("span", "mention");
    case "hashtag":
    case "cashtag":
      return el("span", "hashtag");
    default:
      return el("span");
  }
}

function appendPlain(parent, text, detect) {
  if (!detect) {
    parent.append(text);
    return;
  }
  let position = 0;
  for (const match of text.matchAll(AUTODETECT)) {
    if (match.index > position) parent.append(text.slice(position, match.index));
    const found = match[0];
    if (found.startsWith("/")) {
      const command = el("span", "command", found);
      command.dataset.command = found;
      parent.append(command);
    } else {
      const link = linkElement(found.startsWith("t.me/") ? `https://${found}` : found);
      link.append(found);
      parent.append(link);
    }
    position = match.index + found.length;
  }
  if (position < text.length) parent.append(text.slice(position));
}

function appendFormatted(parent, text, entities, start, end, detect = true) {
  let position = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    if (entity.offset < position) {
      index += 1; // overlaps an entity already drawn; Telegram's own parser never makes these
      continue;
    }
    const stop = Math.min(entity.offset + entity.length, end);
    const inner = [];
    let next = index + 1;
    while (next < entities.length && entities[next].offset < stop) {
      inner.push(entities[next]);
      next += 1;
    }
    if (entity.offset > position) appendPlain(parent, text.slice(position, entity.offset), detect);
    const made = entityElement(entity, text.slice(entity.offset, stop));
    const [outer, content] = Array.isArray(made) ? made : [made, made];
    const inside = detect && !NO_AUTODETECT.has(entity.type);
    appendFormatted(content, text, inner, entity.offset, stop, inside);
    parent.append(outer);
    position = stop;
    index = next;
  }
  if (position < end) appendPlain(parent, text.slice(position, end), detect);
}

function formatted(className, text, entities) {
  const box = el("div", className);
  const sorted = (entities || [])
    .filter((e) => e.length > 0)
    .slice()
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  appendFormatted(box, text, sorted, 0, text.length);
  return box;
}

// --- messages

function fileUrl(file) {
  return `${API}/files/${encodeURIComponent(file.file_id)}`;
}

function inlineKeyboard(message) {
  const rows = message.inline_keyboard || [];
  if (!rows.length) return null;
  const box = el("div", "inline-keyboard");
  for (const row of rows) {
    const line = el("div", "inline-row");
    for (const button of row) {
      const b = el("button");
      b.type = "button";
      b.append(button.text);
      if ("callback_data" in button) {
        b.addEventListener("click", () => press(b, message.message_id, button.callback_data));
      } else if ("url" in button) {
        b.append(el("span", "kind", "↗"));
        b.setAttribute("aria-label", button.text);
        b.title = button.url;
        b.addEventListener("click", () => openLink(button.url));
      } else if ("copy_text" in button) {
        b.addEventListener("click", () => copyText(button.copy_text.text));
      } else {
        b.disabled = true;
        b.title = "沙盒里不支持这种按钮 · not supported in the sandbox";
      }
      line.append(b);
    }
    box.append(line);
  }
  return box;
}

function media(message, bubble) {
  if (message.photo) {
    const link = el("a", "photo");
    link.href = fileUrl(message.photo);
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img");
    img.src = fileUrl(message.photo);
    img.alt = message.caption || "图片";
    if (message.photo.width) img.width = message.photo.width;
    if (message.photo.height) img.height = message.photo.height;
    link.append(img);
    bubble.append(link);
  }
  if (message.document) {
    const doc = message.document;
    const row = el("div", "document");
    row.append(el("div", "document-icon", "📄"));
    const info = el("div");
    info.append(el("div", "document-name", doc.file_name || "文件"));
    info.append(el("div", "document-size", sizeText(doc.file_size)));
    const download = el("a", null, "下载");
    download.href = fileUrl(doc);
    download.download = doc.file_name || "document";
    info.append(download);
    row.append(info);
    bubble.append(row);
  }
  if (message.contact) {
    const contact = message.contact;
    const card = el("div", "contact-card");
    card.append(el("div", "contact-icon", "👤"));
    const info = el("div");
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(" ");
    info.append(el("div", "contact-name", name));
    info.append(el("div", "contact-phone", contact.phone_number));
    card.append(info);
    bubble.append(card);
  }
}

function messageElement(message) {
  const box = el("div", `msg ${message.from_bot ? "in" : "out"}`);
  box.dataset.messageId = String(message.message_id);
  box.dataset.date = String(message.date);
  const bubble = el("div", "bubble");
  const replied = message.reply_to_message_id && view.messages.get(message.reply_to_message_id);
  if (replied) {
    bubble.append(el("div", "reply-quote", (replied.text || replied.caption || "…").slice(0, 80)));
  }
  media(message, bubble);
  if (message.text !== null && message.text !== undefined) {
    bubble.append(formatted("text", message.text, message.entities));
  } else if (message.caption) {
    bubble.append(formatted("caption", message.caption, message.caption_entities));
  }
  const meta = el("span", "meta");
  const stamp = new Date(message.date * 1000);
  meta.textContent = message.edited ? `已编辑 ${timeText(stamp)}` : timeText(stamp);
  meta.title = dateTimeText(stamp);
  const last = bubble.lastElementChild;
  (last && (last.classList.contains("text") || last.classList.contains("caption")) ? last : bubble).append(meta);
  box.append(bubble);
  const keyboard = inlineKeyboard(message);
  if (keyboard) box.append(keyboard);
  return box;
}

function nearBottom() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 120;
}

function scrollToBottom() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
}

function refreshDays() {
  const list = $("messages");
  for (const node of list.querySelectorAll(".day, .empty-chat")) node.remove();
  let previous = null;
  const items = list.querySelectorAll(".msg");
  for (const item of items) {
    const day = dayText(new Date(Number(item.dataset.date) * 1000));
    if (day !== previous) item.before(el("div", "day", day));
    previous = day;
  }
  if (!items.length) {
    const hint = el("div", "empty-chat");
    hint.append("还没有消息。发送 /start 开始。", el("br"), "No messages yet — send /start.");
    list.append(hint);
  }
}

function upsertMessage(message) {
  const list = $("messages");
  const stick = nearBottom() || !message.from_bot;
  const existing = list.querySelector(`.msg[data-message-id="${message.message_id}"]`);
  if (message.deleted) {
    view.messages.delete(message.message_id);
    if (existing) existing.remove();
  } else {
    view.messages.set(message.message_id, message);
    const node = messageElement(message);
    if (existing) {
      existing.replaceWith(node);
    } else {
      const later = Array.from(list.querySelectorAll(".msg")).find(
        (item) => Number(item.dataset.messageId) > message.message_id,
      );
      if (later) later.before(node);
      else list.append(node);
    }
  }
  refreshDays();
  if (stick) scrollToBottom();
}

// --- reply keyboard and commands

function renderKeyboard() {
  const box = $("reply-keyboard");
  const markup = view.keyboard;
  box.replaceChildren();
  $("keyboard-toggle").hidden = !markup;
  $("text").placeholder = (markup && markup.input_field_placeholder) || "输入消息…";
  if (!markup) {
    box.hidden = true;
    return;
  }
  for (const row of markup.keyboard || []) {
    const line = el("div", "reply-row");
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const b = el("button", null, label);
      b.type = "button";
      if (typeof button === "object" && button.request_contact) {
        b.title = "分享你的手机号 · share your phone number";
        b.addEventListener("click", shareContact);
      } else if (typeof button === "object" && Object.keys(button).some((k) => k.startsWith("request_") || k === "web_app")) {
        b.addEventListener("click", () => showToast("沙盒里还不能分享这种内容 · not supported in the sandbox"));
      } else {
        b.addEventListener("click", () => sendText(label));
      }
      line.append(b);
    }
    box.append(line);
  }
  box.hidden = view.keyboardHidden;
}

function renderCommands() {
  const menu = $("commands-menu");
  menu.replaceChildren();
  $("menu-button").hidden = !view.commands.length;
  for (const command of view.commands) {
    const b = el("button");
    b.type = "button";
    b.setAttribute("role", "menuitem");
    b.append(el("span", "command-name", `/${command.command}`));
    b.append(el("span", "command-description", command.description));
    b.addEventListener("click", () => {
      menu.hidden = true;
      sendText(`/${command.command}`);
    });
    menu.append(b);
  }
  if (!view.commands.length) menu.hidden = true;
}

// --- what the person does

async function sendText(text) {
  if (!view.userId || !text.trim()) return false;
  try {
    await postJson(`/users/${view.userId}/messages`, { text });
    return true;
  } catch (error) {
    failed(error);
    return false;
  }
}

async function press(button, messageId, data) {
  button.classList.add("pending");
  try {
    await postJson(`/users/${view.userId}/press`, { message_id: messageId, callback_data: data });
  } catch (error) {
    failed(error);
  } finally {
    setTimeout(() => button.classList.remove("pending"), 600);
  }
}

async function shareContact() {
  try {
    await postJson(`/users/${view.userId}/contact`, {});
  } catch (error) {
    failed(error);
  }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    showToast("已复制 · copied");
  } catch {
    showToast(text);
  }
}

async function sendFile(file) {
  const form = new FormData();
  form.append("document", file, file.name);
  try {
    await api(`/users/${view.userId}/documents`, { method: "POST", body: form });
  } catch (error) {
    failed(error);
  }
}

// --- the chat's live connection

function setStatus(text, offline) {
  const status = $("chat-status");
  status.textContent = text;
  status.classList.toggle("offline", Boolean(offline));
}

function showBot(bot) {
  view.bot = bot;
  $("bot-name").textContent = bot ? bot.first_name : "等待机器人连接…";
  $("bot-avatar").textContent = bot ? initial(bot.first_name) : "…";
  setStatus(bot ? `机器人 · @${bot.username}` : "机器人还没有连上沙盒");
}

function onSnapshot(data) {
  view.user = data.user;
  view.messages.clear();
  view.clock = { ...(view.clock || {}), ...data.clock };
  renderClock();
  showBot(data.bot);
  const acting = $("acting-as");
  acting.replaceChildren("你是 ", el("strong", null, data.user.first_name));
  acting.title = data.user.note || "";
  document.title = `${data.user.first_name} · 沙盒 Telegram`;
  const list = $("messages");
  list.replaceChildren();
  for (const message of data.messages) view.messages.set(message.message_id, message);
  for (const message of data.messages) list.append(messageElement(message));
  refreshDays();
  view.keyboard = data.reply_keyboard;
  renderKeyboard();
  view.commands = data.commands || [];
  renderCommands();
  scrollToBottom();
  if (view.pendingStart !== null && view.pendingStart !== undefined) {
    const start = view.pendingStart;
    view.pendingStart = null;
    startHere(start);
  }
}

function listen(name, handler) {
  view.source.addEventListener(name, (event) => handler(JSON.parse(event.data)));
}

function connect(userId) {
  disconnect();
  const source = new EventSource(`${API}/chats/${userId}/events`);
  view.source = source;
  listen("snapshot", onSnapshot);
  listen("message", upsertMessage);
  listen("keyboard", (data) => {
    view.keyboard = data.reply_keyboard;
    view.keyboardHidden = false;
    renderKeyboard();
  });
  listen("toast", (toast) => {
    if (!toast.text) return;
    if (toast.show_alert) showAlert(toast.text);
    else showToast(toast.text);
  });
  listen("commands", (commands) => {
    view.commands = commands;
    renderCommands();
  });
  listen("bot", showBot);
  listen("clock", () => refreshClock());
  source.addEventListener("open", () => showBot(view.bot));
  source.addEventListener("error", async () => {
    if (view.source !== source) return;
    setStatus("与沙盒的连接中断，正在重连… · reconnecting", true);
    if (source.readyState === EventSource.CLOSED) {
      try {
        await api(`/users/${userId}`);
        setTimeout(() => view.source === source && connect(userId), 1000);
      } catch (error) {
        setStatus(`打不开这个聊天：${error.message}`, true);
      }
    }
  });
}

function disconnect() {
  if (view.source) view.source.close();
  view.source = null;
}

// --- the clock

function renderClock() {
  const clock = view.clock;
  if (!clock) return;
  $("clock-now").textContent = dateTimeText(new Date(clock.unix * 1000));
  $("clock-now").dateTime = clock.now;
  $("clock-zone").textContent = clock.timezone || "";
  const next = $("clock-next");
  next.hidden = !clock.bridged;
  next.disabled = !clock.next_due;
  $("clock-next-due").textContent = clock.next_due
    ? `下一个提醒：${dateTimeText(new Date(clock.next_due))}`
    : clock.bridged
      ? "暂无待发的提醒"
      : "（未连接机器人的时钟）";
}

async function refreshClock() {
  try {
    view.clock = await api("/clock");
    renderClock();
  } catch {
    // The sandbox may be restarting; the next refresh tries again.
  }
}

async function moveClock(body) {
  const buttons = document.querySelectorAll(".clock button");
  for (const b of buttons) b.disabled = true;
  try {
    view.clock = await postJson("/clock", body);
  } catch (error) {
    failed(error);
  } finally {
    for (const b of buttons) b.disabled = false;
    renderClock();
  }
}

// --- people

function personItem(user) {
  const item = el("li");
  const link = el("a", "person");
  link.href = `#/chat/${user.id}`;
  link.dataset.userId = String(user.id);
  link.append(el("div", `avatar ${colorClass(user.id)}`, initial(user.first_name)));
  const info = el("div");
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  info.append(el("div", "person-name", name));
  if (user.note) info.append(el("div", "person-note", user.note));
  const language = LANGUAGES[user.language_code] || user.language_code || "—";
  info.append(el("div", "person-meta", `ID ${user.id} · ${language} · 📱 ${user.phone_number}`));
  link.append(info);
  item.append(link);
  return item;
}

async function showPeople() {
  disconnect();
  view.userId = null;
  document.title = "沙盒 Telegram · 网页聊天";
  $("chat-view").hidden = true;
  $("people-view").hidden = false;
  try {
    const users = await api("/users");
    $("people").replaceChildren(...users.sort((a, b) => a.id - b.id).map(personItem));
  } catch (error) {
    failed(error);
  }
}

async function createPerson(event) {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const body = {
    first_name: String(data.get("first_name") || "").trim(),
    language_code: String(data.get("language_code") || "zh-hans"),
    note: "在网页上新建 · created in the web chat",
  };
  const phone = String(data.get("phone_number") || "").replace(/[\s-]/g, "");
  if (phone) body.phone_number = phone;
  $("new-person-error").textContent = "";
  try {
    const user = await postJson("/users", body);
    form.reset();
    window.location.hash = `#/chat/${user.id}`;
  } catch (error) {
    $("new-person-error").textContent = error.message;
  }
}

function showChat(userId, start) {
  view.pendingStart = start;
  if (view.userId === userId && view.source) return;
  view.userId = userId;
  view.keyboardHidden = false;
  $("people-view").hidden = true;
  $("chat-view").hidden = false;
  $("messages").replaceChildren();
  $("commands-menu").hidden = true;
  connect(userId);
  $("text").focus();
}

function route() {
  const match = /^#\/chat\/(\d+)(?:\/start\/(.*))?$/.exec(window.location.hash);
  if (!match) {
    showPeople();
    return;
  }
  const start = match[2] === undefined ? null : decodeURIComponent(match[2]);
  if (start !== null) {
    // Followed once: a reload of this tab must not send /start again.
    history.replaceState(null, "", `#/chat/${match[1]}`);
  }
  showChat(Number(match[1]), start);
}

// --- wiring

function wire() {
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("text");
    const text = box.value;
    if (await sendText(text)) box.value = "";
    box.focus();
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("attach").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", async (event) => {
    const input = event.target;
    for (const file of Array.from(input.files || [])) await sendFile(file);
    input.value = "";
  });
  $("keyboard-toggle").addEventListener("click", () => {
    view.keyboardHidden = !view.keyboardHidden;
    renderKeyboard();
  });
  $("menu-button").addEventListener("click", () => {
    $("commands-menu").hidden = !$("commands-menu").hidden;
  });
  $("messages").addEventListener("click", (event) => {
    const target = event.target;
    const spoiler = target.closest(".spoiler");
    if (spoiler && !spoiler.classList.contains("revealed")) {
      spoiler.classList.add("revealed");
      event.preventDefault();
      return;
    }
    const quote = target.closest("blockquote.expandable");
    if (quote) quote.classList.toggle("expanded");
    const command = target.closest(".command");
    if (command) {
      sendText(command.dataset.command);
      return;
    }
    const link = target.closest("a[data-link]");
    if (link && deepLink(link.dataset.link)) {
      event.preventDefault();
      openLink(link.dataset.link);
    }
  });
  $("alert-ok").addEventListener("click", () => {
    $("alert").hidden = true;
  });
  $("link-chooser-cancel").addEventListener("click", () => {
    $("link-chooser").hidden = true;
  });
  $("new-person").addEventListener("submit", createPerson);
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => moveClock({ advance_seconds: Number(button.dataset.advance) }));
  }
  $("clock-next").addEventListener("click", () => moveClock({ to: "next_due" }));
  window.addEventListener("hashchange", route);
  setInterval(refreshClock, CLOCK_REFRESH_MS);
}

wire();
refreshClock();
route();
