// Talks to the Kinhub API; keeps the session token in sessionStorage under "kinhub.token" (API.md, "Web pages").
export const TOKEN_KEY = "kinhub.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
    this.field = problem?.field;
    // The problem as i18n.problemMessage wants it: code, status, field, and Retry-After for 429s.
    this.problem = { ...(problem || {}), status, retryAfter };
  }
}

export async function api(method, path, body, extraHeaders = {}) {
  const headers = { ...extraHeaders };
  const t = token();
  if (t) headers["Authorization"] = `Bearer ${t}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null; // not JSON (a proxy's error page): the status speaks for it
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data, response.headers.get("Retry-After"));
    // the session ended (logged out elsewhere, password changed, expired): this page's next step is the login
    if (response.status === 401 && t && data?.code === "unauthenticated" && !location.pathname.startsWith("/login")) {
      sessionStorage.removeItem(TOKEN_KEY);
      error.redirecting = true;
      toLogin();
    }
    throw error;
  }
  return data;
}

/** Goes to /login, coming back to this page afterwards. */
export function toLogin() {
  location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** Sends the user to the login page when there is no token, coming back to this page afterwards. */
export function requireLogin() {
  if (!token()) {
    toLogin();
    return false;
  }
  return true;
}

/** A short device label for sessions, from the browser. */
export function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}
