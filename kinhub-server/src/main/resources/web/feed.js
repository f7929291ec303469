// The family feed and my feed, as one self-contained module: mountFeed(container, {familyId}) shows a family's
// feed with a composer; mountFeed(container, {}) shows my feed and my notifications. New posts, deletions, comments
// and counts arrive live over /ws/live. Strings come from the "feed" message bundle (web/i18n/<lang>/feed.json).
import { loadI18n, t, problemMessage } from "/assets/i18n.js";

const TOKEN_KEY = "kinhub.token";
const PAGE = 20;

class FeedError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.problem = { ...(problem || {}), status };
  }
}

async function call(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new FeedError(0, null);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  if (!response.ok) throw new FeedError(response.status, data);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || ["type", "name", "maxlength", "required", "rows", "datetime", "role"].includes(key)) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function when(iso) {
  const date = new Date(iso);
  return el("time", { datetime: iso, text: date.toLocaleString(document.documentElement.lang || undefined) });
}

/**
 * Mounts a feed into container. With {familyId}: that family's posts, a composer when the caller may post, and
 * delete buttons where allowed. Without: my feed and my notifications. Returns {close()}.
 */
export async function mountFeed(container, { familyId } = {}) {
  await loadI18n(["feed"]);
  const state = { me: null, role: null, next: null, closed: false, socket: null, retries: 0, posts: new Map() };
  const root = el("div", { className: "feed" });
  const error = el("p", { className: "error", role: "alert" });
  const list = el("div", { className: "feed-list", "data-feed-list": "" });
  const empty = el("p", { className: "muted", text: t("feed.empty") });
  const more = el("button", { type: "button", className: "secondary", text: t("feed.more") });
  more.hidden = true;
  container.replaceChildren(root);

  const show = (e) => { error.textContent = e instanceof FeedError ? problemMessage(e.problem) : t("errors.generic"); };

  try {
    state.me = await call("GET", "/api/v1/me");
    if (familyId) state.role = (await call("GET", `/api/v1/families/${encodeURIComponent(familyId)}`)).myRole;
  } catch (e) {
    show(e);
    root.append(error);
    return { close() {} };
  }

  const heading = el("h2", { text: familyId ? t("feed.familyTitle") : t("feed.myTitle") });
  root.append(heading);
  if (familyId && ["originator", "admin", "member"].includes(state.role)) root.append(composer());
  root.append(error, list, empty, more);
  let notifications = null;
  if (!familyId) {
    notifications = notificationPanel();
    root.append(notifications.node);
  }

  function composer() {
    const text = el("textarea", { name: "text", rows: "3", maxlength: "5000", required: "", "aria-label": t("feed.composer") });
    text.placeholder = t("feed.placeholder");
    const submit = el("button", { type: "submit", text: t("feed.post") });
    const form = el("form", { className: "feed-composer" }, text, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const value = text.value.trim();
      if (!value) return;
      submit.disabled = true;
      try {
        const post = await call("POST", `/api/v1/families/${encodeURIComponent(familyId)}/posts`, { text: value });
        text.value = "";
        addPost(post, true);
      } catch (e) {
        show(e);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  function mayDelete(post) {
    return post.author.id === state.me.id || (familyId && post.familyId === String(familyId) && ["originator", "admin"].includes(state.role));
  }

  function render(post) {
    const likeButton = el("button", { type: "button", className: "secondary like", "data-action": "like" });
    const likeCount = el("span", { className: "count", "data-like-count": "" });
    const commentCount = el("span", { className: "count", "data-comment-count": "" });
    const commentsButton = el("button", { type: "button", className: "secondary", "data-action": "comments" }, t("feed.comments"), " ", commentCount);
    const comments = el("div", { className: "comments" });
    comments.hidden = true;
    const actions = el("div", { className: "post-actions" }, likeButton, likeCount, commentsButton);
    if (mayDelete(post)) {
      const del = el("button", { type: "button", className: "secondary danger", "data-action": "delete", text: t("feed.delete") });
      del.addEventListener("click", async () => {
        if (!confirm(t("feed.confirmDelete"))) return;
        try {
          await call("DELETE", `/api/v1/posts/${post.id}`);
          removePost(post.id);
        } catch (e) { show(e); }
      });
      actions.append(del);
    }
    const node = el("article", { className: "post", "data-post-id": post.id },
      el("header", {}, el("strong", { text: post.author.displayName }), " ", when(post.createdAt)),
      el("p", { className: "post-text", text: post.text }), actions, comments);
    const entry = { post, node, likeButton, likeCount, commentCount, comments, loaded: false };
    likeButton.addEventListener("click", async () => {
      try {
        const r = await call(entry.post.likedByMe ? "DELETE" : "PUT", `/api/v1/posts/${post.id}/like`);
        entry.post.likedByMe = r.likedByMe;
        entry.post.likeCount = r.likeCount;
        update(entry);
      } catch (e) { show(e); }
    });
    commentsButton.addEventListener("click", () => toggleComments(entry));
    update(entry);
    return entry;
  }

  function update(entry) {
    entry.likeButton.textContent = entry.post.likedByMe ? t("feed.unlike") : t("feed.like");
    entry.likeButton.setAttribute("aria-pressed", String(entry.post.likedByMe));
    entry.likeCount.textContent = t("feed.likes", { count: entry.post.likeCount });
    entry.commentCount.textContent = `(${entry.post.commentCount})`;
  }

  function commentNode(c) {
    return el("div", { className: "comment", "data-comment-id": c.id }, el("strong", { text: c.author.displayName }), " ",
      el("span", { text: c.text }), " ", when(c.createdAt));
  }

  async function toggleComments(entry) {
    entry.comments.hidden = !entry.comments.hidden;
    if (entry.comments.hidden || entry.loaded) return;
    entry.loaded = true;
    const items = el("div", { className: "comment-list" });
    entry.comments.append(items);
    try {
      const page = await call("GET", `/api/v1/posts/${entry.post.id}/comments?limit=50`);
      for (const c of page.items.reverse()) items.append(commentNode(c));
    } catch (e) { show(e); }
    const text = el("input", { name: "comment", maxlength: "2000", required: "", "aria-label": t("feed.commentLabel") });
    text.placeholder = t("feed.commentPlaceholder");
    const form = el("form", { className: "comment-form" }, text, el("button", { type: "submit", text: t("feed.send") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = text.value.trim();
      if (!value) return;
      try {
        const c = await call("POST", `/api/v1/posts/${entry.post.id}/comments`, { text: value });
        text.value = "";
        addComment(entry.post.id, c);
      } catch (e) { show(e); }
    });
    entry.comments.append(form);
  }

  function addComment(postId, comment) {
    const entry = state.posts.get(postId);
    if (!entry || !entry.loaded) return;
    const items = entry.comments.querySelector(".comment-list");
    if (items && !items.querySelector(`[data-comment-id="${comment.id}"]`)) items.append(commentNode(comment));
  }

  function addPost(post, atTop) {
    if (state.posts.has(post.id)) return;
    const entry = render(post);
    state.posts.set(post.id, entry);
    if (atTop) {
      // newest first: put it before the first post with a smaller id
      const before = [...list.children].find((n) => BigInt(n.dataset.postId) < BigInt(post.id));
      list.insertBefore(entry.node, before || null);
    } else {
      list.append(entry.node);
    }
    empty.hidden = state.posts.size > 0;
  }

  function removePost(id) {
    const entry = state.posts.get(id);
    if (!entry) return;
    entry.node.remove();
    state.posts.delete(id);
    empty.hidden = state.posts.size > 0;
  }

  async function loadPage() {
    const base = familyId ? `/api/v1/families/${encodeURIComponent(familyId)}/posts` : "/api/v1/feed";
    const cursor = state.next ? `&before=${encodeURIComponent(state.next)}` : "";
    more.disabled = true;
    try {
      const page = await call("GET", `${base}?limit=${PAGE}${cursor}`);
      for (const post of page.items) addPost(post, false);
      state.next = page.next;
      more.hidden = !page.next;
    } catch (e) {
      show(e);
    } finally {
      more.disabled = false;
      empty.hidden = state.posts.size > 0;
    }
  }
  more.addEventListener("click", loadPage);

  function notificationPanel() {
    const items = el("ul", { className: "notifications", "data-notifications": "" });
    const unread = el("span", { className: "count" });
    const markRead = el("button", { type: "button", className: "secondary", text: t("feed.markRead") });
    const node = el("section", { className: "notifications-panel" },
      el("h3", {}, t("feed.notifications"), " ", unread), items, markRead);
    const describe = (n) => t(n.type === "like" ? "feed.notification.like" : "feed.notification.comment", { name: n.actor.displayName });
    const add = (n, atTop) => {
      const li = el("li", { className: n.read ? "read" : "unread", "data-notification-id": n.id }, describe(n), " ", when(n.createdAt));
      if (atTop) items.prepend(li); else items.append(li);
    };
    const setUnread = (count) => { unread.textContent = count > 0 ? `(${count})` : ""; };
    markRead.addEventListener("click", async () => {
      try {
        setUnread((await call("POST", "/api/v1/notifications/read", {})).unreadCount);
        for (const li of items.children) li.className = "read";
      } catch (e) { show(e); }
    });
    call("GET", "/api/v1/notifications?limit=20").then((page) => {
      page.items.forEach((n) => add(n, false));
      setUnread(page.unreadCount);
    }).catch(show);
    return { node, add: (n) => { add(n, true); setUnread((parseInt(unread.textContent.slice(1), 10) || 0) + 1); } };
  }

  function onEvent(message) {
    switch (message.type) {
      case "post":
        if (!familyId || message.post.familyId === String(familyId)) addPost(message.post, true);
        break;
      case "post_deleted":
        removePost(message.postId);
        break;
      case "counts": {
        const entry = state.posts.get(message.postId);
        if (entry) {
          entry.post.likeCount = message.likeCount;
          entry.post.commentCount = message.commentCount;
          update(entry);
        }
        break;
      }
      case "comment":
        addComment(message.postId, message.comment);
        break;
      case "notification":
        if (notifications) notifications.add(message.notification);
        break;
      case "session_revoked":
        sessionStorage.removeItem(TOKEN_KEY);
        location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
        break;
      default:
        break;
    }
  }

  async function connect() {
    if (state.closed) return;
    try {
      const { ticket } = await call("POST", "/api/v1/live-tickets");
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}/ws/live?ticket=${encodeURIComponent(ticket)}`);
      state.socket = socket;
      socket.addEventListener("message", (event) => {
        try { onEvent(JSON.parse(event.data)); } catch { /* not JSON: ignore */ }
      });
      socket.addEventListener("open", () => { state.retries = 0; root.dataset.live = "open"; });
      socket.addEventListener("close", (event) => {
        root.dataset.live = "closed";
        if (event.code === 4001 || state.closed) return;
        reconnectLater();
      });
    } catch {
      reconnectLater();
    }
  }

  function reconnectLater() {
    if (state.closed) return;
    state.retries = Math.min(state.retries + 1, 6);
    setTimeout(connect, 500 * 2 ** state.retries);
  }

  await loadPage();
  connect();
  return {
    close() {
      state.closed = true;
      if (state.socket) state.socket.close(1000, "page left");
    },
  };
}
