// QR logins driven by a Node WebSocket client, as a browser would: socket on node A, scan + confirm on node B, then
// the session redeemed by POST once the socket said "confirmed". Usage:
//   node [--experimental-websocket] qr-soak.mjs <builtin|ws> <nodeA base url> <nodeB base url> <phone token> <rounds>
// Prints one JSON line: {client, rounds, tokens: [...], missedFrames, recovered, failures: [...]}. A round whose socket
// closed before saying "confirmed" recovers by polling (as /login does) and is counted in missedFrames.
const [client, baseA, baseB, phoneToken, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText);
// "builtin" is Node's own WebSocket (undici inside Node); a Node.js that does not expose it gets the same undici code
const Socket = client === "ws" ? (await import("ws")).WebSocket : globalThis.WebSocket ?? (await import("undici")).WebSocket;
if (!Socket) throw new Error(`no WebSocket client '${client}' (Node ${process.version})`);

async function call(method, url, { token, secret } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (secret) headers["X-QR-Secret"] = secret;
  if (method === "POST" && !secret) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: method === "POST" && !secret ? "{}" : undefined });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

async function round(i) {
  const ticket = (await call("POST", `${baseA}/api/v1/qr-logins`)).body;
  const socket = new Socket(ticket.wsUrl);
  const states = [];
  let wake;
  const changed = () => new Promise((resolve) => { wake = resolve; });
  let next = changed();
  let closed = false;
  socket.onmessage = (event) => {
    states.push(JSON.parse(typeof event.data === "string" ? event.data : event.data.toString()).state);
    wake();
    next = changed();
  };
  socket.onclose = () => { closed = true; wake(); };
  socket.onerror = () => {};
  const until = async (state) => {
    while (!states.includes(state) && !closed) await withTimeout(next, 15000, `${state} in round ${i}`);
    return states.includes(state);
  };
  if (!(await until("pending"))) throw new Error(`round ${i}: socket closed before 'pending'`);
  const scan = await call("POST", `${baseB}/api/v1/qr-logins/${ticket.id}/scan`, { token: phoneToken });
  if (scan.status !== 200) throw new Error(`round ${i}: scan ${scan.status}`);
  await until("scanned");
  const confirm = await call("POST", `${baseB}/api/v1/qr-logins/${ticket.id}/confirm`, { token: phoneToken });
  if (confirm.status !== 200) throw new Error(`round ${i}: confirm ${confirm.status}`);
  let missed = false;
  if (!(await until("confirmed"))) {
    missed = true; // recover as the login page does: ask for the current state
    const view = await call("GET", `${baseA}/api/v1/qr-logins/${ticket.id}?waitSeconds=10&known=scanned`, { secret: ticket.secret });
    if (view.body?.state !== "confirmed") throw new Error(`round ${i}: poll says ${view.body?.state}`);
  }
  const redeemed = await call("POST", ticket.sessionUrl, { secret: ticket.secret });
  if (redeemed.status !== 201) throw new Error(`round ${i}: redeem ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
  if (!missed && !(await until("completed"))) missed = true;
  socket.close(1000);
  return { token: redeemed.body.token, missed };
}

const result = { client, rounds, tokens: [], missedFrames: 0, failures: [] };
for (let i = 0; i < rounds; i++) {
  try {
    const r = await round(i);
    result.tokens.push(r.token);
    if (r.missed) result.missedFrames++;
  } catch (e) {
    result.failures.push(String(e));
  }
}
console.log(JSON.stringify(result));
process.exit(0);
