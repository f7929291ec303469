// What every page shares: its language, the header (Kinhub, my families, account, log out, language switch), the
// login requirement, and how errors and times are shown.
import { api, ApiError, token, TOKEN_KEY, requireLogin } from "./api.js";
import { loadI18n, applyI18n, mountLanguageSwitch, problemMessage, t, lang } from "./i18n.js";

/**
 * Loads the page's message bundles and fills the header. Resolves to false when the page needs a login and has none
 * (the browser is then on its way to /login?next=...).
 */
export async function startPage({ namespaces = [], needsLogin = true } = {}) {
  if (needsLogin && !requireLogin()) return false;
  try {
    await loadI18n(namespaces);
    applyI18n(document);
    mountHeader();
  } finally {
    document.documentElement.classList.add("ready");
  }
  return true;
}

function mountHeader() {
  const nav = document.getElementById("site-nav");
  if (!nav) return;
  nav.setAttribute("aria-label", t("common.nav"));
  if (token()) {
    const families = link("/", t("common.myFamilies"));
    const account = link("/account", t("common.account"));
    const logout = document.createElement("button");
    logout.type = "button";
    logout.id = "logout";
    logout.className = "link";
    logout.textContent = t("common.logout");
    logout.addEventListener("click", logOut);
    for (const a of [families, account]) {
      if (a.getAttribute("href") === location.pathname) a.setAttribute("aria-current", "page");
    }
    nav.append(families, account, logout);
  }
  mountLanguageSwitch(nav);
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

/** Ends this session (on the server too) and goes to the login page. */
export async function logOut() {
  try {
    await api("DELETE", "/api/v1/me/sessions/current");
  } catch {
    // ended or unreachable: the token is forgotten here either way
  } finally {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace("/login");
  }
}

/** Shows an API failure (or a network error) in element, in the page's language. */
export function showError(element, error) {
  if (error?.redirecting) return;
  element.textContent = error instanceof ApiError ? problemMessage(error.problem) : t("errors.network");
}

/** A timestamp in the page's language. */
export function formatTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(lang(), { dateStyle: "medium", timeStyle: "short" });
}

/** An element with a class and text. */
export function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A button (type=button unless given). */
export function button(text, className, onClick) {
  const b = el("button", className, text);
  b.type = "button";
  if (onClick) b.addEventListener("click", onClick);
  return b;
}

/**
 * Mounts an optional module another part of Kinhub provides (e.g. "feed.js"): imports /assets/<name> and calls
 * mount(element, options); when it is not there or fails, the element stays hidden. The page names its optional
 * modules in <meta name="kinhub-optional">, which the server trims to those it has, so a missing one costs no request.
 */
export async function mountOptional(element, name, exportName, options) {
  if (!element) return;
  element.hidden = true;
  const present = document.querySelector('meta[name="kinhub-optional"]')?.content.split(/\s+/) ?? [];
  if (!present.includes(name)) return;
  try {
    const module = await import(`/assets/${name}`);
    if (typeof module[exportName] !== "function") throw new Error(`${name} has no ${exportName}`);
    element.hidden = false;
    await module[exportName](element, options);
  } catch (e) {
    element.hidden = true;
    console.warn(`${name}:`, e);
  }
}

/** The page to go to after a login: ?next= when it is a page of this origin, else "/". */
export function safeNext(raw) {
  if (!raw) return "/";
  try {
    const url = new URL(raw, location.origin);
    return url.origin === location.origin && !url.pathname.startsWith("//") ? url.href : "/";
  } catch {
    return "/";
  }
}
