#!/usr/bin/env python3
"""Prints the line items of an invoice ("<description> <amount>" lines) and their total."""
import re
import sys

total = 0.0
with open(sys.argv[1]) as f:
    for line in f:
        m = re.match(r"^(.*?)\s+(\d+(?:\.\d{1,2})?)$", line.strip())
        if m:
            total += float(m.group(2))
            print(f"{m.group(1)}: {m.group(2)}")
        elif line.strip():
            print(f"unreadable: {line.strip()}", file=sys.stderr)
print(f"total: {total:.2f}")
