"""Post-processing rules side by side: the same raw predictions of one or more checkpoints, with no post-processing,
with each organ's largest component alone, and with fragments removed at several shares, scored by Dice.

    python benchmarks/postprocess.py runs/cpu/best.pt                        # the shared real cases (shared/real/ircadb)
    python benchmarks/postprocess.py runs/cpu/best.pt OTHER/best.pt --test   # each checkpoint's own test split
    python benchmarks/postprocess.py runs/cpu/best.pt --data data/FLARE22

Each case is predicted once (`predict_volume` without post-processing, as `abdoseg-predict` predicts), then every
rule is applied to that prediction. One line per checkpoint and rule (mean Dice per organ over the cases, and over
organs and cases); then, when there are several checkpoints, the mean over them per rule. `fragments 0.1` is
abdoseg's default (`remove_fragments`); `largest alone` is `remove_fragments(labels, 1.0)`.
"""
import argparse, sys
import numpy as np

RULES = {'none': None, 'largest alone': 1.0, 'fragments 0.05': 0.05, 'fragments 0.1': 0.1, 'fragments 0.2': 0.2,
         'fragments 0.3': 0.3}


def raw_predictions(checkpoint, data_dirs, test_split):
    "(raw abdoseg labels, reference labels) of each case: the shared real cases, `data_dirs`, or the test split."
    from abdoseg.data import find_cases, find_shared_real, read_case
    from abdoseg.inference import load_model, predict_volume
    model, ck = load_model(checkpoint, 'auto')
    if test_split: cases = [c for c in find_cases(ck.data_dir) if c.name in set(ck.split['test'])]
    else: cases = [c for d in data_dirs or [find_shared_real('ircadb')] for c in find_cases(d)]
    for case in cases:
        image, ref = read_case(case, ck.source if test_split else 'flare22')
        yield predict_volume(model, ck, image, postprocess=False), ref.array


def rule_dice(checkpoint, data_dirs, test_split) -> dict:
    "Rule -> organ -> the Dice of each case."
    from abdoseg.core import ORGANS
    from abdoseg.inference import remove_fragments
    from abdoseg.metrics import dice
    out = {r: {o.name: [] for o in ORGANS} for r in RULES}
    for raw, ref in raw_predictions(checkpoint, data_dirs, test_split):
        for rule, share in RULES.items():
            pred = raw if share is None else remove_fragments(raw, share)
            for o in ORGANS:
                if (ref == o.id).any(): out[rule][o.name].append(dice(pred == o.id, ref == o.id))
    return out


def main(argv=None):
    from abdoseg.core import ORGAN_NAMES
    from abdoseg.data import find_shared_real
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoints', nargs='+', help='abdoseg checkpoints, e.g. runs/cpu/best.pt')
    p.add_argument('--data', nargs='+', default=[], help='labelled folders in FLARE22 layout (default: the shared real cases)')
    p.add_argument('--test', action='store_true', help="each checkpoint's own test split instead")
    a = p.parse_args(argv)
    if not a.test and not a.data and find_shared_real('ircadb') is None:
        p.exit(2, "postprocess.py: no --data given and the shared real cases (shared/real/ircadb) are not here\n")
    means = {r: [] for r in RULES}
    for ck in a.checkpoints:
        res = rule_dice(ck, a.data, a.test)
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
