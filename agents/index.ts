import { bookingAgent } from "./booking.js";
import { paymentAgent } from "./payment.js";
import { supportAgent } from "./support.js";
import type { AgentDefinition, AgentName } from "./types.js";

export { bookingAgent } from "./booking.js";
export { paymentAgent } from "./payment.js";
export { supportAgent } from "./support.js";
export { AGENT_NAMES, type AgentDefinition, type AgentName } from "./types.js";

export const agents: Readonly<Record<AgentName, AgentDefinition>> = {
  support: supportAgent,
  booking: bookingAgent,
  payment: paymentAgent,
};
