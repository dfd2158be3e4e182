/** The table-test shape shared by the strategy tests: a whole item in, the whole item out. */
import { expect } from "vitest";
import { messages, resourceList, runChecked } from "./resource-list";

export interface Row {
  name: string;
  /** A typed functionConfig; the table's default when left out. */
  config?: string;
  in: string;
  /** Expected item text; undefined means unchanged. */
  out?: string;
  info?: RegExp[];
  warnings?: RegExp[];
  errors?: RegExp[];
}

/** Run one row between two untouched neighbours and check the item, the results and the exit code. */
export function checkRow(row: Row, defaultConfig: string): void {
  const out = runChecked(resourceList([row.in], row.config ?? defaultConfig));
  // items: [neighbour, item under test, neighbour]
  expect(out.bodies[1]).toBe(row.out ?? row.in);
  for (const [severity, patterns] of [["info", row.info], ["warning", row.warnings], ["error", row.errors]] as const) {
    const got = messages(out.results, severity);
    expect(got.length, `${severity} results: ${JSON.stringify(got)}`).toBe(patterns?.length ?? 0);
    patterns?.forEach((p, i) => expect(got[i]).toMatch(p));
  }
  expect(out.exitCode).toBe(row.errors?.length ? 1 : 0);
}
