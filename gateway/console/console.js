// The console's script: plain JavaScript against the admin API, no framework, no build.
// Server and user text is only ever set as text (textContent, .value), never as markup.
"use strict";

const TOKEN = "model-alias-admin-token";
const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem(TOKEN),
  keys: [],
  key: null, // the open key: {id, name}
  toolKey: null, // the key the test box and preview use: the open key, or the one picked there
  rows: [], // the editor's rows: {name, target, match, hidden, carry, defaults, overrides}
  max: 20,
  dirty: false, // edits of the open key not saved yet
};

// Whether the open key's unsaved edits may be dropped: asks first when there are any.
function mayDiscard(doing) {
  if (!state.dirty || !state.key) return true;
  return window.confirm(`${state.key.name} has unsaved changes. ${doing} and discard them?`);
}

// ---- the admin API -----------------------------------------------------------------------

class Unreachable extends Error {}

// A call to the admin API: {status, body}. A string body is sent as the JSON text it is.
// Throws Unreachable when no answer came back.
async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${state.token}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new Unreachable(String(e));
  }
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = null;
  }
  return { status: response.status, body: json };
}

// The message of an OpenAI-shaped error body, or a fallback.
function errorText(answer, fallback) {
  const message = answer.body && answer.body.error && answer.body.error.message;
  return message || `${fallback} (HTTP ${answer.status})`;
}

function say(element, text, kind) {
  element.textContent = text;
  element.classList.toggle("error", kind === "error");
  element.classList.toggle("ok", kind === "ok");
}

// ---- signing in --------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (!token) {
    say($("login-message"), "Enter the admin token.", "error");
    return;
  }
  state.token = token;
  await enter($("login-message"));
}

// Loads the keys with the current token and shows the workspace, or says what went wrong.
async function enter(messageElement) {
  let answer;
  try {
    answer = await api("GET", "/admin/keys");
  } catch (e) {
    say(messageElement, "Could not reach the gateway: check that it is running, then try again.", "error");
    return false;
  }
  if (answer.status === 401) {
    sessionStorage.removeItem(TOKEN);
    state.token = null;
    showLogin();
    say($("login-message"),
      "The gateway refused this admin token: it must equal the MODEL_ALIAS_ADMIN_TOKEN the gateway was started with.",
      "error");
    $("token").setAttribute("aria-invalid", "true");
    $("token").focus();
    return false;
  }
  if (answer.status !== 200) {
    say(messageElement, errorText(answer, "The keys could not be listed"), "error");
    return false;
  }
  sessionStorage.setItem(TOKEN, state.token);
  $("token").value = "";
  $("token").removeAttribute("aria-invalid");
  say($("login-message"), "");
  $("login").hidden = true;
  $("workspace").hidden = false;
  $("sign-out").hidden = false;
  showKeys(answer.body.data || []);
  const wanted = new URLSearchParams(location.hash.slice(1)).get("key");
  const key = state.keys.find((k) => k.id === wanted);
  if (key) await openKey(key, false);
  else showTools();
  return true;
}

function showLogin() {
  $("login").hidden = false;
  $("workspace").hidden = true;
  $("sign-out").hidden = true;
}

function signOut() {
  if (!mayDiscard("Sign out")) return;
  state.dirty = false;
  sessionStorage.removeItem(TOKEN);
  state.token = null;
  state.key = null;
  history.replaceState(null, "", location.pathname);
  showLogin();
  $("token").focus();
}

// ---- keys --------------------------------------------------------------------------------

function showKeys(keys) {
  state.keys = keys;
  const body = $("key-rows");
  body.replaceChildren();
  for (const key of keys) {
    const tr = document.createElement("tr");
    if (state.key && state.key.id === key.id) tr.setAttribute("aria-current", "true");
    const name = document.createElement("td");
    name.textContent = key.name;
    const id = document.createElement("td");
    id.className = "key-id";
    id.textContent = key.id;
    const count = document.createElement("td");
    count.textContent = String(key.aliases);
    const action = document.createElement("td");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "quiet";
    open.textContent = "Edit aliases";
    open.setAttribute("aria-label", `Edit aliases of ${key.name}`);
    open.addEventListener("click", () => openKey(key, true));
    action.append(open);
    tr.append(name, id, count, action);
    body.append(tr);
  }
  toolKeys();
}

async function refreshKeys() {
  try {
    const answer = await api("GET", "/admin/keys");
    if (answer.status === 200) showKeys(answer.body.data || []);
  } catch (e) {
    // The list stays as it was; the next action reports the network.
  }
}

async function createKey(event) {
  event.preventDefault();
  const input = $("new-key-name");
  const name = input.value.trim();
  if (!name) {
    say($("new-key-message"), "Give the key a name, such as the team or app that will use it.", "error");
    input.focus();
    return;
  }
  let answer;
  try {
    answer = await api("POST", "/admin/keys", { name });
  } catch (e) {
    say($("new-key-message"), "Could not reach the gateway: the key was not created. Try again.", "error");
    return;
  }
  if (answer.status === 401) return enter($("new-key-message"));
  if (answer.status !== 201) {
    say($("new-key-message"), errorText(answer, "The key was not created"), "error");
    return;
  }
  input.value = "";
  say($("new-key-message"), `Created the key ${answer.body.name}.`, "ok");
  $("secret-key-name").textContent = answer.body.name;
  $("new-secret").textContent = answer.body.secret;
  $("secret-box").hidden = false;
  await refreshKeys();
  await openKey({ id: answer.body.id, name: answer.body.name }, false);
}

// ---- start -------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("new-key-form").addEventListener("submit", createKey);
  $("add-row").addEventListener("click", addRow);
  $("save").addEventListener("click", save);
  $("test-model").addEventListener("input", () => {
    clearTimeout(testTimer);
    testTimer = setTimeout(testModel, 120);
  });
  $("tools-key").addEventListener("change", pickToolKey);
  $("allow-any").addEventListener("change", () => { allowAny(); state.dirty = true; });
  $("allow-entries").addEventListener("input", () => { state.dirty = true; say($("allow-message"), "Unsaved changes."); });
  $("save-allow").addEventListener("click", saveAllow);
  $("refresh-usage").addEventListener("click", refreshUsage);
  window.addEventListener("beforeunload", (event) => {
    if (!state.dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
  if (state.token) {
    enter($("login-message"));
  } else {
    $("token").focus();
  }
});
