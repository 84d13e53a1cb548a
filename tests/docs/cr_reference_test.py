#!/usr/bin/env python3
"""docs/cr-reference.md against crds/*.yaml: every field of every CRD schema (spec and status)
has its row, with the schema's type, "yes" exactly when the parent lists it as required, the
schema's default, and the schema's description word for word; and the page has no row for a
field the schema does not have. A CRD change that the page does not follow fails here.
  cr_reference_test.py REPO_ROOT
"""
import os
import re
import sys

import yaml


def is_secret_key_ref(node):
    """{name, key}, both required: the page writes such an object as one SecretKeyRef row."""
    return (node.get("type") == "object" and set(node.get("properties") or {}) == {"name", "key"}
            and set(node.get("required") or []) == {"name", "key"})


def type_of(node):
    if is_secret_key_ref(node):
        return "SecretKeyRef"
    t = node.get("type", "")
    if t == "array":
        return "[]" + type_of(node.get("items", {}))
    if t == "object" and "additionalProperties" in node and "properties" not in node:
        inner = node["additionalProperties"]
        return "map[string]" + (type_of(inner) if isinstance(inner, dict) else "string")
    if node.get("x-kubernetes-int-or-string"):
        return "int-or-string"
    return t


def walk(node, path, required, out):
    """Rows (path -> (type, required, default, description)) of `node` and its children."""
    out[path] = (type_of(node), required, node.get("default"),
                 " ".join((node.get("description") or "").split()))
    if is_secret_key_ref(node):
        return
    child = node
    if node.get("type") == "array":
        child, path = node.get("items", {}), path + "[]"
    for name, sub in (child.get("properties") or {}).items():
        walk(sub, f"{path}.{name}", name in (child.get("required") or []), out)


def schema_rows(crd_path):
    crd = yaml.safe_load(open(crd_path))
    (version,) = [v for v in crd["spec"]["versions"] if v.get("storage")]
    root = version["schema"]["openAPIV3Schema"]["properties"]
    rows = {}
    for top in ("spec", "status"):
        if top in root:
            walk(root[top], top, top in (version["schema"]["openAPIV3Schema"].get("required") or []),
                 rows)
    return crd["spec"]["names"]["kind"], rows


def page_rows(text):
    """{kind: {path: cells}} of the page's tables, by the `## Kind` heading above them."""
    out, kind = {}, None
    for line in text.splitlines():
        m = re.match(r"^## (\w+) \(", line)
        if m:
            kind = m.group(1)
            out.setdefault(kind, {})
            continue
        if line.startswith("## "):
            kind = None
        m = re.match(r"^\| `([^`]+)` \|(.*)\|\s*$", line)
        if kind and m and m.group(1).split(".")[0] in ("spec", "status"):
            cells = [c.strip() for c in m.group(2).split(" | ")]
            # Field rows have four cells after the field; the CEL rule tables have two.
            if len(cells) == 4:
                out[kind].setdefault(m.group(1), cells)
    return out


def main(repo):
    text = open(os.path.join(repo, "docs", "cr-reference.md")).read()
    page = page_rows(text)
    problems, checked = [], 0
    for name in sorted(os.listdir(os.path.join(repo, "crds"))):
        kind, rows = schema_rows(os.path.join(repo, "crds", name))
        documented = page.get(kind)
        if documented is None:
            problems.append(f"{kind}: no '## {kind} (...)' section")
            continue
        # A row "`X.*` ... same fields as `Y`" stands for every field below X, which must then
        # be exactly the fields below Y.
        covered = {}
        for path, cells in documented.items():
            if path.endswith(".*"):
                m = re.search(r"same fields as `([^`]+)`", cells[3])
                covered[path[:-2]] = m.group(1) if m else None

        def below(prefix):
            return {p[len(prefix):]: r for p, r in rows.items() if p.startswith(prefix + ".")}

        for prefix, same_as in covered.items():
            if same_as is None or below(prefix) != below(same_as) or not below(prefix):
                problems.append(f"{kind}: `{prefix}.*` says 'same fields as `{same_as}`', but the "
                                "schema's fields below the two differ")
        for path, (typ, required, default, description) in rows.items():
            if any(path.startswith(p + ".") for p in covered):
                continue
            cells = documented.get(path)
            if cells is None:
                problems.append(f"{kind}: `{path}` ({typ}) has no row")
                continue
            checked += 1
            if len(cells) != 4:
                problems.append(f"{kind}: `{path}`: expected 4 cells after the field, got {cells}")
                continue
            got_type, got_required, limits, got_description = cells
            if got_type != typ:
                problems.append(f"{kind}: `{path}`: type {got_type!r}, the schema says {typ!r}")
            if (got_required == "yes") != required:
                problems.append(f"{kind}: `{path}`: required is {got_required!r}, the schema says "
                                f"{'yes' if required else 'no'}")
            if default is not None:
                want = "default `" + (yaml.safe_dump(default, default_flow_style=True).strip()
                                      .removesuffix("...").strip() if not isinstance(default, str)
                                      else '"' + default + '"') + "`"
                if want not in limits:
                    problems.append(f"{kind}: `{path}`: the schema's {want} is not in {limits!r}")
            if description and got_description != description:
                problems.append(f"{kind}: `{path}`: description differs from the schema's:\n"
                                f"      page:   {got_description}\n      schema: {description}")
        for path in documented:
            if path not in rows and not (path.endswith(".*") and path[:-2].removesuffix("[]") in rows):
                problems.append(f"{kind}: `{path}` is on the page but not in the schema")
    for p in problems:
        print("FAIL:", p)
    if problems:
        print(f"{len(problems)} problem(s); update docs/cr-reference.md to match crds/ (or fix the CRD)")
        return 1
    if checked < 100:
        print(f"FAIL: only {checked} fields checked; the page or the schema walk is broken")
        return 1
    print(f"ok: {checked} CRD fields documented in docs/cr-reference.md with the schema's type, "
          "required flag, default and description")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
