// /qr/{id}: the phone's page for a QR login: shows what the other browser said about itself, then Confirm / Cancel.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { startPage, showError } from "./page.js";

const id = decodeURIComponent(location.pathname.split("/").pop());
const confirmButton = document.getElementById("confirm");
const cancelButton = document.getElementById("cancel");
const result = document.getElementById("result");
const error = document.getElementById("error");

async function act(action) {
  confirmButton.disabled = cancelButton.disabled = true;
  error.textContent = "";
  try {
    const body = await api("POST", `/api/v1/qr-logins/${encodeURIComponent(id)}/${action}`, {});
    result.textContent = t(body.state === "confirmed" ? "qr.confirmed" : "qr.cancelled");
  } catch (e) {
    showError(error, e);
  }
}

async function scan() {
  try {
    const body = await api("POST", `/api/v1/qr-logins/${encodeURIComponent(id)}/scan`, {});
    // the device label is whatever the browser said about itself: show it as its claim, next to what the server saw
    document.getElementById("device").textContent = body.device ? t("qr.device", { device: body.device }) : t("qr.noDevice");
    const when = new Date(body.createdAt).toLocaleString();
    document.getElementById("when").textContent = body.requestedFrom
      ? t("qr.shownAtFrom", { when, ip: body.requestedFrom.ip, network: body.requestedFrom.network })
      : t("qr.shownAt", { when });
    document.getElementById("warning").textContent = t("qr.warning");
    confirmButton.disabled = cancelButton.disabled = false;
  } catch (e) {
    document.getElementById("device").textContent = "";
    showError(error, e);
  }
}

confirmButton.addEventListener("click", () => act("confirm"));
cancelButton.addEventListener("click", () => act("cancel"));
if (await startPage({ namespaces: ["qr"] })) scan();
