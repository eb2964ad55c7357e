/**
 * Questions answered from knowledge: policies, destination guides, past support conversations,
 * weather; and small talk.
 */
import { helpCentre } from "../../../../memory/help-centre.js";
import { arrayField, describeFields, describeWeather, isRecord, listing, num, str } from "../render.js";
import { KIDS_WORDS } from "./hotels.js";
import { relevant } from "./relevance.js";
import { answered, call, canonical, DONE, destinations, say, when, where } from "./shared.js";
import type { PlannedCall, PlanState, Skill } from "./types.js";

// ---------------------------------------------------------------------------------------------
// knowledge: policies, destination guides, support history, weather

/**
 * Up to `max` passages, in the search's order. With `question`: the first only when its heading
 * (title, and topic and keywords where the search gives them) shares a topic word with the question or its
 * excerpt (cut around the question's words, so one shared word is no evidence) shares two — the
 * ranking decides which document leads —, the others only when their heading does.
 */
function passages(value: unknown, max: number, minSimilarity = 0, question?: string): string[] {
  return arrayField(value, "results")
    .filter(isRecord)
    .filter((r) => (num(r.similarity) ?? 1) >= minSimilarity)
    .filter((r, i) => {
      if (question === undefined) return true;
      const heading = [str(r.title), str(r.topic), str(r.keywords)].filter(Boolean).join(" ");
      const text = str(r.excerpt) ?? str(r.content) ?? str(r.text) ?? "";
      return relevant(question, heading || text) || (i === 0 && relevant(question, text, 2));
    })
    .slice(0, max)
    .map((r) => {
      const title = str(r.title);
      const text = str(r.excerpt) ?? str(r.content) ?? str(r.text) ?? "";
      return title ? `${title}: ${text}` : text;
    })
    .filter(Boolean);
}

function kbAnswer(s: PlanState, minSimilarity: number): string[] {
  return answered(s, "search_knowledge_base").map((c) => {
    if (c.status === "error") return `I couldn't look that up in our help centre: ${c.error}.`;
    const found = passages(c.result, 2, minSimilarity, helpCentre().normalize(s.text));
    return found.length > 0
      ? `From our help centre:\n${found.map((p) => `- ${p}`).join("\n")}`
      : `I don't have a help-centre answer for that. ${CAPABILITIES}`;
  });
}

export const policySkill: Skill = {
  intent: "policy_faq",
  owner: "support",
  needs: ["search_knowledge_base"],
  purpose: "answer a question about our policies",
  next: (s) => call({ tool: "search_knowledge_base", input: { query: s.text.slice(0, 500) } }),
  answer: (s) => kbAnswer(s, 0),
};

function familyHint(s: PlanState): string {
  const ages = s.prefs.childrenAges;
  if (ages.length === 0 || KIDS_WORDS.test(s.text)) return "";
  return ` (travelling with children aged ${listing(ages.map(String))})`;
}

export const destinationSkill: Skill = {
  intent: "destination_advice",
  owner: "support",
  needs: ["get_destination_info"],
  purpose: "give destination advice",
  next(s) {
    const query = `${s.text.slice(0, 440)}${familyHint(s)}`;
    const dests = s.slots.destinations.length > 0 ? destinations(s) : destinations(s).slice(0, 1);
    if (dests.length === 0) return call({ tool: "get_destination_info", input: { query } });
    return call(
      ...dests.slice(0, 3).map((d) => ({ tool: "get_destination_info", input: { query, city: d.iata } })),
    );
  },
  answer(s) {
    return answered(s, "get_destination_info").map((c) => {
      const city = str(c.input.city);
      const place = city ? where(s, city) : "your trip";
      if (c.status === "error") return `I couldn't look up ${place}: ${c.error}.`;
      const found = passages(c.result, 2);
      if (found.length === 0) return `I have no destination guide for ${place}.`;
      return `${city ? `${place}` : "From our destination guides"}:\n${found.map((p) => `- ${p}`).join("\n")}`;
    });
  },
};

export const supportHistorySkill: Skill = {
  intent: "support_history",
  owner: "support",
  needs: ["find_support_conversation"],
  purpose: "look up a past support conversation",
  next(s) {
    const clause =
      s.text
        .split(/[.;!?]|,\s*(?:and\s+)?|\s+and\s+/)
        .find((part) => /support|conversation|chat|agent|told|said|email|phone/i.test(part)) ?? s.text;
    return call({
      tool: "find_support_conversation",
      input: { query: clause.trim().slice(0, 500) || s.text.slice(0, 500) },
    });
  },
  answer(s) {
    return answered(s, "find_support_conversation").map((c) => {
      if (c.status === "error") return `I couldn't look up your support conversations: ${c.error}.`;
      const conv = arrayField(c.result, "conversations").find(isRecord);
      if (!conv) return "I couldn't find a support conversation that matches.";
      const started = str(conv.started_at)?.slice(0, 10);
      const subject = str(conv.subject);
      const summary = str(conv.summary);
      const emails = Array.isArray(conv.emails) ? conv.emails.map(String) : [];
      const phones = Array.isArray(conv.phones) ? conv.phones.map(String) : [];
      const lines = [
        `I found your support conversation${started ? ` from ${started}` : ""}${subject ? ` ("${subject}")` : ""}.` +
          (summary ? ` ${summary}` : ""),
      ];
      if (emails[0]) lines.push(`The email address in that conversation is ${emails[0]}.`);
      if (phones[0] && /phone|number|call/i.test(s.text))
        lines.push(`The phone number there is ${phones[0]}.`);
      return lines.join(" ");
    });
  },
};

const ALERT_WORDS = /\b(?:alerts?|warnings?|storms?|hurricanes?|typhoons?|safe)\b/i;

function forecastDays(s: PlanState): number | undefined {
  const w = when(s);
  const end = w.date ?? w.dateRange?.to;
  if (!end) return undefined;
  const today = Date.UTC(s.ctx.now.getUTCFullYear(), s.ctx.now.getUTCMonth(), s.ctx.now.getUTCDate());
  const days = Math.round((Date.parse(end) - today) / 86_400_000) + 1;
  return days >= 1 && days <= 16 ? days : undefined;
}

/** Days ahead within the forecast's reach, else the month of travel (its averages). */
function forecastReach(s: PlanState): { days?: number; month?: number } {
  const days = forecastDays(s);
  if (days !== undefined) return { days };
  const w = when(s);
  const start = w.date ?? w.dateRange?.from;
  return start ? { month: Number(start.slice(5, 7)) } : {};
}

export const weatherSkill: Skill = {
  intent: "weather",
  owner: "support",
  needs: ["get_forecast", "get_alerts"],
  purpose: "check the weather",
  next(s) {
    const places = destinations(s).slice(0, 2);
    if (places.length === 0) return say("Which place should I check the weather for?");
    const calls: PlannedCall[] = [];
    for (const p of places) {
      if (s.tools.has("get_forecast"))
        calls.push({ tool: "get_forecast", input: { location: p.label, ...forecastReach(s) } });
      if (s.tools.has("get_alerts") && (ALERT_WORDS.test(s.text) || !s.tools.has("get_forecast"))) {
        calls.push({ tool: "get_alerts", input: { location: p.label } });
      }
    }
    return call(...calls);
  },
  answer(s) {
    const lines: string[] = [];
    for (const c of s.calls.filter((x) => x.status !== undefined)) {
      const tool = canonical(c.name);
      const place = str(c.input.location) ?? "there";
      if (tool !== "get_forecast" && tool !== "get_alerts") continue;
      if (c.status === "error") {
        lines.push(
          `I couldn't get the ${tool === "get_alerts" ? "weather alerts" : "forecast"} for ${place}: ${c.error}.`,
        );
      } else if (tool === "get_forecast") {
        lines.push(describeWeather(c.result, place));
      } else {
        const alerts = arrayField(c.result, "alerts").map((a) =>
          isRecord(a) ? (str(a.headline) ?? str(a.title) ?? str(a.event) ?? describeFields(a)) : String(a),
        );
        lines.push(
          alerts.length > 0
            ? `Weather alerts for ${place}:\n${alerts.map((a) => `- ${a}`).join("\n")}`
            : `There are no active weather alerts for ${place}.`,
        );
      }
    }
    return lines;
  },
};

// ---------------------------------------------------------------------------------------------
// small talk

const CAPABILITIES =
  "I can search flights and hotels, book and pay for trips, look up or cancel your bookings, " +
  "and answer questions about our policies, the weather and destinations.";

export const greetingSkill: Skill = {
  intent: "greeting",
  owner: "any",
  needs: [],
  purpose: "say hello",
  next: () => DONE,
  answer: (s) => [
    `Hi${s.ctx.actor.name ? ` ${s.ctx.actor.name}` : ""}! ${CAPABILITIES} What can I do for you?`,
  ],
};

export const otherSkill: Skill = {
  intent: "other",
  owner: "any",
  needs: [],
  purpose: "answer a question",
  next: (s) =>
    s.tools.has("search_knowledge_base")
      ? call({ tool: "search_knowledge_base", input: { query: s.text.slice(0, 500) } })
      : DONE,
  answer(s) {
    const found = answered(s, "search_knowledge_base").flatMap((c) =>
      c.status === "success" ? passages(c.result, 2, 0.5, helpCentre().normalize(s.text)) : [],
    );
    if (found.length > 0) return [`From our help centre:\n${found.map((p) => `- ${p}`).join("\n")}`];
    return [`I'm not sure I can help with that. ${CAPABILITIES}`];
  },
};
