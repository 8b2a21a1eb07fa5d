import assert from "node:assert/strict";
import { join } from "node:path";
import {
  installDenoKernel,
  JUPYTER_INSTALL_HINT,
  JupyterServer,
  JupyterServerError,
  notebookVersion,
} from "./jupyter_server.ts";
import { processesMentioning } from "../runner/_test_checks.ts";

Deno.test("installDenoKernel writes a kernelspec that runs this deno", async () => {
  const home = await Deno.makeTempDir();
  const dir = await installDenoKernel(home, "deno-test");
  assert.equal(dir, join(home, "jupyter", "kernels", "deno-test"));
  const spec = JSON.parse(await Deno.readTextFile(join(dir, "kernel.json")));
  // deno writes the path it was started by, maybe a symbolic link to the binary.
  assert.equal(await Deno.realPath(spec.argv[0]), Deno.execPath());
  assert.deepEqual(spec.argv.slice(1), ["jupyter", "--kernel", "--conn", "{connection_file}"]);
  assert.equal(spec.display_name, "Deno");
});

Deno.test("a missing jupyter fails with how to install the classic Notebook", async () => {
  const missing = "/nonexistent/bin/jupyter";
  await assert.rejects(notebookVersion(missing), (error: Error) => {
    assert.ok(error instanceof JupyterServerError);
    assert.ok(error.message.includes(missing), error.message);
    assert.ok(error.message.includes(JUPYTER_INSTALL_HINT), error.message);
    return true;
  });
  await assert.rejects(
    JupyterServer.start({ root: await Deno.makeTempDir(), jupyter: missing }),
    /apt-get install -y --no-install-recommends jupyter-notebook/,
  );
});

Deno.test("a jupyter without the notebook command fails with the same hint", async () => {
  // A stand-in `jupyter` that knows no subcommand, as jupyter-core alone behaves.
  const dir = await Deno.makeTempDir();
  const fake = join(dir, "jupyter");
  await Deno.writeTextFile(
    fake,
    '#!/bin/sh\necho "Jupyter command \\`jupyter-$1\\` not found." >&2\nexit 1\n',
  );
  await Deno.chmod(fake, 0o755);
  await assert.rejects(notebookVersion(fake), (error: Error) => {
    assert.ok(error instanceof JupyterServerError);
    assert.match(error.message, /jupyter-notebook` not found/);
    assert.ok(error.message.includes(JUPYTER_INSTALL_HINT), error.message);
    return true;
  });
});

Deno.test("the server lists this deno's kernel, runs it, and stops with every kernel", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(root, ".hidden.ipynb"),
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }),
  );
  const server = await JupyterServer.start({ root });
  let stopped = false;
  try {
    assert.match(server.version, /^\d+\.\d+\.\d+$/);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    // The token is required: an anonymous request is refused.
    const anonymous = await fetch(`${server.url}api/kernels`);
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 403);

    const specs = await (await server.request("api/kernelspecs")).json();
    const argv: string[] = specs.kernelspecs.deno.spec.argv;
    assert.equal(await Deno.realPath(argv[0]), Deno.execPath());
    // Hidden files are served (tests open hidden copies of the notebooks).
    const hidden = await server.request("api/contents/.hidden.ipynb?content=0");
    await hidden.body?.cancel();
    assert.equal(hidden.status, 200);
    // Checkpoints go to the scratch folder, not beside the notebooks.
    const checkpoint = await server.request("api/contents/.hidden.ipynb/checkpoints", {
      method: "POST",
    });
    await checkpoint.body?.cancel();
    assert.equal(checkpoint.status, 201);
    await Deno.stat(join(server.workDir, "checkpoints", ".hidden-checkpoint.ipynb"));
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), [".hidden.ipynb"]);

    const started = await server.request("api/kernels", {
      method: "POST",
      body: JSON.stringify({ name: "deno" }),
    });
    assert.equal(started.status, 201);
    const { id } = await started.json();
    assert.deepEqual((await server.kernels()).map((k) => [k.id, k.name]), [[id, "deno"]]);
    // The log is readable while the server runs (failure messages quote it).
    assert.match(await server.logTail(), new RegExp(`Kernel started: ${id}`));
    const kernelProcesses = await processesMentioning(join(server.runtimeDir, `kernel-${id}`));
    assert.equal(kernelProcesses.length, 1, kernelProcesses.join("\n"));
    assert.ok(kernelProcesses[0].includes(`${argv[0]} jupyter --kernel`), kernelProcesses[0]);

    assert.deepEqual(await server.stop(), []);
    stopped = true;
    assert.deepEqual(await processesMentioning(server.runtimeDir), []);
    // The server removed its info file on the way out, and logged the kernel's shutdown.
    const left = [];
    for await (const entry of Deno.readDir(server.runtimeDir)) left.push(entry.name);
    assert.deepEqual(left.filter((name) => name.startsWith("nbserver-")), []);
    assert.match(await Deno.readTextFile(server.logPath), new RegExp(`Kernel shutdown: ${id}`));
    // Stopping again is harmless.
    assert.deepEqual(await server.stop(), []);
  } finally {
    if (!stopped) await server.stop();
  }
});

Deno.test("stop kills what the server's processes left behind, orphans included, and says so", async () => {
  const server = await JupyterServer.start({ root: await Deno.makeTempDir(), stopGraceMs: 2_000 });
  // A process that inherited the server's environment but whose parent is gone, as a browser a
  // kernel launched outlives that kernel: started here, it is not a descendant of the server.
  const orphan = new Deno.Command("sleep", {
    args: ["600"],
    env: { JUPYTER_RUNTIME_DIR: server.runtimeDir },
    stdin: "null",
  }).spawn();
  const left = await server.stop();
  assert.equal(left.length, 1, left.join("\n"));
  assert.match(left[0], new RegExp(`^${orphan.pid}: \\S*sleep 600$`));
  assert.equal((await orphan.status).signal, "SIGKILL");
  assert.deepEqual(await processesMentioning(server.runtimeDir), []);
});
