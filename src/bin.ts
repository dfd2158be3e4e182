/** The executable's entry when run from source or a plain bundle: run the CLI on this process. */
import { cli } from "./cli";

process.exitCode = cli(process.argv.slice(2));
