"""Fine-tuning on real CT: train on one real labelled scan, test on another, from scratch and from a checkpoint.

    python benchmarks/accuracy/finetune_real.py runs/cpu/best.pt                 # the two shared real cases, both ways
    python benchmarks/accuracy/finetune_real.py runs/cpu/best.pt --epochs 10 --iters-per-epoch 50

For each ordered pair (A, B) of the real cases: a run trains on A alone from random weights, another starts from
CHECKPOINT's weights (`abdoseg-train --init`), with the same budget (epochs x iterations, the cpu preset
otherwise); each final network (last epoch: nothing is chosen on the test case) is measured on B with
`abdoseg.evaluation.evaluate`. The folders hold links to the real files, in a temporary directory: nothing
of the real data is copied. Printed: mean Dice per organ on the held-out case for each start, and the mean.
"""
import argparse, json, os, subprocess, tempfile
from pathlib import Path
import numpy as np


def linked_folder(root, cases, names):
    "A FLARE22-layout folder of symbolic links to `names` of `cases`."
    for sub in ('images', 'labels'): (root / sub).mkdir(parents=True, exist_ok=True)
    for c in cases:
        if c.name in names:
            os.symlink(c.image, root / 'images' / c.image.name); os.symlink(c.label, root / 'labels' / c.label.name)
    return root


def main(argv=None):
    from abdoseg.core import ORGAN_NAMES
    from abdoseg.testing import find_shared_real
    from abdoseg.datasets import find_cases
    from abdoseg.evaluation import evaluate, select_rows
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint'); p.add_argument('data_dir', nargs='?', help='a labelled folder (default: the shared real cases)')
    p.add_argument('--epochs', type=int, default=10); p.add_argument('--iters-per-epoch', type=int, default=50)
    a = p.parse_args(argv)
    data = Path(a.data_dir) if a.data_dir else find_shared_real('ircadb')
    cases = find_cases(data)
    tmp = Path(tempfile.mkdtemp(prefix='abdoseg-finetune-'))
    results = {}
    for train_case in cases:
        for test_case in cases:
            if test_case is train_case: continue
            d = linked_folder(tmp / f'{train_case.name}-{test_case.name}', cases, {train_case.name, test_case.name})
            (d / 'split.json').write_text(json.dumps({'train': [train_case.name], 'val': [test_case.name], 'test': [test_case.name]}))
            for start in ('scratch', 'init'):
                out = tmp / f'run-{train_case.name}-{start}'
                cmd = ['abdoseg-train', '--data-dir', str(d), '--out-dir', str(out), '--cache-dir', str(tmp / 'cache'), '--epochs', str(a.epochs),
                       '--iters-per-epoch', str(a.iters_per_epoch), '--no-progress'] + (['--init', a.checkpoint] if start == 'init' else [])
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                rows = evaluate(out / 'last.pt', 'all', cases=[test_case], source='flare22', progress=False)
                dice = select_rows(rows).set_index('organ').dice
                results[(train_case.name, test_case.name, start)] = {o: float(dice[o]) for o in ORGAN_NAMES}
                print(f"train {train_case.name} -> test {test_case.name}, {start:7s}: " +
                      ', '.join(f"{o} {dice[o]:.3f}" for o in ORGAN_NAMES) + f"; mean {dice.mean():.3f}", flush=True)
    for start in ('scratch', 'init'):
        rows = [r for k, r in results.items() if k[2] == start]
        print(f"{start:8s} mean over both directions: " + ', '.join(f"{o} {np.mean([r[o] for r in rows]):.3f}" for o in ORGAN_NAMES) +
              f"; mean {np.mean([r[o] for r in rows for o in ORGAN_NAMES]):.3f}")


if __name__ == '__main__':
    main()
