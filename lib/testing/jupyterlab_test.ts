import assert from "node:assert/strict";
import { join } from "node:path";
import { JupyterServer } from "./jupyter_server.ts";
import { ensureJupyterLab, LAB_DIR, labVersions } from "./jupyterlab.ts";

Deno.test("the JupyterLab harness serves JupyterLab 4.6 with the Deno kernel as the default", async () => {
  await ensureJupyterLab();
  const versions = await labVersions();
  const root = await Deno.makeTempDir({ prefix: "jupyterlab-harness-" });
  const server = await JupyterServer.start({ root, frontEnd: "lab" });
  try {
    assert.equal(server.version, versions.jupyterlab);
    assert.ok(server.notebookUrl("a b.ipynb").includes("/lab/tree/a%20b.ipynb?token="));

    // Only 127.0.0.1, and nothing without the token.
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const anonymous = await fetch(new URL("api/kernelspecs", server.url));
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 403);

    const specs = await (await server.request("api/kernelspecs")).json();
    assert.equal(specs.default, "deno");
    assert.deepEqual(Object.keys(specs.kernelspecs), ["deno"]);
    assert.equal(specs.kernelspecs.deno.spec.language, "typescript");

    // The page carries the version of the lockfile's JupyterLab and loads the built bundle.
    const page = await (await server.request("lab")).text();
    const config = JSON.parse(
      page.match(/<script id="jupyter-config-data" type="application\/json">([^]*?)<\/script>/)![1],
    );
    assert.equal(config.appVersion, versions.jupyterlab);
    const bundle = await server.request(`${config.fullStaticUrl.slice(1)}/bundle.js`);
    await bundle.body?.cancel();
    assert.equal(bundle.status, 200);

    // overrides.json turns the news prompt off, whatever JupyterLab's own default.
    const settings = "lab/api/settings/@jupyterlab/apputils-extension:notification";
    const notification = await (await server.request(settings)).json();
    assert.equal(notification.schema.properties.fetchNews.default, "false");
    const overrides = JSON.parse(
      await Deno.readTextFile(join(LAB_DIR, "settings", "overrides.json")),
    );
    assert.equal(overrides["@jupyterlab/apputils-extension:notification"].fetchNews, "false");
  } finally {
    assert.deepEqual(await server.stop(), []);
  }
});
