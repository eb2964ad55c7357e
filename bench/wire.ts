/**
 * Loads the local server speaking the Bedrock wire protocol (`test/support/bedrock-server.ts`)
 * into the compiled bench. `test/` is not compiled into `dist/`, so the file is transpiled on the
 * fly with the TypeScript compiler (a dev dependency, like the peers), its bare imports resolved
 * from this package, and the result imported from a temp file. Undefined when that fails.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../core/paths.js";

/** The part of the test server the bench uses (declared here: `test/` is outside the build). */
export interface WireTurn {
  text?: string;
  toolUses?: Array<{ name: string; input: unknown; toolUseId?: string }>;
  usage?: { inputTokens?: number; outputTokens?: number };
}
export interface WireRequest {
  body: { messages?: Array<{ role: string; content: Array<{ toolResult?: unknown; text?: string }> }> };
}
export interface WireServer {
  readonly url: string;
  close(): Promise<void>;
}
export interface BedrockServerModule {
  startBedrockServer(handler: (request: WireRequest) => WireTurn): Promise<WireServer>;
}

const BEDROCK_SERVER_SOURCE = join(ROOT, "test", "support", "bedrock-server.ts");

export async function loadBedrockServer(): Promise<{ module?: BedrockServerModule; error?: string }> {
  const dir = mkdtempSync(join(tmpdir(), "flightly-bench-wire-"));
  try {
    const source = readFileSync(BEDROCK_SERVER_SOURCE, "utf8");
    const ts = (await import("typescript")).default;
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: "bedrock-server.ts",
    });
    // Bare specifiers (`@smithy/core/event-streams`) resolve from this package, not the temp dir.
    const code = outputText.replace(/from "([^".][^"]*)"/g, (whole, spec: string) =>
      spec.startsWith("node:") ? whole : `from "${import.meta.resolve(spec)}"`,
    );
    const file = join(dir, "bedrock-server.mjs");
    writeFileSync(file, code);
    const module = (await import(pathToFileURL(file).href)) as BedrockServerModule;
    if (typeof module.startBedrockServer !== "function") return { error: "startBedrockServer not exported" };
    return { module };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
