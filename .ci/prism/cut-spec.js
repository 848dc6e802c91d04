#!/usr/bin/env node
// Cuts GitHub's official OpenAPI description (@octokit/openapi,
// generated/api.github.com.json) down to the operations git-cherry-pick-pr
// uses, plus the patch media types the description does not declare, and
// writes it to the path given as the only argument.
"use strict";
const fs = require("fs");
const path = require("path");

const OPERATIONS = {
  "/user": ["get"],
  "/search/issues": ["get"],
  "/repos/{owner}/{repo}": ["get"],
  "/repos/{owner}/{repo}/pulls": ["get", "post"],
  "/repos/{owner}/{repo}/pulls/{pull_number}": ["get"],
  "/repos/{owner}/{repo}/pulls/{pull_number}/reviews": ["get"],
  "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers": ["post"],
  "/repos/{owner}/{repo}/issues/{issue_number}": ["patch"],
  "/repos/{owner}/{repo}/issues/{issue_number}/labels": ["post"],
  "/repos/{owner}/{repo}/issues/{issue_number}/comments": ["get", "post"],
  "/repos/{owner}/{repo}/issues/comments/{comment_id}": ["patch"],
  "/repos/{owner}/{repo}/milestones": ["get"],
  "/repos/{owner}/{repo}/commits/{commit_sha}/pulls": ["get"],
};
const PATCH_TYPES = ["application/vnd.github.v3.patch", "application/vnd.github.patch", "text/x-patch"];

const out = process.argv[2];
if (!out) {
  console.error("usage: cut-spec.js OUTPUT.json");
  process.exit(2);
}
const source = require.resolve("@octokit/openapi/generated/api.github.com.json", { paths: [__dirname] });
const full = JSON.parse(fs.readFileSync(source, "utf8"));

const spec = {
  openapi: full.openapi,
  info: { ...full.info, title: `${full.info.title} (the operations git-cherry-pick-pr uses)` },
  servers: full.servers,
  paths: {},
  components: {},
};
for (const [p, methods] of Object.entries(OPERATIONS)) {
  const item = full.paths[p];
  if (!item) throw new Error(`the description has no path ${p}`);
  spec.paths[p] = {};
  if (item.parameters) spec.paths[p].parameters = item.parameters;
  for (const m of methods) {
    if (!item[m]) throw new Error(`the description has no ${m.toUpperCase()} ${p}`);
    spec.paths[p][m] = JSON.parse(JSON.stringify(item[m]));
  }
}

// The patch of a pull request: GET .../pulls/{pull_number} with a patch Accept type.
const ok = spec.paths["/repos/{owner}/{repo}/pulls/{pull_number}"].get.responses["200"];
for (const type of PATCH_TYPES) ok.content[type] = { schema: { type: "string" } };

// GitHub's GraphQL endpoint, which the REST description does not have: a
// POST of {query, variables}, answered with {data, errors}. The tool asks it
// for many pull requests at once.
spec.paths["/graphql"] = {
  post: {
    operationId: "graphql",
    requestBody: {
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            required: ["query"],
            properties: { query: { type: "string" }, variables: { type: "object" } },
          },
        },
      },
    },
    responses: {
      200: {
        description: "The query's answer",
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: { data: { type: "object", nullable: true }, errors: { type: "array" } },
            },
          },
        },
      },
      404: {
        description: "No GraphQL here",
        content: { "application/json": { schema: { $ref: "#/components/schemas/basic-error" } } },
      },
    },
  },
};

// Copy every component referenced, transitively.
const pending = [spec.paths];
const seen = new Set();
while (pending.length) {
  const node = pending.pop();
  if (Array.isArray(node)) {
    node.forEach((n) => pending.push(n));
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/") && !seen.has(v)) {
        seen.add(v);
        const [, , kind, name] = v.split("/");
        const value = full.components[kind] && full.components[kind][name];
        if (value === undefined) throw new Error(`dangling reference ${v}`);
        spec.components[kind] = spec.components[kind] || {};
        spec.components[kind][name] = value;
        pending.push(value);
      } else {
        pending.push(v);
      }
    }
  }
}

fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
fs.writeFileSync(out, JSON.stringify(spec, null, 1));
const count = Object.values(OPERATIONS).reduce((n, m) => n + m.length, 0);
console.error(`cut-spec: ${count} operations, ${seen.size} components -> ${out}`);
