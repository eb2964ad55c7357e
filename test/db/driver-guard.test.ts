/** The entry point drops exactly postgres.js's write-after-close TypeError, nothing else. */
import { describe, expect, it } from "vitest";
import { isDriverWriteAfterClose } from "../../memory/db/index.js";

const withStack = (err: Error, stack: string): Error => Object.assign(err, { stack });
const FRAME = "    at Immediate.nextWrite (file:///srv/app/node_modules/postgres/src/connection.js:255:22)";

describe("isDriverWriteAfterClose", () => {
  it("recognises the driver's flush on a closed connection (ESM and CJS builds)", () => {
    const message = "Cannot read properties of null (reading 'write')";
    expect(
      isDriverWriteAfterClose(withStack(new TypeError(message), `TypeError: ${message}\n${FRAME}`)),
    ).toBe(true);
    const cjs = FRAME.replace("postgres/src", "postgres/cjs/src");
    expect(isDriverWriteAfterClose(withStack(new TypeError(message), `TypeError: ${message}\n${cjs}`))).toBe(
      true,
    );
  });

  it("leaves every other error to crash the process as usual", () => {
    const message = "Cannot read properties of null (reading 'write')";
    expect(isDriverWriteAfterClose(new TypeError(message))).toBe(false); // thrown by our own code
    expect(isDriverWriteAfterClose(withStack(new TypeError("x is not a function"), FRAME))).toBe(false);
    expect(isDriverWriteAfterClose(withStack(new RangeError(message), FRAME))).toBe(false);
    expect(isDriverWriteAfterClose("reading 'write'")).toBe(false);
  });
});
