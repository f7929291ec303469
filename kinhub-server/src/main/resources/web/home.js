import { api, requireLogin, TOKEN_KEY } from "./api.js";

if (requireLogin()) {
  api("GET", "/api/v1/me").then((me) => {
    document.getElementById("greeting").textContent = `Welcome, ${me.displayName}`;
  }).catch(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    requireLogin();
  });
}
document.getElementById("logout").addEventListener("click", async () => {
  try {
    await api("DELETE", "/api/v1/me/sessions/current");
  } finally {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace("/login");
  }
});
