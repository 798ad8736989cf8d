/* Forms that keep offline drafts (`<form data-ng-draft="kind" data-ng-draft-label="…">`;
   issue #19): the report and on-the-spot handling forms, the ledgers' visit record. A
   form may name the draft's title when it has no `title` field (`data-ng-draft-title`)
   and its time field set to now on an offline copy (`data-ng-draft-now`, default
   discovered_at). Submitting saves the filled-in form as a draft first (photos compressed on
   the phone, a recorded voice note), then sends it at once when there is a network: sent,
   the event's page opens; refused, the reasons show above the form and the draft stays
   in the outbox to be fixed; no network, the outbox opens and it is sent later.
   `?draft=<id>` opens a saved draft in its form again. Needs store.js and
   browser-image-compression. */
(function () {
  "use strict";
  const N = window.NgOffline;
  const PHOTO = { maxSizeMB: 0.4, maxWidthOrHeight: 1600, useWebWorker: false, initialQuality: 0.8 };
  const EXTENSIONS = { "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp" };

  /* A photo made small on the phone (≤ 1600 px, about 400 KB), named after its type. */
  async function shrink(file) {
    if (!file.type.startsWith("image/") || !window.imageCompression) return { name: file.name, type: file.type, blob: file };
    let out = file;
    try {
      out = await window.imageCompression(file, PHOTO);
    } catch (error) {
      out = file;  // not an image the browser can read: the server says why
    }
    if (out.size >= file.size) out = file;
    const base = file.name.replace(/\.[^.]*$/, "") || "photo";
    const type = out.type || file.type;
    return { name: out === file ? file.name : base + (EXTENSIONS[type] || ""), type, blob: out };
  }

  function nowInBeijing() {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-CA", {
        timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      }).formatToParts(new Date()).map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  }

  async function capture(form, previous) {
    const fields = [];
    const files = [];
    const chosen = new Set();
    for (const [name, value] of new FormData(form).entries()) {
      if (name === "csrfmiddlewaretoken" || name === "refresh") continue;
      if (value instanceof File) {
        if (!value.size || (name === "voice" && form.ngVoice)) continue;
        chosen.add(name);
        files.push({ field: name, ...(await shrink(value)) });
      } else {
        fields.push([name, value]);
      }
    }
    if (form.ngVoice) {
      chosen.add("voice");
      files.push({ field: "voice", name: "voice" + (form.ngVoice.type.includes("mp4") ? ".m4a" : ".webm"), type: form.ngVoice.type, blob: form.ngVoice });
    }
    // Files of the draft being fixed stay unless new ones of the same kind were chosen.
    for (const file of (previous && previous.files) || []) if (!chosen.has(file.field)) files.push(file);
    const title = (fields.find(([n]) => n === "title") || [])[1] || form.dataset.ngDraftTitle || "";
    const now = new Date().toISOString();
    return {
      id: (previous && previous.id) || crypto.randomUUID(),
      user: N.meta("ng-user"),
      kind: form.dataset.ngDraft,
      label: form.dataset.ngDraftLabel || "",
      url: form.getAttribute("action") || location.pathname,
      title,
      fields,
      files,
      status: "pending",
      reasons: [],
      createdAt: (previous && previous.createdAt) || now,
    };
  }

  function showReasons(form, draft) {
    let box = form.querySelector("#ng-draft-reasons");
    if (!box) {
      box = document.createElement("div");
      box.id = "ng-draft-reasons";
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      form.prepend(box);
    }
    box.replaceChildren(Object.assign(document.createElement("div"), { className: "fw-semibold", textContent: N.say("refusedIntro") }));
    const list = document.createElement("ul");
    list.className = "mb-0";
    for (const r of draft.reasons || []) list.append(Object.assign(document.createElement("li"), { textContent: r.label ? `${r.label}：${r.message}` : r.message }));
    box.append(list);
    box.scrollIntoView({ block: "start" });
  }

  function fill(form, draft, onlyEmpty) {
    const values = new Map();
    for (const [name, value] of draft.fields) values.set(name, [...(values.get(name) || []), value]);
    for (const el of form.elements) {
      if (!el.name || !values.has(el.name) || el.type === "file" || el.name === "csrfmiddlewaretoken") continue;
      const given = values.get(el.name);
      if (el.type === "checkbox" || el.type === "radio") {
        if (!onlyEmpty) el.checked = given.includes(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        if (!onlyEmpty) for (const option of el.options) option.selected = given.includes(option.value);
      } else if (!onlyEmpty || !el.value) {
        el.value = given[0];
      }
    }
  }

  function keptNote(form, draft) {
    if (!draft.files.length) return;
    const note = document.createElement("p");
    note.id = "ng-draft-files";
    note.className = "small text-body-secondary";
    note.textContent = N.say("kept", { n: draft.files.length });
    form.querySelector("[type=submit]:not([name])")?.before(note);
  }

  async function open(form, id) {
    const draft = await N.get(id);
    if (!draft || draft.status === "sent") return null;
    const choice = form.querySelector("#id_item");
    const before = choice ? choice.value : null;
    fill(form, draft, false);
    keptNote(form, draft);
    if (draft.reasons && draft.reasons.length) showReasons(form, draft);
    // The item's own report fields come with the item (an htmx refresh), then are filled.
    if (choice && choice.value !== before && navigator.onLine) {
      form.addEventListener("htmx:afterSettle", () => fill(form, draft, true), { once: true });
      choice.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return draft;
  }

  function voice(form) {
    const input = form.querySelector("[data-ng-voice]");
    if (!input || !window.MediaRecorder || !navigator.mediaDevices) return;
    const button = document.createElement("button");
    button.type = "button";
    button.id = "ng-voice-record";
    button.className = "btn btn-outline-secondary w-100 mb-2";
    button.textContent = N.say("record");
    const player = document.createElement("audio");
    player.id = "ng-voice-player";
    player.controls = true;
    player.hidden = true;
    player.className = "w-100 mb-2";
    input.after(button, player);
    let recorder = null;
    button.addEventListener("click", async () => {
      if (recorder) {
        recorder.stop();
        return;
      }
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", (e) => {
        chunks.push(e.data);  // one a second (the timeslice): the count is the length
        const seconds = chunks.length;
        button.textContent = N.say("recording", { time: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` });
      });
      recorder.addEventListener("stop", () => {
        stream.getTracks().forEach((t) => t.stop());
        form.ngVoice = new Blob(chunks, { type: (recorder.mimeType || "audio/webm").split(";")[0] });
        player.src = URL.createObjectURL(form.ngVoice);
        player.hidden = false;
        button.textContent = N.say("record");
        recorder = null;
      });
      recorder.start(1000);
      button.textContent = N.say("recording", { time: "0:00" });
    });
  }

  function setUp(form) {
    const id = new URLSearchParams(location.search).get("draft");
    let current = null;
    const opened = id ? open(form, id).then((d) => { current = d; }) : Promise.resolve();
    if (!id && N.meta("ng-offline") === "1") {
      const when = form.querySelector(`input[name=${form.dataset.ngDraftNow || "discovered_at"}]`);
      if (when) when.value = nowInBeijing();  // the offline copy's time is not now
    }
    voice(form);
    form.addEventListener("submit", async (event) => {
      if (event.submitter && event.submitter.name === "refresh") return;
      event.preventDefault();
      const button = event.submitter || form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      try {
        await opened;
        const draft = await N.save(await capture(form, current));
        current = draft;
        const status = navigator.onLine ? await N.send(draft.id) : "waiting";
        const after = await N.get(draft.id);
        if (status === "sent" && after) {
          location.assign(after.event.url);
        } else if (status === "refused" && after) {
          current = after;
          showReasons(form, after);
        } else {
          location.assign(`${N.meta("ng-outbox")}?saved=${encodeURIComponent(draft.id)}`);
        }
      } finally {
        if (button) button.disabled = false;
      }
    });
  }

  document.querySelectorAll("form[data-ng-draft]").forEach(setUp);
})();
