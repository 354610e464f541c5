// The console's tools: the target picker over the catalog, the test box and the preview.
"use strict";

// ---- the target picker: a combobox over the catalog search -------------------------------

function picker(input, list, picked) {
  let active = -1;
  let results = [];
  let asked = 0;
  let timer = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    const li = list.children[index];
    if (li && li.id) {
      input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }
  };
  const choose = (index) => {
    const model = results[index];
    if (!model) return;
    input.value = model.id;
    picked(model.id);
    close();
  };
  const show = (models) => {
    results = models;
    list.replaceChildren();
    models.forEach((model, i) => {
      const li = document.createElement("li");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const id = document.createElement("span");
      id.textContent = model.id;
      const owner = document.createElement("span");
      owner.className = "owner";
      owner.textContent = model.owned_by || "";
      li.append(id, owner);
      // mousedown, not click: the input keeps its focus, so the list is not closed first.
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      list.append(li);
    });
    if (!models.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No catalog model matches; a target outside the catalog is saved with a warning.";
      list.append(li);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  const search = async () => {
    const mine = ++asked;
    let answer;
    try {
      answer = await api("GET", `/admin/catalog?q=${encodeURIComponent(input.value.trim())}`);
    } catch (e) {
      return;
    }
    // Only the newest search shows: an older answer arriving late is dropped.
    if (mine !== asked || document.activeElement !== input || answer.status !== 200) return;
    show(answer.body.data || []);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  input.addEventListener("focus", () => { if (!input.value) search(); });
  input.addEventListener("blur", close);
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && results.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { search(); return; }
      highlight(Math.min(active + 1, results.length - 1));
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
}

// ---- test box and preview ----------------------------------------------------------------

let testAsked = 0;
let testTimer = null;

async function testModel() {
  const model = $("test-model").value;
  const result = $("test-result");
  const key = state.toolKey;
  if (!key || !model) { result.replaceChildren(); return; }
  const mine = ++testAsked;
  let answer;
  try {
    answer = await api("GET", `/admin/keys/${encodeURIComponent(key.id)}/resolve?model=${encodeURIComponent(model)}`);
  } catch (e) {
    if (mine === testAsked) result.textContent = "Could not reach the gateway.";
    return;
  }
  if (mine !== testAsked) return;
  if (answer.status !== 200) {
    result.textContent = errorText(answer, "Could not resolve");
    return;
  }
  const r = answer.body;
  const resolved = document.createElement("span");
  resolved.className = "resolved";
  resolved.textContent = r.resolved;
  const how = document.createElement("span");
  how.className = "rule";
  how.textContent = r.rule === "passthrough"
    ? " (passthrough: no alias applies, the name is sent as it is)"
    : ` (${r.rule} alias "${r.alias}")`;
  result.replaceChildren(document.createTextNode("Sends "), resolved, how);
  if (r.allowed === false) {
    const refusedLine = document.createElement("span");
    refusedLine.className = "refused";
    refusedLine.textContent = "Refused with a 403: this key's allow list does not allow that model.";
    result.append(refusedLine);
  }
  for (const field of ["defaults", "overrides"]) {
    if (!r[field]) continue;
    const line = document.createElement("span");
    line.className = "preset";
    const label = field === "defaults" ? "with defaults (where the request has none)" : "with overrides";
    line.textContent = `${label}: ${JSON.stringify(r[field])}`;
    result.append(line);
  }
}

async function refreshPreview() {
  const key = state.toolKey;
  const list = $("preview-list");
  if (!key) { list.replaceChildren(); return; }
  let answer;
  try {
    answer = await api("GET", `/admin/keys/${encodeURIComponent(key.id)}/models`);
  } catch (e) {
    return;
  }
  if (answer.status !== 200) return;
  list.replaceChildren();
  for (const model of answer.body.data || []) {
    const li = document.createElement("li");
    const id = document.createElement("code");
    id.textContent = model.id;
    li.append(id);
    if (model.root && model.root !== model.id) {
      const root = document.createElement("span");
      root.className = "root";
      root.textContent = ` → ${model.root}`;
      li.append(root);
    }
    list.append(li);
  }
}

// The key picker of the tools: every key, the tools' key chosen; with no key yet, says so.
function toolKeys() {
  const select = $("tools-key");
  select.replaceChildren();
  for (const key of state.keys) {
    const option = document.createElement("option");
    option.value = key.id;
    option.textContent = `${key.name} (${key.id})`;
    select.append(option);
  }
  if (!state.toolKey || !state.keys.some((k) => k.id === state.toolKey.id)) state.toolKey = state.keys[0] || null;
  if (state.toolKey) select.value = state.toolKey.id;
  select.disabled = !state.keys.length;
  $("tools-empty").hidden = state.keys.length > 0;
}

// Shows the tools for the tools' key, whether or not a key is open.
function showTools() {
  toolKeys();
  $("tools").hidden = false;
  $("test-result").replaceChildren();
  testModel();
  refreshPreview();
}

function pickToolKey() {
  state.toolKey = state.keys.find((k) => k.id === $("tools-key").value) || null;
  testModel();
  refreshPreview();
}
