"""A custom import-linter contract: apps reach each other only through their public modules.

An app (a package directly under `root`) may import another app's `services`, `selectors`,
`enums`, `errors` and `events` and nothing else, so each app's models, forms and views can
change without breaking another. The kernel app may open a few more modules (base models,
Money, permissions). The composition root (`config`) and tests are exempt.
"""

from __future__ import annotations

from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class AppBoundaryContract(Contract):
    type_name = "app_boundary"

    root = fields.StringField()
    public_modules = fields.ListField(subfield=fields.StringField())
    kernel_app = fields.StringField()
    kernel_modules = fields.ListField(subfield=fields.StringField())
    exempt_apps = fields.ListField(subfield=fields.StringField(), required=False)
    # Apps that are pure libraries (no models): their `domain` package is their public face.
    library_apps = fields.ListField(subfield=fields.StringField(), required=False)
    # Apps nested inside another (e.g. "promotions.coupons"): their own public modules are open too.
    sub_apps = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # import-linter turns each field into its parsed value on the instance.
        options: dict[str, Any] = vars(self)
        root: str = options["root"]
        public: set[str] = set(options["public_modules"])
        kernel: str = options["kernel_app"]
        kernel_public = public | set(options["kernel_modules"])
        exempt: set[str] = set(options.get("exempt_apps") or [])
        libraries: set[str] = set(options.get("library_apps") or [])
        sub_apps: set[str] = set(options.get("sub_apps") or [])
        violations: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            parts = importer.split(".")
            if parts[0] != root or len(parts) < 3 or parts[1] in exempt:
                continue
            if "tests" in parts or "migrations" in parts:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = imported.split(".")
                if target[0] != root or len(target) < 2 or target[1] == parts[1]:
                    continue
                allowed = kernel_public if target[1] == kernel else public
                if target[1] in libraries:
                    allowed = allowed | {"domain"}
                if len(target) >= 3 and target[2] in allowed:
                    continue
                if len(target) >= 4 and ".".join(target[1:3]) in sub_apps and target[3] in allowed:
                    continue
                lines = [
                    detail["line_number"] for detail in graph.get_import_details(importer=importer, imported=imported)
                ]
                violations.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            lines = ", ".join(f"l.{line}" for line in violation["lines"])
            output.print_error(f"{violation['importer']} -> {violation['imported']} ({lines})")
            output.new_line()
        output.print("Import another app only through its services, selectors, enums, errors, events or auth.")
