import { describe, expect, it } from "vitest";
import { barChartSvg, formatValue, xmlEscape } from "../../bench/svg.js";

/** A small well-formedness check: balanced tags, quoted attributes, no stray `<` or `&` in text. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  let roots = 0;
  while (i < body.length) {
    const lt = body.indexOf("<", i);
    const text = body.slice(i, lt === -1 ? body.length : lt);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
    i = tag.lastIndex;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const chart = {
  title: "Latency <median & p99>",
  subtitle: `"quoted" & 'apostrophes'`,
  unit: "ms",
  series: ["median", "p99"],
  rows: [
    { label: "Valkey PING", values: [0.05, 0.2] },
    { label: "turn <full>", values: [9, 48] },
    { label: "HTTP & cache", values: [22, 130] },
  ],
};

describe("barChartSvg", () => {
  it("writes valid XML with one bar per row and series", () => {
    const svg = barChartSvg(chart);
    assertWellFormedXml(svg);
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(6);
    expect(svg).toContain("turn &lt;full&gt;");
  });

  it("draws no bar for a missing or non-positive value", () => {
    const svg = barChartSvg({
      ...chart,
      rows: [
        { label: "a", values: [1, undefined] },
        { label: "b", values: [0, 3] },
      ],
    });
    assertWellFormedXml(svg);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(2);
  });

  it("supports a linear axis", () => {
    const svg = barChartSvg({ ...chart, log: false });
    assertWellFormedXml(svg);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(6);
    expect(svg).not.toContain("log scale");
  });

  it("escapes and formats", () => {
    expect(xmlEscape(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    expect(formatValue(15_800)).toBe("15.8k");
    expect(formatValue(0.055)).toBe("0.055");
    expect(formatValue(4.04)).toBe("4.04");
  });
});
