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

$("load-slots").addEventListener("click", loadSlots);
if (ctx.q.get("app")) { $("app-id").value = ctx.q.get("app"); loadSlots(); }
