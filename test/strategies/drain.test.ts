/** Go durations as Istio's proxy config writes terminationDrainDuration (time.ParseDuration's units). */
import { describe, expect, it } from "vitest";
import { durationSeconds } from "../../src/strategies/drain";

describe("durationSeconds", () => {
  it.each([
    ["30s", 30],
    ["1m30s", 90],
    ["1.5m", 90],
    ["1h", 3600],
    ["500ms", 0.5],
    ["2s500ms", 2.5],
    ["1500us", 0.0015],
    ["1500µs", 0.0015],
    ["2000000000ns", 2],
    [".5s", 0.5],
    ["1.s", 1],
    ["+5s", 5],
    ["-5s", -5],
    ["-0", 0],
    ["0", 0],
  ])("%s is %f s", (text, seconds) => expect(durationSeconds(text)).toBeCloseTo(seconds, 9));

  it.each(["", "30", "s", "30 s", "5x", "--5s", "-", ".s", "+", "00", 30, null])("%j is none", (text) => expect(durationSeconds(text)).toBeUndefined());
});
