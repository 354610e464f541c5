// The console's access and usage views of the open key: its allow list, edited and saved
// on its own, and what it has used, by the real model each request resolved to.
"use strict";

// Loads the open key's allow list and usage.
async function openAccess(key) {
  $("access-key-name").textContent = key.name;
  $("usage-key-name").textContent = key.name;
  $("access").hidden = false;
  $("usage-view").hidden = false;
  say($("allow-message"), "");
  let answer;
  try {
    answer = await api("GET", `/admin/keys/${encodeURIComponent(key.id)}/allow`);
  } catch (e) {
    say($("allow-message"), "Could not reach the gateway to read the allow list.", "error");
    return;
  }
  if (answer.status !== 200) {
    say($("allow-message"), errorText(answer, "The allow list could not be read"), "error");
    return;
  }
  const allow = answer.body.allow;
  $("allow-any").checked = allow === null || allow === undefined;
  $("allow-entries").value = (allow || []).join("\n");
  allowAny();
  refreshUsage();
}

// The entries box is for a list; "any model" means none.
function allowAny() {
  const any = $("allow-any").checked;
  $("allow-entries").disabled = any;
  $("allow-entries").removeAttribute("aria-invalid");
}

async function saveAllow() {
  const key = state.key;
  if (!key) return;
  const any = $("allow-any").checked;
  const entries = $("allow-entries").value.split("\n").map((e) => e.trim()).filter((e) => e);
  say($("allow-message"), "Saving…");
  let answer;
  try {
    answer = await api("PUT", `/admin/keys/${encodeURIComponent(key.id)}/allow`, { allow: any ? null : entries });
  } catch (e) {
    say($("allow-message"), "Could not reach the gateway, so nothing was saved. Save again when it is back.", "error");
    return;
  }
  if (answer.status === 422 && answer.body && answer.body.problems) {
    // Rows the list would leave unreachable: shown at their rows, as a save's problems are.
    showMessages(answer.body.problems, []);
    const rows = answer.body.problems.map((p) => p.row).join(", ");
    say($("allow-message"), `Nothing was saved: the list allows nothing that alias row ${rows} sends to. Change the list or those targets.`, "error");
    return;
  }
  if (answer.status !== 200) {
    $("allow-entries").setAttribute("aria-invalid", "true");
    say($("allow-message"), `Nothing was saved: ${errorText(answer, "the gateway refused the list")}`, "error");
    return;
  }
  $("allow-entries").removeAttribute("aria-invalid");
  state.dirty = false;
  const saved = answer.body.allow;
  say($("allow-message"), saved === null
    ? "Saved: this key may use any model."
    : `Saved: ${saved.length} ${saved.length === 1 ? "entry" : "entries"}.`, "ok");
  testModel();
  refreshPreview();
}

async function refreshUsage() {
  const key = state.key;
  if (!key) return;
  let answer;
  try {
    answer = await api("GET", `/admin/keys/${encodeURIComponent(key.id)}/usage`);
  } catch (e) {
    say($("usage-message"), "Could not reach the gateway to read the usage.", "error");
    return;
  }
  if (answer.status !== 200) {
    say($("usage-message"), errorText(answer, "The usage could not be read"), "error");
    return;
  }
  const body = $("usage-rows");
  body.replaceChildren();
  const models = answer.body.models || [];
  for (const m of models) {
    const tr = document.createElement("tr");
    for (const value of [m.model, m.requests, m.input_tokens, m.output_tokens]) {
      const td = document.createElement("td");
      td.textContent = typeof value === "number" ? value.toLocaleString("en") : value;
      tr.append(td);
    }
    body.append(tr);
  }
  say($("usage-message"), models.length ? "" : "No requests yet.");
}
