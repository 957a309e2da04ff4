// Shared by prepare.html and face.html: the sandbox and token (URL, then the chat page's storage).
const STORE = "icpsim.miniprogram.";

export function params() {
  const q = new URLSearchParams(location.search);
  const frag = new URLSearchParams(location.hash.slice(1));
  const sid = q.get("sandbox") || frag.get("sandbox") || "";
  let token = frag.get("token") || "";
  try { token = token || localStorage.getItem(STORE + "token." + sid) || ""; } catch { /* private mode */ }
  return { sid, token, q };
}

export async function call(ctx, method, path, body, isForm) {
  const headers = { Authorization: `Bearer ${ctx.token}`, Accept: "application/json" };
  if (body && !isForm) headers["Content-Type"] = "application/json";
  const resp = await fetch(`/api/v1/sandboxes/${encodeURIComponent(ctx.sid)}${path}`,
    { method, headers, body: isForm ? body : body ? JSON.stringify(body) : undefined });
  let data = null;
  try { data = await resp.json(); } catch { data = { message: `HTTP ${resp.status}` }; }
  return { ok: resp.ok, status: resp.status, data };
}

export function show(el, ok, text) {
  el.hidden = false;
  el.className = "result " + (ok ? "ok" : "err");
  el.textContent = text;
}

export function problem(data) {
  const lines = [data.message || "出错了"];
  if (data.suggest) lines.push("建议：" + data.suggest);
  for (const [field, msgs] of Object.entries(data.errors || {})) {
    const text = msgs.join("；");
    if (text !== data.message) lines.push(`${field}：${text}`);
  }
  return lines.join("\n");
}
