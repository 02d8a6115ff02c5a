// Bundles our JS/CSS and the npm packages they import into dist/weike/.
import { build } from "esbuild";

await build({
  entryPoints: {
    site: "src/site.js",
    player: "src/player.js",
    upload: "src/upload.js",
    style: "src/site.css",
  },
  outdir: "dist/weike",
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: ["chrome87", "firefox78", "safari14"],
  logLevel: "info",
  entryNames: "[name]",
});
