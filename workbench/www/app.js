// app.js -- the workbench's start: the language, the token when the service asks for one,
// the tabs; then the pages (edit.js, explain.js, impact.js).
import * as api from "./api.js";
import { t, lang, setLang, translatePage } from "./i18n.js";
import { initEdit, showPage } from "./edit.js";
import { initExplain, initPicker } from "./explain.js";
import { initImpact } from "./impact.js";

const $ = (id) => document.getElementById(id);

function askForToken() {
  $("login").hidden = false;
  document.querySelector("main").hidden = true;
  $("token").focus();
}

async function start() {
  let session;
  try {
    session = await api.session();
  } catch (e) {
    if (e.status === 401) return askForToken();
    document.querySelector("main").replaceChildren(Object.assign(document.createElement("p"),
      { className: "status bad", textContent: e.message }));
    return;
  }
  $("login").hidden = true;
  document.querySelector("main").hidden = false;
  if (!session.may.edit) $("who").textContent = t("no_edit");
  if (!session.may.explain) $("tab-explain").hidden = true;
  if (!session.may.impact) $("tab-impact").hidden = true;
  await initEdit(session);
  const rules = session.may.explain || session.may.impact ? await api.rules() : null;
  if (session.may.explain) await initExplain(rules);
  if (session.may.impact) await initImpact(session, rules);
  if (session.may.explain && session.may.impact) initPicker();
  document.body.dataset.ready = "true"; // for the browser tests
}

translatePage();
$("lang").addEventListener("click", () => {
  setLang(lang() === "en" ? "zh_CN" : "en");
  location.reload(); // the service's messages, too, come in the new language
});
for (const b of document.querySelectorAll("[role=tab]"))
  b.addEventListener("click", () => showPage(b.dataset.tab));
$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  api.setToken($("token").value.trim());
  start();
});
api.whenUnauthorized(() => { api.setToken(""); askForToken(); });
start();
