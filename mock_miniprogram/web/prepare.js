// 验证备案类型 and 上传资料: the steps before the forms and before submission (issue #12).
import { call, params, problem, show } from "./prepare_kit.js";

const ctx = params();
const $ = (id) => document.getElementById(id);

$("verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = { province: f.get("province"), entity_type: f.get("entity_type"),
                 certificate_type: f.get("certificate_type"), certificate_number: f.get("certificate_number"),
                 domains: [f.get("domain")] };
  const r = await call(ctx, "POST", "/filing-type/verify", body);
  if (r.ok) show($("verify-result"), true, `备案类型：${r.data.scenario_zh}\n${r.data.next_step}\n备案 IP：${r.data.nat_ip}`);
  else show($("verify-result"), false, `${r.data.code}\n${problem(r.data)}`);
});

function slotRow(app, row) {
  const div = document.createElement("div");
  div.className = "slot";
  div.dataset.slot = row.slot;
  const state = row.upload ? (row.upload.status === "rejected" ? ["bad", "已驳回"] : ["done", "已上传"]) : ["", "未上传"];
  div.innerHTML = `<span>${row.zh}</span><span class="state ${state[0]}">${state[1]}</span>`;
  const input = document.createElement("input");
  input.type = "file";
  input.accept = "image/jpeg,image/png";
  input.dataset.testid = `file-${row.slot}`;
  input.addEventListener("change", async () => {
    const form = new FormData();
    form.append("file", input.files[0]);
    const r = await call(ctx, "POST", `/applications/${encodeURIComponent(app)}/materials/${encodeURIComponent(row.slot)}`, form, true);
    if (r.ok) show($("upload-result"), true, `已上传 ${row.zh}：${r.data.width}×${r.data.height} ${r.data.format}${r.data.sharpness == null ? "" : ` · 清晰度 ${r.data.sharpness}/255`}\nSHA-256 ${r.data.sha256.slice(0, 16)}…`);
    else show($("upload-result"), false, problem(r.data));
    loadSlots();
  });
  div.appendChild(input);
  return div;
}

async function loadSlots() {
  const app = $("app-id").value.trim();
  if (!app) return;
  const r = await call(ctx, "GET", `/applications/${encodeURIComponent(app)}/materials`);
  if (!r.ok) return show($("upload-result"), false, problem(r.data));
  $("slots").replaceChildren(...r.data.slots.map((row) => slotRow(app, row)));
}

// 协议 and the responsible people's mobiles (process.md §1.1, §2.1): get a code, read it on the
// simulated phone (the sandbox's outbox), type it back.
const appPath = (app) => `/applications/${encodeURIComponent(app)}`;

async function inbox(mobile) {
  const r = await call(ctx, "GET", `/outbox?channel=sms`);
  const mine = (r.ok ? r.data : []).filter((m) => m.code === "PHONE_OTP_CODE" && m.to === mobile);
  if (mine.length) show($("phone-inbox"), true, `模拟手机 ${mobile} 收到短信（${mine.at(-1).sender}）：\n${mine.at(-1).text}`);
}

function phoneRow(app, row) {
  const div = document.createElement("div");
  div.className = "slot";
  div.dataset.mobile = row.mobile;
  const state = row.verified ? ["done", "已验证"] : ["", row.state_zh];
  div.innerHTML = `<span>${row.name} ${row.mobile_masked}</span><span class="state ${state[0]}">${state[1]}</span>`;
  if (row.verified) return div;
  const send = document.createElement("button");
  send.type = "button";
  send.textContent = "获取验证码";
  send.dataset.testid = `otp-send-${row.mobile}`;
  const code = document.createElement("input");
  code.placeholder = "6 位验证码";
  code.inputMode = "numeric";
  code.dataset.testid = `otp-code-${row.mobile}`;
  const check = document.createElement("button");
  check.type = "button";
  check.textContent = "验证";
  check.dataset.testid = `otp-check-${row.mobile}`;
  send.addEventListener("click", async () => {
    const r = await call(ctx, "POST", `${appPath(app)}/phone-checks/${row.mobile}/send`);
    if (r.ok) { show($("phone-result"), true, `验证码已发送至 ${r.data.mobile_masked}，5 分钟内有效`); inbox(row.mobile); }
    else show($("phone-result"), false, problem(r.data));
  });
  check.addEventListener("click", async () => {
    const r = await call(ctx, "POST", `${appPath(app)}/phone-checks/${row.mobile}/verify`, { code: code.value.trim() });
    show($("phone-result"), r.ok, r.ok ? `手机号码 ${r.data.mobile_masked} 已验证` : problem(r.data));
    loadPhones();
  });
  div.append(send, code, check);
  return div;
}

async function loadPhones() {
  const app = $("app-id").value.trim();
  if (!app) return;
  const [phones, agreement] = await Promise.all([
    call(ctx, "GET", `${appPath(app)}/phone-checks`), call(ctx, "GET", `${appPath(app)}/agreement`)]);
  if (!phones.ok) return show($("phone-result"), false, problem(phones.data));
  $("phones").replaceChildren(...phones.data.map((row) => phoneRow(app, row)));
  $("agree").checked = agreement.ok && agreement.data.accepted;
  $("agree").disabled = $("agree").checked;
}

$("agree").addEventListener("change", async () => {
  const app = $("app-id").value.trim();
  if (!app || !$("agree").checked) return;
  const r = await call(ctx, "POST", `${appPath(app)}/agreement`);
  show($("phone-result"), r.ok, r.ok ? `已同意《${r.data.title}》` : problem(r.data));
  loadPhones();
});

$("load-slots").addEventListener("click", () => { loadPhones(); loadSlots(); });
if (ctx.q.get("app")) { $("app-id").value = ctx.q.get("app"); loadPhones(); loadSlots(); }
