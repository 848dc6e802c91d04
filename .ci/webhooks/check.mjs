#!/usr/bin/env node
// Holds the event payloads the tests feed `--from-event` to GitHub's
// published webhook schemas (@octokit/openapi-webhooks, whose JSON Schema is
// draft 2020-12 as OpenAPI 3.1 has it; checked with Ajv and its formats).
//
// The payloads are the tests' own: with CPP_DUMP_EVENTS set, the event tests
// keep each payload they feed the tool, with the event's name and the test's,
// in that folder (see run). The schema is the event's and action's
// (`pull_request_target` is a `pull_request` event); an event with no
// published schema is a failure too.
//
// First a self-check: the first payload with its repository's `full_name`
// left out, and with its sender's `login` a number, must each be refused, or
// this check proves nothing.
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: check.mjs PAYLOADS-FOLDER");
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const packageDir = path.join(here, "node_modules/@octokit/openapi-webhooks");
const spec = JSON.parse(fs.readFileSync(path.join(packageDir, "generated/api.github.com.json"), "utf8"));
const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));

// OpenAPI's own keywords (`example`, `discriminator`, `x-…`) are not JSON
// Schema's: not strict about them.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "webhooks.json", components: spec.components });

/// The validator of event `name` with `action`, from the webhook it is.
function validatorFor(name, action) {
  const base = name.replace(/_target$/, "").replaceAll("_", "-");
  for (const key of action ? [`${base}-${action}`, base] : [base]) {
    const webhook = spec.webhooks[key];
    if (!webhook) continue;
    const ref = webhook.post.requestBody.content["application/json"].schema.$ref;
    return { key, validate: ajv.getSchema(`webhooks.json${ref}`) };
  }
  return undefined;
}

/// What is wrong with `payload` as event `name`, in Ajv's words.
function problems(name, payload) {
  const found = validatorFor(name, payload?.action);
  if (!found) return [`no published schema for the event ${name} (action ${payload?.action ?? "none"})`];
  if (found.validate(payload)) return [];
  return found.validate.errors.map(
    (e) => `${found.key}: ${e.instancePath || "/"} ${e.message}${e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ""}`,
  );
}

if (!fs.existsSync(dir)) {
  console.error(`${dir}: not there; the event tests did not run with CPP_DUMP_EVENTS`);
  process.exit(1);
}
const dumped = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ file: f, ...JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) }));
if (dumped.length === 0) {
  console.error(`${dir}: no payloads; the event tests did not run with CPP_DUMP_EVENTS`);
  process.exit(1);
}

const failures = [];
const [first] = dumped;
const clone = () => JSON.parse(JSON.stringify(first.payload));
const noFullName = clone();
if (noFullName.repository) delete noFullName.repository.full_name;
const numberLogin = clone();
numberLogin.sender = { ...numberLogin.sender, login: 1 };
const before = new Set(problems(first.event, first.payload));
for (const [what, payload] of [
  ["the repository's full_name left out", noFullName],
  ["the sender's login a number", numberLogin],
]) {
  const found = problems(first.event, payload).filter((p) => !before.has(p));
  if (found.length === 0) failures.push(`self-check: ${first.event} with ${what} was not refused`);
  else console.error(`self-check: ${first.event} with ${what} is refused: ${found[0]}`);
}

// Each problem once, with the tests whose payloads have it.
const byProblem = new Map();
const kinds = new Map();
for (const { test, event, payload } of dumped) {
  const kind = `${event}${payload?.action ? ` ${payload.action}` : ""}`;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  for (const problem of problems(event, payload)) {
    if (!byProblem.has(problem)) byProblem.set(problem, new Set());
    byProblem.get(problem).add(test);
  }
}
for (const [problem, tests] of byProblem) {
  const names = [...tests];
  failures.push(`${problem}\n    fed by ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`);
}

if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
const summary = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
console.error(`webhooks: ${dumped.length} payloads (${summary}) hold to @octokit/openapi-webhooks ${version}`);
