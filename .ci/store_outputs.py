"""Execute notebooks as `nbdev_test` does and store their demo cells' outputs in them, small: the documentation site shows them.

    python .ci/store_outputs.py [NOTEBOOK ...]      # default: every notebook of nbs/ (not nbs/tests/)

Kept: what a reader learns from (printed text, tables, pictures). Dropped: progress bars and other stderr, widget
state (its PNG or text stays), any single output over 200 kB, and the pictures of cells that read the IRCADb scans
(their licence allows no copies in the project; their measurements, as text, stay). A notebook that fails is left as it was and named."""
import json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 200_000
WIDGET = 'application/vnd.jupyter.widget-view+json'

def small(output: dict, pictures=True) -> dict | None:
    "The output as the notebook keeps it, or None."
    if output.get('output_type') == 'stream' and output.get('name') == 'stderr': return None
    if 'data' in output:
        data = {k: v for k, v in output['data'].items() if k != WIDGET and (pictures or not k.startswith('image/'))}
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
    try: CaptureShell(path, mpl_format='png').run_all(nb, exc_stop=True)
    except Exception as e: return f"{path.name}: FAILED, left as it was ({type(e).__name__}: {str(e)[:200]})"
    dropped = 0
    for cell in nb.cells:
        if cell.cell_type == 'code':
            pictures = 'ircadb' not in cell.source.lower()
            kept = [o for o in (small(o, pictures) for o in cell.get('outputs', [])) if o is not None]
            dropped += sum(o.get('name') != 'stderr' for o in cell.get('outputs', [])) - len(kept)
            cell.outputs, cell.execution_count = kept, None
    write_nb(nb, path)
    return f"{path.name}: {sum(len(json.dumps(c.get('outputs', []))) for c in nb.cells) // 1000} kB of outputs ({dropped} dropped)"

def run_apart(path: str) -> str:
    "`run` in a process of its own (IPython takes over the process it runs in)."
    r = subprocess.run([sys.executable, __file__, '--one', path], capture_output=True, text=True)
    return r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else f"{Path(path).name}: FAILED ({r.stderr.strip()[-300:]})"

if __name__ == '__main__':
    if sys.argv[1:2] == ['--one']: print(run(sys.argv[2])); sys.exit()
    paths = sys.argv[1:] or sorted(str(p) for p in (ROOT / 'nbs').glob('*.ipynb'))
    with ThreadPoolExecutor(2) as pool:
        for line in pool.map(run_apart, paths): print(line, flush=True)
