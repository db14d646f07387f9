"""The Open XML SDK's validator, the check Word and Excel make before they offer to repair a
file, run as a program (`tests/ooxml/`, installed with npm) on a whole `.docx` or `.xlsx`.

It checks every part of the package against the ISO/IEC 29500 transitional schemas with the
chosen Office version's extensions, after markup compatibility processing (what `mc:Ignorable`
names is dropped first, as Office does), and the SDK's semantic constraints.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
# Office 2010 is the first to write ISO/IEC 29500 transitional rather than ECMA-376 1st
# edition; Microsoft 365 is what the office's Word and Excel check today.
OFFICE_VERSIONS = ("Office2010", "Microsoft365")


def validator_program() -> str | None:
    """The validator: `OOXML_VALIDATOR`, or the one `npm install --prefix tests/ooxml` put
    there (`.cmd` on Windows)."""
    named = os.environ.get("OOXML_VALIDATOR")
    if named:
        return named
    for name in ("ooxml-validator", "ooxml-validator.cmd"):
        path = HERE / "ooxml" / "node_modules" / ".bin" / name
        if path.is_file():
            return str(path)
    return None


@dataclass(frozen=True)
class OoxmlValidator:
    program: str

    def errors(self, package: Path, office_version: str) -> list[str]:
        """What the validator finds in `package`, one line per error: part, XPath, message."""
        result = subprocess.run(
            [self.program, str(package), "--officeVersion", office_version],
            capture_output=True,
            timeout=300,
        )
        assert result.returncode in (0, 1), (
            f"the validator could not run on {package.name}: "
            f"{result.stderr.decode('utf-8', 'replace')}"
        )
        report = json.loads(result.stdout.decode("utf-8"))
        assert report["ok"] is (result.returncode == 0), report
        return [
            f"{error.get('path', '')} {error.get('xPath', '')}: {error['description']}"
            for error in report["errors"]
        ]

    def invalid(self, packages: list[Path]) -> dict[str, list[str]]:
        """The packages (by name, with the Office version) that fail, with their errors."""
        jobs = [(package, version) for package in packages for version in OFFICE_VERSIONS]
        with ThreadPoolExecutor(max_workers=4) as pool:
            found = list(pool.map(lambda job: self.errors(*job), jobs))
        return {
            f"{package.name} ({version})": errors
            for (package, version), errors in zip(jobs, found, strict=True)
            if errors
        }
