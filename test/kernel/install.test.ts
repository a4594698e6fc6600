/** `flowbook kernel install` writes a kernelspec Jupyter lists; `uninstall` removes it. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";
import { CLI } from "./support/kernel_client.js";
import { VENV, installedKernel } from "./support/venv.js";

test("the kernelspec: name, display name, language, interrupt by message, logos, absolute argv", () => {
  const { prefix, env } = installedKernel(["--name", "flowbook-test"]);
  const dir = path.join(prefix, "share/jupyter/kernels/flowbook-test");
  const spec = JSON.parse(readFileSync(path.join(dir, "kernel.json"), "utf8"));
  expect(spec).toMatchObject({ display_name: "flowbook (TypeScript)", language: "typescript", interrupt_mode: "message" });
  expect(spec.argv).toEqual([process.execPath, CLI, "kernel", "run", "--connection-file", "{connection_file}"]);
  expect(path.isAbsolute(spec.argv[0]) && path.isAbsolute(spec.argv[1])).toBe(true);
  for (const [file, size] of [["logo-32x32.png", 32], ["logo-64x64.png", 64]] as const) {
    const png = readFileSync(path.join(dir, file));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
  }

  const listed = execFileSync(path.join(VENV, "bin/jupyter"), ["kernelspec", "list", "--json"], { env, encoding: "utf8" });
  const specs = JSON.parse(listed).kernelspecs;
  expect(specs["flowbook-test"].resource_dir).toBe(dir);
  expect(specs["flowbook-test"].spec.display_name).toBe("flowbook (TypeScript)");

  execFileSync(process.execPath, [CLI, "kernel", "uninstall", "--prefix", prefix, "--name", "flowbook-test"]);
  expect(existsSync(dir)).toBe(false);
  const after = JSON.parse(execFileSync(path.join(VENV, "bin/jupyter"), ["kernelspec", "list", "--json"], { env, encoding: "utf8" })).kernelspecs;
  expect(after["flowbook-test"]).toBeUndefined();
});

test("--user installs under the Jupyter data dir, --sys-prefix into the active environment", () => {
  const { prefix } = installedKernel();
  const user = path.join(prefix, "userdata");
  execFileSync(process.execPath, [CLI, "kernel", "install", "--user"], { env: { ...process.env, JUPYTER_DATA_DIR: user } });
  expect(existsSync(path.join(user, "kernels/flowbook/kernel.json"))).toBe(true);
  const venv = path.join(prefix, "venv");
  execFileSync(process.execPath, [CLI, "kernel", "install", "--sys-prefix"], { env: { ...process.env, VIRTUAL_ENV: venv } });
  expect(existsSync(path.join(venv, "share/jupyter/kernels/flowbook/kernel.json"))).toBe(true);
});
