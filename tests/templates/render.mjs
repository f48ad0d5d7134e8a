// Render every benign chat template under tests/data/templates/ (not
// evil/) with @huggingface/jinja, the JS implementation HF uses for chat
// templates, and fail if any of them does not render: the benign corpus
// must stay real, working templates, since brine's screen
// (src/formats/chat_template.c) is asserted to pass all of them.
//
// usage: node tests/templates/render.mjs [DIR]
// Prints "templates: N rendered" last; exits 1 on any failure.
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Template } from "@huggingface/jinja";

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? join(here, "..", "data", "templates");

const tools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Get the current weather for a city",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string", description: "City name" },
          unit: { type: "string", enum: ["celsius", "fahrenheit"] },
          days: { type: "integer", description: "Forecast days" },
        },
        required: ["city"],
      },
    },
  },
];

const plain = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "Hello, how are you?" },
  { role: "assistant", content: "<think>greeting</think>I am fine, thanks." },
  { role: "user", content: "What is the weather in Paris?" },
];

const withTools = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "What is the weather in Paris?" },
  {
    role: "assistant",
    content: "",
    tool_calls: [
      {
        id: "call123456789",
        type: "function",
        function: { name: "get_weather", arguments: { city: "Paris" } },
      },
    ],
  },
  { role: "tool", tool_call_id: "call123456789", content: '{"temp": 21}' },
  { role: "user", content: "Thanks!" },
];

function context(messages, useTools) {
  const ctx = {
    messages,
    add_generation_prompt: true,
    bos_token: "<s>",
    eos_token: "</s>",
    // strftime_now and raise_exception are @huggingface/jinja globals
  };
  if (useTools) ctx.tools = tools;
  return ctx;
}

// Templates that only take a strictly alternating user/assistant chat
// get the plain conversation alone.
const cases = [
  ["plain", plain, false],
  ["tools", withTools, true],
];

let rendered = 0;
let failed = 0;
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".jinja"))
  .sort();
for (const f of files) {
  const src = readFileSync(join(dir, f), "utf8");
  let tmpl;
  try {
    tmpl = new Template(src);
  } catch (e) {
    console.log(`FAIL ${f}: does not parse: ${e.message}`);
    failed++;
    continue;
  }
  let ok = true;
  for (const [name, msgs, useTools] of cases) {
    let out;
    try {
      out = tmpl.render(context(msgs, useTools));
    } catch (e) {
      if (name === "tools" && /alternate|tool/.test(String(e.message))) {
        continue; // a template without tool support may refuse tool turns
      }
      console.log(`FAIL ${f} (${name}): ${e.message}`);
      ok = false;
      continue;
    }
    const lastUser = msgs.filter((m) => m.role === "user").at(-1).content;
    if (!out.includes(lastUser)) {
      console.log(`FAIL ${f} (${name}): output lacks the last user message`);
      ok = false;
    }
  }
  if (ok) {
    rendered++;
    console.log(`ok   ${f}`);
  } else failed++;
}
console.log(`templates: ${rendered} rendered, ${failed} failed`);
process.exit(failed || rendered === 0 ? 1 : 0);
