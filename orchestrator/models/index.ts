/**
 * Model providers behind one interface (`ModelProvider`, shaped on Bedrock Converse), and
 * `createModel` to build the configured one.
 */
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { BedrockModel } from "./bedrock.js";
import { LocalPlanner } from "./local/index.js";
import { OpenAICompatibleModel } from "./openai.js";
import type { ModelProvider } from "./types.js";

export { BedrockModel } from "./bedrock.js";
export { LocalPlanner } from "./local/index.js";
export { OpenAICompatibleModel } from "./openai.js";
export type { ModelProvider } from "./types.js";

/** Builds the provider named by `MODEL_PROVIDER`. */
export function createModel(config: Config, logger: Logger): ModelProvider {
  switch (config.model.provider) {
    case "bedrock":
      return new BedrockModel({ modelId: config.model.bedrockModelId, region: config.awsRegion, logger });
    case "openai":
      return new OpenAICompatibleModel({
        baseUrl: config.model.openai.baseUrl,
        model: config.model.openai.model,
        apiKey: config.model.openai.apiKey,
        logger,
      });
    case "local":
      return new LocalPlanner();
  }
}
