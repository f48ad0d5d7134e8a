// The chat templates mainstream models ship, from the npm package
// @huggingface/ollama-utils (MIT; its OLLAMA_CHAT_TEMPLATE_MAPPING holds
// the tokenizer.chat_template of each GGUF model Ollama's library maps),
// installed in tests/node_modules by npm, never committed. Each distinct
// template is written as a small GGUF file (no tensors) into DIR, and
// rendered with @huggingface/jinja; tests/check_templates.sh then scans
// DIR with brine, which must find every one safe.
//
// usage: node tests/templates/real.mjs DIR
// Prints "real: N templates, R render" last.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { runInNewContext } from "node:vm";
import { Template } from "@huggingface/jinja";

// the package keeps the table private: read its array literal from the
// built module (data only: objects of strings) in an empty context
function mapping() {
  const req = createRequire(import.meta.url);
  const main = req.resolve("@huggingface/ollama-utils");
  const src = readFileSync(join(dirname(main), "index.mjs"), "utf8");
  const start = src.indexOf("var OLLAMA_CHAT_TEMPLATE_MAPPING = [");
  const end = src.indexOf("\n];\n", start);
  if (start < 0 || end < 0) throw new Error("template table not found");
  const lit = src.slice(src.indexOf("[", start), end + 2);
  return runInNewContext("(" + lit + ")", Object.create(null));
}
const OLLAMA_CHAT_TEMPLATE_MAPPING = mapping();

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node tests/templates/real.mjs DIR");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

// GGUF v3, little-endian: header, key/value pairs, no tensors, padded to
// the alignment (formats.md, GGUF)
function gguf(template) {
  const parts = [];
  const u32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    parts.push(b);
  };
  const u64 = (v) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    parts.push(b);
  };
  const str = (s) => {
    const b = Buffer.from(s, "utf8");
    u64(b.length);
    parts.push(b);
  };
  parts.push(Buffer.from("GGUF"));
  u32(3);
  u64(0); // tensors
  u64(3); // key/value pairs
  str("general.architecture");
  u32(8);
  str("llama");
  str("general.alignment");
  u32(4);
  u32(32);
  str("tokenizer.chat_template");
  u32(8);
  str(template);
  let out = Buffer.concat(parts);
  const pad = (32 - (out.length % 32)) % 32;
  return Buffer.concat([out, Buffer.alloc(pad)]);
}

const messages = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "Hello, how are you?" },
  { role: "assistant", content: "I am fine, thanks." },
  { role: "user", content: "What is the weather in Paris?" },
];

const seen = new Map();
for (const e of OLLAMA_CHAT_TEMPLATE_MAPPING) {
  if (typeof e.gguf === "string" && e.gguf && !seen.has(e.gguf))
    seen.set(e.gguf, e.model);
}
let n = 0;
let rendered = 0;
for (const [text, model] of seen) {
  const name = `${String(n).padStart(3, "0")}-${model.replace(/[^A-Za-z0-9.-]+/g, "_")}.gguf`;
  writeFileSync(join(dir, name), gguf(text));
  n++;
  try {
    const out = new Template(text).render({
      messages,
      add_generation_prompt: true,
      bos_token: "<s>",
      eos_token: "</s>",
    });
    if (out.includes("What is the weather in Paris?")) rendered++;
  } catch {
    // some need tools or other variables: rendering is informative here
  }
}
console.log(`real: ${n} templates, ${rendered} render`);
process.exit(n >= 50 ? 0 : 1);
