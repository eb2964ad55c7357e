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

export { BedrockModel, type BedrockModelOptions, DEFAULT_BEDROCK_MODEL_ID } from "./bedrock.js";
export {
  badResponse,
  fromBedrockError,
  fromFetchError,
  fromHttpError,
  isContextOverflowMessage,
  isModelError,
  isRetryableModelError,
  ModelError,
} from "./errors.js";
export { LocalPlanner, type LocalPlannerOptions } from "./local/index.js";
export { OpenAICompatibleModel, type OpenAICompatibleModelOptions } from "./openai.js";
export {
  backoffDelay,
  type CallScope,
  callScope,
  DEFAULT_RETRY_POLICY,
  type RetryInfo,
  type RetryOptions,
  type RetryPolicy,
  sleep,
  withRetry,
} from "./retry.js";
export { type Script, ScriptedModel, type ScriptedModelOptions, type ScriptedReply } from "./scripted.js";
export { toolSpec } from "./tool-spec.js";
export {
  addUsage,
  type ContentBlock,
  type InferenceSettings,
  type JsonValue,
  type Message,
  type ModelErrorCode,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamEvent,
  type StopReason,
  type TextBlock,
  type ToolResultBlock,
  type ToolSpec,
  type ToolUseBlock,
  type Usage,
} from "./types.js";

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
