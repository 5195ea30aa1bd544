"""The trained intent model as a file: trained at build time, loaded at start-up.

Training on several thousand messages takes seconds and a few hundred MB in pure Python, too
slow for a cold start. ``python -m nlp.model_store`` (run by ``make install``) trains once and
writes ``data/model.pickle``: the labels, the two learners' scales, the feature names and one
flat array of float32 weights. Training is deterministic, so the same data and code always give
the same file. The file carries a fingerprint of everything it was trained from (the training
files and the code that turns text into features and weights); a stale or missing file is
ignored and the model is trained in the process instead, as before.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from array import array
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL_FILE = HERE / "data" / "model.pickle"
FORMAT = 1
_CODE = ("intent.py", "learners.py", "tokenise.py", "normalise.py", "model_store.py")


def fingerprint() -> str:
    """SHA-256 over the training files, the jieba user dictionary and the feature/learner code."""
    from nlp.intent import training_files

    digest = hashlib.sha256(f"format {FORMAT}".encode())
    paths = [*training_files(), HERE / "data" / "userdict.txt", *(HERE / name for name in _CODE)]
    for path in paths:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def dump(parts: dict[str, Any], path: Path = MODEL_FILE) -> None:
    """Write the model's parts (see ``Classifier.parts``) with the current fingerprint."""
    names = sorted(parts["rows"])
    flat = array("f")
    for name in names:
        flat.extend(parts["rows"][name])
    payload = {
        "format": FORMAT,
        "fingerprint": fingerprint(),
        "labels": parts["labels"],
        "sharpness": parts["sharpness"],
        "temperature": parts["temperature"],
        "names": names,
        "weights": flat.tobytes(),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(payload, protocol=5))
    tmp.replace(path)


def load(path: Path = MODEL_FILE) -> dict[str, Any] | None:
    """The model's parts from ``path``, or None when missing, unreadable or trained from other data."""
    try:
        payload = pickle.loads(path.read_bytes())  # our own build output, never user input
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return None
    if payload.get("fingerprint") != fingerprint():
        return None
    weights = array("f")
    weights.frombytes(payload["weights"])
    width = 2 * len(payload["labels"])
    names: list[str] = payload["names"]
    rows = {name: weights[i * width : (i + 1) * width] for i, name in enumerate(names)}  # float32 rows
    return {
        "labels": tuple(payload["labels"]),
        "sharpness": payload["sharpness"],
        "temperature": payload["temperature"],
        "rows": rows,
    }


def main() -> int:
    from nlp.intent import Classifier, read_training

    model = Classifier(read_training())
    dump(model.parts())
    size = MODEL_FILE.stat().st_size / 1e6
    print(f"nlp: trained on {len(read_training())} messages → {MODEL_FILE.name} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
