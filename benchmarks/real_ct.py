"""How a checkpoint segments real CT: Dice, HD95 and volume error per organ and case, through abdoseg-predict's path.

    python benchmarks/real_ct.py runs/cpu/best.pt                      # the shared real cases (shared/real/ircadb)
    python benchmarks/real_ct.py runs/cpu/best.pt data/FLARE22 --confusion
    python benchmarks/real_ct.py runs/cpu/best.pt --floor 0.60         # exit 1 below a mean Dice of 0.60 (CI)

Each case's image goes through `abdoseg.inference.predict` with the defaults of `abdoseg-predict` (each organ's
fragments removed, overlap 0.5, no mirroring), is written as NIfTI in a temporary folder and read back; the
reference is the case's label map in FLARE22's ids (any labelled folder in FLARE22's or nnU-Net's layout).
`--confusion` also prints, for each reference organ, where its voxels went (which class the network gave them): the
first thing to look at when an organ is missed. `--set-hu right_kidney=160` first moves each named organ's CT
numbers in the image (inside its reference mask) to that median, at half their spread: whether the network misreads
an organ's CT number or something else about it. The last line is the mean Dice over the organs and cases.
"""
import argparse, math, sys, tempfile, time
from pathlib import Path
import numpy as np


def confusion(pred, ref, names):
    "Row per reference class: the share of its voxels given each predicted class."
    n = len(names)
    m = np.bincount(ref.ravel().astype(np.int64) * n + pred.ravel(), minlength=n * n).reshape(n, n).astype(float)
    return m / np.maximum(m.sum(1, keepdims=True), 1)


def with_organ_hu(image, ref, set_hu, path):
    "Write `image` (a RAS+ `Volume`) to `path` with each named organ of `ref` at the given median HU, at half its spread."
    import nibabel as nib
    from abdoseg.core import organ
    from abdoseg.data import save_nifti
    hu = image.array.astype(np.float32)
    for name, target in set_hu.items():
        m = ref == organ(name).id
        hu[m] = target + (hu[m] - np.median(hu[m])) / 2
    return save_nifti(nib.Nifti1Image(np.rint(hu).astype(np.int16), image.affine), path)


def evaluate_case(case, checkpoint, model, tmp, mirror=False, set_hu=None):
    "Metrics of one real case, predicted from its file as abdoseg-predict does."
    from abdoseg.data import read_case, read_volume
    from abdoseg.inference import predict
    from abdoseg.metrics import organ_metrics
    out = Path(tmp) / f'{case.name}.nii.gz'
    image, ref = read_case(case, 'flare22')
    source = with_organ_hu(image, ref.array, set_hu, Path(tmp) / f'{case.name}_set_hu.nii.gz') if set_hu else case.image
    t = time.perf_counter()
    predict(checkpoint, source, out, mirror=mirror, progress=False, model=model)
    seconds = time.perf_counter() - t
    pred = read_volume(out, 'label')
    return organ_metrics(pred.array, ref.array, image.spacing), pred.array, ref.array, seconds


def organ_hu(text):
    "ORGAN=HU from the command line, the organ one of abdoseg's."
    from abdoseg.core import ORGAN_NAMES
    name, _, hu = text.partition('=')
    try:
        if name in ORGAN_NAMES: return name, float(hu)
    except ValueError: pass
    raise argparse.ArgumentTypeError(f"{text!r}: give ORGAN=HU, ORGAN one of {', '.join(ORGAN_NAMES)}")


def main(argv=None):
    from abdoseg.core import ORGANS, ORGAN_NAMES
    from abdoseg.data import find_cases, find_shared_real
    from abdoseg.inference import load_model
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='an abdoseg checkpoint, e.g. runs/cpu/best.pt')
    p.add_argument('data_dirs', nargs='*', help='labelled folders in FLARE22 layout (default: the shared real cases)')
    p.add_argument('--mirror', action='store_true', help='test-time mirroring')
    p.add_argument('--confusion', action='store_true', help='print where each reference organ went')
    p.add_argument('--floor', type=float, help='exit 1 when the mean Dice is below this')
    p.add_argument('--save', help='keep the predicted label maps in this folder')
    p.add_argument('--set-hu', nargs='+', default=[], metavar='ORGAN=HU', type=organ_hu,
                   help="move an organ's CT numbers to this median first, e.g. right_kidney=160 (a diagnosis)")
    p.add_argument('--device', default='auto')
    a = p.parse_args(argv)
    set_hu = dict(a.set_hu)
    dirs = [Path(d) for d in a.data_dirs] or [find_shared_real('ircadb')]
    if dirs[0] is None: p.exit(2, "real_ct.py: no data folder given and the shared real cases (shared/real/ircadb) are not here\n")
    model, ck = load_model(a.checkpoint, a.device)
    cases = [c for d in dirs for c in find_cases(d)]
    names = ['background', *ORGAN_NAMES]
    print(f"{a.checkpoint}: {len(cases)} real case(s) from {', '.join(map(str, dirs))}")
    print(f"{'case':16s} {'organ':13s} {'Dice':>6s} {'HD95 mm':>8s} {'ref mL':>8s} {'pred mL':>8s} {'vol err':>8s}")
    dice = {o: [] for o in ORGAN_NAMES}; hd = {o: [] for o in ORGAN_NAMES}; verr = {o: [] for o in ORGAN_NAMES}
    with tempfile.TemporaryDirectory() as tmp:
        if a.save: Path(a.save).mkdir(parents=True, exist_ok=True)
        for case in cases:
            m, pred, ref, secs = evaluate_case(case, ck, model, a.save or tmp, a.mirror, set_hu)
            for o in ORGAN_NAMES:
                r = m[o]
                if math.isnan(r['dice']): continue
                err = (r['pred_ml'] - r['ref_ml']) / r['ref_ml'] if r['ref_ml'] else float('nan')
                dice[o].append(r['dice']); hd[o].append(r['hd95']); verr[o].append(err)
                print(f"{case.name:16s} {o:13s} {r['dice']:6.3f} {r['hd95']:8.1f} {r['ref_ml']:8.0f} {r['pred_ml']:8.0f} {err:+8.0%}")
            print(f"{case.name:16s} {'mean':13s} {np.nanmean([m[o]['dice'] for o in ORGAN_NAMES]):6.3f}   ({secs:.1f} s)")
            if a.confusion:
                c = confusion(pred, ref, names)
                print(f"  {'reference -> predicted':24s}" + ''.join(f"{n[:10]:>11s}" for n in names))
                for i, n in enumerate(names): print(f"  {n:24s}" + ''.join(f"{v:11.1%}" for v in c[i]))
    print(f"{'all cases':16s} {'organ':13s} {'Dice':>6s} {'HD95 mm':>8s} {'|vol err|':>9s}")
    for o in ORGAN_NAMES:
        print(f"{'':16s} {o:13s} {np.mean(dice[o]):6.3f} {np.mean(hd[o]):8.1f} {np.nanmean(np.abs(verr[o])):9.0%}")
    mean = float(np.mean([d for o in ORGAN_NAMES for d in dice[o]]))
    print(f"mean Dice over {len(ORGANS)} organs and {len(cases)} real cases: {mean:.4f}")
    if a.floor is not None and mean < a.floor:
        print(f"FAIL: below the floor {a.floor}"); print('real-ct: 0 passed, 1 failed'); return 1
    if a.floor is not None: print(f"real-ct: 1 passed, 0 failed (floor {a.floor})")
    return 0


if __name__ == '__main__':
    sys.exit(main())
