/** JUnit XML for CI: one test suite per scenario file, one test case per turn. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface CaseResult {
  name: string;
  ms: number;
  /** Empty when the turn passed. */
  failures: { message: string; detail: string }[];
  /** A turn that was not run because an earlier step of its file broke (an error, not a failure). */
  error?: string;
}

export interface SuiteResult {
  name: string;
  file: string;
  ms: number;
  cases: CaseResult[];
}

const xml = (text: string): string =>
  text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: drops the characters XML 1.0 cannot carry
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function junitXml(suites: readonly SuiteResult[]): string {
  const count = (f: (c: CaseResult) => boolean, list: readonly CaseResult[]) => list.filter(f).length;
  const all = suites.flatMap((s) => s.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flightly scenarios" tests="${all.length}" failures="${count((c) => c.failures.length > 0, all)}" errors="${count((c) => c.error !== undefined, all)}" time="${seconds(suites.reduce((t, s) => t + s.ms, 0))}">`,
  ];
  for (const s of suites) {
    lines.push(
      `  <testsuite name="${xml(s.name)}" file="${xml(s.file)}" tests="${s.cases.length}" failures="${count((c) => c.failures.length > 0, s.cases)}" errors="${count((c) => c.error !== undefined, s.cases)}" time="${seconds(s.ms)}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase classname="${xml(s.name)}" name="${xml(c.name)}" file="${xml(s.file)}" time="${seconds(c.ms)}"`;
      if (c.failures.length === 0 && c.error === undefined) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      // One <failure> per test case (what JUnit readers show), holding every failed expectation.
      if (c.failures.length > 0) {
        const message = c.failures.map((f) => f.message).join("; ");
        const detail = c.failures.map((f) => f.detail).join("\n\n");
        lines.push(`      <failure message="${xml(message)}" type="expectation">${xml(detail)}</failure>`);
      }
      if (c.error !== undefined)
        lines.push(`      <error message="${xml(c.error.split("\n")[0] ?? "")}">${xml(c.error)}</error>`);
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}

export function writeJunit(path: string, suites: readonly SuiteResult[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, junitXml(suites));
}
