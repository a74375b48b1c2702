// The web chat client: posts what the person writes or presses, shows the thread, polls for replies.
// A pressed button shows as the person's own bubble with its label; only the newest question's buttons can be
// pressed; a new version of a question (a topic ticked) replaces the old one in place.
(() => {
  "use strict";
  const labels = JSON.parse(document.getElementById("labels").textContent);
  const log = document.getElementById("log");
  const form = document.getElementById("compose");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const announce = document.getElementById("announce"); // new messages are read out here, not the whole thread
  let loaded = false;
  const WAY_OUT = /:(back|pause|send_now)$/;
  const GRID_FROM = 9; // a question with this many answer buttons shows them as a compact grid
  const known = new Map(); // choice id -> the label the person saw on it
  let lastId = 0;
  // The agency of the outreach link the person came by (/chat?a=<code>): only its code, used at first contact.
  const via = new URLSearchParams(window.location.search).get("a");

  for (const button of document.querySelectorAll("header button[data-choice]")) {
    known.set(button.dataset.choice, button.textContent.trim());
  }

  // Readings of hard kanji (やさしい日本語) come as 相談《そうだん》 or ｜お金《かね》: shown as ruby.
  const RUBY = /(?:｜([^｜《》\n]+)|([\u3400-\u9fff々〆ヶ]+))《([^《》\n]+)》/g;
  const plain = (text) => text.replace(RUBY, (_, marked, run) => marked || run);

  function write(element, text) {
    element.textContent = "";
    let at = 0;
    for (const match of text.matchAll(RUBY)) {
      element.append(text.slice(at, match.index));
      const ruby = document.createElement("ruby");
      const open = document.createElement("rp");
      const reading = document.createElement("rt");
      const close = document.createElement("rp");
      open.textContent = "（";
      reading.textContent = match[3];
      close.textContent = "）";
      ruby.append(match[1] || match[2], open, reading, close);
      element.append(ruby);
      at = match.index + match[0].length;
    }
    element.append(text.slice(at));
    if (at && element.tagName === "BUTTON") element.setAttribute("aria-label", plain(text));
  }

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, "");

  function button(choice) {
    const element = document.createElement("button");
    element.type = "button";
    write(element, choice.label);
    element.dataset.choice = choice.id;
    if (choice.label.startsWith("✓")) element.setAttribute("aria-pressed", "true");
    else if (/^topics:(?!done)/.test(choice.id) && !WAY_OUT.test(choice.id)) element.setAttribute("aria-pressed", "false");
    return element;
  }

  function choiceRows(choices) {
    const answers = choices.filter((c) => !WAY_OUT.test(c.id));
    const ways = choices.filter((c) => WAY_OUT.test(c.id));
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    const rows = [];
    const grid = answers.length >= GRID_FROM;
    const each = grid ? answers.filter((c) => !c.id.endsWith(":done")) : answers;
    const finish = grid ? answers.filter((c) => c.id.endsWith(":done")) : [];
    for (const [members, name] of [[each, grid ? "answers grid" : "answers"], [finish, "answers"]]) {
      if (!members.length) continue;
      const row = document.createElement("div");
      row.className = name;
      row.append(...members.map(button));
      rows.push(row);
    }
    if (ways.length) {
      const row = document.createElement("div");
      row.className = "ways";
      row.append(...ways.map(button));
      rows.push(row);
    }
    group.append(...rows);
    return group;
  }

  function bubble(message) {
    const element = document.createElement("div");
    element.className = "bubble";
    if (message.from === "person" && message.choice) {
      write(element, known.get(message.choice) || labels.choice);
    } else if (message.from === "bot") {
      write(element, message.text || labels.other);
    } else {
      element.textContent = message.text || (message.choice ? labels.choice : labels.other);
    }
    return element;
  }

  function item(message) {
    const element = document.createElement("li");
    element.className = "from-" + message.from + (message.choice ? " pressed" : "");
    element.dataset.id = message.id;
    const who = document.createElement("span");
    who.className = "who";
    write(who, message.from === "person" ? labels.you : (labels[message.from] || labels.bot));
    element.append(who, bubble(message));
    if (message.choices && message.choices.length) {
      for (const choice of message.choices) known.set(choice.id, choice.label);
      const group = choiceRows(message.choices);
      group.setAttribute("aria-label", plain(message.text.split("\n")[0]).slice(0, 80));
      element.append(group);
      element.classList.add("asks");
    }
    return element;
  }

  // A new version of the question just answered (a topic ticked): it replaces that question, and the press
  // that caused it shows as the tick rather than as a bubble of its own.
  function replaceQuestion(message) {
    const step = message.choices.length ? message.choices[0].id.split(":")[0] : "";
    const questions = [...log.querySelectorAll("li.asks")];
    const previous = questions[questions.length - 1];
    if (!previous || !previous.querySelector(`button[data-choice^="${step}:"]`)) return false;
    const press = log.lastElementChild;
    if (press && press.classList.contains("from-person") && press.classList.contains("pressed")) press.remove();
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.choice : null;
    const fresh = item(message);
    previous.replaceWith(fresh);
    if (focused) {
      const again = fresh.querySelector(`button[data-choice="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
    return true;
  }

  // Only the newest question can be answered by its buttons; earlier ones stay visible, disabled.
  function settle() {
    const questions = [...log.querySelectorAll("li.asks")];
    questions.forEach((question, index) => {
      const answered = index < questions.length - 1;
      question.classList.toggle("answered", answered);
      for (const b of question.querySelectorAll("button")) b.disabled = answered;
    });
  }

  function render(message) {
    if (message.from === "person" && message.kind === "open") return;
    if (message.from !== "person" && message.update && replaceQuestion(message)) return;
    log.append(item(message));
  }

  // A pressed button is disabled once answered: keyboard focus moves on to the newest question's first button.
  function keepFocus(wasInLog) {
    const active = document.activeElement;
    if (!wasInLog || (active && active !== document.body && !active.disabled && log.contains(active))) return;
    const questions = log.querySelectorAll("li.asks");
    const newest = questions[questions.length - 1];
    const next = newest && newest.querySelector("button:not([disabled])");
    (next || input).focus();
  }

  function show(data) {
    const wasInLog = log.contains(document.activeElement);
    let added = false;
    const heard = [];
    for (const message of data.messages) {
      if (message.id <= lastId) continue;
      if (loaded && message.from !== "person" && message.text) heard.push(plain(message.text));
      render(message);
      lastId = message.id;
      added = true;
    }
    if (data.locale && data.locale !== document.body.dataset.locale) {
      window.location.reload(); // the page's own words follow the language the person chose
      return;
    }
    if (heard.length) announce.textContent = heard.join("\n");
    if (added) {
      settle();
      keepFocus(wasInLog);
      window.scrollTo(0, document.body.scrollHeight);
    }
  }

  async function post(body) {
    body.event_id = newId();
    if (via) body.via = via;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const response = await fetch("/chat/api/messages?after=" + lastId, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
          credentials: "same-origin",
        });
        if (response.ok) { status.textContent = ""; show(await response.json()); return true; }
        if (response.status < 500) { status.textContent = (await response.json()).error || ""; return false; }
      } catch (e) { /* offline: retry below with the same event_id, so nothing runs twice */ }
      write(status, labels.offline);
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
    }
    return false;
  }

  async function poll() {
    try {
      const response = await fetch("/chat/api/messages?after=" + lastId, { credentials: "same-origin" });
      if (response.ok) show(await response.json());
    } catch (e) { /* next poll */ }
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-choice]");
    if (target && !target.disabled) post({ choice: target.dataset.choice });
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    if (!(await post({ text }))) input.value = text;
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });

  (async () => {
    await poll();
    loaded = true;
    if (lastId === 0) await post({ kind: "open" });
    setInterval(poll, 4000);
  })();
})();
