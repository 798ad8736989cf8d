// A search box above each unit picker (<select data-ng-unit-search="placeholder">, grouped
// by level in <optgroup>s): typing keeps the options whose name contains the text (and
// the ones already chosen), so a dispatcher finds a unit among hundreds on a phone.
// Progressive enhancement: without this script the grouped <select> works as it is.
(() => {
  const enhance = (select) => {
    if (select.dataset.ngUnitSearchReady) return;
    select.dataset.ngUnitSearchReady = "1";
    const original = Array.from(select.children).map((node) => node.cloneNode(true));
    const input = document.createElement("input");
    input.type = "search";
    input.className = "form-control mb-1 ng-unit-search";
    input.placeholder = select.dataset.ngUnitSearch || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    input.autocomplete = "off";
    select.before(input);
    const count = document.createElement("div");
    count.className = "form-text ng-unit-search-count";
    count.setAttribute("aria-live", "polite");
    select.after(count);

    input.addEventListener("input", () => {
      const query = input.value.trim().toLowerCase();
      const chosen = new Set(Array.from(select.selectedOptions).map((o) => o.value));
      const keep = (option) => !option.value || chosen.has(option.value) || option.text.toLowerCase().includes(query);
      let shown = 0;
      select.replaceChildren();
      for (const node of original) {
        const copy = node.cloneNode(true);
        const options = copy.tagName === "OPTGROUP" ? Array.from(copy.children) : [copy];
        for (const option of options) {
          if (!keep(option)) option.remove();
          else {
            option.selected = chosen.has(option.value);
            if (option.value) shown += 1;
          }
        }
        if (copy.tagName !== "OPTGROUP" || copy.children.length) select.append(copy);
      }
      count.textContent = query ? `${shown} / ${original.reduce((n, g) => n + (g.tagName === "OPTGROUP" ? g.children.length : g.value ? 1 : 0), 0)}` : "";
    });
  };
  const scan = (root) => root.querySelectorAll("select[data-ng-unit-search]").forEach(enhance);
  scan(document);
  document.addEventListener("htmx:afterSwap", (event) => scan(event.target));
})();
