/**
 * jupyter-kernel-test (PyPI) against the installed kernel, through the venv's pytest: every
 * attribute of its test class set (python/test_flowbook_kernel.py). And jupyter_client, as
 * nbclient and papermill use it, driving the kernel by its kernelspec.
 */
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "./support/kernel_client.js";
import { installedKernel, python } from "./support/venv.js";

test("jupyter-kernel-test passes, no test skipped", () => {
  const { env } = installedKernel();
  const r = python(["-m", "pytest", "-p", "no:cacheprovider", "-v", "-rs", path.join(ROOT, "test/kernel/python/test_flowbook_kernel.py")], env, 600_000);
  if (r.status !== 0) throw new Error(r.output);
  expect(r.output).toMatch(/\d+ passed/);
  // Only the pager (no pager payloads in flowbook) may be skipped: pytest names it
  // test_pager in its -v line and by its reason ("No code page something") in the -rs summary.
  const skipped = r.output.split("\n").filter((l) => /SKIPPED/.test(l) && !/test_pager|No code page something/.test(l));
  expect(skipped).toEqual([]);
}, 600_000);

test("jupyter_client starts it by name, runs a cell, interrupts it by message and restarts it", () => {
  const { env } = installedKernel();
  const script = `
import time
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="flowbook", startup_timeout=60)
assert km.kernel_spec.interrupt_mode == "message", km.kernel_spec.interrupt_mode
r = kc.execute_interactive("const n = 21; n * 2", timeout=60)
assert r["content"]["status"] == "ok", r
msg_id = kc.execute("while (true) {}")
time.sleep(1.0)
t0 = time.time()
km.interrupt_kernel()
reply = kc.get_shell_msg(timeout=10)
assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["ename"] == "Interrupted", reply
print("interrupted in %.3f s" % (time.time() - t0))
r = kc.execute_interactive("n", timeout=60)
assert r["content"]["status"] == "ok", r
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=60)
r = kc.execute_interactive("typeof n", timeout=60, output_hook=lambda m: m["msg_type"] == "execute_result" and print("after restart:", m["content"]["data"]["text/plain"]))
km.shutdown_kernel(now=False)
assert not km.is_alive()
print("ok")
`;
  const r = python(["-c", script], env, 180_000);
  if (r.status !== 0) throw new Error(r.output);
  expect(r.output).toContain("after restart: 'undefined'");
  const secs = Number(/interrupted in ([\d.]+) s/.exec(r.output)![1]);
  expect(secs).toBeLessThan(1);
}, 180_000);
