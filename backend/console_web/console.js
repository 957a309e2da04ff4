// icpsim trainer console: a plain ES module, no build step, no framework, no CDN.
//
// Everything it shows comes from the control API; everything it does is a control-API
// call. Live updates: once a second it asks GET /api/v1/console/versions with
// If-None-Match; a 304 costs one Redis round trip, a 200 means something moved and the
// open views are fetched again (README, "Live updates").

import { drawDiagram } from "./diagram.js";

const TOKEN_KEY = "icpsim.console.token";
const POLL_MS = 1000;
const CLOCK_MS = 2000;  // a running clock's display is refreshed this often
const LOGIN_RETRY_MS = 2000;
const ACTORS_ZH = { user: "用户", provider: "腾讯云初审", bureau: "管局", clock: "时钟", system: "系统" };
const WAITS_ZH = { user: "等用户", provider: "等初审", bureau: "等管局", clock: "等时钟", nobody: "已结束" };
const TONES = { approved: "ok", provider_rejected: "bad", bureau_rejected: "bad", withdrawn: "off", expired: "off" };

const state = {
  token: "", etag: null, tab: "sandboxes", sandboxes: [], graph: null,
  sid: null, appId: null, classId: null, pollTimer: null, clockTimer: null, loginTimer: null, qrUrls: [],
};

const $ = (sel, root = document) => root.querySelector(sel);

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function toast(text, ms = 4000) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, ms);
}

// ---- the API ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; this.body = body || {}; this.code = this.body.code;
  }
}

async function api(method, path, body, { etag, raw } = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, Accept: "application/json" };
  if (body) headers["Content-Type"] = "application/json";
  if (etag) headers["If-None-Match"] = etag;
  const resp = await fetch(`/api/v1${path}`, {
    method, headers, cache: "no-store", body: body ? JSON.stringify(body) : undefined,
  });
  if (resp.status === 304) return { notModified: true };
  if (raw && resp.ok) return resp;
  let data = null;
  try { data = resp.status === 204 ? null : await resp.json(); } catch { /* not JSON */ }
  if (!resp.ok) throw new ApiError(resp.status, data);
  if (etag !== undefined) return { data, etag: resp.headers.get("ETag") };
  return data;
}

function describe(err) {
  if (!(err instanceof ApiError)) return "网络异常，请稍后重试";
  const fields = err.body.errors ? "：" + Object.entries(err.body.errors).map(([k, v]) => `${k} ${[].concat(v).join("；")}`).join("，") : "";
  return `${err.message}${err.code ? `（${err.code}）` : ""}${fields}`;
}

/** Run a control action; a failure is shown, a success refreshes at once. */
async function act(label, call) {
  try {
    const result = await call();
    toast(`${label}：完成`);
    await refresh(true);
    return result;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return logout("控制令牌无效或已更换，请重新输入");
    toast(`${label}失败：${describe(err)}`, 8000);
    return null;
  }
}

const sb = (sid) => `/sandboxes/${encodeURIComponent(sid)}`;

// ---- keyboard ------------------------------------------------------------------------------

/** A list item a click selects, reachable and usable from the keyboard too (Tab, Enter, Space). */
function pressable(activate, attrs = {}) {
  return { ...attrs, tabindex: "0", role: "button", onclick: activate,
    onkeydown: (ev) => {
      if (ev.target !== ev.currentTarget || (ev.key !== "Enter" && ev.key !== " ")) return;
      ev.preventDefault();
      activate(ev);
    } };
}

const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]";
const focusName = (node) => node.dataset.app ? `app:${node.dataset.app}` : node.dataset.sandbox && node.tagName === "LI"
  ? `sandbox:${node.dataset.sandbox}` : node.getAttribute("aria-label") || node.dataset.testid || node.textContent.trim();

/** Re-render `root` without losing the keyboard's place: live updates and every action redraw
 * the lists and panels, and a focused control that is replaced would send focus to the page's
 * start. The control with the same name (or at the same place) gets the focus back. */
function keepingFocus(root, render) {
  const was = document.activeElement;
  const inside = was && was !== root && root.contains(was);
  const all = inside ? [...root.querySelectorAll(FOCUSABLE)] : [];
  const name = inside ? focusName(was) : null;
  const index = all.indexOf(was);
  render();
  if (!inside || root.contains(was)) return;
  const now = [...root.querySelectorAll(FOCUSABLE)];
  const same = now.filter((n) => focusName(n) === name);
  const target = (now[index] && focusName(now[index]) === name ? now[index] : same[0]) || now[index];
  if (target) target.focus({ preventScroll: true });
}

// ---- login --------------------------------------------------------------------------------

function logout(message = "") {
  stopPolling();
  clearTimeout(state.loginTimer);
  state.token = "";
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ }
  for (const id of ["#view-sandboxes", "#view-class", "#tabs", "#logout"]) $(id).hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = message;
  $("#login-token").focus();
}

async function login(token) {
  clearTimeout(state.loginTimer);
  state.token = token;
  try {
    await api("GET", "/console/versions");
    state.graph = await api("GET", "/console/workflow");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return logout("控制令牌无效");
    return waitForServer(token, describe(err));
  }
  try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* private mode */ }
  $("#login").hidden = true;
  $("#login-error").textContent = "";
  $("#tabs").hidden = false;
  $("#logout").hidden = false;
  showTab(state.tab);
  await refresh(true);
  schedulePoll();
}

/** The server is down or not ready (a restart, Redis loading): the token is not the problem, so
 * it stays in the tab and the login is tried again until the server answers. */
function waitForServer(token, why) {
  stopPolling();
  for (const id of ["#view-sandboxes", "#view-class", "#tabs", "#logout"]) $(id).hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = `暂时无法连接模拟器（${why}），正在自动重试…`;
  state.loginTimer = setTimeout(() => login(token), LOGIN_RETRY_MS);
}

// ---- live updates ----------------------------------------------------------------------------

function stopPolling() { clearTimeout(state.pollTimer); state.pollTimer = null; }
function schedulePoll() { stopPolling(); state.pollTimer = setTimeout(poll, POLL_MS); }

async function poll() {
  if (!state.token) return;
  if (!document.hidden) {
    try {
      await refresh(false);
      $("#live").classList.remove("live_off");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return logout("控制令牌无效或已更换，请重新输入");
      $("#live").classList.add("live_off");
    }
  }
  schedulePoll();
}

/** Fetch the overview when it changed (or `force`), then whatever view is open. */
async function refresh(force) {
  const got = await api("GET", "/console/sandboxes", null, { etag: force ? null : state.etag });
  if (got.notModified) return;
  state.etag = got.etag;
  state.sandboxes = got.data.sandboxes;
  if (state.sid && !state.sandboxes.some((s) => s.id === state.sid)) { state.sid = null; state.appId = null; }
  renderSandboxList();
  if (state.tab === "sandboxes") await renderDetail();
  else await renderClass();
}

document.addEventListener("visibilitychange", () => { if (!document.hidden && state.token) poll(); });

// ---- sandboxes ----------------------------------------------------------------------------------

function progressBar(progress, tone) {
  const pct = progress ? Math.round((100 * progress.step) / Math.max(1, progress.steps)) : 0;
  return h("div", { class: "progress", title: `${progress ? progress.step : 0}/${progress ? progress.steps : 0}` },
    h("div", { class: `progress-bar tone_${tone || "wait"}`, style: `width:${pct}%` }));
}

function stateBadge(app) {
  return h("span", { class: `badge tone_${TONES[app.state] || "wait"}`, "data-state": app.state }, app.state_zh);
}

function renderSandboxList() {
  const list = $("#sandbox-list");
  keepingFocus(list, () => list.replaceChildren(...state.sandboxes.map((s) => h("li", pressable(
    () => select(s.id, (s.applications.at(-1) || {}).id || null),
    { class: `sandbox${s.id === state.sid ? " sandbox_on" : ""}`, "data-sandbox": s.id,
      "aria-current": s.id === state.sid ? "true" : null }),
  h("div", { class: "sandbox-head" }, h("strong", {}, s.name), h("code", {}, s.id)),
  h("div", { class: "muted" }, `${s.clock.now.replace("T", " ").slice(0, 16)} · ×${s.clock.scale}`,
    s.clock.pacing === "demo" ? " · 演示节奏" : ""),
  s.applications.length ? h("ul", { class: "apps" }, s.applications.slice(-4).map((a) => h("li", pressable(
    (ev) => { ev.stopPropagation(); select(s.id, a.id); },
    { class: `app${a.id === state.appId && s.id === state.sid ? " app_on" : ""}`, "data-app": a.id,
      "aria-current": a.id === state.appId && s.id === state.sid ? "true" : null }),
  h("span", { class: "app-id" }, a.id), " ", a.kind_zh, " ", stateBadge(a),
  progressBar(a.progress, TONES[a.state])))) : h("div", { class: "muted" }, "暂无订单")))));
}

function select(sid, appId) {
  state.sid = sid; state.appId = appId;
  renderSandboxList();
  renderDetail();
}

function current() { return state.sandboxes.find((s) => s.id === state.sid); }

async function renderDetail() {
  const root = $("#detail");
  const sandbox = current();
  if (!sandbox) { root.replaceChildren(h("p", { class: "empty" }, "在左侧选择一个沙箱。")); return; }
  const app = sandbox.applications.find((a) => a.id === state.appId) || null;
  const [clock, outbox, faults, history] = await Promise.all([
    api("GET", `${sb(sandbox.id)}/clock`),
    api("GET", `${sb(sandbox.id)}/outbox`),
    api("GET", `${sb(sandbox.id)}/faults`),
    app ? api("GET", `${sb(sandbox.id)}/applications/${encodeURIComponent(app.id)}/history`) : [],
  ]);
  const typed = keptValues(root, sandbox.id);
  const same = root.dataset.sandbox === sandbox.id;
  const draw = () => root.replaceChildren(
    h("div", { class: "detail-head" }, h("h2", {}, sandbox.name, " ", h("code", {}, sandbox.id)),
      h("span", { class: "muted" }, `预设 ${sandbox.preset} · 种子 ${sandbox.seed}`),
      h("a", { class: "link", href: `/miniprogram/?sandbox=${encodeURIComponent(sandbox.id)}#token=${encodeURIComponent(sandbox.token)}`,
        target: "_blank", rel: "noreferrer" }, "打开小程序页面 ↗")),
    clockPanel(sandbox, clock),
    app ? appPanel(sandbox, app, history) : h("p", { class: "empty" }, "这个沙箱还没有订单：学员在小程序里开始备案后会出现在这里。"),
    faultPanel(sandbox, app, faults),
    outboxPanel(outbox));
  if (same) keepingFocus(root, draw); else draw();
  restoreValues(root, typed);
  root.dataset.sandbox = sandbox.id;
  scheduleClock(clock);
}

/** What the trainer typed or chose survives a live re-render of the same sandbox. */
function keptValues(root, sid) {
  if (root.dataset.sandbox !== sid) return {};
  const out = {};
  for (const node of root.querySelectorAll("input[aria-label], select[aria-label]")) out[node.getAttribute("aria-label")] = node.value;
  return out;
}

function restoreValues(root, typed) {
  for (const node of root.querySelectorAll("input[aria-label], select[aria-label]")) {
    const value = typed[node.getAttribute("aria-label")];
    if (value !== undefined && (node.tagName !== "SELECT" || [...node.options].some((o) => o.value === value))) node.value = value;
  }
}

function scheduleClock(clock) {
  clearTimeout(state.clockTimer);
  if (clock.paused || state.tab !== "sandboxes") return;
  state.clockTimer = setTimeout(async () => {
    const node = $("#clock-now");
    if (!node || !state.sid) return;
    try {
      const fresh = await api("GET", `${sb(state.sid)}/clock`);
      node.textContent = fresh.now.replace("T", " ");
      scheduleClock(fresh);
    } catch { /* the next poll shows it */ }
  }, CLOCK_MS);
}

function clockPanel(sandbox, clock) {
  const scale = h("input", { type: "number", min: "0", value: String(clock.scale), "aria-label": "倍率", class: "narrow" });
  const span = h("input", { value: "1d", "aria-label": "前进时长", class: "narrow", "data-testid": "advance-duration" });
  const path = `${sb(sandbox.id)}/clock`;
  const next = clock.pending_timers[0];
  return h("section", { class: "panel clock" },
    h("h3", {}, "虚拟时钟"),
    h("div", { class: "clock-now" }, h("span", { id: "clock-now", "data-testid": "clock-now" }, clock.now.replace("T", " ")),
      h("span", { class: "muted" }, clock.paused ? " 已暂停" : ` ×${clock.scale}${sandbox.clock.pacing === "demo" ? "（演示节奏：轮到用户时按真实速度）" : ""}`)),
    h("div", { class: "row" },
      h("button", { type: "button", onclick: () => act("暂停", () => api("PUT", `${path}/scale`, { scale: 0 })) }, "暂停"),
      scale, h("button", { type: "button", onclick: () => (scale.value.trim() === ""
        ? toast("设置倍率失败：请填写倍率（0 为暂停）", 8000)
        : act("设置倍率", () => api("PUT", `${path}/scale`, { scale: Number(scale.value) }))) }, "设置倍率"),
      span, h("button", { type: "button", "data-testid": "advance",
        onclick: () => act("前进", () => api("POST", `${path}/advance`, { duration: span.value.trim() })) }, "前进"),
      h("button", { type: "button", class: "primary", "data-testid": "until-idle",
        onclick: () => act("前进到空闲", () => api("POST", `${path}/advance`, { until_idle: true })) }, "前进到空闲")),
    h("div", { class: "muted" }, next ? `下一个定时器：${next.name}（${next.app_id}）于 ${next.due_at.replace("T", " ")}` : "没有待触发的定时器"));
}

/** What the timeline settings left on the order: MIIT's result before Tencent's sync, the
 * automatic resubmission after an SMS timeout (services/console.after_submission). */
function afterSubmission(app) {
  const rows = [];
  const miit = app.miit_result;
  if (miit) {
    rows.push(h("div", { class: "after-row", "data-testid": "console-miit-result", "data-verdict": miit.verdict, "data-pending": String(!!miit.pending) },
      h("strong", {}, "工信部结果："), miit.verdict === "approve" ? "管局审核通过" : "管局驳回",
      (miit.codes || []).length ? h("code", {}, ` ${miit.codes.join(", ")}`) : null,
      ` · 工信部通知 ${(miit.at || "").replace("T", " ").slice(0, 16)} · 腾讯云同步 ${(miit.tencent_sync_at || "").replace("T", " ").slice(0, 16)}`,
      h("span", { class: "muted" }, miit.pending ? "（腾讯云待同步）" : "（已同步）")));
  }
  const resubmit = app.sms_resubmit;
  if (resubmit) {
    rows.push(h("div", { class: "after-row", "data-testid": "console-sms-resubmit", "data-pending": String(!!resubmit.pending) },
      h("strong", {}, "短信超时后自动重新提交："), `${(resubmit.due_at || "").replace("T", " ").slice(0, 16)} `,
      h("span", { class: "muted" }, resubmit.pending ? "（待执行；用户修改订单即取消）" : "（不再执行：订单已修改或已重新提交）")));
  }
  return rows.length ? h("div", { class: "after-submission" }, rows) : null;
}

function appPanel(sandbox, app, history) {
  const visited = new Set(history.flatMap((e) => [e.from, e.to]).filter(Boolean));
  const diagram = h("div", { class: "diagram", "data-testid": "diagram" });
  drawDiagram(diagram, state.graph, app.state, visited);
  return h("section", { class: "panel app-panel" },
    h("h3", {}, `订单 ${app.id} · ${app.kind_zh} · `, stateBadge(app),
      h("span", { class: "muted" }, ` ${WAITS_ZH[app.waits_on] || ""}`)),
    afterSubmission(app),
    h("div", { class: "app-grid" },
      h("ol", { class: "timeline", "data-testid": "timeline" }, history.map((e) => h("li", { class: e.fault ? "fault" : "" },
        h("div", { class: "when" }, (e.at || "").replace("T", " ").slice(0, 19)),
        h("div", {}, h("strong", {}, e.action), ` ${e.from || ""} → ${e.to || ""}`,
          h("span", { class: `actor actor_${e.actor}` }, ACTORS_ZH[e.actor] || e.actor)),
        e.reason ? h("div", { class: "reason" }, e.reason) : null,
        (e.audit_data || []).length ? h("ul", { class: "audit" }, e.audit_data.map((a) => h("li", {},
          h("code", {}, a.code), ` ${a.key_name || ""}：${a.error || ""}`, a.suggest ? h("div", { class: "muted" }, `建议：${a.suggest}`) : null))) : null))),
      diagram));
}

function faultPanel(sandbox, app, faults) {
  const path = `${sb(sandbox.id)}/faults`;
  const reasons = (state.graph.rejection_reasons || []);
  const stage = h("select", { "aria-label": "阶段" }, h("option", { value: "any" }, "下一个审核"),
    h("option", { value: "provider" }, "腾讯云初审"), h("option", { value: "bureau" }, "管局"));
  // the reasons by the stage that gives them (a provider code such as CALL_UNREACHABLE, a bureau
  // code such as SITE_REACHABLE_DURING_REVIEW); choosing one sets the stage it belongs to
  const reason = h("select", { "aria-label": "驳回原因", class: "reason-select", "data-testid": "fault-reason",
    onchange: () => { const r = reasons.find((x) => x.code === reason.value); if (r) stage.value = r.stage; } },
    h("option", { value: "" }, "模拟的驳回（默认原因）"),
    [["provider", "腾讯云初审"], ["bureau", "管局"]].map(([st, label]) => h("optgroup", { label },
      reasons.filter((r) => r.stage === st).map((r) => h("option", { value: r.code, "data-stage": r.stage }, `${r.key_name}：${r.error}（${r.code}）`)))));
  const faceReason = h("select", { "aria-label": "核验失败原因", "data-testid": "face-fail-reason" },
    (state.graph.face_fail_reasons || []).map((r) => h("option", { value: r.code }, `${r.zh}（${r.code}）`)));
  const delayStage = h("select", { "aria-label": "延迟阶段" }, ["provider", "handover", "sms", "bureau"].map((s) => h("option", { value: s }, s)));
  const delay = h("input", { value: "2d", class: "narrow", "aria-label": "延迟时长" });
  const targets = app ? teleportTargets(app.state) : [];
  const target = h("select", { "aria-label": "跳转目标" }, targets.map((t) => h("option", { value: t }, t)));
  return h("section", { class: "panel faults" },
    h("h3", {}, "故障注入与重置"),
    h("div", { class: "row" }, "驳回：", stage, reason, h("button", { type: "button", "data-testid": "fault-reject",
      onclick: () => act("注入驳回", () => api("POST", path, { effect: "reject", stage: stage.value, times: "once",
        ...(reason.value ? { codes: [reason.value] } : {}) })) }, "下一次审核驳回")),
    h("div", { class: "row" },
      h("button", { type: "button", onclick: () => act("短信超时", () => api("POST", path, { effect: "sms_timeout" })) }, "短信核验超时"),
      "延迟：", delayStage, delay, h("button", { type: "button",
        onclick: () => act("注入延迟", () => api("POST", path, { effect: "delay", stage: delayStage.value, delay: delay.value.trim() })) }, "延迟该阶段")),
    h("div", { class: "row" }, "真实性核验：", faceReason, h("button", { type: "button", "data-testid": "fault-face-fail",
      onclick: () => act("注入核验失败", () => api("POST", path, { effect: "face_fail", reason: faceReason.value })) }, "下一次人脸核验失败")),
    app ? h("div", { class: "row" }, `订单 ${app.id} 跳转到：`, target,
      h("button", { type: "button", disabled: !targets.length,
        onclick: () => act("跳转", () => api("POST", `${sb(sandbox.id)}/applications/${encodeURIComponent(app.id)}/teleport`, { to: target.value })) }, "跳转"),
      h("button", { type: "button", onclick: () => act("订单重置", () => api("POST", `${sb(sandbox.id)}/applications/${encodeURIComponent(app.id)}/reset`, {})) }, "订单重置为草稿")) : null,
    faults.length ? h("ul", { class: "rules" }, faults.map((f) => h("li", {},
      `${f.effect} · ${f.stage || ""}${f.reason ? ` · ${f.reason}` : ""} · 已用 ${f.used}${f.times ? `/${f.times}` : ""} `,
      h("button", { type: "button", class: "link", onclick: () => act("删除规则", () => api("DELETE", `${path}/${encodeURIComponent(f.id)}`)) }, "删除")))) : h("div", { class: "muted" }, "没有故障规则"),
    h("div", { class: "row" }, h("button", { type: "button", class: "danger",
      onclick: () => confirm(`把沙箱 ${sandbox.id} 重置为预设（令牌不变）？`) && act("沙箱重置", () => api("POST", `${sb(sandbox.id)}/reset`, {})) }, "重置沙箱")));
}

/** States the table reaches from `source` (the server checks the kind's own rows). */
function teleportTargets(source) {
  const seen = new Set([source]);
  const queue = [source];
  while (queue.length) {
    const here = queue.shift();
    for (const t of state.graph.transitions) {
      if (t.source === here && !seen.has(t.target)) { seen.add(t.target); queue.push(t.target); }
    }
  }
  seen.delete(source);
  return [...seen].sort();
}

function outboxPanel(outbox) {
  const recent = outbox.slice(-20).reverse();
  return h("section", { class: "panel outbox" },
    h("h3", {}, `发件箱（${outbox.length}）`),
    recent.length ? h("ul", { class: "messages", "data-testid": "outbox" }, recent.map((m) => h("li", {},
      h("div", { class: "muted" }, `${(m.at || "").replace("T", " ").slice(0, 16)} · ${m.channel} → ${m.to}${m.app_id ? ` · ${m.app_id}` : ""}`),
      h("div", {}, m.text || m.subject || "")))) : h("div", { class: "muted" }, "还没有消息"));
}

// ---- classes ----------------------------------------------------------------------------------

async function renderClass() {
  const classes = await api("GET", "/classes");
  keepingFocus($("#classes"), () => $("#classes").replaceChildren(...classes.slice().reverse().map((c) => h("li", pressable(
    () => { state.classId = c.id; renderClass(); },
    { class: c.id === state.classId ? "class_on" : "", "aria-current": c.id === state.classId ? "true" : null }),
  h("strong", {}, c.name), ` · ${c.sandboxes.length} 人 · `, h("code", {}, c.id)))));
  if (!state.classId && classes.length) state.classId = classes.at(-1).id;
  if (!state.classId) { $("#class-detail").replaceChildren(); return; }
  let klass;
  try {
    klass = await api("GET", `/classes/${encodeURIComponent(state.classId)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) { state.classId = null; $("#class-detail").replaceChildren(); return; }
    throw err;
  }
  const previous = $("#class-detail").dataset.classId === klass.id ? $("#class-detail") : null;
  const grid = h("div", { class: "trainees", "data-testid": "class-grid" }, klass.trainees.map((t) => traineeCard(klass, t, previous)));
  const detail = $("#class-detail");
  const draw = () => detail.replaceChildren(
    h("div", { class: "detail-head" }, h("h2", {}, klass.name), h("span", { class: "muted" },
      `预设 ${klass.preset} · 种子 ${klass.seed_base} 起 · ×${klass.scale} · ${klass.pacing === "demo" ? "演示节奏" : "固定倍率"}`),
    h("button", { type: "button", onclick: () => window.print() }, "打印二维码"),
    h("button", { type: "button", class: "danger", onclick: () => confirm(`删除培训班 ${klass.name} 及其全部学员沙箱？`)
      && act("删除培训班", async () => { await api("DELETE", `/classes/${encodeURIComponent(klass.id)}`); state.classId = null; }) }, "删除培训班")),
    grid);
  if (previous) keepingFocus(detail, draw); else draw();
  detail.dataset.classId = klass.id;
}

function traineeCard(klass, t, previous) {
  if (t.gone) return h("div", { class: "trainee trainee_gone" }, h("code", {}, t.sandbox_id), " 已删除");
  const app = t.application;
  const old = previous && previous.querySelector(`[data-trainee="${t.sandbox_id}"] img`);
  const img = old || h("img", { alt: `${t.name} 的二维码`, class: "qr" });
  if (!old) loadQr(img, klass.id, t.sandbox_id);
  return h("div", { class: "trainee", "data-trainee": t.sandbox_id },
    h("div", { class: "trainee-head" }, h("strong", {}, t.name), h("code", {}, t.sandbox_id)),
    img,
    h("a", { href: t.link, target: "_blank", rel: "noreferrer", class: "link trainee-link" }, "打开学员页面 ↗"),
    app ? h("div", { class: "trainee-app" }, `${app.id} ${app.kind_zh} `, stateBadge(app), progressBar(app.progress, TONES[app.state]))
      : h("div", { class: "muted", "data-state": "none" }, "尚未开始备案"),
    h("div", { class: "muted" }, t.clock.now.replace("T", " ").slice(0, 16)),
    h("button", { type: "button", class: "link", onclick: () => {
      showTab("sandboxes"); select(t.sandbox_id, app ? app.id : null);
      const item = $(`#sandbox-list li[data-sandbox="${CSS.escape(t.sandbox_id)}"]`);
      if (item) item.focus();
    } }, "在沙箱页查看"));
}

/** QR codes carry the trainee's token: fetched with the control token, shown from a blob. */
async function loadQr(img, cid, sid) {
  try {
    const resp = await api("GET", `/classes/${encodeURIComponent(cid)}/qr/${encodeURIComponent(sid)}`, null, { raw: true });
    const url = URL.createObjectURL(await resp.blob());
    state.qrUrls.push(url);
    img.src = url;
  } catch { img.alt = "二维码加载失败"; }
}

async function createClass(form) {
  const data = new FormData(form);
  const names = String(data.get("names") || "").split("\n").map((s) => s.trim()).filter(Boolean);
  const body = { size: Number(data.get("size")), preset: data.get("preset"), seed_base: Number(data.get("seed_base")),
    scale: Number(data.get("scale")), names, pre_submit_checks: data.get("pre_submit_checks") === "on" };
  if (String(data.get("name") || "").trim()) body.name = String(data.get("name")).trim();
  $("#class-error").textContent = "";
  try {
    const klass = await api("POST", "/classes", body);
    state.classId = klass.id;
    toast(`已创建培训班：${klass.trainees.length} 个学员沙箱`);
    await refresh(true);
  } catch (err) {
    $("#class-error").textContent = describe(err);
  }
}

// ---- tabs and start ------------------------------------------------------------------------------

function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll("[data-tab]")) b.classList.toggle("tab_on", b.dataset.tab === tab);
  $("#view-sandboxes").hidden = tab !== "sandboxes";
  $("#view-class").hidden = tab !== "class";
  if (state.token) refresh(true).catch(() => {});
}

function init() {
  $("#login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = $("#login-token").value.trim();
    $("#login-token").value = "";
    if (token) login(token);
  });
  $("#logout").addEventListener("click", () => logout());
  for (const b of document.querySelectorAll("[data-tab]")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("#class-form").addEventListener("submit", (ev) => { ev.preventDefault(); createClass(ev.target); });
  $("#reset-all").addEventListener("click", () => confirm("重置整个模拟器？全部沙箱与培训班将被删除，演示沙箱以原令牌重建。")
    && act("重置模拟器", () => api("POST", "/reset", {})));
  let saved = "";
  try { saved = sessionStorage.getItem(TOKEN_KEY) || ""; } catch { /* private mode */ }
  if (saved) login(saved);
  else logout();
}

init();
