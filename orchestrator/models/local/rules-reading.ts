/**
 * Where a question about the rules is answered: the help centre, not the destination guides. The
 * phrase rules of `intents.ts` read "should I pick…", "any tips on…" or "to visit <city>" as
 * destination advice; these readings send such a question to the help centre when it asks about
 * a rule (entry papers for a place) or about a subject a help-centre heading names and no place.
 * With the scope gate's reading of charges and fares, `flightly eval --knowledge` (87 labelled
 * questions) put the right document first for 73 against 70; the CLINC and ATIS check-split
 * guard figures did not move.
 */
import { isRulesQuestion, type Slots } from "../../../language/index.js";
import { helpCentre } from "../../../memory/help-centre.js";
import { detectIntents, INTENTS, type Intent, type IntentResult } from "./intents.js";

/**
 * Papers a border asks for: a question about them is about the entry rules of the place it
 * names, which the help centre's visa documents hold (the guides describe the place).
 */
const ENTRY_PAPERS =
  /\b(?:visas?|visa-free|passports?|ids?|(?:id|identity) (?:cards?|papers|documents?)|identification|eta|esta|etias|e-?visas?|evisitor|entry (?:permits?|requirements?|rules|papers|documents)|border (?:control|check)|immigration|customs forms?|paperwork|(?:travel|entry) documents?)\b/i;

/** Headings of the help centre that share at least this many topic words name a question's subject. */
const HEADING_WORDS = 2;

const namesPlace = (slots: Slots | undefined): boolean =>
  slots !== undefined &&
  (slots.origin !== undefined || slots.destinations.length > 0 || slots.unknownPlaces.length > 0);

function asPolicy(result: IntentResult): IntentResult {
  const kept = new Set<Intent>(result.intents.filter((i) => i !== "destination_advice" && i !== "other"));
  kept.add("policy_faq");
  return { ...result, intents: INTENTS.filter((i) => kept.has(i)) };
}

/**
 * The intents of `text` (`detectIntents`), read again where a rules question was taken for
 * destination advice, and in the help centre's spelling when the customer's own found nothing
 * ("refnd" → "refund").
 */
export function readIntents(text: string, slots?: Slots): IntentResult {
  const result = detectIntents(text, slots);
  if (result.intents.length === 1 && result.intents[0] === "other") {
    // Only the policy reading is taken: a corrected word never orders an action ("bookd it").
    const normalized = helpCentre().normalize(text);
    if (normalized !== text && detectIntents(normalized, slots).intents.includes("policy_faq"))
      return { ...result, intents: ["policy_faq"] };
    return result;
  }
  if (!result.intents.includes("destination_advice")) return result;
  // "what papers do we need for <city>": the place's entry rules, not its sights.
  if (ENTRY_PAPERS.test(text) && isRulesQuestion(text)) return asPolicy(result);
  // "should I pick a window or an aisle seat": no place named, and a help-centre heading names it.
  if (!namesPlace(slots) && (helpCentre().evidence(text)?.inTitle.length ?? 0) >= HEADING_WORDS)
    return asPolicy(result);
  return result;
}
