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
    document.getElementById("device").textContent = body.device ? `Device: ${body.device}` : "Device: unknown";
    document.getElementById("when").textContent = `Code shown at ${new Date(body.createdAt).toLocaleString()}`;
    confirmButton.disabled = cancelButton.disabled = false;
  } catch (e) {
    document.getElementById("device").textContent = "";
    fail(e);
  }
}

confirmButton.addEventListener("click", () => act("confirm"));
cancelButton.addEventListener("click", () => act("cancel"));
if (requireLogin()) scan();
