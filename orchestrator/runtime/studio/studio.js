// The studio page: pick a customer, chat over POST /invocations (SSE), and watch the trail live.
// Plain DOM, no framework; everything shown is set as text (never parsed as HTML).

const $ = (id) => document.getElementById(id);
const ui = {
  customer: $("customer"),
  token: $("token"),
  tokenLabel: $("token-label"),
  newSession: $("new-session"),
  session: $("session"),
  status: $("status"),
  chat: $("chat"),
  ask: $("ask"),
  prompt: $("prompt"),
  send: $("send"),
  trail: $("trail"),
  who: $("who"),
  bookings: $("bookings"),
  memories: $("memories"),
};
const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
let sessionId = crypto.randomUUID();

/** An element with a class and text (or children). */
function el(tag, className, ...content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const c of content) node.append(typeof c === "string" ? document.createTextNode(c) : c);
  return node;
}

const pretty = (value) => JSON.stringify(value, null, 2);
const clip = (text, max = 280) => (text.length > max ? `${text.slice(0, max)}…` : text);

function headers(extra = {}) {
  const token = ui.token.value.trim();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

async function getJson(path) {
  const res = await fetch(path, { headers: headers() });
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function setStatus(text) {
  ui.status.textContent = text;
}

function newSession() {
  sessionId = crypto.randomUUID();
  ui.session.textContent = `session ${sessionId.slice(0, 8)}`;
  ui.chat.replaceChildren();
  ui.trail.replaceChildren();
}

async function loadCustomers() {
  const { customers } = await getJson("/studio/api/customers");
  ui.customer.replaceChildren(
    ...customers.map((c) => {
      const option = el("option", "", `${c.id} · ${c.name}`);
      option.value = c.id;
      return option;
    }),
  );
  const wanted = new URLSearchParams(location.search).get("customer");
  if (wanted && customers.some((c) => c.id === wanted)) ui.customer.value = wanted;
}

/** One line of the bookings panel: a flight booking (its legs when it connects) or a hotel stay. */
function bookingText(b) {
  if (b.kind === "hotel") {
    return (
      ` ${b.status} · ${b.hotel}, ${b.city} · ${b.check_in}→${b.check_out} · ${b.nights} nights · ` +
      `${b.guests} guests · $${b.total_usd} ${b.pay}`
    );
  }
  const flights = (b.legs ?? [b]).map((l) => `${l.airline_code}${l.flight_number}`).join("+");
  const insured = b.insured ? "insured" : "not insured";
  return (
    ` ${b.status} · ${flights} ${b.origin}→${b.destination} · ` +
    `${b.depart_at.slice(0, 10)} · ${b.passengers} pax · $${b.total_usd} · ${insured}`
  );
}

function bookingLine(b) {
  const item = el("li", "booking", el("strong", "", b.booking_ref), bookingText(b));
  if (b.contact_email) item.append(el("div", "muted", `contact ${b.contact_email}`));
  item.dataset.ref = b.booking_ref;
  item.dataset.status = b.status;
  return item;
}

async function loadCustomer() {
  const id = ui.customer.value;
  if (!id) return;
  const view = await getJson(`/studio/api/customers/${encodeURIComponent(id)}`);
  ui.who.textContent = view.customer ? `${view.customer.name} · ${view.customer.email}` : "guest";
  ui.bookings.replaceChildren(
    ...(view.bookings.length ? view.bookings.map(bookingLine) : [el("li", "muted", "no bookings")]),
  );
  ui.memories.replaceChildren(
    ...(view.memories.length
      ? view.memories.map((m) => {
          const item = el("li", "memory", el("span", "muted", `${m.kind}: `), clip(m.content));
          item.title = m.content;
          return item;
        })
      : [el("li", "muted", "no memories yet")]),
  );
}

function cacheLine(c) {
  const parts = [`cache ${c.hit ? `${c.kind} hit` : "miss"}: ${c.reason}`];
  if (c.similarity !== null && c.similarity !== undefined) parts.push(`similarity ${c.similarity}`);
  else if (c.nearest !== null && c.nearest !== undefined) parts.push(`nearest ${c.nearest}`);
  if (c.depends_on?.length) parts.push(`depends on ${c.depends_on.join(", ")}`);
  if (c.matched_prompt) parts.push(`matched “${c.matched_prompt}”`);
  else if (c.entry_id) parts.push(`entry ${c.entry_id}`);
  return el("div", "cache", parts.join(" · "));
}

/** One turn of the trail: it fills as the stream's events arrive. */
function startTurn(prompt) {
  const turn = el("li", "turn", el("div", "prompt", prompt));
  ui.trail.prepend(turn);
  let agentBlock = turn;
  return {
    on(event, data) {
      if (event === "cache") turn.append(cacheLine(data));
      if (event === "agent") {
        agentBlock = el("div", "step", el("div", "agent", `▸ ${data.agent}`));
        agentBlock.dataset.agent = data.agent;
        turn.append(agentBlock);
      }
      if (event === "tool") {
        const tool = el(
          "div",
          `tool ${data.status === "error" ? "error" : ""}`,
          el("span", "name", data.tool ?? data.name),
          ` ${data.status} · ${data.ms} ms`,
          el("pre", "input", pretty(data.input)),
          el("pre", "summary", data.summary),
        );
        tool.dataset.tool = data.tool ?? data.name;
        agentBlock.append(tool);
      }
      if (event === "handoff") {
        agentBlock.append(el("div", "handoff", `→ ${data.to} (${data.by}): ${data.reason}`));
      }
      if (event === "done") {
        // The final trail: handoffs the plan made (not streamed as calls) and what was stored.
        const steps = [...turn.querySelectorAll(".step")];
        for (const [i, a] of (data.agents ?? []).entries()) {
          const step = steps[i];
          if (step && a.handoff?.by === "plan")
            step.append(el("div", "handoff", `→ ${a.handoff.to} (plan): ${a.handoff.reason}`));
        }
        if (!turn.querySelector(".cache") && data.cache) turn.append(cacheLine(data.cache));
        if (data.cache?.store) turn.append(el("div", "cache", `store: ${data.cache.store.reason}`));
        const cp = data.checkpoint;
        turn.append(
          el(
            "div",
            "checkpoint",
            cp
              ? `checkpoint v${cp.version} · ${cp.status} · ${cp.written ? "written" : "read"} · ${cp.workflow_id}`
              : "no checkpoint (no workflow ran)",
          ),
        );
        turn.dataset.done = "true";
      }
      if (event === "error") turn.append(el("div", "tool error", `${data.code}: ${data.message}`));
    },
  };
}

/** Reads an SSE body: `event: name` and `data: json` lines, events separated by a blank line. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data !== undefined) onEvent(event, JSON.parse(data));
      end = buffer.indexOf("\n\n");
    }
  }
}

/** The prompt as the service keeps it (masked by its redactor); the page never shows it raw. */
async function redacted(text) {
  const res = await fetch("/studio/api/redact", {
    method: "POST",
    headers: headers({ "content-type": "application/json" }),
    body: JSON.stringify({ text }),
  });
  if (!res.ok) return "(prompt hidden)";
  return (await res.json()).text;
}

async function send(prompt) {
  ui.send.disabled = true;
  setStatus("working…");
  const shown = await redacted(prompt);
  ui.chat.append(el("li", "user", shown));
  const answer = el("li", "assistant", "");
  ui.chat.append(answer);
  const turn = startTurn(shown);
  let streamed = "";
  try {
    const res = await fetch("/invocations", {
      method: "POST",
      headers: headers({
        "content-type": "application/json",
        accept: "text/event-stream",
        [SESSION_HEADER]: sessionId,
      }),
      body: JSON.stringify({ prompt, actor_id: ui.customer.value }),
    });
    if (!res.ok || !res.body) {
      const body = await res.json().catch(() => ({}));
      throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
    }
    await readEvents(res.body, (event, data) => {
      turn.on(event, data);
      if (event === "delta") {
        streamed += data.text;
        answer.textContent = streamed;
      }
      if (event === "done") answer.textContent = data.response;
      if (event === "error") {
        answer.className = "error";
        answer.textContent = data.message;
      }
    });
    setStatus("ready");
  } catch (err) {
    answer.className = "error";
    answer.textContent = String(err.message ?? err);
    setStatus("error");
  } finally {
    ui.send.disabled = false;
  }
  await loadCustomer().catch(() => {});
  // The tiering worker writes memories a moment after the turn.
  setTimeout(() => loadCustomer().catch(() => {}), 2000);
}

ui.ask.addEventListener("submit", (e) => {
  e.preventDefault();
  const prompt = ui.prompt.value.trim();
  if (!prompt || ui.send.disabled) return;
  ui.prompt.value = "";
  void send(prompt);
});
ui.prompt.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    ui.ask.requestSubmit();
  }
});
ui.customer.addEventListener("change", () => {
  newSession();
  loadCustomer().catch((err) => setStatus(String(err.message)));
});
ui.newSession.addEventListener("click", newSession);
ui.token.addEventListener("change", () => {
  start().catch((err) => setStatus(String(err.message)));
});

async function start() {
  await loadCustomers();
  await loadCustomer();
  setStatus("ready");
}

(async () => {
  newSession();
  try {
    const { auth } = await getJson("/studio/api/config");
    ui.tokenLabel.hidden = !auth;
    if (auth && !ui.token.value) {
      setStatus("auth is on: paste a bearer token");
      return;
    }
    await start();
  } catch (err) {
    setStatus(String(err.message ?? err));
  }
})();
