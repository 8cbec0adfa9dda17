"""A second implementation of govflow's audit format, from docs/audit-format.md alone.

Uses nothing but the standard library's json and hashlib (it must not import govflow): reads
the test vectors out of the document, recomputes every canonical text, every hash, the chain
links and the Merkle root, and exits 0 only if all agree. Run: python independent_check.py DOC
"""

import hashlib
import json
import math
import re
import sys


def number(value):
    # ECMAScript's Number::toString, as RFC 8785 section 3.2.2.3 asks.
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError("not finite")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = f"{abs(value):.17e}".partition("e")
    # the shortest digits that round-trip, found by trying each precision in turn
    for precision in range(1, 18):
        candidate = f"{abs(value):.{precision - 1}e}"
        if float(candidate) == abs(value):
            mantissa, _, exponent = candidate.partition("e")
            break
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    n = int(exponent) + 1
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        text = (
            digits[0]
            + ("." + digits[1:] if k > 1 else "")
            + "e"
            + ("+" if n - 1 >= 0 else "-")
            + str(abs(n - 1))
        )
    return sign + text


def jcs(value):  # noqa: PLR0911  (one return per JSON type)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(jcs(item) for item in value) + "]"
    keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
    return (
        "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(value[k]) for k in keys) + "}"
    )


def digest(algorithm, data):
    return hashlib.new({"sha256": "sha256", "sm3": "sm3"}[algorithm], data).digest()


def merkle(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return hashlib.sha256(b"\x01" + merkle(leaves[:split]) + merkle(leaves[split:])).digest()


def main(path):
    with open(path, encoding="utf-8") as document:  # noqa: PTH123  (plain Python, on purpose)
        text = document.read()
    block = re.search(r"<!-- test vectors -->\n```json\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    vectors = json.loads(block.group(1))
    heads = {}
    failures = 0
    for index, vector in enumerate(vectors["events"]):
        obj = vector["object"]
        canonical = jcs(obj)
        if canonical != vector["canonical"]:
            print(f"event {index}: canonical text differs:\n  {canonical}\n  {vector['canonical']}")
            failures += 1
        computed = digest(obj["hash_algorithm"], canonical.encode("utf-8")).hex()
        if computed != vector["hash"]:
            print(f"event {index}: hash differs: {computed} != {vector['hash']}")
            failures += 1
        expected_previous = heads.get(obj["issue_id"], "0" * 64)
        if obj["previous_hash"] != expected_previous:
            print(f"event {index}: previous_hash does not link to the issue's event before")
            failures += 1
        heads[obj["issue_id"]] = vector["hash"]
    root = merkle([bytes.fromhex(vector["hash"]) for vector in vectors["events"]]).hex()
    if root != vectors["merkle_root"]:
        print(f"merkle root differs: {root} != {vectors['merkle_root']}")
        failures += 1
    imported = sorted(name for name in sys.modules if name.split(".")[0] == "govflow")
    print(
        f"checked {len(vectors['events'])} events; failures {failures}; govflow modules {imported}"
    )
    return 1 if failures or imported else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
