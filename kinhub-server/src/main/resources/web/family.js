// /families/{id}: the family's header, feed, members (with only the actions the viewer may take, as the server's
// permission checks say), invitations (link, copy, QR code; list; revoke) and settings.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { startPage, showError, el, button, formatTime, mountOptional } from "./page.js";

const familyId = decodeURIComponent(location.pathname.split("/")[2] || "");
const base = `/api/v1/families/${encodeURIComponent(familyId)}`;
const PERMISSIONS = ["read", "edit", "delete", "member:invite", "invitation:read", "invitation:delete", "member:delete",
  "admin:delete", "member:leave", "role:assign"];
let family = null;
let me = null;
let may = {};

/** Asks the server which of this family's permissions the viewer holds (roles are the server's business). */
async function loadPermissions() {
  const wanted = PERMISSIONS.map((p) => `family:${p}:${familyId}`);
  const { results } = await api("POST", "/api/v1/permission-checks", { permissions: wanted });
  may = Object.fromEntries(PERMISSIONS.map((p, i) => [p, results[wanted[i]] === true]));
}

function showHeader() {
  document.getElementById("family-name").textContent = family.name;
  document.title = `${family.name} · Kinhub`;
  document.getElementById("family-surname").textContent = family.surname ? t("family.surname", { surname: family.surname }) : "";
  document.getElementById("family-description").textContent = family.description || "";
  document.getElementById("family-role").textContent = t(`roles.${family.myRole}`);
  document.getElementById("family-count").textContent = t("home.family.members", { count: family.memberCount });
  document.getElementById("family-visibility").textContent = t(family.public ? "family.public" : "family.private");
  document.getElementById("tree-link").href = `/families/${encodeURIComponent(familyId)}/tree`;
}

// ---- members ------------------------------------------------------------------------------------------------
const membersStatus = document.getElementById("members-status");
const membersError = document.getElementById("members-error");

/** Runs a member action, then shows the family anew (roles, counts and what the viewer may do all change). */
async function memberAction(control, request, doneMessage) {
  control.disabled = true;
  membersError.textContent = membersStatus.textContent = "";
  try {
    await request();
    membersStatus.textContent = doneMessage;
    await refresh();
  } catch (e) {
    control.disabled = false;
    showError(membersError, e);
  }
}

function memberRow(m) {
  const li = el("li", "row member");
  li.dataset.userId = m.userId;
  li.dataset.role = m.role;
  const text = el("div", "row-text");
  text.append(el("strong", "member-name", m.displayName));
  if (me && m.userId === me.id) text.append(" ", el("span", "muted", t("family.members.you")));
  text.append(" ", el("span", `badge role-${m.role}`, t(`roles.${m.role}`)));
  text.append(el("div", "muted", t("family.members.joined", { date: formatTime(m.joinedAt) })));
  const actions = el("div", "row-actions");
  const self = me && m.userId === me.id;
  const role = (name) => () => api("PUT", `${base}/members/${encodeURIComponent(m.userId)}/role`, { role: name });
  if (!self && may["role:assign"]) {
    if (m.role === "member") {
      const b = button(t("family.members.makeAdmin"), "secondary make-admin", () =>
        memberAction(b, role("admin"), t("family.members.madeAdmin", { name: m.displayName })));
      actions.append(b);
    } else if (m.role === "admin") {
      const b = button(t("family.members.revokeAdmin"), "secondary revoke-admin", () =>
        memberAction(b, role("member"), t("family.members.revokedAdmin", { name: m.displayName })));
      actions.append(b);
    }
    if (m.role !== "originator") {
      const b = button(t("family.members.makeOriginator"), "secondary make-originator", () => {
        if (confirm(t("family.members.makeOriginatorConfirm", { name: m.displayName }))) {
          memberAction(b, role("originator"), t("family.members.madeOriginator", { name: m.displayName }));
        }
      });
      actions.append(b);
    }
  }
  const removable = !self && ((m.role === "member" && may["member:delete"]) || (m.role === "admin" && may["admin:delete"]));
  if (removable) {
    const b = button(t("family.members.remove"), "danger remove-member", () => {
      if (confirm(t("family.members.removeConfirm", { name: m.displayName }))) {
        memberAction(b, () => api("DELETE", `${base}/members/${encodeURIComponent(m.userId)}`),
          t("family.members.removed", { name: m.displayName }));
      }
    });
    actions.append(b);
  }
  if (self && may["member:leave"]) {
    const b = button(t("family.members.leave"), "danger leave-family", async () => {
      if (!confirm(t("family.members.leaveConfirm", { name: family.name }))) return;
      b.disabled = true;
      try {
        await api("DELETE", `${base}/members/${encodeURIComponent(m.userId)}`);
        location.replace("/");
      } catch (e) {
        b.disabled = false;
        showError(membersError, e);
      }
    });
    actions.append(b);
  }
  for (const b of actions.children) b.setAttribute("aria-label", `${b.textContent}: ${m.displayName}`);
  li.append(text, actions);
  return li;
}

async function loadMembers() {
  const { members } = await api("GET", `${base}/members`);
  document.getElementById("members").replaceChildren(...members.map(memberRow));
}

// ---- invitations ----------------------------------------------------------------------------------------------
const inviteError = document.getElementById("invite-error");
const inviteStatus = document.getElementById("invite-status");

function invitationRow(i) {
  const li = el("li", "row invitation");
  li.dataset.id = i.id;
  li.append(el("div", "row-text", t("family.invitations.row", {
    by: i.createdBy.displayName, created: formatTime(i.createdAt), expires: formatTime(i.expiresAt) })));
  if (may["invitation:delete"]) {
    const b = button(t("family.invitations.revoke"), "secondary revoke-invitation", async () => {
      b.disabled = true;
      inviteError.textContent = "";
      try {
        await api("DELETE", `${base}/invitations/${encodeURIComponent(i.id)}`);
        inviteStatus.textContent = t("family.invitations.revoked");
        await loadInvitations();
      } catch (e) {
        b.disabled = false;
        showError(inviteError, e);
      }
    });
    b.setAttribute("aria-label", t("family.invitations.revokeOf", { by: i.createdBy.displayName, created: formatTime(i.createdAt) }));
    li.append(b);
  }
  return li;
}

async function loadInvitations() {
  if (!may["invitation:read"]) return;
  const { invitations } = await api("GET", `${base}/invitations`);
  document.getElementById("invitations").replaceChildren(...invitations.map(invitationRow));
  document.getElementById("live-invitations-title").hidden = false;
  document.getElementById("invitations-empty").hidden = invitations.length > 0;
}

document.getElementById("invite-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const submit = document.getElementById("invite-create");
  submit.disabled = true;
  inviteError.textContent = inviteStatus.textContent = "";
  try {
    const hours = Number(document.getElementById("invite-validity").value);
    const created = await api("POST", `${base}/invitations`, { validForHours: hours });
    const link = `${location.origin}/invitations/${encodeURIComponent(created.code)}`;
    document.getElementById("invite-link").value = link;
    const qr = document.getElementById("invite-qr");
    qr.src = `/api/v1/invitations/${encodeURIComponent(created.code)}/image.svg`;
    qr.alt = t("family.invitations.qrAlt");
    document.getElementById("invite-expires").textContent = t("family.invitations.expires", { date: formatTime(created.expiresAt) });
    document.getElementById("invite-result").hidden = false;
    inviteStatus.textContent = t("family.invitations.created");
    await loadInvitations();
  } catch (e) {
    showError(inviteError, e);
  } finally {
    submit.disabled = false;
  }
});

document.getElementById("invite-copy").addEventListener("click", async () => {
  const input = document.getElementById("invite-link");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select(); // no clipboard access (e.g. plain HTTP): selected for the user to copy
    document.execCommand?.("copy");
  }
  inviteStatus.textContent = t("family.invitations.copied");
});

// ---- settings -----------------------------------------------------------------------------------------------
function fillSettings() {
  document.getElementById("settings-name").value = family.name;
  document.getElementById("settings-surname").value = family.surname || "";
  document.getElementById("settings-description").value = family.description || "";
  document.getElementById("settings-public").checked = !!family.public;
}

document.getElementById("settings-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = document.getElementById("settings-status");
  const error = document.getElementById("settings-error");
  const save = document.getElementById("settings-save");
  status.textContent = error.textContent = "";
  const text = (id) => document.getElementById(id).value.trim() || null;
  save.disabled = true;
  try {
    family = await api("PATCH", base, { name: text("settings-name"), surname: text("settings-surname"),
      description: text("settings-description"), public: document.getElementById("settings-public").checked });
    showHeader();
    fillSettings();
    status.textContent = t("family.settings.saved");
  } catch (e) {
    showError(error, e);
  } finally {
    save.disabled = false;
  }
});

document.getElementById("delete-family-button").addEventListener("click", async (event) => {
  if (!confirm(t("family.settings.deleteConfirm", { name: family.name }))) return;
  event.target.disabled = true;
  try {
    await api("DELETE", base);
    location.replace("/");
  } catch (e) {
    event.target.disabled = false;
    showError(document.getElementById("settings-error"), e);
  }
});

// ---- the page -------------------------------------------------------------------------------------------------
async function refresh() {
  let who;
  [family, , who] = await Promise.all([api("GET", base), loadPermissions(), me ? me : api("GET", "/api/v1/me")]);
  me = who;
  showHeader();
  await Promise.all([loadMembers(), loadInvitations()]);
  document.getElementById("invitations-section").hidden = !(may["member:invite"] || may["invitation:read"]);
  document.getElementById("invite-form").hidden = !may["member:invite"];
  document.getElementById("settings-section").hidden = !(may.edit || may.delete);
  document.getElementById("settings-form").hidden = !may.edit;
  document.getElementById("delete-family").hidden = !may.delete;
}

if (await startPage({ namespaces: ["family", "home"] })) {
  try {
    await refresh();
    fillSettings();
    document.getElementById("family-page").hidden = false;
    mountOptional(document.getElementById("family-feed"), "feed.js", "mountFeed", { familyId });
    if (may.edit) {
      mountOptional(document.getElementById("genealogy-settings"), "family-genealogy.js", "mountGenealogySettings", { familyId, family });
    }
  } catch (e) {
    showError(document.getElementById("family-error"), e);
  } finally {
    document.getElementById("family-loading").hidden = true;
  }
}
