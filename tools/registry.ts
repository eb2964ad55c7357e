/**
 * The tool registry: every custom tool's definition (handler and metadata, declared in the tool's
 * own file). Adding a tool means its file, one line here, and the owning agent's list.
 */
import { airlineInfo } from "./airline-info.js";
import { airportInfo } from "./airport-info.js";
import { bookHotel } from "./book-hotel.js";
import { getBooking, listBookings } from "./bookings.js";
import type { ToolCache } from "./cache.js";
import { cancelBooking } from "./cancel-booking.js";
import type { ToolDeps } from "./common.js";
import { confirmBooking } from "./confirm-booking.js";
import type { ToolDefinition } from "./definition.js";
import { destinationInfo } from "./destination-info.js";
import { groundTransport } from "./ground-transport.js";
import { addInsurance } from "./insurance.js";
import { knowledgeBase } from "./knowledge-base.js";
import { processPayment } from "./process-payment.js";
import { reserveFlight } from "./reserve-flight.js";
import { searchFlights } from "./search-flights.js";
import { searchHotels } from "./search-hotels.js";
import { supportConversation } from "./support-history.js";
import type { Tool } from "./types.js";

export const TOOL_DEFINITIONS = [
  searchFlights,
  searchHotels,
  bookHotel,
  destinationInfo,
  knowledgeBase,
  supportConversation,
  reserveFlight,
  confirmBooking,
  addInsurance,
  processPayment,
  getBooking,
  listBookings,
  cancelBooking,
  airportInfo,
  airlineInfo,
  groundTransport,
] as const;

/** The name of a custom tool, checked at compile time wherever a tool is named. */
export type CustomToolName = (typeof TOOL_DEFINITIONS)[number]["name"];

// biome-ignore lint/suspicious/noExplicitAny: definitions of different inputs share one map
type AnyDefinition = ToolDefinition<string, any>;

const BY_NAME: ReadonlyMap<string, AnyDefinition> = new Map(TOOL_DEFINITIONS.map((d) => [d.name, d]));

/** The definition of a custom tool, or undefined for any other name (MCP tools, handoffs). */
export const toolDefinition = (name: string): AnyDefinition | undefined => BY_NAME.get(name);

/** Builds every registered tool; read tools are wrapped in `cache` by their policy. */
// biome-ignore lint/suspicious/noExplicitAny: tools of different inputs share one map, as the runner expects
export function buildTools(deps: ToolDeps, cache: ToolCache): Record<string, Tool<any>> {
  return Object.fromEntries(
    TOOL_DEFINITIONS.map((def: AnyDefinition) => {
      const tool = def.create(deps);
      if (tool.name !== def.name) throw new Error(`tool ${def.name} builds a tool named ${tool.name}`);
      return [def.name, def.cache ? cache.cached(tool, def.cache) : tool];
    }),
  );
}
