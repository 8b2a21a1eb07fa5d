import assert from "node:assert/strict";
import {
  PIPELINE_NOTEBOOK,
  pipelineArgs,
  pipelineCommand,
  type PipelineCommandOptions,
  RUNNER_CLI,
} from "./pipeline_command.ts";

const EVERY_OPTION: Required<PipelineCommandOptions> = {
  input: "/d/in.xls",
  lakehouseDir: "az://eco2mix/lake",
  modelsDir: "/t/models",
  reportDir: "/t/rapport",
  referenceDir: "/shared/data",
  profile: "rapide",
  allowDownload: false,
  runDir: "/t/run",
  timeoutS: 5,
};

/** The `-p` pairs of a command line, as [name, value]. */
function pairs(args: string[]): [string, string][] {
  return args.flatMap((a, i) => {
    if (a !== "-p") return [];
    const eq = args[i + 1].indexOf("=");
    return [[args[i + 1].slice(0, eq), args[i + 1].slice(eq + 1)]];
  });
}

/** Notebook 11's declared parameters (its `parameters` cell) with their default's text. */
async function notebookParameters(): Promise<Map<string, string>> {
  const nb = JSON.parse(await Deno.readTextFile(PIPELINE_NOTEBOOK));
  const cell = nb.cells.find((c: { metadata?: { tags?: string[] } }) =>
    c.metadata?.tags?.includes("parameters")
  );
  const source: string = [cell.source].flat().join("");
  return new Map([...source.matchAll(/^let (\w+) = ([^;]+);/gm)].map((m) => [m[1], m[2]]));
}

Deno.test("pipelineArgs: every option is a parameter notebook 11 declares, of its type", async () => {
  const declared = await notebookParameters();
  assert.ok(declared.has("input_path"), [...declared.keys()].join());
  const passed = pairs(pipelineArgs(EVERY_OPTION));
  assert.equal(passed.length, 6);
  for (const [name, value] of passed) {
    const defaultText = declared.get(name);
    assert.ok(defaultText !== undefined, `notebook 11 has no parameter ${name}`);
    // The CLI converts the text to the type of the default: a boolean stays a boolean.
    const isBoolean = defaultText === "true" || defaultText === "false";
    assert.equal(value === "true" || value === "false", isBoolean, `${name}=${value}`);
  }
  // The profile is one of the two the notebook knows, named in its comment.
  assert.match(
    (await Deno.readTextFile(PIPELINE_NOTEBOOK)).replaceAll('\\"', '"'),
    /let profil = "complet"; \/\/ [^\n]*"complet" ou "rapide"/,
  );
});

Deno.test("pipelineArgs: each given value passed once, whole; nothing for options left out", () => {
  const args = pipelineArgs(EVERY_OPTION);
  assert.deepEqual(
    new Map(pairs(args)),
    new Map([
      ["lakehouse_dir", EVERY_OPTION.lakehouseDir],
      ["models_dir", EVERY_OPTION.modelsDir],
      ["report_dir", EVERY_OPTION.reportDir],
      ["reference_dir", EVERY_OPTION.referenceDir],
      ["profil", EVERY_OPTION.profile],
      ["allow_download", String(EVERY_OPTION.allowDownload)],
    ]),
  );
  assert.equal(args[args.indexOf("--input") + 1], EVERY_OPTION.input);
  assert.equal(args[args.indexOf("--run-dir") + 1], EVERY_OPTION.runDir);
  assert.equal(args[args.indexOf("--timeout") + 1], String(EVERY_OPTION.timeoutS));
  // A value holding "=" stays whole: the CLI splits KEY=VALUE at the first "=".
  assert.deepEqual(pairs(pipelineArgs({ input: "i", reportDir: "/a=b/c" })), [
    ["report_dir", "/a=b/c"],
  ]);
  // Only --input when nothing else is given: the notebook's defaults apply.
  assert.deepEqual(pipelineArgs({ input: "i" }), ["--input", "i"]);
  // allowDownload true is passed, not taken for "left out".
  assert.deepEqual(pairs(pipelineArgs({ input: "i", allowDownload: true })), [
    ["allow_download", "true"],
  ]);
});

Deno.test("pipelineCommand: the runner's CLI on notebook 11, both files that exist", async () => {
  const args = pipelineCommand(EVERY_OPTION);
  assert.deepEqual(args.slice(0, 4), ["run", "-A", RUNNER_CLI, PIPELINE_NOTEBOOK]);
  assert.deepEqual(args.slice(4), pipelineArgs(EVERY_OPTION));
  assert.ok((await Deno.stat(RUNNER_CLI)).isFile);
  assert.ok((await Deno.stat(PIPELINE_NOTEBOOK)).isFile);
  const deno = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  // `deno task pipeline` is the same command: the runner's CLI on the same notebook.
  assert.match(deno.tasks.pipeline, /lib\/runner\/cli\.ts notebooks\/11_Pipeline_Complete\.ipynb$/);
});
