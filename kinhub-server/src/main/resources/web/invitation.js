// /invitations/{code}: accept an invitation; without a login, log in or sign up first and come back here.
import { api, token, ApiError } from "./api.js";
import { t, has } from "./i18n.js";
import { startPage, showError } from "./page.js";

const code = decodeURIComponent(location.pathname.split("/")[2] || "");
const here = location.pathname;

await startPage({ namespaces: ["invitation"], needsLogin: false });
const status = document.getElementById("invitation-status");
const error = document.getElementById("invitation-error");

if (!token()) {
  document.getElementById("invitation-signup").href = `/signup?next=${encodeURIComponent(here)}`;
  document.getElementById("invitation-login").href = `/login?next=${encodeURIComponent(here)}`;
  document.getElementById("invitation-anonymous").hidden = false;
} else {
  document.getElementById("invitation-ready").hidden = false;
  const accept = document.getElementById("invitation-accept");
  accept.addEventListener("click", async () => {
    accept.disabled = true;
    error.textContent = "";
    status.textContent = t("invitation.accepting");
    try {
      const joined = await api("POST", `/api/v1/invitations/${encodeURIComponent(code)}/accept`, {});
      status.textContent = t("invitation.joined");
      location.replace(`/families/${encodeURIComponent(joined.familyId)}`);
    } catch (e) {
      status.textContent = "";
      if (e.redirecting) return;
      // expired, used, revoked, unknown or already a member: this link cannot be used again; say why
      const key = `errors.invitation.${e.code}`;
      if (e instanceof ApiError && has(key)) {
        error.textContent = t(key);
        document.getElementById("invitation-ready").hidden = true;
      } else {
        showError(error, e);
      }
      accept.disabled = false;
      document.getElementById("invitation-home").hidden = false;
    }
  });
}
