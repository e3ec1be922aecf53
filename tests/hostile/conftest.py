"""Print the hostile-input counts at the end of every run that includes them."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Inputs tried, tracebacks, rows lost: the figures the README quotes."""
    import sys

    module = sys.modules.get("test_hostile")
    results = getattr(module, "RESULTS", None)
    if not results:
        return
    tracebacks = sum(1 for r in results if r["traceback"])
    lost = sum(int(str(r["lost"])) for r in results)
    refused = sum(1 for r in results if r["code"] == 2)
    terminalreporter.write_line(
        f"hostile inputs: {len(results)} runs, {tracebacks} tracebacks, {lost} rows lost, "
        f"{refused} refused with exit 2 and a message naming the file, "
        f"{len(results) - refused} read with every row out in order"
    )
