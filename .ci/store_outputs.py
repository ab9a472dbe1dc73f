"""Execute notebooks as `nbdev_test` does and store their demo cells' outputs in them, small: the documentation site shows them.

    python .ci/store_outputs.py [NOTEBOOK ...]      # default: every notebook of nbs/ (not nbs/tests/)

Kept: what a reader learns from (printed text, tables, pictures). Dropped: progress bars and other stderr, widget
state (its PNG or text stays), and any single output over 200 kB. A notebook that fails is left as it was and named."""
import json, os, sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 200_000
WIDGET = 'application/vnd.jupyter.widget-view+json'

def small(output: dict) -> dict | None:
    "The output as the notebook keeps it, or None."
    if output.get('output_type') == 'stream' and output.get('name') == 'stderr': return None
    if 'data' in output:
        data = {k: v for k, v in output['data'].items() if k != WIDGET}
        if not data: return None
        output = dict(output, data=data)
    return output if len(json.dumps(output)) <= MAX_BYTES else None

def run(path: str) -> str:
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    path = Path(path).resolve()
    os.environ['IN_TEST'] = '1'; os.environ.setdefault('MPLBACKEND', 'Agg')
    os.chdir(path.parent)
    nb = read_nb(path)
    try: CaptureShell(path).run_all(nb, exc_stop=True)
    except Exception as e: return f"{path.name}: FAILED, left as it was ({type(e).__name__}: {str(e)[:200]})"
    for cell in nb.cells:
        if cell.cell_type == 'code':
            cell.outputs = [o for o in map(small, cell.get('outputs', [])) if o is not None]
            cell.execution_count = None
    write_nb(nb, path)
    return f"{path.name}: {sum(len(json.dumps(c.get('outputs', []))) for c in nb.cells) // 1000} kB of outputs"

if __name__ == '__main__':
    paths = sys.argv[1:] or sorted(str(p) for p in (ROOT / 'nbs').glob('*.ipynb'))
    with ProcessPoolExecutor(2) as pool:
        for line in pool.map(run, paths): print(line, flush=True)
