// The task issue form's area picker (<select multiple data-ng-area-picker="search URL">):
// a search box asks the server for the areas in the issuer's reach whose name or code
// matches (GET url?q=, at most 50), lists each with its path and level as a checkbox, and
// shows the chosen ones as removable chips above. The <select> stays in the form (hidden)
// and keeps the chosen options selected, so the form posts the same area ids.
// Progressive enhancement: without this script the plain multi-select works as it is.
(() => {
  const enhance = (select) => {
    if (select.dataset.ngAreaPickerReady) return;
    select.dataset.ngAreaPickerReady = "1";
    const data = select.dataset;
    const make = (tag, className, text) => {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    };
    const labels = new Map(); // area id -> path shown on its chip
    const chips = make("div", "ng-area-chips d-flex flex-wrap gap-1 mb-1");
    const input = make("input", "form-control ng-area-search");
    input.type = "search";
    input.placeholder = data.placeholder || "";
    input.setAttribute("aria-label", input.placeholder);
    input.autocomplete = "off";
    const status = make("div", "form-text ng-area-status");
    status.setAttribute("aria-live", "polite");
    const list = make("div", "list-group ng-area-results mt-1");
    select.before(chips, input, status, list);
    select.hidden = true;

    const option = (id) => select.querySelector(`option[value="${CSS.escape(String(id))}"]`);
    const drawChips = () => {
      chips.replaceChildren();
      for (const chosen of select.selectedOptions) {
        const chip = make("button", "btn btn-outline-primary ng-area-chip");
        chip.type = "button";
        chip.dataset.id = chosen.value;
        chip.textContent = `${labels.get(chosen.value) || chosen.text.trim()} ×`;
        chip.setAttribute("aria-label", `${data.remove || ""} ${chip.textContent}`);
        chip.addEventListener("click", () => {
          chosen.selected = false;
          const box = list.querySelector(`input[value="${CSS.escape(chosen.value)}"]`);
          if (box) box.checked = false;
          drawChips();
        });
        chips.append(chip);
      }
    };
    const draw = (body) => {
      list.replaceChildren();
      for (const area of body.results) {
        const row = make("label", "list-group-item d-flex align-items-center gap-2 ng-area-result");
        const box = make("input", "form-check-input m-0 flex-shrink-0");
        box.type = "checkbox";
        box.value = String(area.id);
        const target = option(area.id);
        box.checked = Boolean(target && target.selected);
        box.addEventListener("change", () => {
          const node = option(area.id);
          if (!node) return;
          node.selected = box.checked;
          labels.set(String(area.id), area.path);
          drawChips();
        });
        const text = make("span", "flex-grow-1 text-break ng-area-path", area.path);
        const level = make("span", "badge text-bg-light border flex-shrink-0", area.level_label);
        row.append(box, text, level);
        list.append(row);
      }
      status.textContent = body.results.length ? (body.more ? data.more || "" : "") : data.none || "";
    };
    let timer;
    let asked = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const query = input.value.trim();
      list.replaceChildren(); // no stale rows while the answer for the new text is on its way
      status.textContent = "";
      if (!query) return;
      timer = setTimeout(async () => {
        const ask = ++asked;
        const response = await fetch(`${data.ngAreaPicker}?q=${encodeURIComponent(query)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (ask !== asked) return; // a later keystroke's answer wins
        const body = await response.json();
        if (response.ok) draw(body);
        else status.textContent = body.errors.q[0].message;
      }, 200);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // Enter searches, it does not send the form
    });
    drawChips();
  };
  document.querySelectorAll("select[data-ng-area-picker]").forEach(enhance);
})();
