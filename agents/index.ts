import { bookingAgent } from "./booking.js";
import { paymentAgent } from "./payment.js";
import { supportAgent } from "./support.js";
import type { AgentDefinition, AgentName } from "./types.js";

export type { AgentDefinition, AgentName } from "./types.js";

export const agents: Readonly<Record<AgentName, AgentDefinition>> = {
  support: supportAgent,
  booking: bookingAgent,
  payment: paymentAgent,
};
