// Copies axe-core's built file and licences into tests/browser/vendor/ (see README.md).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules", "axe-core");
const target = join(here, "..", "..", "tests", "browser", "vendor");
const { version, license } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));

mkdirSync(target, { recursive: true });
copyFileSync(join(source, "axe.min.js"), join(target, "axe.min.js"));
copyFileSync(join(source, "LICENSE"), join(target, "LICENSE-axe-core.txt"));
copyFileSync(join(source, "LICENSE-3RD-PARTY.txt"), join(target, "LICENSE-axe-core-3RD-PARTY.txt"));
writeFileSync(
  join(target, "AXE_VERSION.txt"),
  `axe-core ${version} (${license}), from npm via tools/axe (npm ci && npm run vendor).\n` +
    "axe.min.js is the unmodified file node_modules/axe-core/axe.min.js.\n"
);
console.log(`axe-core ${version} -> ${target}`);
