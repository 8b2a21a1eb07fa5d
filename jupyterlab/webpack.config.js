// Bundles index.js into build/ (JupyterLab's examples/app configuration, webpack 5), and copies
// the extensions' schemas, themes and styles there (Build.ensureAssets).
const path = require("node:path");
const webpack = require("webpack");
const miniSVGDataURI = require("mini-svg-data-uri");
const MiniCssExtractPlugin = require("mini-css-extract-plugin");
const { Build } = require("@jupyterlab/builder");
const data = require("./package.json");

// The packages whose package.json declares JupyterLab assets.
const names = Object.keys(data.dependencies).filter((name) =>
  require(path.join(name, "package.json")).jupyterlab !== undefined
);
const assets = Build.ensureAssets({ packageNames: names, output: "./build" });

module.exports = [
  {
    entry: ["./index.js"],
    output: { path: path.join(__dirname, "build"), filename: "bundle.js" },
    bail: true,
    // Development mode without source maps: minifying 20 MB of JavaScript would take minutes
    // on two cores, for a page only tests load.
    mode: "development",
    devtool: false,
    performance: { hints: false },
    module: {
      rules: [
        {
          test: /\.css$/,
          exclude: /\.raw\.css$/,
          use: [MiniCssExtractPlugin.loader, "css-loader"],
        },
        { test: /\.raw\.css$/, type: "asset/source" },
        { test: /\.html$/, type: "asset/resource" },
        { test: /\.md$/, type: "asset/source" },
        { test: /\.(jpg|png|gif)$/, type: "asset/resource" },
        { test: /\.js.map$/, type: "asset/resource" },
        { test: /\.(woff2?|ttf)(\?v=\d+\.\d+\.\d+)?$/, type: "asset" },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, type: "asset/resource" },
        {
          // In CSS, SVG icons are data URIs.
          test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
          issuer: /\.css$/,
          type: "asset",
          generator: {
            dataUrl: (content) => miniSVGDataURI(content.toString()),
          },
        },
        {
          // In JavaScript, SVG icons are strings.
          test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
          issuer: /\.js$/,
          type: "asset/source",
        },
        // Some packages import without file extensions from ES modules.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
      ],
    },
    plugins: [
      // Packages that read `process` (the path polyfill, plotly's dependencies).
      new webpack.DefinePlugin({
        "process.env": "{}",
        "process.cwd": "(() => '/')",
      }),
      new MiniCssExtractPlugin({ filename: "[name].[contenthash:8].css" }),
    ],
  },
].concat(assets);
