// /signup: create an account, log in with it, and go on to ?next= (a page of this origin) or "/".
import { api, setToken, deviceLabel, ApiError } from "./api.js";
import { t, problemMessage, lang } from "./i18n.js";
import { startPage, safeNext } from "./page.js";

const params = new URLSearchParams(location.search);
const next = safeNext(params.get("next"));
const form = document.getElementById("signup-form");
const formError = document.getElementById("signup-error");
const FIELDS = ["login", "displayName", "password"];

await startPage({ namespaces: ["login"], needsLogin: false });
if (params.get("next")) document.getElementById("login-link").href = `/login?next=${encodeURIComponent(params.get("next"))}`;

function clearErrors() {
  formError.textContent = "";
  for (const name of FIELDS) {
    document.getElementById(`${name}-error`).textContent = "";
    document.getElementById(name).removeAttribute("aria-invalid");
  }
}

function fieldError(name, message) {
  document.getElementById(`${name}-error`).textContent = message;
  const input = document.getElementById(name);
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const body = Object.fromEntries(FIELDS.map((name) => [name, document.getElementById(name).value]));
  body.login = body.login.trim();
  body.displayName = body.displayName.trim();
  for (const name of FIELDS) {
    if (!body[name]) {
      fieldError(name, t(`signup.missing.${name}`));
      return;
    }
  }
  if ([...body.password].length < 8) {
    fieldError("password", t("errors.invalid_request.password"));
    return;
  }
  const submit = document.getElementById("signup-submit");
  submit.disabled = true;
  try {
    await api("POST", "/api/v1/accounts", body);
    const session = await api("POST", "/api/v1/sessions", { login: body.login, password: body.password, device: deviceLabel() });
    setToken(session.token);
    location.replace(next);
  } catch (e) {
    if (!(e instanceof ApiError)) {
      formError.textContent = t("errors.network");
    } else if (e.code === "account_exists") {
      fieldError("login", problemMessage(e.problem));
    } else if (e.code === "invalid_request" && FIELDS.includes(e.field)) {
      // the server says why a password is weak (in English); the bundle's message stands in other languages
      const why = e.field === "password" && lang() === "en" && e.problem.detail
        ? ` ${e.problem.detail.replace(/^'\w+' (is too easy to guess|must be [^.]*)[.:]?\s*/, "")}` : "";
      fieldError(e.field, problemMessage(e.problem) + why);
    } else {
      formError.textContent = problemMessage(e.problem);
    }
  } finally {
    submit.disabled = false;
  }
});
