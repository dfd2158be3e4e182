/** Input limits, stated in the README. */

/**
 * Bigger inputs are refused with a clear message rather than risking an out-of-memory crash. The
 * same limit bounds what a run writes, so the next function in a pipeline can always read it.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/**
 * A ResourceList in YAML flow style (not JSON, which is converted in one pass) needs a whole yaml
 * tree of itself, about a hundred bytes for each byte: bigger ones are refused up front.
 */
export const MAX_FLOW_BYTES = 4 * 1024 * 1024;
/** Aliases one item or the functionConfig may expand; more is treated as an alias bomb. */
export const MAX_ALIAS_COUNT = 1000;
