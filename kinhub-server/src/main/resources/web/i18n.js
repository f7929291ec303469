// Two languages for every page (zh-CN and en). Strings live in message bundles, never in page code:
// web/i18n/<lang>/<namespace>.json, flat objects of dotted keys. Keys are global; a namespace is only the file
// that owns them. The language: localStorage "kinhub.lang" when the user chose one, else the server's choice from
// Accept-Language (given as <html lang>), else English.
export const LANGUAGES = ["zh-CN", "en"];
export const LANG_KEY = "kinhub.lang";
const LANGUAGE_NAMES = { "zh-CN": "中文", en: "English" };

const messages = new Map();
let current = null;

function supported(value) {
  if (!value) return null;
  if (LANGUAGES.includes(value)) return value;
  const lower = value.toLowerCase();
  if (lower.startsWith("zh")) return "zh-CN";
  if (lower.startsWith("en")) return "en";
  return null;
}

/** The language of this page. */
export function lang() {
  if (current) return current;
  let stored = null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  } catch {
    // storage disabled: the server's choice stands
  }
  current = supported(stored) || supported(document.documentElement.lang) || "en";
  return current;
}

/** Remembers the user's choice and shows the page again in it. */
export function setLang(value) {
  const chosen = supported(value);
  if (!chosen) return;
  try {
    localStorage.setItem(LANG_KEY, chosen);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  location.reload();
}

/** Loads the bundles of the given namespaces ("common" and "errors" always) for the page's language. */
export async function loadI18n(namespaces = []) {
  const language = lang();
  document.documentElement.lang = language;
  const names = [...new Set(["common", "errors", ...namespaces])];
  const bundles = await Promise.all(names.map(async (name) => {
    const response = await fetch(`/assets/i18n/${language}/${name}.json`);
    if (!response.ok) throw new Error(`message bundle ${language}/${name} missing (${response.status})`);
    return response.json();
  }));
  for (const bundle of bundles) {
    for (const [key, value] of Object.entries(bundle)) messages.set(key, value);
  }
  return language;
}

/** The message for a key, with {name} placeholders filled from params. A missing key shows as itself. */
export function t(key, params = {}) {
  const template = messages.get(key);
  if (template === undefined) return key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function has(key) {
  return messages.has(key);
}

/** A message for a problem+json answer (or a network failure): by its stable code, else by status. */
export function problemMessage(problem) {
  const code = problem?.code;
  // an invalid field has its own message where the bundle knows the field (e.g. a weak password)
  if (code && problem?.field && messages.has(`errors.${code}.${problem.field}`)) return t(`errors.${code}.${problem.field}`, problem);
  if (code && messages.has(`errors.${code}`)) {
    if (problem.retryAfter == null && messages.has(`errors.${code}.later`)) return t(`errors.${code}.later`);
    return t(`errors.${code}`, problem);
  }
  if (problem?.status >= 500) return t("errors.server");
  if (problem?.status === undefined || problem?.status === 0) return t("errors.network");
  return t("errors.generic");
}

/** Fills data-i18n (text), data-i18n-placeholder, data-i18n-aria-label and data-i18n-title under root. */
export function applyI18n(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  for (const element of root.querySelectorAll("[data-i18n-aria-label]")) element.setAttribute("aria-label", t(element.dataset.i18nAriaLabel));
  for (const element of root.querySelectorAll("[data-i18n-title]")) element.title = t(element.dataset.i18nTitle);
}

/** A language switch (a labelled select) appended to container. */
export function mountLanguageSwitch(container) {
  const label = document.createElement("label");
  label.className = "lang-switch";
  const text = document.createElement("span");
  text.textContent = t("common.language");
  const select = document.createElement("select");
  select.name = "lang";
  for (const language of LANGUAGES) {
    const option = document.createElement("option");
    option.value = language;
    option.lang = language;
    option.textContent = LANGUAGE_NAMES[language];
    option.selected = language === lang();
    select.append(option);
  }
  select.addEventListener("change", () => setLang(select.value));
  label.append(text, select);
  container.append(label);
  return select;
}
