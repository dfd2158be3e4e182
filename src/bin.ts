/** The executable's entry when run from source or a plain bundle: run the CLI on this process. */
import { cli } from "./cli";

// Everything is written by now (synchronously): exiting here spares the wait for V8's background
// work (optimizing compiles, a scheduled garbage collection) that a returning script would do.
process.exit(cli(process.argv.slice(2)));
