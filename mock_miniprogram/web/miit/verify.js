// MIIT's SMS verification page, played for the simulated phone (issue #13). It only calls the
// sandbox API: the person's check (mobile + last six ID digits + code), MIIT's 重新获取, the
// order's verifications and the phone's SMS (the sandbox outbox). The token is typed in or
// taken from the mini-program page's storage (same origin) — never read from or put in the URL.
const $ = (sel) => document.querySelector(sel);
const MP = "icpsim.miniprogram.";  // the mini-program page's storage prefix
const MINE = "icpsim.miit.";

function stored(key) { try { return sessionStorage.getItem(MINE + key) || localStorage.getItem(MP + key); } catch { return null; } }
function keep(key, value) { try { sessionStorage.setItem(MINE + key, value); } catch { /* private mode */ } }

const params = new URLSearchParams(location.search);
$("#sid").value = params.get("sandbox") || stored("sandbox") || "";
$("#token").value = stored(`token.${$("#sid").value}`) || "";
$("#app").value = params.get("app") || stored("app") || "";
$("#mobile").value = stored("mobile") || "";

async function api(method, path, body) {
  const sid = $("#sid").value.trim();
  const resp = await fetch(`/api/v1/sandboxes/${encodeURIComponent(sid)}${path}`, {
    method, headers: { Authorization: `Bearer ${$("#token").value.trim()}`, Accept: "application/json",
      ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try { data = await resp.json(); } catch { /* empty */ }
  return { status: resp.status, data };
}

function show(ok, text) {
  const box = $("#result");
  box.hidden = false;
  box.className = `result ${ok ? "ok" : "bad"}`;
  box.textContent = text;
}

function appPath() { return `/applications/${encodeURIComponent($("#app").value.trim())}`; }

function remember() {
  const sid = $("#sid").value.trim();
  keep("sandbox", sid);
  keep(`token.${sid}`, $("#token").value.trim());
  keep("app", $("#app").value.trim());
  keep("mobile", $("#mobile").value.trim());
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (cls) td.className = cls;
  return td;
}

const STATE_ZH = { pending: "待核验", verified: "已核验", failed: "核验失败" };

async function refresh() {
  if (!$("#sid").value.trim() || !$("#token").value.trim() || !$("#app").value.trim()) return;
  const { status, data } = await api("GET", `${appPath()}/verifications`);
  const body = $("#people");
  body.replaceChildren();
  if (status === 200) {
    for (const v of data) {
      const tr = document.createElement("tr");
      tr.dataset.testid = `person-${v.person}`;
      tr.append(cell(`${v.name || v.person}（${(v.roles || []).map((r) => (r === "entity" ? "主体负责人" : "网站负责人")).join("、")}）`),
        cell(v.mobile_masked), cell(STATE_ZH[v.state] || v.state, `state-${v.state}`), cell(String(v.attempts_left)),
        cell((v.expires_at || "").replace("T", " ").slice(0, 16)));
      body.append(tr);
    }
  }
  await inbox();
}

async function inbox() {
  const mobile = $("#mobile").value.trim();
  const list = $("#inbox");
  list.replaceChildren();
  if (!/^1\d{10}$/.test(mobile)) return;
  const { status, data } = await api("GET", `/outbox?channel=sms&to=${encodeURIComponent(mobile)}`);
  if (status !== 200) return;
  for (const m of data.filter((x) => x.code === "MIIT_SMS_CODE").reverse().slice(0, 10)) {
    const li = document.createElement("li");
    const from = document.createElement("div");
    from.className = "from";
    from.textContent = `${m.sender} · ${(m.at || "").replace("T", " ").slice(0, 16)}`;
    li.append(from, document.createTextNode(m.text));
    list.append(li);
  }
}

$("#form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  remember();
  const body = { code: $("#code").value.trim(), mobile: $("#mobile").value.trim(), id_last6: $("#idlast6").value.trim() };
  const { status, data } = await api("POST", `${appPath()}/sms-verification`, body);
  if (status === 200) {  // MIIT's own words come with the answer
    const done = data.state !== "sms_verification";
    show(true, data.message || (done ? "您的短信核验已全部完成，该请求将提交管局审核" : "您的短信核验完成，请等待其他核验人进行短信核验"));
    $("#code").value = "";
  } else {
    const fields = Object.values((data && data.errors) || {}).flat().join("；");
    show(false, `${(data && data.message) || `核验失败（HTTP ${status}）`}${fields ? `：${fields}` : ""}`);
  }
  await refresh();
});

$("#resend").addEventListener("click", async () => {
  remember();
  const body = { mobile: $("#mobile").value.trim() };  // MIIT's 短信重发: phone + last six ID digits
  if ($("#idlast6").value.trim()) body.id_last6 = $("#idlast6").value.trim();
  const { status, data } = await api("POST", `${appPath()}/verifications/resend`, body);
  show(status === 200, status === 200 ? "核验码已重新发送，原核验码失效。" : (data && data.message) || `发送失败（HTTP ${status}）`);
  await refresh();
});

for (const id of ["#sid", "#token", "#app", "#mobile"]) $(id).addEventListener("change", () => { remember(); refresh(); });
refresh();
