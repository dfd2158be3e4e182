// Baseline: the `yaml` package's identity round trip of stdin (every document parsed into a
// Document and printed back), as a fresh process would do it.
"use strict";
const { parseAllDocuments } = require("yaml");
const { readFileSync, writeFileSync } = require("node:fs");

const docs = parseAllDocuments(readFileSync(0, "utf8"));
writeFileSync(1, (Array.isArray(docs) ? docs : [docs]).map((d) => d.toString()).join(""));
