/**
 * A local server that speaks Bedrock Knowledge Base `Retrieve`
 * (`POST /knowledgebases/{id}/retrieve`, restJson1 over cleartext HTTP/2, as the agent-runtime
 * SDK client sends it to an `http://` endpoint), answering from the help-centre documents in
 * `data/knowledge/policies.json`: ranked by the words a document shares with the query, each
 * result with its text, an S3 location, a score and `title` / `kind` metadata. Every request is
 * recorded.
 */
import { readFileSync } from "node:fs";
import { createServer, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { DATA } from "../../core/paths.js";

interface Doc {
  slug: string;
  title: string;
  body: string;
  kind: string;
}

const words = (text: string): Set<string> =>
  new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).map((w) => w.replace(/(?:ing|ed|es|s)$/, "")));

export interface RetrieveServer {
  url: string;
  requests: Array<{ path: string; body: { retrievalQuery?: { text?: string } } }>;
  close(): Promise<void>;
}

export async function startRetrieveServer(): Promise<RetrieveServer> {
  const docs = JSON.parse(readFileSync(join(DATA, "knowledge", "policies.json"), "utf8")) as Doc[];
  const indexed = docs.map((d) => ({ doc: d, title: words(d.title), body: words(d.body) }));
  const requests: RetrieveServer["requests"] = [];
  const server: Http2Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
      requests.push({ path: req.url, body });
      if (!/^\/knowledgebases\/[^/]+\/retrieve$/.test(req.url) || req.method !== "POST") {
        res.writeHead(404, {
          "content-type": "application/json",
          "x-amzn-errortype": "ResourceNotFoundException",
        });
        res.end(JSON.stringify({ message: "no such knowledge base" }));
        return;
      }
      const asked = words(body.retrievalQuery?.text ?? "");
      const n = body.retrievalConfiguration?.vectorSearchConfiguration?.numberOfResults ?? 5;
      const ranked = indexed
        .map((d) => {
          let s = 0;
          for (const w of asked) s += (d.title.has(w) ? 3 : 0) + (d.body.has(w) ? 1 : 0);
          return { doc: d.doc, s };
        })
        .filter((r) => r.s > 0)
        .sort((a, b) => b.s - a.s)
        .slice(0, n);
      const top = ranked[0]?.s ?? 1;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          retrievalResults: ranked.map((r) => ({
            content: { type: "TEXT", text: r.doc.body },
            location: { type: "S3", s3Location: { uri: `s3://flightly-kb/policies/${r.doc.slug}.md` } },
            score: r.s / top,
            metadata: { title: r.doc.title, kind: r.doc.kind },
          })),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
