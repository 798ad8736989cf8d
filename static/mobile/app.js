/* Every staff page on the phone (issue #19): registers the service worker, marks a page
   shown from the offline copy with the time it was made, shows how many drafts wait,
   sends waiting drafts when the connection returns, and empties the phone at logout or
   when another user signs in. Needs store.js (window.NgOffline). */
(function () {
  "use strict";
  const N = window.NgOffline;
  const user = N.meta("ng-user");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(N.meta("ng-sw"), { scope: "/" }).catch(() => null);
    // The static files this page loaded before the worker was in charge (a map, a chart
    // library…) are kept too, so the page opens offline next time.
    navigator.serviceWorker.ready.then((registration) => {
      const urls = performance.getEntriesByType("resource").map((e) => e.name).filter((u) => new URL(u).pathname.startsWith("/static/"));
      if (registration.active) registration.active.postMessage({ keep: urls });
    });
  }

  // Another user on this phone: the previous one's drafts and page copies go.
  const owner = localStorage.getItem("ng-owner");
  const ready = owner && owner !== user ? N.wipe() : Promise.resolve();
  localStorage.setItem("ng-owner", user);

  // A page shown from the offline copy says so, with the time it was made.
  if (N.meta("ng-offline") === "1") {
    const note = document.createElement("div");
    note.id = "ng-stale";
    note.className = "alert alert-warning py-2 small";
    note.setAttribute("role", "status");
    note.textContent = N.say("stale", { time: N.meta("ng-page-time") });
    const main = document.getElementById("main");
    if (main) main.prepend(note);
  }

  // How many drafts wait, as a link to the outbox (bottom right, thumb-sized).
  const badge = document.createElement("a");
  badge.id = "ng-outbox-badge";
  badge.href = N.meta("ng-outbox");
  badge.className = "btn btn-warning shadow ng-outbox-badge";
  badge.hidden = true;
  document.body.append(badge);
  async function count() {
    const waiting = (await N.all()).filter((d) => d.status !== "sent").length;
    badge.textContent = `${N.say("outbox")} ${waiting}`;
    badge.hidden = waiting === 0 || location.pathname === N.meta("ng-outbox");
  }
  window.addEventListener("ng-outbox-changed", count);

  ready.then(() => count()).then(() => N.flush());
  window.addEventListener("online", () => N.flush());

  // Logout empties the phone first (the server's Clear-Site-Data header does it too).
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[data-ng-logout], form[action$='/logout/']")) return;
    event.preventDefault();
    const waiting = (await N.all()).filter((d) => d.status !== "sent").length;
    if (waiting && !window.confirm(N.say("logoutConfirm", { n: waiting }))) return;
    await N.wipe();
    localStorage.removeItem("ng-owner");
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
    }
    form.submit();
  }, true);
})();
