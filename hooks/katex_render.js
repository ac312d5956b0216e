// Renders TeX to HTML with the project's pinned KaTeX, for hooks/formulas.py.
// One process per build: it reads one JSON request per line on stdin,
// {"tex": "...", "display": true|false}, and writes one JSON line back per request,
// {"html": "..."} or {"error": "KaTeX's message"}, in the same order.
"use strict";
const path = require("path");
const readline = require("readline");
const katex = require(path.join(__dirname, "..", "node_modules", "katex"));

const OPTIONS = JSON.parse(process.argv[2] || "{}");
readline.createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let reply;
  try {
    reply = { html: katex.renderToString(tex, { ...OPTIONS, displayMode: display }) };
  } catch (err) {
    reply = { error: String((err && err.message) || err) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
