"""How far abdoseg's own checks can be trusted on real CT: each organ's confidence against its real Dice, and the
mirrored-header check (`mirror_evidence`: a liver less than `LIVER_SIDE_MM` right of the body's midline, or a
spleen at least 0.6 of the liver: SPLEEN_LIVER) on every shared real scan, as it is and mirrored left-right (the array flipped, the
header kept).

    python benchmarks/accuracy/trust.py runs/cpu/best.pt                  # the shared real scans (IRCADb 1, 7, TS_s0009, DICOM)
    python benchmarks/accuracy/trust.py runs/cpu/best.pt --check          # exit 1 unless every mirrored scan is flagged, no other
    python benchmarks/accuracy/trust.py runs/*/best.pt --json trust.json  # several checkpoints: the rank over all their organs
    python benchmarks/accuracy/trust.py A.pt B.pt --plot nbs/images/confidence.png   # confidence against Dice, a figure

For each scan, `abdoseg.inference.segment` (abdoseg-predict's defaults) gives the labels and each organ's confidence;
`check_prediction` turns them, with the scan, into the warnings abdoseg-predict prints. The labelled scans also give
each organ's Dice against the reference; the last lines are Spearman's rank correlation between confidence and Dice
over every (checkpoint, scan, organ) labelled, and how many organs the low-confidence line flags, with their Dice.
"""
import argparse, json, sys
from dataclasses import replace
from pathlib import Path
import numpy as np

SCANS = (('ircadb', 'IRCADb_01'), ('ircadb', 'IRCADb_07'), ('totalseg_s0009', 'TS_s0009'), ('dicom_abdomen', None))


def shared_scans() -> list[tuple[str, Path, Path | None]]:
    "(name, image, reference labels or None) of every shared real scan present."
    from abdoseg.testing import find_shared_real
    out = []
    for folder, case in SCANS:
        root = find_shared_real(folder)
        if root is None: continue
        if case: out.append((case, root / 'images' / f'{case}_0000.nii.gz', root / 'labels' / f'{case}.nii.gz'))
        else: out.append(('DICOM series', root / 'ct', None))
    return out


def mirrored(vol):
    "The scan mirrored left-right in its array, its header unchanged: what a wrong orientation header does."
    return replace(vol, array=np.ascontiguousarray(vol.array[::-1]))


def judge(model, ck, vol, ref=None) -> dict:
    "The warnings, mirror verdict, confidence and (with a reference) Dice of one scan."
    from abdoseg.core import ORGANS
    from abdoseg.inference import segment, check_prediction, mirror_suspected, body_midline
    from abdoseg.metrics import dice, organ_volumes, organ_centres
    seg = segment(model, ck, vol)
    warns = check_prediction(seg.labels, vol.affine, vol.spacing, seg.confidence, vol)
    liver = organ_centres(seg.labels, vol.affine).get('liver')
    out = dict(liver_right_of_midline_mm=round(float(liver[0] - body_midline(vol)), 1) if liver is not None else None,
               flagged=mirror_suspected(warns), warnings=warns, confidence=seg.confidence, volumes=organ_volumes(seg.labels, vol.spacing))
    if ref is not None:
        out['dice'] = {o.name: dice(seg.labels == o.id, ref == o.id) for o in ORGANS if (ref == o.id).any()}
    return out


def spearman(a, b) -> float:
    from scipy.stats import spearmanr
    return float(spearmanr(a, b).statistic)


def plot(pairs, rho, low, path):
    "Confidence against Dice, one point per (checkpoint, scan, organ), coloured by organ."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from abdoseg.core import ORGANS
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    for o in ORGANS:
        pts = np.array([(c, d) for c, d, name in pairs if name == o.name]).reshape(-1, 2)
        ax.scatter(*pts.T, s=22, color=o.colour, edgecolor='k', linewidth=0.4, label=o.title)
    ax.axvline(low, color='0.5', ls='--', lw=1); ax.text(low, 0.02, ' warned below', color='0.4', fontsize=8)
    ax.set(xlabel="abdoseg's confidence", ylabel='Dice against the reference', xlim=(0.4, 1), ylim=(0, 1),
           title=f'{len(pairs)} organs of the shared real scans (Spearman {rho:.2f})')
    ax.legend(fontsize=8, loc='upper left'); fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


def main(argv=None):
    from abdoseg.checkpoint import load_model
    from abdoseg.labels import read_labels
    from abdoseg.volumes import read_volume
    from abdoseg.inference import LOW_CONFIDENCE
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoints', nargs='+', help='abdoseg checkpoints, e.g. runs/cpu/best.pt')
    p.add_argument('--check', action='store_true', help='exit 1 unless every mirrored scan is flagged and no unmirrored one is')
    p.add_argument('--json', help='write every figure to this file')
    p.add_argument('--plot', help='draw confidence against Dice into this image file')
    p.add_argument('--device', default='auto')
    a = p.parse_args(argv)
    scans = shared_scans()
    if not scans: p.exit(2, "trust.py: the shared real scans (shared/real) are not here\n")
    results, pairs, wrong = {}, [], []
    for path in a.checkpoints:
        model, ck = load_model(path, a.device)
        print(f"{path}:")
        print(f"  {'scan':22s} {'liver right of midline':>22s} {'spleen/liver':>12s} {'flagged':>8s}  confidence (Dice)")
        for name, image, label in scans:
            vol = read_volume(image)
            ref = read_labels(label, 'flare22', vol).array if label else None
            for is_mirrored in (False, True):
                r = judge(model, ck, mirrored(vol) if is_mirrored else vol, None if is_mirrored else ref)
                results[f'{path} {name}{" mirrored" if is_mirrored else ""}'] = r
                if r['flagged'] != is_mirrored: wrong.append(f'{path} {name}{" mirrored" if is_mirrored else ""}')
                organs = '  '.join(f"{o} {c:.2f}" + (f" ({r['dice'][o]:.2f})" if o in r.get('dice', {}) else '')
                                   for o, c in r['confidence'].items())
                label_ = name + (' mirrored' if is_mirrored else '')
                off, v = r['liver_right_of_midline_mm'], r['volumes']
                ratio = f"{v['spleen'] / v['liver']:.2f}" if v['liver'] else '-'
                print(f"  {label_:22s} {'-' if off is None else f'{off:+.0f} mm':>22s} {ratio:>12s} {'yes' if r['flagged'] else 'no':>8s}  {organs}")
                pairs += [(r['confidence'][o], d, o) for o, d in r.get('dice', {}).items()]
    conf, dice = np.array([(c, d) for c, d, _ in pairs]).T
    low = conf < LOW_CONFIDENCE
    rho = spearman(conf, dice)
    print(f"confidence against Dice over {len(pairs)} labelled organs: Spearman {rho:.2f}; "
          f"{low.sum()} below {LOW_CONFIDENCE} (mean Dice {dice[low].mean() if low.any() else float('nan'):.2f}), "
          f"{(~low).sum()} above (mean Dice {dice[~low].mean() if (~low).any() else float('nan'):.2f})")
    print(f"mirror check: {2 * len(scans) * len(a.checkpoints) - len(wrong)} of {2 * len(scans) * len(a.checkpoints)} scans judged right"
          + (f"; wrong: {', '.join(wrong)}" if wrong else ''))
    if a.plot: plot(pairs, rho, LOW_CONFIDENCE, a.plot)
    if a.json: Path(a.json).write_text(json.dumps(dict(scans=results, spearman=rho, pairs=pairs), indent=1))
    if a.check:
        print(f"mirrored: {0 if wrong else 1} passed, {1 if wrong else 0} failed")
        return 1 if wrong else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
