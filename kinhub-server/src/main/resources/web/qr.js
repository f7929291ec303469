import { api, requireLogin, ApiError } from "./api.js";

const id = decodeURIComponent(location.pathname.split("/").pop());
const confirmButton = document.getElementById("confirm");
const cancelButton = document.getElementById("cancel");
const result = document.getElementById("result");
const error = document.getElementById("error");

function fail(e) {
  error.textContent = e instanceof ApiError ? e.message : "Kinhub cannot be reached; try again.";
  if (e instanceof ApiError && e.status === 401) requireLogin();
}

async function act(action) {
  confirmButton.disabled = cancelButton.disabled = true;
  error.textContent = "";
  try {
    const body = await api("POST", `/api/v1/qr-logins/${encodeURIComponent(id)}/${action}`, {});
    result.textContent = body.state === "confirmed" ? "Confirmed. The other device is now logged in." : "Cancelled. Nobody was logged in.";
  } catch (e) {
    fail(e);
  }
}

async function scan() {
  try {
    const body = await api("POST", `/api/v1/qr-logins/${encodeURIComponent(id)}/scan`, {});
    // the device label is whatever the browser said about itself: show it as its claim, next to what the server saw
    document.getElementById("device").textContent = body.device ? `The browser says it is: "${body.device}"` : "The browser did not say what it is";
    const from = body.requestedFrom ? ` from ${body.requestedFrom.ip} (network ${body.requestedFrom.network})` : "";
    document.getElementById("when").textContent = `Code shown at ${new Date(body.createdAt).toLocaleString()}${from}`;
    document.getElementById("warning").textContent =
      "Confirm only if you are in front of that screen yourself. Never confirm a code someone sent you.";
    confirmButton.disabled = cancelButton.disabled = false;
  } catch (e) {
    document.getElementById("device").textContent = "";
    fail(e);
  }
}

confirmButton.addEventListener("click", () => act("confirm"));
cancelButton.addEventListener("click", () => act("cancel"));
if (requireLogin()) scan();
