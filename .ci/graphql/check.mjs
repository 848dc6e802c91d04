#!/usr/bin/env node
// Holds what git-cherry-pick-pr posts to GitHub's GraphQL API to GitHub's
// published schema (@octokit/graphql-schema): each document must parse and
// validate, and the variables sent with it must fit its definitions.
//
// The documents come from the tool itself: the unit test
// `github::graphql::tests::documents_for_the_schema_check` writes the bodies
// the tool builds to the file given as the only argument (see run).
//
// First a self-check: the tool's first document with a field misspelt, with
// a variable left out, and cut short must each be refused, or this check
// proves nothing.
import fs from "node:fs";
import { schema as published } from "@octokit/graphql-schema";
import { Kind, buildClientSchema, getVariableValues, parse, print, validate, visit } from "graphql";

const file = process.argv[2];
if (!file) {
  console.error("usage: check.mjs DOCUMENTS.json");
  process.exit(2);
}
const schema = buildClientSchema(published.json);

/// What is wrong with a body `{query, variables}`, in GraphQL's words.
function problems(body) {
  let document;
  try {
    document = parse(body.query);
  } catch (e) {
    return [`does not parse: ${e.message}`];
  }
  const errors = validate(schema, document).map((e) => e.message);
  for (const operation of document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)) {
    const { errors: wrong } = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
    errors.push(...(wrong ?? []).map((e) => e.message));
  }
  return errors;
}

/// `query` with the name of its first leaf field misspelt.
function misspelt(query) {
  let done = false;
  const document = visit(parse(query), {
    Field(node) {
      if (done || node.selectionSet) return undefined;
      done = true;
      return { ...node, name: { ...node.name, value: `${node.name.value}Misspelt` } };
    },
  });
  if (!done) throw new Error("self-check: the document has no field to misspell");
  return print(document);
}

if (!fs.existsSync(file)) {
  console.error(`${file}: not there; the unit test that writes the documents did not run`);
  process.exit(1);
}
const documents = JSON.parse(fs.readFileSync(file, "utf8"));
if (!Array.isArray(documents) || documents.length === 0) {
  console.error(`${file}: no documents; the unit test that writes them did not run`);
  process.exit(1);
}

const failures = [];
const [first] = documents;
const broken = {
  "a misspelt field": { ...first.body, query: misspelt(first.body.query) },
  "a variable left out": { ...first.body, variables: {} },
  "a document cut short": { ...first.body, query: first.body.query.slice(0, first.body.query.length / 2) },
};
const before = new Set(problems(first.body));
for (const [what, body] of Object.entries(broken)) {
  const found = problems(body).filter((p) => !before.has(p));
  if (found.length === 0) failures.push(`self-check: ${what} in "${first.name}" was not refused`);
  else console.error(`self-check: ${what} is refused: ${found[0]}`);
}

for (const { name, body } of documents) {
  const found = problems(body);
  for (const problem of found) failures.push(`"${name}": ${problem}`);
  if (found.length === 0) console.error(`graphql: "${name}" holds to GitHub's schema`);
}

if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
const { version } = JSON.parse(
  fs.readFileSync(new URL("node_modules/@octokit/graphql-schema/package.json", import.meta.url), "utf8"),
);
console.error(`graphql: ${documents.length} documents hold to @octokit/graphql-schema ${version}`);
