"""The rules as the spec states them, in plain Python, sharing no code with the package."""

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def resolve(rows, model, ignore_case=False):
    """(model to send, rule, alias name) for `model` over `rows` in the JSON list form.

    Exact wins; else the longest matching prefix; else passthrough. A prefix target ending
    in "*" carries the rest of the model as the client sent it. With `ignore_case`, the
    model's ASCII letters are lowercased before matching (names are lowercase), and
    nothing else is folded.
    """
    looked_up = model.translate(ASCII_LOWER) if ignore_case else model
    for row in rows:
        if row.get("match", "exact") == "exact" and row["name"] == looked_up:
            return row["target"], "exact", row["name"]
    best = None
    for row in rows:
        if row.get("match") == "prefix" and looked_up.startswith(row["name"]):
            if best is None or len(row["name"]) > len(best["name"]):
                best = row
    if best is None:
        return model, "passthrough", None
    target = best["target"]
    if target.endswith("*"):
        target = target[:-1] + model[len(best["name"]):]
    return target, "prefix", best["name"]
