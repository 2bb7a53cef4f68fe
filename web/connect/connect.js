// The hosted Connect page. Reads the session token from the link (then drops it from the address bar),
// lists the providers the session allows, and connects one with its credentials (checked live by the
// server) or through OAuth2. Everything shown comes from the server as text, never as HTML.
(() => {
  const TOKEN_KEY = "switchyard-connect-token";
  const $ = (id) => document.getElementById(id);

  /** The session token: from `?token=` (or `#token=`), kept for reloads of this tab only. */
  function readToken() {
    const fromUrl =
      new URLSearchParams(location.search).get("token") ||
      new URLSearchParams(location.hash.slice(1)).get("token");
    if (fromUrl) {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      history.replaceState(null, "", location.pathname);
      return fromUrl;
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  const token = readToken();

  /** Calls the page API; resolves with `{ ok, status, body }` where body is the JSON reply or a problem. */
  async function api(method, path, body) {
    const headers = { accept: "application/json", authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return {
        ok: false,
        status: 0,
        body: {
          code: "network",
          detail: "Could not reach the server.",
          hint: "Check your connection and try again.",
        },
      };
    }
    let parsed = {};
    try {
      parsed = await response.json();
    } catch {
      parsed = { code: "internal", detail: `Unexpected reply (HTTP ${response.status}).` };
    }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  const FATAL_TITLES = {
    unauthenticated: "This Connect link is not valid",
    connect_session_expired: "This Connect link has expired",
    connect_session_used: "This Connect link was already used",
    connect_session_locked: "This Connect link has been locked",
  };

  function show(viewId) {
    for (const id of ["view-providers", "view-provider", "view-done", "view-fatal"])
      $(id).hidden = id !== viewId;
    $("loading").hidden = true;
  }

  function focusHeading(id) {
    const heading = $(id);
    if (heading) heading.focus();
  }

  function showFatal(problem) {
    $("fatal-title").textContent = FATAL_TITLES[problem.code] || "Something went wrong";
    $("fatal-message").textContent = problem.detail || "";
    $("fatal-hint").textContent = problem.hint || "";
    hideAlert();
    show("view-fatal");
    focusHeading("fatal-title");
  }

  function showAlert(problem) {
    $("alert-message").textContent = problem.detail || "Something went wrong.";
    $("alert-hint").textContent = problem.hint || "";
    $("alert").hidden = false;
  }

  function hideAlert() {
    $("alert").hidden = true;
  }

  function isFatal(problem) {
    return Object.hasOwn(FATAL_TITLES, problem.code);
  }

  let session;

  async function start() {
    if (!token) {
      showFatal({
        code: "unauthenticated",
        detail: "This page needs a Connect link to work.",
        hint: "Open the link the app gave you.",
      });
      return;
    }
    const reply = await api("GET", "/connect/api/session");
    if (!reply.ok) {
      showFatal(reply.body);
      return;
    }
    session = reply.body;
    const who = [session.end_user.email, session.end_user.organization].filter(Boolean).join(" · ");
    if (who) {
      $("page-subtitle").textContent = `For ${who}`;
      $("page-subtitle").hidden = false;
    }
    if (session.providers.length === 1) {
      openProvider(session.providers[0], false);
      return;
    }
    renderProviderList();
  }

  function renderProviderList() {
    const list = $("provider-list");
    list.replaceChildren();
    for (const provider of session.providers) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = provider.display_name;
      button.dataset.provider = provider.name;
      button.addEventListener("click", () => openProvider(provider, true));
      item.append(button);
      list.append(item);
    }
    hideAlert();
    show("view-providers");
  }

  let current;

  function openProvider(provider, canGoBack) {
    current = provider;
    hideAlert();
    $("working").textContent = "";
    $("back").hidden = !canGoBack;
    $("provider-title").textContent = `Connect ${provider.display_name}`;
    $("oauth").hidden = !provider.oauth2;
    $("oauth-text").textContent = `Sign in to ${provider.display_name} and approve access.`;
    $("oauth-button").textContent = `Connect with ${provider.display_name}`;
    $("oauth-button").disabled = false;
    renderFields(provider.fields);
    $("submit").disabled = false;
    show("view-provider");
    focusHeading("provider-title");
  }

  function renderFields(fields) {
    const container = $("fields");
    container.replaceChildren();
    for (const field of fields) {
      const wrapper = document.createElement("div");
      wrapper.className = "field";
      const id = `field-${field.name}`;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = field.label;
      wrapper.append(label);
      const describedBy = [];
      if (field.help) {
        const help = document.createElement("p");
        help.className = "help";
        help.id = `${id}-help`;
        help.textContent = field.help;
        describedBy.push(help.id);
        wrapper.append(help);
      }
      const row = document.createElement("div");
      row.className = "input-row";
      const input = document.createElement("input");
      input.id = id;
      input.name = field.name;
      input.type = field.type === "secret" ? "password" : "text";
      input.required = true;
      input.autocomplete = "off";
      input.spellcheck = false;
      input.setAttribute("autocapitalize", "none");
      if (field.placeholder) input.placeholder = field.placeholder;
      const error = document.createElement("p");
      error.className = "field-error";
      error.id = `${id}-error`;
      error.hidden = true;
      describedBy.push(error.id);
      input.setAttribute("aria-describedby", describedBy.join(" "));
      row.append(input);
      if (field.type === "secret") row.append(revealButton(input, field.label));
      wrapper.append(row, error);
      container.append(wrapper);
    }
  }

  /** A Show/Hide toggle for a secret input, so it can be checked on a phone. */
  function revealButton(input, label) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Show";
    button.setAttribute("aria-label", `Show ${label}`);
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      const reveal = input.type === "password";
      input.type = reveal ? "text" : "password";
      button.textContent = reveal ? "Hide" : "Show";
      button.setAttribute("aria-label", `${reveal ? "Hide" : "Show"} ${label}`);
      button.setAttribute("aria-pressed", String(reveal));
    });
    return button;
  }

  function setFieldError(name, message) {
    const input = $(`field-${name}`);
    const error = $(`field-${name}-error`);
    if (!input || !error) return false;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    error.textContent = message || "";
    error.hidden = !message;
    return true;
  }

  /** Checks the form as the server will; returns the values, or null after marking the wrong fields. */
  function collect() {
    const values = {};
    let firstInvalid = null;
    for (const field of current.fields) {
      const input = $(`field-${field.name}`);
      const value = input.value.trim();
      let problem = "";
      if (value === "") problem = `Enter the ${field.label}.`;
      else if (field.pattern && !new RegExp(`^(?:${field.pattern})$`).test(value)) {
        problem = `This doesn't look like a ${field.label}.${field.help ? ` ${field.help}` : ""}`;
      }
      setFieldError(field.name, problem);
      if (problem && !firstInvalid) firstInvalid = input;
      values[field.name] = value;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return null;
    }
    return values;
  }

  async function submitCredentials(event) {
    event.preventDefault();
    hideAlert();
    const values = collect();
    if (!values) return;
    $("submit").disabled = true;
    $("working").textContent = `Checking with ${current.display_name}…`;
    const reply = await api("POST", "/connect/api/credentials", { provider: current.name, fields: values });
    $("working").textContent = "";
    $("submit").disabled = false;
    if (reply.ok) {
      $("done-title").textContent = `${current.display_name} is connected`;
      show("view-done");
      focusHeading("done-title");
      return;
    }
    handleProblem(reply.body);
  }

  function handleProblem(problem) {
    if (isFatal(problem)) {
      showFatal(problem);
      return;
    }
    let marked = false;
    for (const issue of problem.errors || []) {
      const name = issue.path.startsWith("fields.") ? issue.path.slice("fields.".length) : "";
      if (name && setFieldError(name, issue.message)) marked = true;
    }
    if (!marked) showAlert(problem);
    else $("fields").querySelector('[aria-invalid="true"]')?.focus();
  }

  async function startOAuth() {
    hideAlert();
    $("oauth-button").disabled = true;
    $("working").textContent = `Opening ${current.display_name}…`;
    const reply = await api("POST", "/connect/api/oauth/start", { provider: current.name });
    if (reply.ok) {
      location.assign(reply.body.authorize_url);
      return;
    }
    $("working").textContent = "";
    $("oauth-button").disabled = false;
    handleProblem(reply.body);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("credentials-form").addEventListener("submit", submitCredentials);
    $("oauth-button").addEventListener("click", startOAuth);
    $("back").addEventListener("click", () => {
      renderProviderList();
      focusHeading("providers-title");
    });
    start();
  });
})();
