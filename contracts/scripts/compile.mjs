// Compile every contract under src/ with solcjs (standard JSON) and write one
// artifact per deployable contract to out/<Name>.json ({abi, bytecode, ...}).
// Called by coop_dashboard/chain/compile.py, which skips it when nothing changed.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, rmSync, existsSync } from "node:fs";
import { join, relative, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src");
const outDir = process.argv[2] || join(root, "out");

function listSol(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listSol(path);
    return name.endsWith(".sol") ? [path] : [];
  });
}

const sources = {};
for (const file of listSol(srcDir).sort()) {
  const key = relative(root, file).split(sep).join("/");
  sources[key] = { content: readFileSync(file, "utf8") };
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // OZ 5.7 uses mcopy; solc 0.8.37 defaults to osaka, anvil runs cancun.
    evmVersion: "cancun",
    outputSelection: {
      "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
    },
  },
};

function findImports(path) {
  for (const base of [join(root, "node_modules"), root]) {
    const candidate = join(base, path);
    if (existsSync(candidate)) return { contents: readFileSync(candidate, "utf8") };
  }
  return { error: `File not found: ${path}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) {
  if (e.severity !== "error" && !String(e.sourceLocation?.file || "").startsWith("@openzeppelin")) {
    process.stderr.write(e.formattedMessage + "\n");
  }
}
if (errors.length) {
  for (const e of errors) process.stderr.write(e.formattedMessage + "\n");
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
let count = 0;
for (const [sourceName, contracts] of Object.entries(output.contracts)) {
  if (!sourceName.startsWith("src/")) continue;
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      contractName: name,
      sourceName,
      compiler: solc.version(),
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      methodIdentifiers: c.evm.methodIdentifiers,
    };
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 1));
    count += 1;
  }
}
process.stdout.write(`compiled ${count} contracts with solc ${solc.version()}\n`);
