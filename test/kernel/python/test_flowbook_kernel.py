"""jupyter-kernel-test's conformance suite against the installed flowbook kernel.

Run by test/kernel/conformance.test.ts through the repository's venv (scripts/jupyter-setup.sh),
with JUPYTER_PATH pointing at a kernelspec installed by `flowbook kernel install --prefix`.
"""
import unittest

import jupyter_kernel_test


class FlowbookKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "flowbook"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("written to stderr")'

    completion_samples = [
        {"text": "Pipeline.cr", "matches": {"create"}},
        {"text": "const zebraStripes = 1;\nzebraStr", "matches": {"zebraStripes"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 1;", "function f(a: number) {\n  return a;\n}"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "`a template"]
    invalid_code_samples = ["const = = 2;", "1 +* 2", "let x = );"]

    code_generate_error = 'throw new Error("this cell fails")'
    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": "'flow' + 'book'", "result": "'flowbook'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_display_data = [
        {
            "code": 'display({ [Symbol.for("flowbook.display")]() { return { "text/html": "<b>flowbook</b>" }; } })',
            "mime": "text/html",
        },
        {"code": 'display("plain text")', "mime": "text/plain"},
    ]
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Pipeline"
    code_clear_output = 'console.log("soon gone");\nclearOutput();'

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # The language service starts on first use (a few seconds on a busy machine):
        # warm it, so inspect's 15 s budget measures the kernel, not TypeScript's start.
        msg_id = cls.kc.complete("Pipeline.", 9)
        while cls.kc.get_shell_msg(timeout=120)["parent_header"].get("msg_id") != msg_id:
            pass


if __name__ == "__main__":
    unittest.main()
