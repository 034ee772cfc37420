#!/usr/bin/env python3
"""Where a proxied request's instructions go, per function and per request.

bench/cost.sh with KEEP=dir keeps each leg's two callgrind sessions (cg-LEG-SIZE-3.callgrind and
cg-LEG-SIZE-9.callgrind) and prints the requests each served ("raw counts"). Start-up and shutdown
are in both sessions; the difference of the two, per function, over the difference of requests is
what one request costs there (the method of bench/cost.sh's totals, function by function).

Usage: python3 bench/callgrind-diff.py SHORT.callgrind LONG.callgrind REQUESTS_SHORT REQUESTS_LONG inc|exc [ROWS]
  inc: inclusive (a function and everything it calls), exc: exclusive (its own instructions).
  Names are mangled Swift: pipe through `swift demangle --simplified`.
"""
import subprocess, sys, re
def annotate(f, inclusive):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=" + ("yes" if inclusive else "no"), f],
                         capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)", line)
        if not m: continue
        try: v = int(m.group(1).replace(",", ""))
        except: continue
        name = m.group(2)
        name = re.sub(r"^\S*?:", "", name, count=1) if name.startswith("???:") or ":" in name.split(" ")[0] else name
        d[name] = d.get(name, 0) + v
    return d
short, long, rs, rl = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
inc = len(sys.argv) > 5 and sys.argv[5] == "inc"
a, b = annotate(short, inc), annotate(long, inc)
n = rl - rs
rows = []
for k in set(a) | set(b):
    rows.append(((b.get(k, 0) - a.get(k, 0)) / n, k))
rows.sort(reverse=True)
tot = 0
for v, k in rows[:int(sys.argv[6]) if len(sys.argv) > 6 else 70]:
    print(f"{v:9.0f}  {k[:150]}")
