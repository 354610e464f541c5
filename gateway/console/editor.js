// The console's alias editor: a key's rows, their problems and warnings, and the save.
"use strict";

// ---- the editor --------------------------------------------------------------------------

async function openKey(key, focus) {
  if (state.key && state.key.id !== key.id && !mayDiscard(`Open ${key.name}`)) return;
  let answer;
  try {
    answer = await api("GET", `/admin/keys/${encodeURIComponent(key.id)}/aliases`);
  } catch (e) {
    say($("new-key-message"), "Could not reach the gateway to open this key. Try again.", "error");
    return;
  }
  if (answer.status === 401) return enter($("new-key-message"));
  if (answer.status !== 200) {
    say($("new-key-message"), errorText(answer, "The key's aliases could not be read"), "error");
    return;
  }
  state.key = key;
  state.toolKey = key;
  state.dirty = false;
  state.max = answer.body.max || 20;
  state.rows = (answer.body.aliases || []).map(fromStored);
  history.replaceState(null, "", `#key=${encodeURIComponent(key.id)}`);
  $("editor-key-name").textContent = key.name;
  $("ttl").textContent = String(answer.body.ttl_seconds ?? 60);
  $("editor").hidden = false;
  say($("save-status"), "");
  say($("set-message"), "");
  renderRows();
  showMessages([], answer.body.warnings || []);
  showKeys(state.keys);
  showTools();
  openAccess(key);
  if (focus) $("editor-title").scrollIntoView({ block: "start" });
  if (focus) (document.querySelector("#rows input") || $("add-row")).focus();
}

// A stored row as the editor holds it: a carried target is shown without its `*`.
function fromStored(row) {
  const match = row.match || "exact";
  const carry = match === "prefix" && row.target.endsWith("*");
  return {
    name: row.name,
    target: carry ? row.target.slice(0, -1) : row.target,
    match,
    hidden: Boolean(row.hidden),
    carry,
    defaults: row.defaults ? JSON.stringify(row.defaults) : "",
    overrides: row.overrides ? JSON.stringify(row.overrides) : "",
  };
}

// The editor's rows as the admin API takes them.
function toStored(row) {
  const stored = {
    name: row.name,
    target: row.carry && row.match === "prefix" ? `${row.target}*` : row.target,
    match: row.match,
  };
  if (row.hidden) stored.hidden = true;
  return stored;
}

// The rows as the JSON text of a PUT: each row's parameters spliced in as the user wrote
// them, so that the gateway judges them as written (member order, repeated members, number
// text), not as the browser would re-serialise them. Parameters that are not JSON at all are
// reported at their field, as problems are, and nothing is sent.
function toBody(rows) {
  const problems = [];
  const texts = rows.map((row, index) => {
    let text = JSON.stringify(toStored(row)).slice(0, -1);
    for (const field of ["defaults", "overrides"]) {
      const written = row[field].trim();
      if (!written) continue;
      try {
        JSON.parse(written);
      } catch (e) {
        problems.push({ row: index + 1, field, message: `"${field}" is not valid JSON (${e.message}): write an object of request members, such as {"temperature": 0.2}` });
        continue;
      }
      text += `,${JSON.stringify(field)}:${written}`;
    }
    return `${text}}`;
  });
  return { text: `[${texts.join(",")}]`, problems };
}

// "Parameters" with how many members a row sets, when it sets any.
function paramsCount(row) {
  let count = 0;
  for (const field of ["defaults", "overrides"]) {
    try {
      const value = JSON.parse(row[field] || "{}");
      if (value && typeof value === "object" && !Array.isArray(value)) count += Object.keys(value).length;
    } catch (e) {
      // Counted once it is JSON; the save says what is wrong.
    }
  }
  return count ? ` (${count})` : "";
}

function renderRows() {
  const list = $("rows");
  list.replaceChildren();
  state.rows.forEach((row, index) => list.append(rowElement(row, index)));
  const used = state.rows.length;
  $("usage").textContent = `${used} of ${state.max} aliases used`;
  $("add-row").disabled = used >= state.max;
}

function rowElement(row, index) {
  const li = $("row-template").content.firstElementChild.cloneNode(true);
  const number = index + 1;
  const id = (field) => `row-${number}-${field}`;
  li.dataset.index = String(index);
  li.querySelector(".row-number").textContent = `${number}.`;
  for (const span of li.querySelectorAll(".row-label")) span.textContent = `, row ${number}`;
  for (const label of li.querySelectorAll("label[data-for]")) label.htmlFor = id(label.dataset.for);
  const message = li.querySelector(".row-message");
  message.id = id("message");

  const name = li.querySelector('[data-field="name"]');
  const target = li.querySelector('[data-field="target"]');
  const match = li.querySelector('[data-field="match"]');
  const carry = li.querySelector('[data-field="carry"]');
  const hidden = li.querySelector('[data-field="hidden"]');
  const params = li.querySelector(".params");
  const defaults = li.querySelector('[data-field="defaults"]');
  const overrides = li.querySelector('[data-field="overrides"]');
  const count = li.querySelector(".params-count");
  defaults.id = id("defaults");
  overrides.id = id("overrides");
  params.id = id("params");
  defaults.value = row.defaults;
  overrides.value = row.overrides;
  params.open = Boolean(row.defaults || row.overrides);
  count.textContent = paramsCount(row);
  for (const [area, field] of [[defaults, "defaults"], [overrides, "overrides"]]) {
    area.setAttribute("aria-describedby", message.id);
    area.addEventListener("input", () => { row[field] = area.value; count.textContent = paramsCount(row); edited(); });
  }
  name.id = id("name");
  target.id = id("target");
  match.id = id("match");
  carry.id = id("carry");
  hidden.id = id("hidden");
  for (const input of [name, target, match]) input.setAttribute("aria-describedby", message.id);

  name.value = row.name;
  target.value = row.target;
  match.value = row.match;
  carry.checked = row.carry;
  carry.disabled = row.match !== "prefix";
  hidden.checked = row.hidden;

  name.addEventListener("input", () => { row.name = name.value; edited(); });
  target.addEventListener("input", () => { row.target = target.value; edited(); });
  match.addEventListener("change", () => {
    row.match = match.value;
    carry.disabled = row.match !== "prefix";
    if (carry.disabled) { carry.checked = false; row.carry = false; }
    edited();
  });
  carry.addEventListener("change", () => { row.carry = carry.checked; edited(); });
  hidden.addEventListener("change", () => { row.hidden = hidden.checked; edited(); });

  const options = li.querySelector(".options");
  options.id = id("options");
  target.setAttribute("aria-controls", options.id);
  picker(target, options, (picked) => { row.target = picked; edited(); });

  const up = li.querySelector('[data-action="up"]');
  const down = li.querySelector('[data-action="down"]');
  const remove = li.querySelector('[data-action="remove"]');
  up.setAttribute("aria-label", `Move row ${number} up`);
  down.setAttribute("aria-label", `Move row ${number} down`);
  remove.setAttribute("aria-label", `Remove row ${number}`);
  up.disabled = index === 0;
  down.disabled = index === state.rows.length - 1;
  up.addEventListener("click", () => move(index, -1, "up"));
  down.addEventListener("click", () => move(index, 1, "down"));
  remove.addEventListener("click", () => removeRow(index));
  return li;
}

function edited() {
  state.dirty = true;
  say($("save-status"), "Unsaved changes.");
}

function addRow() {
  if (state.rows.length >= state.max) return;
  state.rows.push({ name: "", target: "", match: "exact", hidden: false, carry: false, defaults: "", overrides: "" });
  const kept = keptMessages();
  renderRows();
  restoreMessages(kept);
  edited();
  $(`row-${state.rows.length}-name`).focus();
}

function removeRow(index) {
  state.rows.splice(index, 1);
  renderRows();
  edited();
  const next = $(`row-${Math.min(index + 1, state.rows.length)}-name`);
  (next || $("add-row")).focus();
}

function move(index, by, direction) {
  const to = index + by;
  if (to < 0 || to >= state.rows.length) return;
  const [row] = state.rows.splice(index, 1);
  state.rows.splice(to, 0, row);
  renderRows();
  edited();
  const button = document.querySelector(`#rows li[data-index="${to}"] [data-action="${direction}"]`);
  const fallback = $(`row-${to + 1}-name`);
  (button && !button.disabled ? button : fallback).focus();
}

// Messages survive adding a row (the rows above keep their numbers); any other change of
// the rows' order clears them, since their row numbers would no longer be right.
function keptMessages() {
  return [...document.querySelectorAll("#rows .row-message")].map((m) => [...m.childNodes]);
}
function restoreMessages(kept) {
  kept.forEach((nodes, i) => {
    const message = $(`row-${i + 1}-message`);
    if (message) message.replaceChildren(...nodes);
  });
}

// Every problem and warning next to its row (1-based `row`), in the crate's words; problems
// that belong to no row (too many aliases, unreadable JSON) above the rows.
function showMessages(problems, warnings) {
  for (const element of document.querySelectorAll("#rows [aria-invalid]")) element.removeAttribute("aria-invalid");
  for (const message of document.querySelectorAll("#rows .row-message")) {
    message.replaceChildren();
    message.classList.remove("error");
  }
  const general = [];
  for (const problem of problems) {
    const message = $(`row-${problem.row}-message`);
    if (!message) { general.push(problem.message); continue; }
    const line = document.createElement("span");
    line.className = "problem";
    line.textContent = `Row ${problem.row}: ${problem.message}`;
    message.append(line);
    message.classList.add("error");
    const field = $(`row-${problem.row}-${problem.field || "name"}`);
    if (field) field.setAttribute("aria-invalid", "true");
    if (problem.field === "defaults" || problem.field === "overrides") {
      const params = $(`row-${problem.row}-params`);
      if (params) params.open = true;
    }
  }
  for (const warning of warnings) {
    const message = $(`row-${warning.row}-message`);
    if (!message) continue;
    const line = document.createElement("span");
    line.className = "warning";
    line.textContent = `Warning: ${warning.message}`;
    message.append(line);
  }
  say($("set-message"), general.join(" "), "error");
}

// A save refused for `problems`: each at its row, the count in the status, the first
// offending field focused.
function refused(problems) {
  showMessages(problems, []);
  const count = problems.length;
  say($("save-status"),
    `Nothing was saved: ${count} ${count === 1 ? "problem" : "problems"} to fix, shown at ${count === 1 ? "its row" : "their rows"}.`,
    "error");
  const first = document.querySelector('#rows [aria-invalid="true"]');
  if (first) first.focus();
}

async function save() {
  const button = $("save");
  button.disabled = true;
  say($("save-status"), "Saving…");
  const key = state.key;
  const body = toBody(state.rows);
  if (body.problems.length) {
    button.disabled = false;
    refused(body.problems);
    return;
  }
  let answer;
  try {
    answer = await api("PUT", `/admin/keys/${encodeURIComponent(key.id)}/aliases`, body.text);
  } catch (e) {
    button.disabled = false;
    say($("save-status"),
      "Could not reach the gateway, so nothing was saved. Your edits are still here: save again when it is back.",
      "error");
    return;
  }
  button.disabled = false;
  if (answer.status === 422) {
    refused(answer.body.problems || []);
    return;
  }
  if (answer.status === 401) {
    say($("save-status"), "The admin token is no longer accepted: nothing was saved. Sign in again in another tab, then save.", "error");
    return;
  }
  if (answer.status !== 200) {
    say($("save-status"), `Nothing was saved: ${errorText(answer, "the gateway refused the aliases")}`, "error");
    return;
  }
  state.dirty = false;
  const n = (answer.body.aliases || []).length;
  showMessages([], answer.body.warnings || []);
  say($("save-status"), `Saved ${n} ${n === 1 ? "alias" : "aliases"}.`, "ok");
  refreshKeys();
  refreshPreview();
  testModel();
}
