/** YAML printing for what the function writes: block style, no re-wrapping, kpt's compact lists. */
import { Document, parseDocument, type ToStringOptions } from "yaml";
import type { Result } from "./results";
import { MAX_ALIAS_COUNT } from "./limits";
import { indent } from "./text";
import type { ItemSource } from "./resource-list";

/** Block style, no re-wrapping, compact lists and flow collections as kpt writes them. */
export const PRINT_OPTIONS: ToStringOptions = { indentSeq: false, lineWidth: 0, flowCollectionPadding: false };
const BASE = PRINT_OPTIONS;

export function printResults(results: readonly Result[]): string {
  return new Document(results, { aliasDuplicateObjects: false }).toString(BASE);
}

/** Parse an item's own text; undefined when it does not parse on its own (e.g. an alias to another item). */
export function parseItem(src: ItemSource): Document.Parsed | undefined {
  const doc = parseDocument(src.body, { prettyErrors: false, uniqueKeys: true });
  return doc.errors.length === 0 ? doc : undefined;
}

/** Plain data of a parsed item, refusing alias bombs. */
export function itemData(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}

/**
 * The item's new text, to stand where its body stood. Lists keep the item's own style:
 * kpt sends `wide` files' lists compact, but plain files may indent them.
 */
export function printItem(doc: Document, src: ItemSource): string {
  let printed = doc.toString({ ...BASE, indentSeq: usesWideLists(src.body) });
  if (!src.body.endsWith("\n")) printed = printed.replace(/\n$/, "");
  return indent(printed, src.column);
}

/** Whether the first block list under a key is indented past that key (`wide`) or not (`compact`). */
export function usesWideLists(body: string): boolean {
  const m = /^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)- /m.exec(body);
  return m !== null && m[2]!.length > m[1]!.length;
}
