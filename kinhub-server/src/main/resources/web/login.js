// /login: password, SMS code and QR code. After a login the page goes to ?next= (a page of this origin) or "/".
import { api, setToken, deviceLabel, ApiError } from "./api.js";
import { t, problemMessage } from "./i18n.js";
import { startPage, showError, safeNext } from "./page.js";

const params = new URLSearchParams(location.search);
const next = safeNext(params.get("next"));

function done(token) {
  setToken(token);
  location.replace(next);
}

await startPage({ namespaces: ["login"], needsLogin: false });
document.getElementById("qr-image").alt = t("login.qr.alt");
if (params.get("next")) {
  document.getElementById("signup-link").href = `/signup?next=${encodeURIComponent(params.get("next"))}`;
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
    showError(error, e);
  } finally {
    button.disabled = false;
  }
});

// ---- SMS code ---------------------------------------------------------------------------------
// Send a code, count down to when another may be sent (the server's resendAfter, or Retry-After on 429), log in with it.
const smsSend = document.getElementById("sms-send");
const smsStatus = document.getElementById("sms-status");
const smsError = document.getElementById("sms-error");
let countdown = null;

function waitBeforeResend(seconds) {
  clearInterval(countdown);
  let left = Math.max(0, Math.min(3600, Math.ceil(seconds)));
  const tick = () => {
    if (left <= 0) {
      clearInterval(countdown);
      smsSend.disabled = false;
      smsSend.textContent = t("login.sms.resend");
      return;
    }
    smsSend.disabled = true;
    smsSend.textContent = t("login.sms.resendIn", { seconds: left });
    left--;
  };
  tick();
  countdown = setInterval(tick, 1000);
}

document.getElementById("sms-send-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  smsError.textContent = "";
  smsSend.disabled = true;
  try {
    const body = await api("POST", "/api/v1/sms-codes", { phone: document.getElementById("phone").value.trim(), purpose: "login" });
    smsStatus.textContent = t("login.sms.sent");
    waitBeforeResend((Date.parse(body.resendAfter) - Date.now()) / 1000);
    document.getElementById("code").focus();
  } catch (e) {
    showError(smsError, e);
    if (e instanceof ApiError && e.status === 429 && e.problem.retryAfter) waitBeforeResend(Number(e.problem.retryAfter));
    else smsSend.disabled = false;
  }
});

document.getElementById("sms-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  smsError.textContent = "";
  const button = document.getElementById("sms-submit");
  button.disabled = true;
  try {
    const body = await api("POST", "/api/v1/sessions/sms", {
      phone: document.getElementById("phone").value.trim(),
      code: document.getElementById("code").value.trim(),
      device: deviceLabel(),
    });
    done(body.token);
  } catch (e) {
    showError(smsError, e);
  } finally {
    button.disabled = false;
  }
});

// ---- QR code ---------------------------------------------------------------------------------
// The socket (or the poll) only says which state the ticket is in; told "confirmed", the page redeems its session with
// a POST. A dropped socket is reopened with backoff, and after repeated failures long polling takes over; every
// reconnect is told the current state at once, so no notification lost with a connection can lose the login.
const image = document.getElementById("qr-image");
const status = document.getElementById("qr-status");
const transport = document.getElementById("qr-transport");
let ticket = null;

const terminal = (state) => state === "completed" || state === "cancelled" || state === "expired";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function setTransport(mode) {
  transport.dataset.mode = mode;
  transport.textContent = t(`login.qr.transport.${mode}`);
}

function show(view) {
  switch (view.state) {
    case "pending":
      status.textContent = t("login.qr.pending");
      break;
    case "scanned":
      status.textContent = t("login.qr.scanned", { name: view.scannedBy?.displayName ?? t("login.qr.someone") });
      break;
    case "confirmed":
      status.textContent = t("login.qr.confirmed");
      break;
    case "completed":
      status.textContent = t("login.qr.completed");
      break;
    case "cancelled":
      status.textContent = t("login.qr.cancelled");
      break;
    case "expired":
      status.textContent = t("login.qr.expired");
      break;
  }
}

async function start() {
  status.textContent = t("login.qr.preparing");
  let created;
  try {
    created = await api("POST", "/api/v1/qr-logins", { device: deviceLabel() });
  } catch (e) {
    if (e instanceof ApiError && e.status === 503 && e.code === "node_degraded") {
      // retrying cannot help: this node is misconfigured until its operator acts
      status.textContent = problemMessage(e.problem);
      status.classList.add("error");
      return;
    }
    status.textContent = t("login.qr.retrying");
    setTimeout(start, 5000);
    return;
  }
  ticket = new QrTicket(created);
  image.src = created.imageUrl;
  image.dataset.ticket = created.id;
  ticket.connect();
}

class QrTicket {
  constructor(created) {
    this.t = created;
    this.known = "pending";
    this.failures = 0;
    this.redeeming = false;
    this.over = false;
    // sent with every redemption attempt: if an answer is lost in transit, the retry gets the same session back
    this.idempotencyKey = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  current() {
    return ticket === this && !this.over;
  }

  // a frame or a poll answer arrived
  seen(view) {
    if (!this.current()) return;
    this.known = view.state;
    show(view);
    if (view.state === "confirmed") {
      this.redeem();
    } else if (view.state === "cancelled" || view.state === "expired") {
      this.finish(true);
    } else if (view.state === "completed" && !this.redeeming) {
      this.finish(true); // redeemed by someone holding this page's secret; this page starts over
    }
  }

  finish(newCode) {
    this.over = true;
    if (this.socket) this.socket.close(1000);
    if (newCode) setTimeout(start, 600); // a new code only when this one can no longer be used
  }

  connect() {
    if (!this.current()) return;
    let socket;
    try {
      socket = new WebSocket(this.t.wsUrl);
    } catch {
      this.poll();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.failures = 0;
      setTransport("websocket");
    };
    socket.onmessage = (message) => this.seen(JSON.parse(message.data));
    socket.onclose = async () => {
      if (!this.current() || terminal(this.known)) return;
      this.failures += opened ? 1 : 2;
      setTransport("reconnecting");
      await this.check(); // the current state at once: what the socket may not have delivered
      if (!this.current()) return;
      if (this.failures >= 4) {
        this.poll();
      } else {
        await sleep(Math.min(8000, 250 * 2 ** this.failures) * (0.75 + Math.random() / 2));
        this.connect();
      }
    };
  }

  async check() {
    try {
      const response = await fetch(this.t.pollUrl, { headers: { "X-QR-Secret": this.t.secret } });
      if (response.ok) this.seen(await response.json());
      else if (response.status === 404) this.finish(true);
    } catch {
      // the network is away; the next connection attempt tells
    }
  }

  async poll() {
    setTransport("polling");
    while (this.current() && !terminal(this.known)) {
      try {
        const response = await fetch(`${this.t.pollUrl}?waitSeconds=25&known=${encodeURIComponent(this.known)}`, {
          headers: { "X-QR-Secret": this.t.secret },
        });
        if (response.status === 404) {
          this.finish(true);
          return;
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.seen(await response.json());
        if (this.known === "confirmed") await sleep(1000); // the redemption is under way
      } catch {
        await sleep(2000);
      }
    }
  }

  // POST once confirmed: the only way to a session. Retried on network errors; a refusal ends this code.
  async redeem() {
    if (this.redeeming) return;
    this.redeeming = true;
    for (let attempt = 0; this.current() && attempt < 6; attempt++) {
      try {
        const response = await fetch(this.t.sessionUrl ?? `${this.t.pollUrl}/session`, {
          method: "POST",
          headers: { "X-QR-Secret": this.t.secret, "Idempotency-Key": this.idempotencyKey },
        });
        const body = await response.json().catch(() => null);
        if (response.status === 201) {
          this.over = true;
          status.textContent = t("login.qr.completed");
          done(body.token);
          return;
        }
        if (response.status === 409 && body?.code === "conflict") {
          this.redeeming = false; // not confirmed (any more): the next state report decides
          return;
        }
        if (response.status >= 500 || response.status === 429) {
          throw new Error(`HTTP ${response.status}`); // the ticket stays confirmed: try again shortly
        }
        status.textContent = body?.code ? problemMessage({ ...body, status: response.status }) + " " + t("login.qr.newCode") : t("login.qr.unusable");
        this.finish(true);
        return;
      } catch {
        await sleep(500 * 2 ** attempt);
      }
    }
    if (this.current()) {
      status.textContent = t("login.qr.unreachable");
      this.finish(true);
    }
  }
}

start();
