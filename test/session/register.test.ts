import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/register/main.ts", import.meta.url));

describe("node --import flowbook/register", () => {
  it("instruments and transpiles user modules, with original line numbers", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--import", "./src/session/register.ts", fixture], {
      cwd: root,
      encoding: "utf8",
      timeout: 60000,
    });
    const r = JSON.parse(out.trim().split("\n").pop()!) as {
      value: number;
      line: number;
      frame: string;
      liveFrame: string;
      serialized: unknown;
    };
    const throwLine = fs.readFileSync(fixture, "utf8").split("\n").findIndex((l) => l.includes("// THROW")) + 1;
    const declLine = fs.readFileSync(fixture, "utf8").split("\n").findIndex((l) => l.includes("export function compute")) + 1;
    expect(r.value).toBe(10);
    expect(r.line).toBe(declLine);
    expect(r.frame).toContain(`${fixture}:${throwLine}:`);
    expect(r.liveFrame).toContain(`main.ts:${throwLine}:`);
    // The relative import travels as a module reference to the .ts file.
    expect(JSON.stringify(r.serialized)).toContain('"specifier":"file://' + fixture.replace("main.ts", "lib.ts") + '","export":"double"');
  });
});
