import { api, setToken, deviceLabel, ApiError } from "./api.js";

const params = new URLSearchParams(location.search);
const next = params.get("next") && params.get("next").startsWith("/") && !params.get("next").startsWith("//") ? params.get("next") : "/";

function done(token) {
  setToken(token);
  location.replace(next);
}

// ---- password -------------------------------------------------------------------------------
document.getElementById("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("password-error");
  const button = document.getElementById("password-submit");
  error.textContent = "";
  button.disabled = true;
  try {
    const body = await api("POST", "/api/v1/sessions", {
      login: document.getElementById("login").value,
      password: document.getElementById("password").value,
      device: deviceLabel(),
    });
    done(body.token);
  } catch (e) {
    error.textContent = e instanceof ApiError ? e.message : "Kinhub cannot be reached; try again.";
  } finally {
    button.disabled = false;
  }
});

// ---- QR code ---------------------------------------------------------------------------------
const image = document.getElementById("qr-image");
const status = document.getElementById("qr-status");
const transport = document.getElementById("qr-transport");
let ticket = null;

function show(view) {
  switch (view.state) {
    case "pending":
      status.textContent = "Scan with the Kinhub app";
      break;
    case "scanned":
      status.textContent = `Scanned by ${view.scannedBy?.displayName ?? "someone"}, confirm on your phone`;
      break;
    case "confirmed":
      status.textContent = "Confirmed, logging in…";
      break;
    case "completed":
      if (view.token) {
        status.textContent = "Logged in";
        done(view.token);
      }
      break;
    case "cancelled":
    case "expired":
      status.textContent = view.state === "expired" ? "The code expired; here is a new one" : "Cancelled; here is a new code";
      setTimeout(start, 600); // a new code only when this one can no longer be used
      break;
  }
}

async function start() {
  status.textContent = "Preparing a code…";
  try {
    ticket = await api("POST", "/api/v1/qr-logins", { device: deviceLabel() });
  } catch (e) {
    status.textContent = "No QR code right now; retrying…";
    setTimeout(start, 5000);
    return;
  }
  image.src = ticket.imageUrl;
  image.dataset.ticket = ticket.id;
  listen(ticket);
}

function terminal(state) {
  return state === "completed" || state === "cancelled" || state === "expired";
}

// WebSocket first; if it fails (blocked by a proxy, say), long polling takes over by itself.
function listen(current) {
  let last = "pending";
  let finished = false;
  let socket;
  try {
    socket = new WebSocket(current.wsUrl);
  } catch {
    poll(current, last);
    return;
  }
  transport.textContent = "live connection";
  socket.onmessage = (message) => {
    const view = JSON.parse(message.data);
    last = view.state;
    if (terminal(view.state)) finished = true;
    show(view);
  };
  socket.onclose = () => {
    if (!finished && ticket === current) {
      transport.textContent = "long polling";
      poll(current, last);
    }
  };
}

async function poll(current, known) {
  while (ticket === current) {
    try {
      const response = await fetch(`${current.pollUrl}?waitSeconds=25&known=${encodeURIComponent(known)}`, {
        headers: { "X-QR-Secret": current.secret },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const view = await response.json();
      known = view.state;
      show(view);
      if (terminal(view.state)) return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

start();
