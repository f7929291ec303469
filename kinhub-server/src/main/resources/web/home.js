// "/": my families with member counts, creating a family, importing a GEDCOM file (with upload progress), my feed.
import { api, ApiError, token } from "./api.js";
import { t } from "./i18n.js";
import { startPage, showError, el, mountOptional } from "./page.js";

const list = document.getElementById("families");
const empty = document.getElementById("families-empty");
const loading = document.getElementById("families-loading");
const listError = document.getElementById("families-error");

/** Uploads a GEDCOM file with XMLHttpRequest, whose upload events give progress (fetch has none). */
function uploadGedcom(familyId, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/families/${encodeURIComponent(familyId)}/gedcom`);
    xhr.setRequestHeader("Authorization", `Bearer ${token()}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 200) resolve(body);
      else reject(new ApiError(xhr.status, body, xhr.getResponseHeader("Retry-After")));
    };
    xhr.onerror = () => reject(new Error("network"));
    xhr.send(file);
  });
}

function familyItem(f) {
  const li = el("li", "family");
  li.dataset.id = f.id;
  const name = el("a", "family-link", f.name);
  name.href = `/families/${encodeURIComponent(f.id)}`;
  const tree = el("a", "tree-link", t("home.family.tree"));
  tree.href = `/families/${encodeURIComponent(f.id)}/tree`;
  tree.setAttribute("aria-label", t("home.family.treeOf", { name: f.name }));
  const meta = el("span", "muted", ` · ${t("home.family.members", { count: f.memberCount })} · ${t(`roles.${f.myRole}`)}`
    + (f.public ? ` · ${t("home.family.public")}` : ""));
  li.append(name, meta, document.createTextNode(" · "), tree);
  if (f.myRole === "originator" || f.myRole === "admin") li.append(importForm(f));
  return li;
}

function importForm(f) {
  const form = el("form", "import");
  const file = el("input", "gedcom-file");
  file.type = "file";
  file.accept = ".ged,.gedcom,text/plain,application/octet-stream";
  file.setAttribute("aria-label", t("home.import.fileFor", { name: f.name }));
  const button = el("button", "secondary import-button", t("home.import.submit"));
  button.type = "submit";
  const bar = el("progress");
  bar.max = 1;
  bar.value = 0;
  bar.hidden = true;
  bar.setAttribute("aria-label", t("home.import.progress"));
  const result = el("span", "import-result");
  result.setAttribute("role", "status");
  form.append(file, button, bar, result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file.files.length) {
      result.textContent = t("home.import.chooseFile");
      return;
    }
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    result.classList.remove("done");
    result.textContent = t("home.import.uploading");
    try {
      const body = await uploadGedcom(f.id, file.files[0], (share) => {
        bar.value = share;
        if (share >= 1) result.textContent = t("home.import.importing");
      });
      result.textContent = t(body.warningCount ? "home.import.doneWithWarnings" : "home.import.done",
        { persons: body.imported.persons, families: body.imported.families, warnings: body.warningCount });
      result.classList.add("done");
    } catch (err) {
      showError(result, err);
    } finally {
      button.disabled = false;
      bar.hidden = true;
    }
  });
  return form;
}

async function refresh() {
  try {
    const { families } = await api("GET", "/api/v1/families");
    list.replaceChildren(...families.map(familyItem));
    empty.hidden = families.length > 0;
    listError.textContent = "";
  } catch (e) {
    showError(listError, e);
  } finally {
    loading.hidden = true;
  }
}

if (await startPage({ namespaces: ["home"] })) {
  api("GET", "/api/v1/me").then((me) => {
    document.getElementById("greeting").textContent = t("home.welcomeName", { name: me.displayName });
  }).catch(() => {});
  refresh();
  mountOptional(document.getElementById("home-feed"), "feed.js", "mountFeed", {});
}

document.getElementById("create-family").addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = document.getElementById("create-error");
  const body = { name: document.getElementById("family-name").value.trim(), public: document.getElementById("family-public").checked };
  const surname = document.getElementById("family-surname").value.trim();
  if (surname) body.surname = surname;
  const submit = e.target.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    await api("POST", "/api/v1/families", body);
    e.target.reset();
    error.textContent = "";
    await refresh();
  } catch (err) {
    showError(error, err);
  } finally {
    submit.disabled = false;
  }
});
