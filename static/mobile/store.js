/* Offline drafts of the staff side's forms, kept in the browser (IndexedDB through
   idb-keyval) until they are sent; issue #19.

   A draft is one filled-in form of any kind (`<form data-ng-draft="report">`: the report
   and on-the-spot handling forms, the ledgers' visit record ("visit"); a task result is
   one more form with the attribute): {id, user, kind, label, url, title, fields: [[name, value]],
   files: [{field, name, type, blob}], status: "pending" | "refused" | "sent", reasons:
   [{label, message}], createdAt, updatedAt (ISO, the phone's clock), event: {number, url}}
   (`event`: what the sent form created, an event or a visit record, by the address the
   server answered).
   The form's hidden one-time `submission_key` is one of its fields, so sending it again
   (a retry, a reload in the middle of a send, another tab) files it once: the server
   answers a repeat with the first answer (idempotency.services.run_once).

   Only the signed-in user's drafts are shown or sent (meta `ng-user`); all are removed
   at logout (app.js, and the server's Clear-Site-Data header) and when another user
   signs in on the phone. Exposes window.NgOffline.
*/
(function () {
  "use strict";
  const kv = window.idbKeyval;
  const store = kv.createStore("ng-offline", "drafts");
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const wordsNode = document.getElementById("ng-offline-words");
  const words = wordsNode ? JSON.parse(wordsNode.textContent) : {};

  function say(key, values) {
    return (words[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String((values || {})[name] ?? ""));
  }

  function changed() {
    window.dispatchEvent(new CustomEvent("ng-outbox-changed"));
  }

  async function all() {
    const user = meta("ng-user");
    const drafts = (await kv.values(store)).filter((d) => d.user === user);
    return drafts.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }

  async function get(id) {
    const draft = await kv.get(id, store);
    return draft && draft.user === meta("ng-user") ? draft : undefined;
  }

  async function save(draft) {
    draft.updatedAt = new Date().toISOString();
    await kv.set(draft.id, draft, store);
    changed();
    return draft;
  }

  async function remove(id) {
    await kv.del(id, store);
    changed();
  }

  /* Remove every draft and every page copy on this phone (logout, another user). */
  async function wipe() {
    await kv.clear(store);
    if (window.caches) {
      for (const name of await caches.keys()) await caches.delete(name);
    }
    changed();
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function body(draft) {
    const data = new FormData();
    for (const [name, value] of draft.fields) data.append(name, value);
    for (const file of draft.files) data.append(file.field, new File([file.blob], file.name, { type: file.type }));
    data.set("csrfmiddlewaretoken", csrfToken());
    return data;
  }

  /* The server's reasons for refusing a form: its non-field errors and each field's
     errors with the field's label, read from the form it sent back. */
  function reasonsFrom(html, status) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const reasons = [];
    for (const node of doc.querySelectorAll(".ng-form-errors > div")) reasons.push({ label: "", message: node.textContent.trim() });
    for (const node of doc.querySelectorAll(".invalid-feedback")) {
      const id = (node.id || "").replace(/_error$/, "");
      const label = id ? doc.querySelector(`label[for="${id}"]`) : null;
      for (const line of node.querySelectorAll("div")) {
        reasons.push({ label: label ? label.textContent.replace(/[\s*]+/g, " ").trim() : "", message: line.textContent.trim() });
      }
    }
    if (!reasons.length) {
      const main = doc.querySelector("main h1, main p, h1");
      reasons.push({ label: "", message: `HTTP ${status}${main ? " · " + main.textContent.trim() : ""}` });
    }
    return reasons;
  }

  /* Send one draft; answers its new status ("sent", "refused") or "waiting" (no
     network, signed out, server busy: it stays pending and is sent later). */
  async function send(draft) {
    let response;
    try {
      response = await fetch(draft.url, {
        method: "POST",
        body: body(draft),
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken(), "X-Ng-Draft": "1" },
        credentials: "same-origin",
      });
    } catch (error) {
      return "waiting";
    }
    // A filed draft is answered with the event's address (mobile.middleware.DraftAnswerMiddleware).
    const location = response.headers.get("X-Ng-Location");
    const path = new URL(location || response.url, document.baseURI).pathname;
    const filed = Boolean(location) || (response.ok && response.redirected);
    if (filed && path.startsWith("/accounts/")) {
      draft.note = say("signIn");
      await save(draft);
      return "waiting";
    }
    if (filed) {
      const number = path.replace(/\/$/, "").split("/").pop();
      await save({
        id: draft.id, user: draft.user, kind: draft.kind, label: draft.label, url: draft.url, title: draft.title,
        createdAt: draft.createdAt, status: "sent", sentAt: new Date().toISOString(), event: { number, url: path },
        fields: [], files: [],
      });
      return "sent";
    }
    if (response.status >= 500 || response.status === 429) return "waiting";
    draft.status = "refused";
    draft.note = "";
    const html = await response.text();
    draft.reasons = reasonsFrom(html, response.status);
    if (response.status === 422) {
      // The key was used for another content (an edit after a send whose answer was lost):
      // the form sent back carries a new key, for a deliberate new report.
      const key = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=submission_key]");
      if (key) draft.fields = draft.fields.map(([n, v]) => [n, n === "submission_key" ? key.value : v]);
    }
    await save(draft);
    return "refused";
  }

  /* Run `work` alone among this phone's tabs (a draft is never sent by two at once). */
  function alone(work) {
    return navigator.locks ? navigator.locks.request("ng-outbox", work) : work();
  }

  /* Send the draft `id` if it still waits; answers its status afterwards. */
  function sendOne(id) {
    return alone(async () => {
      const draft = await get(id);
      if (!draft) return "gone";
      if (draft.status !== "pending") return draft.status;
      return send(draft);
    });
  }

  /* Send every waiting draft of the signed-in user, oldest first; the record of a draft
     sent more than SENT_KEPT_MS ago goes. */
  const SENT_KEPT_MS = 3 * 24 * 3600 * 1000;
  function flush() {
    if (!navigator.onLine || !meta("ng-user")) return Promise.resolve();
    return alone(async () => {
      for (const draft of await all()) {
        if (draft.status === "sent" && Date.now() - Date.parse(draft.sentAt) > SENT_KEPT_MS) await remove(draft.id);
        if (draft.status === "pending" && (await send(draft)) === "waiting") break;
      }
    });
  }

  /* `say` for a draft's kind: the kind's own words (`key.kind`, e.g. "sentAs.visit") if any. */
  function sayFor(draft, key, values) {
    return say(words[`${key}.${draft.kind}`] ? `${key}.${draft.kind}` : key, values);
  }

  window.NgOffline = { all, get, save, remove, wipe, send: sendOne, flush, say, sayFor, meta, words };
})();
