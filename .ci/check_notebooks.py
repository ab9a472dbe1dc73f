"""The API notebooks say what is, briefly: no markdown cell of a numbered notebook over 3,000 characters (the research
record lives in nbs/experiments/). Prints each offending cell and exits 1 when there is one."""
import json, sys
from pathlib import Path

LIMIT = 3000
NBS = Path(__file__).resolve().parents[1] / 'nbs'

def long_cells(path: Path, limit=LIMIT) -> list[tuple[int, int]]:
    "(cell number, length) of each markdown cell of a notebook longer than `limit`."
    cells = json.loads(path.read_text())['cells']
    return [(i, n) for i, c in enumerate(cells) if c['cell_type'] == 'markdown' and (n := len(''.join(c['source']))) > limit]

if __name__ == '__main__':
    api = sorted(NBS.glob('[0-9]*.ipynb')) + [NBS / 'index.ipynb']
    bad = [(p.name, i, n) for p in api for i, n in long_cells(p)]
    for name, i, n in bad: print(f"  {name}, cell {i}: {n} characters of markdown (at most {LIMIT}): move the record to nbs/experiments/")
    print(f"notebooks: {len(api)} API notebooks, {len(bad) or 'no'} markdown cell(s) over {LIMIT} characters")
    sys.exit(1 if bad else 0)
