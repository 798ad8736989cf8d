/* The outbox page (/mobile/outbox/, issue #19): each draft of the signed-in user with
   its state — waiting, refused (with the server's reasons; fix it in its form or send
   it again), sent (with the event's number) — and a button to send now. */
(function () {
  "use strict";
  const N = window.NgOffline;
  const list = document.getElementById("ng-outbox-list");
  if (!list) return;
  const STATUS_CLASS = { pending: "text-bg-warning", refused: "text-bg-danger", sent: "text-bg-success" };

  function el(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function time(iso) {
    return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  }

  function row(draft) {
    const item = el("li", { className: "list-group-item ng-draft", id: `draft-${draft.id}` });
    item.dataset.status = draft.status;
    const head = el("div", { className: "d-flex justify-content-between align-items-start gap-2" },
      el("div", {},
        el("div", { className: "fw-semibold ng-draft-title", textContent: draft.title || "—" }),
        el("div", { className: "small text-body-secondary", textContent: `${draft.label} · ${N.say("savedAt", { time: time(draft.createdAt) })}` })),
      el("span", { className: `badge ${STATUS_CLASS[draft.status] || ""} ng-draft-status`, textContent: N.say(draft.status) }));
    item.append(head);
    if (draft.note) item.append(el("div", { className: "small text-danger", textContent: draft.note }));
    if (draft.status === "refused") {
      const reasons = el("ul", { className: "small text-danger mb-1 ng-draft-reasons" });
      for (const r of draft.reasons || []) reasons.append(el("li", { textContent: r.label ? `${r.label}：${r.message}` : r.message }));
      item.append(reasons);
    }
    const actions = el("div", { className: "d-flex flex-wrap gap-2 mt-2" });
    if (draft.status === "sent") {
      item.append(el("div", { className: "small", textContent: N.sayFor(draft, "sentAs", { n: draft.event.number }) }));
      actions.append(el("a", { className: "btn btn-outline-primary btn-sm ng-tap", href: draft.event.url, textContent: N.sayFor(draft, "open") }));
    } else {
      actions.append(el("a", { className: "btn btn-outline-primary btn-sm ng-tap ng-draft-edit", href: `${draft.url}?draft=${encodeURIComponent(draft.id)}`, textContent: N.say("edit") }));
      if (draft.status === "refused") {
        const retry = el("button", { type: "button", className: "btn btn-outline-secondary btn-sm ng-tap ng-draft-retry", textContent: N.say("retry") });
        retry.addEventListener("click", async () => {
          draft.status = "pending";
          await N.save(draft);
          await N.send(draft.id);
        });
        actions.append(retry);
      }
    }
    const drop = el("button", { type: "button", className: "btn btn-outline-danger btn-sm ng-tap ng-draft-delete", textContent: N.say("delete") });
    drop.addEventListener("click", async () => {
      if (draft.status === "sent" || window.confirm(N.say("deleteConfirm"))) await N.remove(draft.id);
    });
    actions.append(drop);
    item.append(actions);
    return item;
  }

  async function render() {
    const drafts = await N.all();
    list.replaceChildren(...drafts.map(row));
    document.getElementById("ng-outbox-empty").hidden = drafts.length > 0;
  }

  window.addEventListener("ng-outbox-changed", render);
  const now = document.getElementById("ng-outbox-send");
  if (now) now.addEventListener("click", () => N.flush());
  const saved = new URLSearchParams(location.search).get("saved");
  if (saved) document.getElementById("ng-outbox-saved").hidden = false;
  render();
})();
