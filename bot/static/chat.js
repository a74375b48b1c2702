// The web chat client: posts what the person writes or presses, shows the thread, polls for replies.
(() => {
  "use strict";
  const labels = JSON.parse(document.getElementById("labels").textContent);
  const log = document.getElementById("log");
  const form = document.getElementById("compose");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  let lastId = 0;
  // The agency of the outreach link the person came by (/chat?a=<code>): only its code, used at first contact.
  const via = new URLSearchParams(window.location.search).get("a");

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, "");

  function render(message) {
    if (message.from === "person" && (message.choice || message.kind === "open")) return; // a press, not words
    const item = document.createElement("li");
    item.className = "from-" + message.from;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = message.from === "person" ? labels.you : (labels[message.from] || labels.bot);
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = message.text || (message.choice ? labels.choice : labels.other);
    item.append(who, bubble);
    if (message.choices && message.choices.length) {
      const row = document.createElement("div");
      row.className = "choices";
      for (const choice of message.choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.dataset.choice = choice.id;
        row.append(button);
      }
      item.append(row);
    }
    log.append(item);
  }

  function show(data) {
    for (const message of data.messages) {
      if (message.id <= lastId) continue;
      render(message);
      lastId = message.id;
    }
    if (data.messages.length) window.scrollTo(0, document.body.scrollHeight);
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
      status.textContent = labels.offline;
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
    if (target) post({ choice: target.dataset.choice });
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
    if (lastId === 0) await post({ kind: "open" });
    setInterval(poll, 4000);
  })();
})();
