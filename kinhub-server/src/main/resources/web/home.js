// "/": my families with member counts, creating a family, importing a GEDCOM file (with upload progress).
import { api, ApiError, requireLogin, token, TOKEN_KEY } from "./api.js";

const list = document.getElementById("families");
const empty = document.getElementById("families-empty");
const listError = document.getElementById("families-error");

function loggedOut(e) {
  if (e instanceof ApiError && e.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    requireLogin();
    return true;
  }
  return false;
}

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
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new Error("The upload failed: the server could not be reached."));
    xhr.send(file);
  });
}

function familyItem(f) {
  const li = document.createElement("li");
  li.className = "family";
  li.dataset.id = f.id;
  const link = document.createElement("a");
  link.href = `/families/${encodeURIComponent(f.id)}/tree`;
  link.className = "tree-link";
  link.textContent = f.name;
  const meta = document.createElement("span");
  meta.className = "muted";
  meta.textContent = ` · ${f.memberCount} member${f.memberCount === 1 ? "" : "s"} · ${f.myRole}${f.public ? " · public" : ""}`;
  li.append(link, meta);
  if (f.myRole === "originator" || f.myRole === "admin") {
    const form = document.createElement("form");
    form.className = "import";
    const file = document.createElement("input");
    file.type = "file";
    file.accept = ".ged,.gedcom,text/plain,application/octet-stream";
    file.className = "gedcom-file";
    file.setAttribute("aria-label", `GEDCOM file for ${f.name}`);
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "secondary import-button";
    button.textContent = "Import GEDCOM";
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.hidden = true;
    const result = document.createElement("span");
    result.className = "import-result";
    result.setAttribute("role", "status");
    form.append(file, button, bar, result);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!file.files.length) {
        result.textContent = "Choose a GEDCOM file first.";
        return;
      }
      button.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      result.textContent = "Uploading…";
      try {
        const body = await uploadGedcom(f.id, file.files[0], (share) => {
          bar.value = share;
          if (share >= 1) result.textContent = "Importing…";
        });
        result.textContent = `Imported ${body.imported.persons} persons and ${body.imported.families} families`
          + (body.warningCount ? ` (${body.warningCount} warnings)` : "") + ".";
        result.classList.add("done");
      } catch (err) {
        if (!loggedOut(err)) result.textContent = err.message;
      } finally {
        button.disabled = false;
        bar.hidden = true;
      }
    });
    li.append(form);
  }
  return li;
}

async function refresh() {
  try {
    const { families } = await api("GET", "/api/v1/families");
    list.replaceChildren(...families.map(familyItem));
    empty.hidden = families.length > 0;
    listError.textContent = "";
  } catch (e) {
    if (!loggedOut(e)) listError.textContent = e.message;
  }
}

if (requireLogin()) {
  api("GET", "/api/v1/me").then((me) => {
    document.getElementById("greeting").textContent = `Welcome, ${me.displayName}`;
  }).catch(loggedOut);
  refresh();
}

document.getElementById("create-family").addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = document.getElementById("create-error");
  const body = { name: document.getElementById("family-name").value, public: document.getElementById("family-public").checked };
  const surname = document.getElementById("family-surname").value.trim();
  if (surname) body.surname = surname;
  try {
    await api("POST", "/api/v1/families", body);
    e.target.reset();
    error.textContent = "";
    await refresh();
  } catch (err) {
    if (!loggedOut(err)) error.textContent = err.message;
  }
});

document.getElementById("logout").addEventListener("click", async () => {
  try {
    await api("DELETE", "/api/v1/me/sessions/current");
  } finally {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace("/login");
  }
});

// the feed module (web/feed.js) mounts my feed and notifications; the page works without it
const homeFeed = document.getElementById("home-feed");
if (homeFeed && token()) {
  import("/assets/feed.js").then((m) => m.mountFeed(homeFeed, {})).catch(() => { homeFeed.hidden = true; });
}
