"""Word segmentation for resident messages: a private jieba tokenizer with a domain dictionary.

jieba's stock dictionary (349k words) takes ~0.6 s to load even from its cache, and the cache
is written to a temporary directory as a side effect.  The intent classifier only needs
sensible segmentation of everyday words plus our domain vocabulary, so the tokenizer is built
in memory from the stock words with frequency >= ``MIN_FREQ`` (about 52k words) plus
``data/userdict.txt``.  That takes ~0.2 s, writes nothing, is deterministic, and happens
once, on first use.  jieba's console logging is silenced.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

__all__ = ["MIN_FREQ", "USERDICT", "cut", "tokenizer"]

MIN_FREQ = 50
USERDICT = Path(__file__).with_name("data") / "userdict.txt"
_USER_FREQ = 3000

_lock = threading.Lock()
_tokenizer: object | None = None


def _build() -> object:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    import jieba  # imported lazily: ~0.1 s

    jieba.setLogLevel(logging.WARNING)
    stock = Path(jieba.__file__).with_name("dict.txt")
    lines: list[str] = []
    with stock.open(encoding="utf-8") as fh:
        for line in fh:
            word, freq, _ = line.split(" ", 2)
            if int(freq) >= MIN_FREQ:
                lines.append(f"{word} {freq}")
    for raw in USERDICT.read_text(encoding="utf-8").splitlines():
        parts = raw.split()
        if parts and not parts[0].startswith("#"):
            freq = parts[1] if len(parts) > 1 else str(_USER_FREQ)
            lines.append(f"{parts[0]} {freq}")
    tk = jieba.Tokenizer()
    # Same steps as Tokenizer.initialize(), minus the on-disk cache.
    tk.FREQ, tk.total = tk.gen_pfdict(io.BytesIO("\n".join(lines).encode("utf-8")))
    tk.initialized = True
    return tk


def tokenizer() -> object:
    """Return the shared jieba.Tokenizer, building it on first call (thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


def cut(text: str) -> list[str]:
    """Segment already-normalised ``text`` into words; whitespace tokens are dropped."""
    if not text:
        return []
    return [w for w in tokenizer().lcut(text, HMM=False) if not w.isspace()]  # type: ignore[attr-defined]
