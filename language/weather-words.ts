/**
 * Words that say how hot or cold it is, derived from WordNet 3.1 by `scripts/temperature-words.ts`
 * (the adjectives hot, cold, warm and cool and those WordNet lists as similar to them that it
 * defines by the weather or as a degree of the four). The test re-derives the list from WordNet.
 */
export const TEMPERATURE_WORDS: readonly string[] = `arctic bleak blistering blistery caller chilly cold cool
crisp cutting fiery frigid frore frosty gelid glacial hot hottish icy igneous lukewarm nipping nippy parky
polar raw scorching shivery sizzling snappy stifling sulfurous sulphurous sultry sweltering sweltry tepid
torrid tropic tropical warm`.split(/\s+/);

/** Nouns a temperature word describes when it describes the weather ("cold nights", "a hot spell"). */
const WEATHER_NOUNS =
  "weather|climate|temperatures?|air|winds?|breeze|days?|nights?|mornings?|evenings?|months?|seasons?|summers?|winters?|springs?|autumns?|falls?|spells?|waves?";
/**
 * What may follow an adjective said of something rather than before a noun: the end, a stop, a
 * preposition, a conjunction, a verb or an adverb of time ("is Oslo icy in March", "how warm does it
 * get", "cold enough for a coat").
 */
const AFTER_PREDICATE =
  "$|[?!.,;:]|(?:in|at|during|around|by|on|for|from|through|there|then|now|today|tonight|tomorrow|this|next|these|those|over|enough|or|and|but|when|if|than|yet|outside|out|does|do|did|is|are|was|were|will|would|gets?|getting|becomes?|stays?)\\b";

/**
 * A temperature word said of the weather: predicative ("is it chilly in Oslo") or before a weather
 * noun ("sweltering days"), not before another noun ("hot deals", "raw fish") nor as a noun ("a
 * cold"). Matches lower-case text.
 */
export const TEMPERATURE_WORD = new RegExp(
  `(?<!\\b(?:a|an)\\s+)\\b(?:${TEMPERATURE_WORDS.join("|")})\\b(?=\\s*(?:${AFTER_PREDICATE}|(?:${WEATHER_NOUNS})\\b))`,
);
