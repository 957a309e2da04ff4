// The website owner's phone: completes a 真实性核验 task (?sandbox=…&task=…, token in #token= or storage).
import { call, params, problem, show } from "./prepare_kit.js";

const ctx = params();
const task = ctx.q.get("task") || "";
const $ = (id) => document.getElementById(id);
const STATUS = { 0: "未开始", 1: "等待核验结果", 2: "核验失败", 3: "核验成功" };

function render(t) {
  $("status").textContent = `${STATUS[t.status]}${t.is_finish ? "（已结束）" : ""}`;
  $("status").dataset.status = String(t.status);
  $("who").textContent = `网站负责人：${t.person?.name || ""} · 第 ${t.attempts} 次核验`;
  $("expiry").textContent = `通知有效至 ${t.notice_expires_at}${t.notice_valid || t.is_finish ? "" : "（已过期）"} · 任务有效至 ${t.expires_at}`;
  const open = !t.is_finish;
  $("pass").disabled = $("fail").disabled = !open || !t.notice_valid;
  $("resend").hidden = !open || t.notice_valid;
}

async function load() {
  const r = await call(ctx, "GET", `/face-checks/${encodeURIComponent(task)}`);
  if (r.ok) render(r.data); else show($("result"), false, problem(r.data));
}

async function report(passed) {
  const body = passed ? { passed: true } : { passed: false, reason: $("reason").value };
  // 开始验证: face_status 1 (等待中) while the recording is judged, then the result
  const began = await call(ctx, "POST", `/face-checks/${encodeURIComponent(task)}/begin`);
  if (!began.ok) return show($("result"), false, problem(began.data));
  const r = await call(ctx, "POST", `/face-checks/${encodeURIComponent(task)}/result`, body);
  if (!r.ok) return show($("result"), false, problem(r.data));
  render(r.data);
  show($("result"), r.data.status === 3, r.data.status === 3 ? "真实性核验已通过，结果已通知备案订单"
    : `核验未通过：${r.data.reason_zh}\n可在通知有效期内重新核验`);
}

$("pass").addEventListener("click", () => report(true));
$("fail").addEventListener("click", () => report(false));
$("resend").addEventListener("click", async () => {
  const r = await call(ctx, "POST", `/face-checks/${encodeURIComponent(task)}/resend`);
  if (!r.ok) return show($("result"), false, problem(r.data));
  if (r.data.id !== task) {  // the notice had expired: a new task, on its own page (W5)
    location.replace(`${r.data.link}${location.hash}`);
    return;
  }
  render(r.data);
  show($("result"), true, "核验通知已重新发送（24 小时内有效）");
});
load();
