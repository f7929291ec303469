// The family page's genealogy settings: privacy of the living, the founder, the generation poem (字辈) and its
// first generation, and the persons whose given name lacks their generation's character. The family page
// imports this module into <div id="genealogy-settings">.
import { api, ApiError } from "./api.js";
import { loadI18n, t, problemMessage } from "./i18n.js";

const MAX_FOUNDER_CHOICES = 2000;

const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "className") e.className = v;
    else e.setAttribute(k, v);
  }
  if (text != null) e.textContent = text;
  return e;
};

function field(labelKey, input) {
  const label = el("label");
  label.append(el("span", {}, t(labelKey)), " ", input);
  return label;
}

/** Mounts the settings into `container`; `family` is the GET /api/v1/families/{id} answer. */
export async function mountGenealogySettings(container, { familyId, family }) {
  await loadI18n(["genealogy"]).catch(() => {});
  if (!document.querySelector("link[data-genealogy]")) {
    const link = el("link", { rel: "stylesheet", href: "/assets/genealogy.css", "data-genealogy": "" });
    document.head.append(link);
  }
  const base = `/api/v1/families/${encodeURIComponent(familyId)}`;
  const editable = family.myRole === "originator" || family.myRole === "admin";
  container.replaceChildren();
  container.classList.add("genealogy-settings");
  const form = el("form", { novalidate: "" });

  const privacy = el("fieldset");
  privacy.append(el("legend", {}, t("genealogy.settings.privacy")));
  const maxAge = el("input", { type: "number", name: "maxAliveAge", min: "1", max: "200" });
  maxAge.value = family.privacy?.maxAliveAge ?? 120;
  const names = el("select", { name: "showLivingNamesTo" });
  for (const value of ["members", "everyone"]) {
    const o = el("option", { value }, t(`genealogy.settings.namesTo.${value}`));
    o.selected = (family.privacy?.showLivingNamesTo ?? "members") === value;
    names.append(o);
  }
  privacy.append(field("genealogy.settings.maxAliveAge", maxAge), field("genealogy.settings.showLivingNamesTo", names),
    el("p", { className: "muted" }, t("genealogy.settings.privacyHelp")));

  const generations = el("fieldset");
  generations.append(el("legend", {}, t("genealogy.settings.generations")));
  let founder;
  let persons = [];
  try {
    persons = (await api("GET", `${base}/tree`)).persons;
  } catch {
    persons = [];
  }
  if (persons.length && persons.length <= MAX_FOUNDER_CHOICES) {
    founder = el("select", { name: "founderPersonId" });
    founder.append(el("option", { value: "" }, t("genealogy.settings.noFounder")));
    for (const p of persons.filter((p) => p.gender !== "female").sort((a, b) => a.name.localeCompare(b.name))) {
      const o = el("option", { value: p.id }, `${p.name}${p.birthDate ? ` (${p.birthDate})` : ""}`);
      o.selected = p.id === family.founderPersonId;
      founder.append(o);
    }
  } else {
    founder = el("input", { type: "text", name: "founderPersonId", inputmode: "numeric", placeholder: t("genealogy.settings.founderId") });
    founder.value = family.founderPersonId ?? "";
  }
  const poem = el("input", { type: "text", name: "generationPoem", maxlength: "200", placeholder: "文章华国诗礼传家" });
  poem.value = family.generationPoem ?? "";
  const start = el("input", { type: "number", name: "poemStartGeneration", min: "1", max: "1000" });
  start.value = family.poemStartGeneration ?? 1;
  generations.append(field("genealogy.settings.founder", founder), field("genealogy.settings.poem", poem),
    field("genealogy.settings.poemStart", start), el("p", { className: "muted" }, t("genealogy.settings.generationsHelp")));

  const status = el("p", { role: "status", className: "muted" });
  const save = el("button", { type: "submit" }, t("genealogy.settings.save"));
  form.append(privacy, generations);
  if (editable) form.append(save);
  form.append(status);
  for (const input of form.querySelectorAll("input, select")) input.disabled = !editable;

  const mismatches = el("section", { className: "mismatches" });
  container.append(form, mismatches);

  async function loadMismatches() {
    mismatches.replaceChildren(el("h3", {}, t("genealogy.settings.mismatches")));
    try {
      const answer = await api("GET", `${base}/generations/mismatches?limit=200`);
      if (!answer.mismatches.length) {
        mismatches.append(el("p", { className: "muted" }, t("genealogy.settings.noMismatches")));
        return;
      }
      const list = el("ul");
      for (const m of answer.mismatches) {
        list.append(el("li", {}, t("genealogy.settings.mismatch", { name: m.name, generation: m.generation, character: m.generationName })));
      }
      mismatches.append(list);
      if (answer.total > answer.mismatches.length) {
        mismatches.append(el("p", { className: "muted" }, t("genealogy.settings.more", { count: answer.total - answer.mismatches.length })));
      }
    } catch (e) {
      mismatches.append(el("p", { className: "error" }, e instanceof ApiError ? problemMessage(e.problem) : t("genealogy.error")));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = t("genealogy.settings.saving");
    const body = {
      privacy: { maxAliveAge: Number(maxAge.value), showLivingNamesTo: names.value },
      founderPersonId: founder.value.trim() || null,
      generationPoem: poem.value.trim() || null,
      poemStartGeneration: Number(start.value),
    };
    try {
      await api("PATCH", base, body);
      await loadMismatches();
      status.textContent = t("genealogy.settings.saved");
    } catch (e) {
      const named = e instanceof ApiError && e.field ? form.querySelector(`[name="${e.field.replace(/^privacy\./, "")}"]`) : null;
      if (named) named.focus();
      status.textContent = e instanceof ApiError ? problemMessage(e.problem) : t("genealogy.error");
    }
  });
  await loadMismatches();
}
