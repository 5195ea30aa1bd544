"""``python -m nlp "文本"``: print the Understanding of one message as JSON."""

from __future__ import annotations

import json
import sys

from nlp import understand


def main(argv: list[str] | None = None) -> int:
    """Entry point; joins all arguments into one message (or reads stdin when none)."""
    args = sys.argv[1:] if argv is None else argv
    text = " ".join(args) if args else sys.stdin.read()
    print(json.dumps(understand(text).as_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
