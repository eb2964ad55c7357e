/**
 * Conversation window management: the newest turns verbatim, older ones folded into a running
 * summary, so long sessions stay inside the model's context.
 */
import type { HistoryEntry } from "./memory-port.js";
import type { Message } from "./models/types.js";

export interface WindowOptions {
  /** Newest history entries kept verbatim. */
  keep?: number;
  /** Characters of running summary kept. */
  summaryChars?: number;
}

export interface ConversationWindow {
  messages: Message[];
  summary: string;
}

const firstSentence = (text: string): string => {
  const s = text.split(/(?<=[.!?])\s/)[0] ?? text;
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

/** Builds the model's messages: windowed history, then the new prompt; always starts with a user turn. */
export function buildWindow(
  history: readonly HistoryEntry[],
  prompt: string,
  options: WindowOptions = {},
): ConversationWindow {
  const keep = options.keep ?? 12;
  const older = history.slice(0, Math.max(0, history.length - keep));
  let recent = history.slice(-keep);
  while (recent.length > 0 && recent[0]!.role !== "user") recent = recent.slice(1);
  const summary = older
    .map((h) => `${h.role === "user" ? "Customer" : (h.agent ?? "Flightly")}: ${firstSentence(h.text)}`)
    .join(" ")
    .slice(-(options.summaryChars ?? 1_200));
  const messages: Message[] = [];
  for (const h of recent) {
    const last = messages[messages.length - 1];
    if (last && last.role === h.role) last.content.push({ text: h.text });
    else messages.push({ role: h.role, content: [{ text: h.text }] });
  }
  const last = messages[messages.length - 1];
  if (last?.role === "user") last.content.push({ text: prompt });
  else messages.push({ role: "user", content: [{ text: prompt }] });
  return { messages, summary };
}
