// Entry point of the JupyterLab front end (JupyterLab's examples/app pattern): the plugins of
// the `*-extension` packages in package.json, and plotly's MIME renderer.
import { JupyterLab } from "@jupyterlab/application";
import { PageConfig } from "@jupyterlab/coreutils";

// Must be set before the styles load: their fonts and images are fetched relative to it.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption("fullStaticUrl") + "/";

const styles = import("./build/style.js");

/** A package's plugins, whether it exports them as ES module default or CommonJS. */
function plugins(module) {
  const exported = Object.prototype.hasOwnProperty.call(module, "__esModule")
    ? module.default
    : module;
  return Array.isArray(exported) ? exported : [exported];
}

/** Drops the language-server plugins: jupyterlab-server 2.16 has no LSP endpoint. */
function withoutLsp(module) {
  return plugins(module).filter(({ id }) => !id.includes(":language-server"));
}

globalThis.addEventListener("load", async () => {
  await styles;
  const extensions = await Promise.all([
    import("@jupyterlab/application-extension"),
    import("@jupyterlab/apputils-extension"),
    import("@jupyterlab/celltags-extension"),
    import("@jupyterlab/codemirror-extension"),
    import("@jupyterlab/completer-extension"),
    import("@jupyterlab/console-extension"),
    import("@jupyterlab/docmanager-extension"),
    import("@jupyterlab/documentsearch-extension"),
    import("@jupyterlab/filebrowser-extension"),
    import("@jupyterlab/fileeditor-extension").then(withoutLsp),
    import("@jupyterlab/help-extension"),
    import("@jupyterlab/imageviewer-extension"),
    import("@jupyterlab/launcher-extension"),
    import("@jupyterlab/mainmenu-extension"),
    import("@jupyterlab/markdownviewer-extension"),
    import("@jupyterlab/markedparser-extension"),
    import("@jupyterlab/mathjax-extension"),
    import("@jupyterlab/metadataform-extension"),
    import("@jupyterlab/notebook-extension").then(withoutLsp),
    import("@jupyterlab/rendermime-extension"),
    import("@jupyterlab/running-extension"),
    import("@jupyterlab/settingeditor-extension"),
    import("@jupyterlab/shortcuts-extension"),
    import("@jupyterlab/statusbar-extension"),
    import("@jupyterlab/theme-light-extension"),
    import("@jupyterlab/toc-extension"),
    import("@jupyterlab/tooltip-extension"),
    import("@jupyterlab/translation-extension"),
    import("@jupyterlab/ui-components-extension"),
  ]);
  const mimeExtensions = await Promise.all([
    import("@jupyterlab/json-extension"),
    import("jupyterlab-plotly/lib/plotly-renderer.js"),
  ]);
  const lab = new JupyterLab({ mimeExtensions });
  lab.registerPlugins(extensions.flatMap(plugins));
  await lab.start();
  await lab.restored;
  // For the tests that drive the page (notebooks/jupyterlab_ui_test.ts), as JupyterLab's own
  // Galata tests do with `window.jupyterapp`.
  globalThis.jupyterapp = lab;
});
