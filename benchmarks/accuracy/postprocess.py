"""Post-processing rules side by side: the same raw predictions of one or more checkpoints, with no post-processing,
with each organ's largest component alone, and with fragments removed at several shares, scored by Dice.

    python benchmarks/accuracy/postprocess.py runs/cpu/best.pt                        # the shared real cases (shared/real/ircadb)
    python benchmarks/accuracy/postprocess.py runs/cpu/best.pt OTHER/best.pt --test   # each checkpoint's own test split
    python benchmarks/accuracy/postprocess.py runs/cpu/best.pt --data data/FLARE22

Each case is predicted once by `abdoseg.evaluation.evaluate` (as `abdoseg-predict` predicts), then every
rule is applied to that prediction. One line per checkpoint and rule (mean Dice per organ over the cases, and over
organs and cases); then, when there are several checkpoints, the mean over them per rule. `fragments 0.1` is
abdoseg's default (`remove_fragments`); `largest alone` is `remove_fragments(labels, 1.0)`.
"""
import argparse, sys
import numpy as np

RULES = {'none': None, 'largest alone': 1.0, 'fragments 0.05': 0.05, 'fragments 0.1': 0.1, 'fragments 0.2': 0.2,
         'fragments 0.3': 0.3}


def rule_dice(checkpoint, data_dirs) -> dict:
    "Rule -> organ -> the Dice of each case (NaN, where the organ is in neither map, left out), through `evaluate`."
    from abdoseg.core import ORGAN_NAMES
    from abdoseg.checkpoint import load_model
    from abdoseg.datasets import find_cases
    from abdoseg.evaluation import evaluate
    model, ck = load_model(checkpoint, 'auto')
    shares = [v for v in RULES.values() if v is not None]
    if data_dirs: frames = [evaluate(ck, 'all', cases=find_cases(d), model=model, source='flare22', min_shares=shares, progress=False) for d in data_dirs]
    else: frames = [evaluate(ck, 'test', model=model, min_shares=shares, progress=False)]     # the test split of its run
    import pandas as pd
    df = pd.concat(frames, ignore_index=True)
    df = df[df.dice.notna()]
    pick = lambda share: df[~df.postprocess] if share is None else df[df.min_share == share]
    return {r: {o: list(pick(share)[pick(share).organ == o].dice) for o in ORGAN_NAMES} for r, share in RULES.items()}


def main(argv=None):
    from abdoseg.core import ORGAN_NAMES
    from abdoseg.testing import find_shared_real
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoints', nargs='+', help='abdoseg checkpoints, e.g. runs/cpu/best.pt')
    p.add_argument('--data', nargs='+', default=[], help='labelled folders in FLARE22 layout (default: the shared real cases)')
    p.add_argument('--test', action='store_true', help="each checkpoint's own test split instead")
    a = p.parse_args(argv)
    data_dirs = [] if a.test else a.data or [find_shared_real('ircadb')]
    if data_dirs == [None]:
        p.exit(2, "postprocess.py: no --data given and the shared real cases (shared/real/ircadb) are not here\n")
    means = {r: [] for r in RULES}
    for ck in a.checkpoints:
        res = rule_dice(ck, data_dirs)
        for rule, organs in res.items():
            mean = float(np.mean([d for o in ORGAN_NAMES for d in organs[o]]))
            means[rule].append(mean)
            print(f"{ck:32s} {rule:15s} " + '  '.join(f"{o} {np.mean(organs[o]):.3f}" for o in ORGAN_NAMES) + f"  mean {mean:.4f}",
                  flush=True)
    if len(a.checkpoints) > 1:
        for rule, m in means.items():
            print(f"mean over {len(m)} checkpoints  {rule:15s} {np.mean(m):.4f}  (against none: "
                  f"{min(np.subtract(m, means['none'])):+.4f} to {max(np.subtract(m, means['none'])):+.4f})")


if __name__ == '__main__':
    sys.exit(main())
