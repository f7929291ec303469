// /account: profile, password change, my sessions (this device marked; log one out; log out everywhere).
import { api, setToken, ApiError, TOKEN_KEY } from "./api.js";
import { t } from "./i18n.js";
import { startPage, showError, el, button, formatTime, logOut } from "./page.js";

const sessionsList = document.getElementById("sessions");
const sessionsError = document.getElementById("sessions-error");
const sessionsStatus = document.getElementById("sessions-status");

async function loadProfile() {
  try {
    const me = await api("GET", "/api/v1/me");
    document.getElementById("profile-name").textContent = me.displayName;
    document.getElementById("profile-login").textContent = me.login;
    document.querySelector("#password-change-form input[name=username]").value = me.login;
  } catch (e) {
    showError(document.getElementById("profile-error"), e);
  }
}

function sessionRow(s) {
  const li = el("li", "row session");
  li.dataset.id = s.id;
  const text = el("div", "row-text");
  const device = el("strong", "device", s.device || t("account.sessions.unknownDevice"));
  text.append(device);
  if (s.current) {
    li.classList.add("current");
    text.append(" ", el("span", "badge this-device", t("account.sessions.thisDevice")));
  }
  text.append(el("div", "muted", t("account.sessions.times", { lastSeen: formatTime(s.lastSeenAt), created: formatTime(s.createdAt) })));
  const out = button(t("account.sessions.logout"), "secondary session-logout", async () => {
    if (s.current) {
      logOut();
      return;
    }
    out.disabled = true;
    sessionsError.textContent = "";
    try {
      await api("DELETE", `/api/v1/me/sessions/${encodeURIComponent(s.id)}`);
      sessionsStatus.textContent = t("account.sessions.loggedOut", { device: s.device || t("account.sessions.unknownDevice") });
      await loadSessions();
    } catch (e) {
      out.disabled = false;
      showError(sessionsError, e);
    }
  });
  out.setAttribute("aria-label", t("account.sessions.logoutOf", { device: s.device || t("account.sessions.unknownDevice") }));
  li.append(text, out);
  return li;
}

async function loadSessions() {
  try {
    const { sessions } = await api("GET", "/api/v1/me/sessions");
    sessions.sort((a, b) => (b.current - a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
    sessionsList.replaceChildren(...sessions.map(sessionRow));
  } catch (e) {
    showError(sessionsError, e);
  } finally {
    document.getElementById("sessions-loading").hidden = true;
  }
}

document.getElementById("password-change-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("password-change-error");
  const status = document.getElementById("password-change-status");
  const submit = document.getElementById("password-change-submit");
  error.textContent = status.textContent = "";
  const currentPassword = document.getElementById("currentPassword").value;
  const newPassword = document.getElementById("newPassword").value;
  if ([...newPassword].length < 8) {
    error.textContent = t("errors.invalid_request.newPassword");
    return;
  }
  submit.disabled = true;
  try {
    // every session ends, this one too; the answer is this device's new session
    const login = await api("PUT", "/api/v1/me/password", { currentPassword, newPassword });
    setToken(login.token);
    event.target.reset();
    status.textContent = t("account.password.changed");
    await loadSessions();
  } catch (e) {
    if (e instanceof ApiError && e.code === "invalid_credentials") error.textContent = t("account.password.wrongCurrent");
    else showError(error, e);
  } finally {
    submit.disabled = false;
  }
});

document.getElementById("logout-everywhere").addEventListener("click", async () => {
  if (!confirm(t("account.sessions.everywhereConfirm"))) return;
  try {
    await api("DELETE", "/api/v1/me/sessions");
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) {
      showError(sessionsError, e);
      return;
    }
  }
  sessionStorage.removeItem(TOKEN_KEY);
  location.replace("/login");
});

if (await startPage({ namespaces: ["account"] })) {
  loadProfile();
  loadSessions();
}
