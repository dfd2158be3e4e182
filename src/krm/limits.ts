/** Input limits, stated in the README. */

/** Bigger inputs are refused with a clear message rather than risking an out-of-memory crash. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;
/** Aliases one item or the functionConfig may expand; more is treated as an alias bomb. */
export const MAX_ALIAS_COUNT = 1000;
