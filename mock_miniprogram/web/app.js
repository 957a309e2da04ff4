// icpsim mock mini-program: a plain ES module, no build step, no framework.
//
// It renders the conversation that icpsim serves (docs/conversation.md) the way Tencent
// Cloud's filing mini-program would look in WeChat: chat bubbles, quick replies, forms,
// status cards, notices and the MIIT SMS-code prompt. It only renders: every decision
// (the steps, the validation, the workflow) is the server's.

const STORE = "icpsim.miniprogram.";
// Live updates: once a second the page asks for the sandbox's version with If-None-Match;
// the server answers 304 (one Redis GET) until something in the sandbox changed, and only
// then are the new messages fetched (README, "Live updates").
const POLL_MS = 1000;
const RETRIES = 3;              // replies are idempotent by client_message_id: safe to resend

const ACTIONS_ZH = {
  create: "创建订单", edit: "修改信息", submit: "提交订单", resubmit: "重新提交",
  provider_approve: "腾讯云初审通过", provider_reject: "腾讯云初审驳回",
  send_to_bureau: "提交管局", verify_sms: "短信核验通过", sms_failed: "短信核验失败",
  sms_timeout: "短信核验超时", bureau_approve: "管局审核通过", bureau_reject: "管局驳回",
  withdraw: "撤销订单", recall: "撤销备案（退回修改）", expire: "订单过期", reopen: "重新打开",
  miit_decided: "工信部通知审核结果（腾讯云待同步）", auto_resubmit: "腾讯云重新提交管局",
};
const TONES = {
  approved: "ok", provider_rejected: "bad", bureau_rejected: "bad", sms_verification: "wait",
  draft: "wait", withdrawn: "off", expired: "off",
};
const RESULT_LABELS = { entity_number: "主体备案号", website_numbers: "网站备案号", revoked_numbers: "已注销备案号" };

const state = {
  sid: "", token: "", cid: null, locale: "zh-CN",
  messages: [], seqs: new Set(),
  accepts: { type: "none" }, step: null, applicationId: null,
  busy: false, generation: 0, pollTimer: null, lastAt: null, versionTag: null,
};

// ---- small helpers ------------------------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);

/** h("div", {class: "x", "data-testid": "y", onclick: fn}, child, "text", [more]) */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key in node && !key.includes("-") && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context (https, localhost); a LAN address is not one.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The virtual time as the server wrote it (China time): "2026-06-01T09:00:00+08:00". */
function wall(at) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(at || "");
  return m ? { y: +m[1], mo: +m[2], d: +m[3], hh: m[4], mm: m[5] } : null;
}
const fmtShort = (at) => { const w = wall(at); return w ? `${String(w.mo).padStart(2, "0")}-${String(w.d).padStart(2, "0")} ${w.hh}:${w.mm}` : (at || ""); };
const fmtDivider = (at) => { const w = wall(at); return w ? `${w.y}年${w.mo}月${w.d}日 ${w.hh}:${w.mm}` : ""; };

function toast(text, ms = 2200) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, ms);
}

function save(key, value) {
  try { value == null ? localStorage.removeItem(STORE + key) : localStorage.setItem(STORE + key, value); } catch { /* private mode */ }
}
function load(key) {
  try { return localStorage.getItem(STORE + key); } catch { return null; }
}

// ---- the API ------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; this.body = body || {}; this.code = this.body.code;
  }
}

async function api(method, path, body) {
  const url = `/api/v1/sandboxes/${encodeURIComponent(state.sid)}${path}`;
  const resp = await fetch(url, {
    method, cache: "no-store",
    headers: {
      Authorization: `Bearer ${state.token}`, Accept: "application/json",
      "Accept-Language": state.locale, ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try { data = await resp.json(); } catch { /* not JSON */ }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** Retries network failures and 5xx; the same body (same client_message_id) each time. */
async function withRetry(call) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const transient = !(err instanceof ApiError) || err.status >= 500;
      if (!transient || attempt >= RETRIES) throw err;
      await new Promise((ok) => setTimeout(ok, 500 * attempt));
    }
  }
}

function describeError(err) {
  if (!(err instanceof ApiError)) return "网络异常，请稍后重试";
  if (err.status === 401) return "沙箱令牌无效（401）";
  const code = err.code ? `（${err.code}）` : ` (HTTP ${err.status})`;
  return `${err.message}${code}`;
}

// ---- conversation state -----------------------------------------------------------

const lastSeq = () => (state.messages.length ? state.messages[state.messages.length - 1].seq : 0);

function takeMessages(list) {
  const fresh = [];
  for (const msg of list || []) {
    if (msg == null || state.seqs.has(msg.seq)) continue;
    state.seqs.add(msg.seq);
    fresh.push(msg);
  }
  if (!fresh.length) return;
  state.messages.push(...fresh);
  state.messages.sort((a, b) => a.seq - b.seq);
  renderMessages(fresh);
  refresh();
}

function takeAccepts(data) {
  if (data.accepts) state.accepts = data.accepts;
  if (data.step !== undefined) state.step = data.step;
  if (data.application_id !== undefined) state.applicationId = data.application_id;
  refresh();
}

function resetConversation() {
  state.messages = []; state.seqs = new Set(); state.lastAt = null;
  state.accepts = { type: "none" }; state.step = null; state.applicationId = null;
  $("#chat").replaceChildren();
  $("#sms-banner").hidden = true;
}

async function connect({ fresh = false } = {}) {
  stopPolling();
  resetConversation();
  state.versionTag = null;
  let conv = null;
  const stored = fresh ? null : load(`conversation.${state.sid}`);
  if (stored) {
    try {
      conv = await api("GET", `/conversations/${encodeURIComponent(stored)}`);
    } catch (err) {
      // gone (sandbox deleted and made again, another Redis): start a new one; a wrong
      // sandbox or token answers 404/401 again on the POST below
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
  }
  if (!conv) conv = await api("POST", "/conversations", { locale: state.locale });
  state.cid = conv.id;
  save("sandbox", state.sid);
  save(`token.${state.sid}`, state.token);
  saveSession(`token.${state.sid}`, null);  // kept for good now (a token typed later wins on reload)
  save(`conversation.${state.sid}`, conv.id);
  showChat();
  takeMessages(conv.transcript || conv.messages || []);
  takeAccepts(conv);
  scrollToEnd(false);
  schedulePoll();
}

async function sendReply(answer) {
  if (state.busy || !state.cid) return false;
  state.busy = true;
  state.generation++;
  refresh();
  const body = { client_message_id: uuid(), ...answer };
  try {
    const data = await withRetry(() => api("POST", `/conversations/${encodeURIComponent(state.cid)}/replies`, body));
    takeMessages(data.messages);
    state.busy = false;
    takeAccepts(data);
    return true;
  } catch (err) {
    toast(describeError(err));
    return false;
  } finally {
    state.busy = false;
    refresh();
    schedulePoll();
  }
}

// ---- polling --------------------------------------------------------------------------

function stopPolling() { clearTimeout(state.pollTimer); state.pollTimer = null; }

function schedulePoll() {
  stopPolling();
  if (!state.cid) return;
  state.pollTimer = setTimeout(poll, POLL_MS);
}

/** Has anything in the sandbox changed since the last look? (304: no, at the cost of one Redis GET) */
async function versionChanged() {
  const resp = await fetch(`/api/v1/sandboxes/${encodeURIComponent(state.sid)}/version`, {
    cache: "no-store",
    headers: { Authorization: `Bearer ${state.token}`, Accept: "application/json",
      ...(state.versionTag ? { "If-None-Match": state.versionTag } : {}) },
  });
  if (resp.status === 304) return false;
  let data = null;
  try { data = await resp.json(); } catch { /* not JSON */ }
  if (!resp.ok) throw new ApiError(resp.status, data);
  state.versionTag = resp.headers.get("ETag");
  return true;
}

async function poll() {
  if (state.busy || document.hidden || !state.cid) return schedulePoll();
  const generation = state.generation;
  const cid = state.cid;
  try {
    if (!(await versionChanged())) {
      $("#composer").classList.remove("composer_offline");
      return schedulePoll();
    }
    const data = await api("GET", `/conversations/${encodeURIComponent(cid)}/messages?after=${lastSeq()}`);
    if (cid !== state.cid) return;
    takeMessages(data.messages);
    if (generation === state.generation && !state.busy) takeAccepts(data);  // a reply won the race
    $("#composer").classList.remove("composer_offline");
  } catch (err) {
    if (err instanceof ApiError && err.code === "CONVERSATION_NOT_FOUND" && cid === state.cid) {
      return restartAfterReset();
    }
    if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
      showSetup(describeError(err));
      return;
    }
    $("#composer").classList.add("composer_offline");
  }
  schedulePoll();
}

/** The sandbox was reset (same id and token, its conversations gone): the page goes on with a
 *  new conversation, as a reload would, instead of dropping the user on the setup screen. */
async function restartAfterReset() {
  try {
    await connect({ fresh: true });
    toast("沙箱已重置，已开始新的对话");
  } catch (err) {
    showSetup(describeError(err));
  }
}

document.addEventListener("visibilitychange", () => { if (!document.hidden && state.cid) poll(); });

// ---- rendering: messages ------------------------------------------------------------

function renderMessages(fresh) {
  const chat = $("#chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  let first = null;
  let refusal = null;  // an error notice in this batch: it, not the recap after it, is what to read
  for (const msg of fresh) {
    const prev = state.lastAt;
    if (msg.at && (!prev || !(Date.parse(msg.at) - Date.parse(prev) < 10 * 60 * 1000))) {
      chat.append(h("div", { class: "time-divider", "data-testid": "time-divider" }, fmtDivider(msg.at)));
    }
    if (msg.at) state.lastAt = msg.at;
    const node = renderMessage(msg, { foldSummary: !!refusal });
    chat.append(node);
    first = first || node;
    if (msg.kind === "notice" && ["error", "warning"].includes(msg.notice?.level) && msg.from !== "user") refusal = refusal || node;
    if (msg.from === "user" && msg.code === "USER_CHOICE") markChosen(msg.value);
  }
  if (state.lastAt && wall(state.lastAt)) $("#clock").textContent = `${+wall(state.lastAt).hh}:${wall(state.lastAt).mm}`;
  // a long batch (a form, a status card): show its top; a short one: stick to the bottom
  const tall = first && chat.scrollHeight - first.offsetTop > chat.clientHeight;
  if (refusal) showRefusal(chat, refusal);
  else if (tall && first.dataset.from === "bot") chat.scrollTo({ top: first.offsetTop - 44, behavior: "smooth" });
  else if (atBottom || fresh.some((m) => m.from === "user")) scrollToEnd(true);
}

/** A refused action: its notice scrolled to the top of the chat (the buttons to retry sit
 *  right under it: the recap after it is folded) and flashed once. */
function showRefusal(chat, node) {
  chat.scrollTo({ top: Math.max(0, node.offsetTop - 44), behavior: "smooth" });
  node.classList.remove("msg_flash");
  void node.offsetWidth;  // restart the animation when the same refusal comes twice
  node.classList.add("msg_flash");
}

/** The quick reply the user took (also after a reload): the echo carries its value. */
function markChosen(value) {
  const groups = $("#chat").querySelectorAll('[data-testid="quick-replies"]');
  const group = groups[groups.length - 1];
  if (!group || value === undefined) return;
  for (const b of group.querySelectorAll("button")) b.classList.toggle("reply_chosen", b.dataset.value === String(value));
}

function scrollToEnd(smooth) {
  const chat = $("#chat");
  chat.scrollTo({ top: chat.scrollHeight, behavior: smooth ? "smooth" : "auto" });
}

function renderMessage(msg, { foldSummary = false } = {}) {
  const mine = msg.from === "user";
  const wide = !mine && (["form", "status_card", "notice"].includes(msg.kind) || (msg.kind === "quick_replies"
    && (msg.summary?.length || msg.audit_data?.length || (msg.choices || []).length > LIST_FROM)));
  const body = h("div", { class: "msg__body" });
  const node = h("div", {
    class: `msg msg_${mine ? "user" : "bot"}${wide ? " msg_wide" : ""}`,
    "data-testid": "message", "data-seq": msg.seq, "data-kind": msg.kind,
    "data-code": msg.code || "", "data-from": msg.from,
  },
  h("div", { class: `avatar avatar_${mine ? "user" : "bot"}`, "aria-hidden": "true" }, mine ? "我" : "备"),
  body);
  const text = msg.text && String(msg.text).trim();

  switch (msg.kind) {
    case "quick_replies":
      // the confirm step sends its recap as data too (the bubble keeps the first line); a
      // rejection its audit_data (the bubble drops the "· …" lines the card shows)
      if (text) body.append(bubble(msg, msg.summary ? text.split("\n")[0]
        : msg.audit_data?.length ? text.split("\n").filter((l) => !l.startsWith("·")).join("\n") : null));
      if (msg.summary?.length) body.append(foldSummary ? h("details", { class: "summary_folded" },
        h("summary", {}, "查看订单信息"), renderSummary(msg.summary)) : renderSummary(msg.summary));
      if (msg.audit_data?.length) body.append(h("div", { class: "card" }, renderAudit(msg.audit_data)));
      body.append(renderChoices(msg.choices || [], msg));
      break;
    case "form":
      if (text && text !== msg.form?.title) body.append(bubble(msg));
      body.append(renderForm(msg));
      break;
    case "status_card":  // the card says what the text says (the text is for text-only clients)
      body.append(renderStatus(msg.card || {}, text));
      break;
    case "notice":
      body.append(renderNotice(msg.notice || {}, text));
      break;
    default:
      body.append(bubble(msg));
  }
  // the checklist's pages (upload, face check): a link the tester opens beside the chat
  if (!mine && msg.action?.open) body.append(h("a", { class: "msg__link", href: msg.action.open, target: "_blank",
    rel: "noopener", "data-testid": "action-link" }, msg.code === "FACE_CHECK_SENT" ? "打开人脸核验页面" : "打开上传页面"));
  if (!mine && msg.checklist?.links?.prepare) body.append(h("a", { class: "msg__link", href: msg.checklist.links.prepare,
    target: "_blank", rel: "noopener", "data-testid": "action-link" }, "打开上传页面"));
  return node;
}

function bubble(msg, shown) {
  let text = shown ?? msg.text ?? "";
  if (msg.from === "user" && msg.code === "USER_FORM") text = `已提交「${text}」`;
  const node = h("div", { class: "bubble", "data-testid": msg.from === "user" ? "user-bubble" : "bot-bubble" }, text);
  const errors = msg.errors && Object.entries(msg.errors);
  if (errors && errors.length) {
    node.append(h("ul", { class: "bubble__errors", "data-testid": "errors" },
      errors.flatMap(([field, list]) => (Array.isArray(list) ? list : [list]).map((e) =>
        h("li", { "data-field": field }, String(e))))));
  }
  return node;
}

const LIST_FROM = 4;  // more quick replies than this: a list (the nine filing scenarios)

function renderChoices(choices, msg) {
  const list = choices.length > LIST_FROM;
  return h("div", { class: `replies${list ? " replies_list" : ""}`, "data-testid": "quick-replies", "data-seq": msg ? msg.seq : "" },
    choices.map((c, i) => h("button", {
      type: "button", "data-testid": "quick-reply", "data-value": c.value, title: c.description || null,
      class: `reply${c.available === false ? " reply_off" : ""}${i === 0 && !list && choices.length > 1 ? " reply_primary" : ""}`,
      onclick: async (ev) => {
        const button = ev.currentTarget;
        // the checklist's uploads happen on the upload page (a file cannot travel in a reply)
        if (c.action?.open) window.open(c.action.open, "_blank", "noopener");
        button.classList.add("reply_chosen");
        if (!(await sendReply({ choice: c.value }))) button.classList.remove("reply_chosen");
      },
    }, h("span", { class: "reply__label" }, c.label || c.value),
    c.available === false ? h("small", {}, "暂未开放") : null,
    list && c.description ? h("span", { class: "reply__desc" }, c.description) : null)));
}

function renderSummary(parts) {
  return h("div", { class: "card summary", "data-testid": "summary" }, parts.map((part) =>
    h("div", { class: "summary__part", "data-form": part.form || "" },
      h("div", { class: "summary__title" }, part.title || part.form || ""),
      (part.items || []).map((i) => h("div", { class: "summary__row" },
        h("span", {}, i.label || i.field), h("span", { class: "summary__value" }, String(i.value ?? "—")))))));
}

function renderAudit(audit) {
  return h("div", { class: "audit", "data-testid": "audit-data" },
    h("div", { class: "audit__title" }, "审核意见"),
    audit.map((a) => h("div", { class: "audit__item", "data-code": a.code || "", "data-field": a.field || "" },
      h("div", {}, a.key_name ? h("span", { class: "audit__key" }, `${a.key_name}：`) : null, a.error || a.code || ""),
      a.suggest ? h("div", { class: "audit__suggest" }, `建议：${a.suggest}`) : null)));
}

// ---- forms ------------------------------------------------------------------------------

function renderForm(msg) {
  const form = msg.form || {};
  const cells = (form.fields || []).map((field) => renderField(field, msg.seq));
  const submit = h("button", { type: "submit", class: "weui-btn weui-btn_primary", "data-testid": "form-submit" },
    form.submit_label || "提交");
  const node = h("form", {
    class: "card form", "data-testid": "form", "data-form-id": form.id || "", "data-seq": msg.seq, novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (node.classList.contains("form_done") || state.busy) return;
      submit.textContent = "提交中…";
      const ok = await sendReply({ form: collect(node, form.fields || []) });
      submit.textContent = form.submit_label || "提交";
      if (ok) node.classList.add("form_done");
    },
  },
  h("div", { class: "card__hd" }, h("span", { class: "card__title" }, form.title || "请填写"),
    form.id ? h("span", { class: "card__sub" }, stepOf(form.id)) : null),
  form.error ? h("div", { class: "form__error", "data-testid": "form-error" }, String(form.error)) : null,
  h("div", { class: "weui-cells" }, cells),
  h("div", { class: "card__ft" }, submit));
  return node;
}

const stepOf = (id) => ({ entity: "主体信息", website: "网站信息", domain: "域名" }[id] || "");

function renderField(field, seq) {
  const id = `f${seq}-${field.name}`;
  const common = { id, name: field.name, "data-testid": `field-${field.name}`, "data-field": field.name,
    required: !!field.required, "aria-invalid": field.error ? "true" : null };
  let control;
  switch (field.type) {
    case "select": {
      const hasValue = field.value !== undefined && field.value !== null && field.value !== "";
      control = h("select", { ...common, class: "weui-select" },
        hasValue ? null : h("option", { value: "", text: field.placeholder || "请选择" }),
        (field.options || []).map((o) => h("option", { value: o.value, selected: String(o.value) === String(field.value) }, o.label ?? o.value)));
      break;
    }
    case "multi": {
      // a multi-select (网站服务内容): the value is a list; a single code reads as a one-item list
      const chosen = new Set((Array.isArray(field.value) ? field.value : field.value ? [field.value] : []).map(String));
      control = h("select", { ...common, multiple: true, class: "weui-select weui-select_multi",
        size: Math.min((field.options || []).length, 5) },
        (field.options || []).map((o) => h("option", { value: o.value, selected: chosen.has(String(o.value)) }, o.label ?? o.value)));
      break;
    }
    case "bool":
      control = h("input", { ...common, type: "checkbox", class: "switch", checked: !!field.value });
      break;
    default:
      control = h("input", {
        ...common, class: "weui-input",
        type: { tel: "tel", email: "email", date: "date" }[field.type] || "text",
        inputmode: field.type === "tel" ? "tel" : null,
        placeholder: field.placeholder || (field.required ? "必填" : "选填"),
        pattern: field.pattern || null, value: field.value ?? "",
        autocomplete: "off", spellcheck: "false",
      });
  }
  const kind = field.type === "bool" ? " field_bool" : "";
  // a date input shows the browser's own mm/dd/yyyy: the placeholder goes beside the label
  const hint = field.type === "date" && field.placeholder ? h("span", { class: "field__hint" }, field.placeholder) : null;
  return h("label", { class: `weui-cell field${kind}${field.error ? " field_error" : ""}`, for: id, "data-testid": "form-cell" },
    h("span", { class: "weui-cell__hd" }, field.label || field.name, field.required ? h("span", { class: "req" }, "*") : null, hint),
    h("span", { class: "weui-cell__bd" }, control),
    field.error ? h("span", { class: "field__error", "data-testid": "field-error" },
      Array.isArray(field.error) ? field.error.join("；") : String(field.error)) : null);
}

function collect(node, fields) {
  const values = {};
  for (const field of fields) {
    const control = node.elements.namedItem(field.name);
    if (!control) continue;
    // every field, empty ones too: a field left out would keep the value the form showed
    if (field.type === "multi" && control.selectedOptions) {
      values[field.name] = Array.from(control.selectedOptions, (o) => o.value);
      continue;
    }
    values[field.name] = field.type === "bool" ? control.checked : String(control.value ?? "").trim();
  }
  return values;
}

// ---- status cards and notices -----------------------------------------------------

const ACTORS_ZH = { user: "用户", provider: "腾讯云", bureau: "管局", clock: "系统", system: "系统" };
const TIMELINE_SHOWN = 3;

function renderStatus(card, text) {
  const tone = TONES[card.state] || "progress";
  const wechat = card.wechat || {};
  const result = card.result || null;
  const timeline = card.timeline || [];
  const audit = card.audit_data || [];
  return h("div", { class: `card status tone_${tone}`, "data-testid": "status-card", "data-state": card.state || "",
    "data-application-id": card.application_id || "", title: text || null },
  h("div", { class: "card__hd" },
    h("div", {}, h("div", { class: "card__title" }, card.kind_zh || card.kind || "备案订单"),
      h("div", { class: "card__sub" }, `订单号 ${card.application_id || "—"}`)),
    h("span", { class: "status__state", "data-testid": "status-state" }, card.state_zh || card.state || "")),
  h("div", { class: "status__meta" },
    wechat.status != null ? h("span", { class: "tag", "data-testid": "wechat-status" }, "微信 status ", h("b", {}, String(wechat.status))) : null,
    wechat.sms_verify_status != null ? h("span", { class: "tag", "data-testid": "wechat-sms" }, "sms_verify_status ", h("b", {}, String(wechat.sms_verify_status))) : null,
    card.state ? h("span", { class: "tag" }, card.state) : null),
  // MIIT's result before Tencent's sync: MIIT's verdict and numbers, not yet 备案成功 here
  card.miit_result ? renderMiitResult(card.miit_result)
    : result && Object.keys(result).length ? renderNumbers(result) : null,
  audit.length ? renderAudit(audit) : null,
  card.next_step && !card.miit_result ? h("div", { class: "next-step", "data-testid": "next-step" }, card.next_step) : null,
  card.sms_resubmit ? h("div", { class: "pending-note", "data-testid": "sms-resubmit", "data-due": card.sms_resubmit.due_at || "" },
    h("div", { class: "pending-note__title" }, `腾讯云将于 ${fmtShort(card.sms_resubmit.due_at)} 自动重新提交管局`),
    card.sms_resubmit.text || "") : null,
  timeline.length ? renderTimeline(timeline) : null);
}

/** MIIT told the user first (process.md §6.1, §6.3); Tencent's status syncs at tencent_sync_at. */
function renderMiitResult(miit) {
  const approved = miit.verdict === "approve";
  const numbers = Object.entries(miit.numbers || {}).flatMap(([key, v]) => (Array.isArray(v) ? v : [v]).map((n) => [key, n]));
  return h("div", { class: `miit-result miit-result_${approved ? "ok" : "bad"}`, "data-testid": "miit-result", "data-verdict": miit.verdict || "" },
    h("div", { class: "miit-result__title" }, approved ? "工信部通知：管局审核通过" : "工信部通知：管局审核未通过"),
    numbers.map(([key, n]) => h("div", { class: "numbers__row" }, h("span", {}, RESULT_LABELS[key] || key),
      h("b", { "data-testid": "miit-number", "data-key": key }, n))),
    (miit.audit_data || []).map((a) => h("div", { class: "miit-result__reason", "data-code": a.code || "" }, `${a.key_name ? `${a.key_name}：` : ""}${a.error || a.code || ""}`)),
    h("div", { class: "miit-result__sync", "data-testid": "miit-sync" },
      `腾讯云将于 ${fmtShort(miit.tencent_sync_at)} 同步订单状态${approved ? "，届时显示备案成功" : "，届时可修改后重新提交"}`));
}

/** The history, newest last; a long one shows its last entries and a button for the rest. */
function renderTimeline(timeline) {
  const items = timeline.map((t, i) => h("li", { "data-action": t.action || "", hidden: timeline.length - i > TIMELINE_SHOWN },
    h("span", { class: "timeline__at" }, fmtShort(t.at)),
    t.reason || ACTIONS_ZH[t.action] || t.action || "",
    t.actor ? h("span", { class: "timeline__actor" }, ACTORS_ZH[t.actor] || t.actor) : null));
  const list = h("ol", { class: "timeline", "data-testid": "timeline" }, items);
  if (timeline.length > TIMELINE_SHOWN) {
    const more = h("li", { class: "timeline__more" }, h("button", {
      type: "button", "data-testid": "timeline-more",
      onclick: () => { items.forEach((li) => { li.hidden = false; }); more.remove(); },
    }, `查看全部 ${timeline.length} 条记录`));
    list.prepend(more);
  }
  return list;
}

function renderNumbers(result) {
  const rows = [];
  for (const [key, value] of Object.entries(result)) {
    const label = RESULT_LABELS[key] || key;
    const list = Array.isArray(value) ? value : [value];
    list.forEach((v) => rows.push(h("div", { class: "numbers__row" }, h("span", {}, label),
      h("b", { "data-testid": key === "website_numbers" ? "record-number" : key === "entity_number" ? "entity-number" : null }, String(v)))));
  }
  return h("div", { class: "numbers", "data-testid": "record-numbers" }, h("div", { class: "numbers__title" }, "备案成功"), rows);
}

function renderNotice(notice, text) {
  const rules = notice.rules || [];
  return h("div", { class: `card notice notice_${notice.level || "info"}`, "data-testid": "notice", "data-level": notice.level || "info" },
    h("div", { class: "card__hd" }, h("span", { class: "card__title" }, notice.title || "提示")),
    text ? h("div", { class: "card__text" }, text) : null,
    rules.length ? h("ul", { class: "rules", "data-testid": "rules" }, rules.map((r) => h("li", { "data-rule": r.rule || r.code || "" },
      h("span", { class: `rules__mark rules__mark_${r.passed === false ? "fail" : "pass"}` }, r.passed === false ? "✕" : "✓"),
      h("span", {}, r.message || r.code || r.rule || "")))) : null,
    notice.error_code ? h("div", { class: "card__text notice__code" }, notice.error_code) : null,
    notice.level === "error" ? h("div", { class: "notice__next", "data-testid": "notice-next" },
      notice.suggest ? `下一步：${notice.suggest}，然后点下方按钮重试。` : "下一步：按上面的提示处理后，点下方按钮重试；需要帮助可点右上角「···」重新开始。") : null,
    notice.quote ? renderQuote(notice.quote) : null);
}

/** A passage of the seed: folded to a few lines, unfolded on a tap. */
function renderQuote(quote) {
  const node = h("blockquote", { class: "quote quote_folded", "data-testid": "quote", title: "点击展开/收起" }, quote);
  node.addEventListener("click", () => node.classList.toggle("quote_folded"));
  return node;
}

// ---- which message is live, and the composer -------------------------------------

/** The message the user answers now: the latest quick replies or form matching `accepts`. */
function liveMessage() {
  const a = state.accepts || {};
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const m = state.messages[i];
    if (m.from === "user") return null;  // the bot has not asked since
    if (a.type === "choice" && m.kind === "quick_replies") return m;
    if (a.type === "form" && m.kind === "form" && (!a.form_id || m.form?.id === a.form_id)) return m;
  }
  return null;
}

function refresh() {
  const live = liveMessage();
  const chat = $("#chat");
  for (const group of chat.querySelectorAll('[data-testid="quick-replies"]')) {
    const active = live && String(live.seq) === group.dataset.seq && !state.busy;
    for (const b of group.querySelectorAll("button")) b.disabled = !active;
  }
  for (const form of chat.querySelectorAll('[data-testid="form"]')) {
    const active = live && String(live.seq) === form.dataset.seq;
    form.classList.toggle("form_done", !active);
    form.dataset.active = active ? "true" : "false";
    for (const el of form.elements) el.disabled = !active || state.busy;
  }
  for (const chip of document.querySelectorAll("[data-command]")) chip.disabled = state.busy;
  renderComposer(live);
  // for tests and curious developers: what the page may send now
  const composer = $("#composer").dataset;
  const a = state.accepts || {};
  composer.accepts = a.type || "none";
  composer.formId = a.form_id || "";
  composer.input = a.input || "";
  composer.busy = String(state.busy);
  composer.lastSeq = String(lastSeq());
  composer.step = state.step || "";
  $("#caption").replaceChildren("icpsim · 沙箱 ", h("code", {}, state.sid || "—"), " · 会话 ",
    h("code", {}, state.cid || "—"), ...(state.applicationId ? [" · 订单 ", h("code", {}, state.applicationId)] : []));
}

function renderComposer(live) {
  const box = $("#composer-body");
  const a = state.accepts || { type: "none" };
  const key = `${a.type}|${a.input || ""}|${a.form_id || ""}|${live ? live.seq : ""}`;
  $("#composer").classList.toggle("composer_busy", state.busy);
  if (box.dataset.key !== key) {
    box.dataset.key = key;
    if (!PHONE_CODES[a.input]) $("#sms-banner").hidden = true;
    box.replaceChildren(...composerFor(a, live));
  }
  for (const el of box.querySelectorAll("button, input")) {
    if (el.dataset.testid !== "sms-submit" || state.busy) el.disabled = state.busy;
    else el.disabled = !/^\d{6}$/.test(box.querySelector("input").value);
  }
}

function composerFor(a, live) {
  const box = { nodes: [], append(...n) { this.nodes.push(...n.flat()); } };
  switch (a.type) {
    case "none":
      box.append(h("div", { class: "waiting", "data-testid": "waiting" }, h("span", { class: "spinner" }), "审核处理中，页面会自动刷新…"));
      break;
    case "choice":
      if (live) box.append(h("div", { class: "composer__hint", "data-testid": "hint" }, "请点击上方的选项"));
      else box.append(renderChoices(a.choices || [], null));
      break;
    case "form":
      box.append(h("div", { class: "composer__hint", "data-testid": "hint" }, live ? "请填写上方的表单后提交" : "请输入「查看进度」或「上一步」"));
      break;
    case "text":
      if (a.input === "otp_code") showSmsBanner();  // the checklist's phone code: the phone shows it too
      box.append(a.input === "sms_code" ? renderSms() : renderText());
      break;
    default:
      break;
  }
  return box.nodes;
}

function renderText() {
  const input = h("input", { class: "composer__input", "data-testid": "text-input", placeholder: "输入内容",
    onkeydown: (ev) => { if (ev.key === "Enter") send(); } });
  const send = async () => {
    const text = input.value.trim();
    if (!text) return;
    if (await sendReply({ text })) input.value = "";
  };
  return [input, h("button", { type: "button", class: "send", "data-testid": "text-send", onclick: send }, "发送")];
}

// the text inputs whose code arrives by SMS -> the outbox code of that SMS
const PHONE_CODES = { sms_code: "MIIT_SMS_CODE", otp_code: "PHONE_OTP_CODE" };

/** The simulated phone gets MIIT's SMS (or Tencent's OTP while filling): a notification banner,
 *  as the real phone would show (the sandbox's outbox holds it). Tap to dismiss; the user still
 *  types the code. */
async function showSmsBanner() {
  const wanted = PHONE_CODES[state.accepts?.input];
  if (!state.applicationId || !wanted) return;
  let sms;
  try {
    const list = await api("GET", `/outbox?channel=sms&app_id=${encodeURIComponent(state.applicationId)}`);
    sms = [...(list || [])].reverse().find((m) => m.code === wanted);
  } catch { return; }
  if (!sms || showSmsBanner.shown === sms.id || PHONE_CODES[state.accepts?.input] !== wanted) return;
  showSmsBanner.shown = sms.id;
  $("#sms-banner-from").textContent = sms.sender || "106…";
  $("#sms-banner-text").textContent = sms.text;
  const banner = $("#sms-banner");
  banner.hidden = false;
  banner.onclick = () => { banner.hidden = true; };
  clearTimeout(showSmsBanner.timer);
  showSmsBanner.timer = setTimeout(() => { banner.hidden = true; }, 12000);
}

function renderSms() {
  showSmsBanner();
  const boxes = Array.from({ length: 6 }, () => h("span", { class: "sms__box", "data-testid": "sms-box" }));
  const input = h("input", {
    class: "sms__input", "data-testid": "sms-input", inputmode: "numeric", autocomplete: "one-time-code",
    maxlength: "6", "aria-label": "6 位短信核验码",
  });
  const submit = h("button", { type: "button", class: "send", "data-testid": "sms-submit" }, "提交");
  const paint = () => {
    const digits = input.value.replace(/\D/g, "").slice(0, 6);
    if (input.value !== digits) input.value = digits;
    boxes.forEach((b, i) => {
      b.textContent = digits[i] || "";
      b.classList.toggle("sms__box_active", document.activeElement === input && i === Math.min(digits.length, 5));
    });
    submit.disabled = digits.length !== 6;
  };
  const go = async () => {
    if (input.value.length !== 6) return;
    if (await sendReply({ text: input.value }) && input.isConnected) {  // a wrong code: type again
      input.value = "";
      paint();
      input.focus({ preventScroll: true });
    }
  };
  input.addEventListener("input", paint);
  input.addEventListener("focus", paint);
  input.addEventListener("blur", paint);
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
  submit.addEventListener("click", go);
  paint();
  setTimeout(() => { if (input.isConnected && !input.disabled) input.focus({ preventScroll: true }); }, 0);
  return h("div", { class: "sms", "data-testid": "sms-prompt" },
    h("div", { class: "sms__label" }, "工信部短信核验码（6 位数字，见短信）"),
    h("div", { class: "sms__row" }, h("div", { class: "sms__boxes" }, boxes, input), submit),
    // each responsible person verifies on MIIT's own page (mobile + last 6 ID digits + code)
    h("a", { class: "sms__miit", "data-testid": "miit-link", target: "_blank", rel: "noopener",
      href: `/miit/verify?sandbox=${encodeURIComponent(state.sid)}&app=${encodeURIComponent(state.applicationId || "")}` },
      "或在工信部核验页面逐人核验 ›"));
}

// ---- screens ------------------------------------------------------------------------------

function showSetup(error) {
  stopPolling();
  state.cid = null;
  $("#chat").hidden = true;
  $("#composer").hidden = true;
  $("#setup").hidden = false;
  $("#sms-banner").hidden = true;
  $("#setup-sandbox").value = state.sid || "";
  $("#setup-token").value = state.token || "";
  $("#setup-error").textContent = error || "";
}

function showChat() {
  $("#setup").hidden = true;
  $("#chat").hidden = false;
  $("#composer").hidden = false;
}

async function start(options) {
  const button = $('[data-testid="setup-start"]');
  button.disabled = true;
  try {
    await connect(options);
  } catch (err) {
    showSetup(err instanceof ApiError && [401, 404].includes(err.status)
      ? `无法进入沙箱「${state.sid}」：${describeError(err)}` : describeError(err));
  } finally {
    button.disabled = false;
  }
}

function openSheet(open) { $("#actionsheet").hidden = !open; }

/** The simulated phone's mail app: the e-mails Tencent sent (the sandbox outbox, channel=email),
 *  newest first; tap one to read it. */
async function openMail() {
  let mails = [];
  try { mails = await api("GET", "/outbox?channel=email"); } catch { /* shown empty */ }
  const list = $("#mail-list");
  list.replaceChildren(...[...(mails || [])].reverse().slice(0, 50).map((m) => h("li", {
    class: "mailapp__item", "data-testid": "mail-item", onclick: (ev) => ev.currentTarget.classList.toggle("mailapp__item_open") },
  h("div", { class: "mailapp__from" }, `${m.sender} → ${m.to}`, h("span", {}, (m.at || "").slice(5, 16).replace("T", " "))),
  h("div", { class: "mailapp__subject" }, m.subject || ""), h("pre", { class: "mailapp__body" }, m.text))));
  if (!list.children.length) list.append(h("li", { class: "mailapp__empty" }, "（还没有邮件）"));
  $("#mailapp").hidden = false;
}

/** The sandbox's session as a scenario file (README: "Recording a scenario from the mini-program
 *  page"): fetched with the sandbox token, saved through a Blob and a temporary <a download>. */
async function exportRecording() {
  if (!state.sid || !state.token || exportRecording.busy) return;
  exportRecording.busy = true;
  const button = $('[data-action="export-recording"]');
  button.disabled = true;
  try {
    const resp = await withRetry(async () => {
      const r = await fetch(`/api/v1/sandboxes/${encodeURIComponent(state.sid)}/recording`, {
        cache: "no-store",
        headers: { Authorization: `Bearer ${state.token}`, Accept: "application/yaml", "Accept-Language": state.locale },
      });
      if (!r.ok) {
        let body = null;
        try { body = await r.json(); } catch { /* not JSON */ }
        throw new ApiError(r.status, body);
      }
      return r;
    });
    const blob = new Blob([await resp.text()], { type: "application/yaml;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: `icpsim-${state.sid.replace(/[^\w.-]+/g, "_")}-recording.yaml`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);  // the download has its own copy by then
    toast("录制已导出");
  } catch (err) {
    toast(`导出录制失败：${describeError(err)}`);
  } finally {
    exportRecording.busy = false;
    button.disabled = false;
  }
}

/** Session storage (this tab, reloads included): where a token from the URL waits until
 *  the first connect keeps it in localStorage. */
function saveSession(key, value) {
  try { value == null ? sessionStorage.removeItem(STORE + key) : sessionStorage.setItem(STORE + key, value); } catch { /* private mode */ }
}
function loadSession(key) {
  try { return sessionStorage.getItem(STORE + key); } catch { return null; }
}

/** A `?token=` in the address would stay in the history, in bookmarks and in the server's
 *  access log on every reload: once read, it leaves the URL (sandbox, locale and the rest stay). */
function dropTokenFromUrl(params) {
  if (!params.has("token")) return;
  if (state.sid && state.token) saveSession(`token.${state.sid}`, state.token);  // a reload still finds it
  const rest = new URLSearchParams(params);
  rest.delete("token");
  const query = rest.toString();
  try {
    history.replaceState(history.state, "", location.pathname + (query ? `?${query}` : "") + location.hash);
  } catch { /* an unusual origin (file:): keep the address as it is */ }
}

/** A class link carries the token in the fragment (`#token=…`): browsers never send it to the
 *  server. Kept for this tab like a `?token=` would be, then dropped from the address. */
function takeTokenFromFragment(params) {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = (fragment.get("token") || "").trim();
  const sid = (params.get("sandbox") || "").trim();
  if (!token || !sid) return;
  saveSession(`token.${sid}`, token);
  try { history.replaceState(history.state, "", location.pathname + location.search); } catch { /* file: */ }
}

function init() {
  const params = new URLSearchParams(location.search);
  takeTokenFromFragment(params);
  state.locale = params.get("locale") || "zh-CN";
  state.sid = (params.get("sandbox") || load("sandbox") || "").trim();
  state.token = (params.get("token") || (state.sid && (loadSession(`token.${state.sid}`) || load(`token.${state.sid}`))) || "").trim();
  dropTokenFromUrl(params);

  $("#setup-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const sid = $("#setup-sandbox").value.trim();
    const token = $("#setup-token").value.trim();
    if (!sid || !token) { $("#setup-error").textContent = "请填写沙箱 ID 和沙箱令牌"; return; }
    state.sid = sid; state.token = token;
    start();
  });
  for (const node of document.querySelectorAll("[data-command]")) {
    node.addEventListener("click", () => { openSheet(false); sendReply({ command: node.dataset.command }); });
  }
  $("#menu-btn").addEventListener("click", () => { if (state.cid) openSheet(true); });
  $("#close-btn").addEventListener("click", () => { openSheet(false); showSetup(); });
  for (const node of document.querySelectorAll("#actionsheet [data-close]")) node.addEventListener("click", () => openSheet(false));
  $('[data-action="export-recording"]').addEventListener("click", () => { openSheet(false); exportRecording(); });
  $('[data-action="new-conversation"]').addEventListener("click", () => { openSheet(false); start({ fresh: true }); });
  $('[data-action="mail"]').addEventListener("click", () => { openSheet(false); openMail(); });
  $('[data-testid="mail-close"]').addEventListener("click", () => { $("#mailapp").hidden = true; });
  $('[data-action="switch-sandbox"]').addEventListener("click", () => { openSheet(false); showSetup(); });

  if (state.sid && state.token) start({ fresh: params.get("new") === "1" });
  else showSetup();
}

init();
