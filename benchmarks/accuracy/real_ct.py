"""How a checkpoint segments real CT: Dice, HD95 and volume error per organ and case, through abdoseg's evaluation.

    python benchmarks/accuracy/real_ct.py runs/cpu/best.pt                      # every shared real case (IRCADb 1, 7, TS_s0009)
    python benchmarks/accuracy/real_ct.py runs/cpu/best.pt data/FLARE22 --confusion
    python benchmarks/accuracy/real_ct.py runs/cpu/best.pt --floor 0.60         # exit 1 below a mean Dice of 0.60 (CI)
    python benchmarks/accuracy/real_ct.py runs/cpu/best.pt --json benchmarks/accuracy/results/main_job.json

Each case is scored by `abdoseg.evaluation.evaluate` (`split='all'` on each folder), with abdoseg-predict's defaults
(each organ's fragments removed, overlap 0.5, no mirroring); the reference is the case's label map in FLARE22's ids
(any labelled folder in FLARE22's or nnU-Net's layout). `--confusion` also prints, for each reference organ, where its
voxels went (which class the network gave them): the first thing to look at when an organ is missed.
`--set-hu right_kidney=160` first moves each named organ's CT numbers in the image (inside its reference mask) to that
median, at half their spread: whether the network misreads an organ's CT number or something else about it.
`--views` also measures each case as a narrower scan would show it (`VIEWS`: its top 80 mm removed, so that it
starts below the diaphragm's dome; an x-y field of view of 180 mm centred on the body), in means of their own: how
much the network leans on what a real scan may not hold. A view scores the organs that keep at least 5 mL in it.
A checkpoint trained on a phantom that drew cases from real
anatomies (`abdoseg-phantom --real-anatomy`: the shipped label maps of training) is not measured on a scan whose
anatomy is among them: its rows are printed apart and left out of the means (TS_s0009's anatomy never trains). `--json` writes every row and the means, which `tables.py` turns into the README's tables. The last line is the mean
Dice over the (case, organ) pairs where the organ is labelled.
"""
import argparse, json, os, platform, sys, tempfile, time
from pathlib import Path
import numpy as np

SHARED_SETS = ('ircadb', 'totalseg_s0009')   # every labelled real set in shared/real
VIEWS = {'top80': 'the top 80 mm removed (a scan that starts below the dome)',
         'fov180': 'an x-y field of view of 180 mm centred on the body'}
MIN_VIEW_ML = 5.                              # an organ scores in a view when at least this much of it is inside


def view_box(image, view) -> tuple | None:
    "The index box of `view` (one of `VIEWS`) on a RAS+ image `Volume`, or None where it would not narrow the scan."
    n, sp = image.shape, image.spacing
    if view == 'top80':
        cut = int(round(80 / sp[2]))
        return (slice(None), slice(None), slice(0, n[2] - cut)) if n[2] - cut >= 8 else None
    half = [int(round(90 / s)) for s in sp[:2]]
    if all(2 * h >= m for h, m in zip(half, n[:2])): return None
    body = image.array > -300
    centre = [int(np.flatnonzero(body.any(axis=tuple(j for j in range(3) if j != i))).mean()) for i in range(2)]
    return tuple(slice(max(c - h, 0), c + h) for c, h in zip(centre, half)) + (slice(None),)


def with_view(case, view, folder):
    "A FLARE22-layout `folder` holding `case` cut to `view` (named CASE+VIEW), or None where the view leaves it whole."
    import nibabel as nib
    from abdoseg.volumes import read_volume, save_nifti
    image, ref = read_volume(case.image, 'image'), read_volume(case.label, 'label')
    box = view_box(image, view)
    if box is None: return None
    affine = image.affine.copy(); affine[:3, 3] += image.affine[:3, :3] @ [b.start or 0 for b in box]
    name = f'{case.name}+{view}'
    hu = np.rint(image.array).astype(np.int16)
    for sub, arr, file in (('images', hu, f'{name}_0000.nii.gz'), ('labels', ref.array, f'{name}.nii.gz')):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        save_nifti(nib.Nifti1Image(np.ascontiguousarray(arr[box]), affine), folder / sub / file)
    return folder


def with_organ_hu(case, set_hu, folder):
    "A FLARE22-layout `folder` holding `case` with each named organ at the given median HU, at half its spread."
    import nibabel as nib
    from abdoseg.core import organ
    from abdoseg.datasets import read_case
    from abdoseg.volumes import save_nifti
    image, ref = read_case(case, 'flare22')
    hu = image.array.astype(np.float32)
    for name, target in set_hu.items():
        m = ref.array == organ(name).id
        hu[m] = target + (hu[m] - np.median(hu[m])) / 2
    for sub in ('images', 'labels'): (folder / sub).mkdir(parents=True, exist_ok=True)
    save_nifti(nib.Nifti1Image(np.rint(hu).astype(np.int16), image.affine), folder / 'images' / f'{case.name}_0000.nii.gz')
    os.symlink(Path(case.label).resolve(), folder / 'labels' / Path(case.label).name)
    return folder


def machine() -> dict:
    "What the figures were measured on."
    import torch
    cpu = next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), platform.processor()) \
        if Path('/proc/cpuinfo').exists() else platform.processor()
    return dict(cpu=cpu, cores=os.cpu_count(), torch=torch.__version__, gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else None)


def organ_hu(text):
    "ORGAN=HU from the command line, the organ one of abdoseg's."
    from abdoseg.core import ORGAN_NAMES
    name, _, hu = text.partition('=')
    try:
        if name in ORGAN_NAMES: return name, float(hu)
    except ValueError: pass
    raise argparse.ArgumentTypeError(f"{text!r}: give ORGAN=HU, ORGAN one of {', '.join(ORGAN_NAMES)}")


def measure(checkpoint, data_dirs, mirror=False, set_hu=None, device='auto', views=()):
    """The post-processed rows of `evaluate` over every labelled case of `data_dirs` (and, for each of `views`, over
    the cases cut to it: rows of case CASE+VIEW), and the seconds it took."""
    import pandas as pd
    from abdoseg.checkpoint import load_model
    from abdoseg.datasets import find_cases
    from abdoseg.evaluation import evaluate, select_rows
    model, ck = load_model(checkpoint, device)
    t, frames = time.perf_counter(), []
    with tempfile.TemporaryDirectory() as tmp:
        for d in data_dirs:
            cases = find_cases(d)
            if set_hu: cases = [c for case in cases for c in find_cases(with_organ_hu(case, set_hu, Path(tmp) / case.name))]
            cut = [with_view(case, v, Path(tmp) / f'{case.name}+{v}') for v in views for case in cases]
            cases = cases + [c for f in cut if f for c in find_cases(f)]
            frames.append(evaluate(ck, 'all', cases=cases, model=model, mirror=mirror, source='flare22', progress=False))
    df = pd.concat(frames, ignore_index=True)
    return select_rows(df).reset_index(drop=True), time.perf_counter() - t


def summary(rows, min_ml=0.) -> dict:
    """Per organ the mean Dice, HD95 and absolute volume error over the cases where it is labelled (with at least
    `min_ml` of it); and the mean Dice."""
    from abdoseg.core import ORGAN_NAMES
    labelled = rows[rows.dice.notna() & (rows.ref_ml >= min_ml)]
    err = (labelled.pred_ml - labelled.ref_ml).abs() / labelled.ref_ml.where(labelled.ref_ml > 0)
    organs = {o: dict(dice=float(labelled[labelled.organ == o].dice.mean()), hd95=float(labelled[labelled.organ == o].hd95.mean()),
                      abs_volume_error=float(err[labelled.organ == o].mean())) for o in ORGAN_NAMES}
    return dict(organs=organs, mean=float(labelled.dice.mean()), pairs=int(len(labelled)), cases=int(rows.case.nunique()))


def trained_anatomies(checkpoint) -> list[str]:
    "The real anatomies (e.g. TS_s0009) whose label maps went into the checkpoint's training data: their scans measure nothing."
    from abdoseg.checkpoint import read_run_record
    from abdoseg.phantom import phantom_real_anatomies
    run = read_run_record(checkpoint)
    return phantom_real_anatomies(run.data_dir) if run and Path(run.data_dir).is_dir() else []


def print_confusion(rows):
    "Per reference organ, the mean share of its voxels given each class over the cases where it is labelled."
    from abdoseg.core import ORGAN_NAMES
    names = ['background', *ORGAN_NAMES]
    print(f"{'where each organ went':24s}" + ''.join(f"{n[:10]:>11s}" for n in names))
    for o, r in rows[rows.dice.notna()].groupby('organ', sort=False):
        print(f"  {o:22s}" + ''.join(f"{r[f'to_{n}'].mean():11.1%}" for n in names))


def view_of(rows):
    "Each row's view: '' for the scan as it is, else the VIEWS name after its case's '+'."
    return rows.case.str.partition('+')[2]


def print_views(summaries: dict, whole: dict):
    from abdoseg.core import ORGAN_NAMES
    print(f"\n{'view':10s} {'cases':>5s}" + ''.join(f"{o[:12]:>13s}" for o in ORGAN_NAMES) + f"{'mean':>8s}")
    for v, m in {'as is': whole, **summaries}.items():
        print(f"{v:10s} {m['cases']:5d}" + ''.join(f"{m['organs'][o]['dice']:13.3f}" for o in ORGAN_NAMES) + f"{m['mean']:8.3f}")
    for v, what in VIEWS.items():
        if v in summaries: print(f"  {v}: {what}; organs with at least {MIN_VIEW_ML:g} mL in the view")


def print_rows(rows, confusion=False):
    from abdoseg.core import ORGAN_NAMES
    names = ['background', *ORGAN_NAMES]
    print(f"{'case':16s} {'organ':13s} {'Dice':>6s} {'HD95 mm':>8s} {'ref mL':>8s} {'pred mL':>8s} {'vol err':>8s}")
    for case, r in rows.groupby('case', sort=False):
        for _, x in r[r.dice.notna()].iterrows():
            err = (x.pred_ml - x.ref_ml) / x.ref_ml if x.ref_ml else float('nan')
            print(f"{case:16s} {x.organ:13s} {x.dice:6.3f} {x.hd95:8.1f} {x.ref_ml:8.0f} {x.pred_ml:8.0f} {err:+8.0%}")
        print(f"{case:16s} {'mean':13s} {r.dice.mean():6.3f}")
        if confusion:
            print(f"  {'reference -> predicted':24s}" + ''.join(f"{n[:10]:>11s}" for n in names))
            for _, x in r.iterrows(): print(f"  {x.organ:24s}" + ''.join(f"{x[f'to_{n}']:11.1%}" for n in names))


def main(argv=None):
    from abdoseg.core import ORGANS
    from abdoseg.testing import find_shared_real
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='an abdoseg checkpoint, e.g. runs/cpu/best.pt')
    p.add_argument('data_dirs', nargs='*', help='labelled folders in FLARE22 layout (default: the shared real cases)')
    p.add_argument('--mirror', action='store_true', help='test-time mirroring')
    p.add_argument('--confusion', action='store_true', help='print where each reference organ went')
    p.add_argument('--floor', type=float, help='exit 1 when the mean Dice is below this')
    p.add_argument('--json', help='write the rows and the means to this file')
    p.add_argument('--set-hu', nargs='+', default=[], metavar='ORGAN=HU', type=organ_hu,
                   help="move an organ's CT numbers to this median first, e.g. right_kidney=160 (a diagnosis)")
    p.add_argument('--views', action='store_true', help='also measure each case cut to narrower views (VIEWS), in means of their own')
    p.add_argument('--device', default='auto')
    a = p.parse_args(argv)
    dirs = [Path(d) for d in a.data_dirs] or [find_shared_real(n) for n in SHARED_SETS]
    if None in dirs: p.exit(2, f"real_ct.py: no data folder given and the shared real cases (shared/real/{{{','.join(SHARED_SETS)}}}) are not here\n")
    measured, seconds = measure(a.checkpoint, dirs, a.mirror, dict(a.set_hu), a.device, list(VIEWS) if a.views else [])
    trained = trained_anatomies(a.checkpoint)
    trained_rows = measured.case.str.startswith(tuple(trained)).to_numpy() if trained else np.zeros(len(measured), bool)
    view = view_of(measured).to_numpy()
    views = {v: summary(measured[~trained_rows & (view == v)], MIN_VIEW_ML) for v in VIEWS if (~trained_rows & (view == v)).any()}
    all_rows, apart = measured[view == ''], trained_rows[view == '']
    rows = all_rows[~apart]
    s = summary(rows)
    print(f"{a.checkpoint}: {s['cases']} real case(s) from {', '.join(map(str, dirs))}")
    print_rows(rows, a.confusion)
    print(f"{'all cases':16s} {'organ':13s} {'Dice':>6s} {'HD95 mm':>8s} {'|vol err|':>9s}")
    for o, m in s['organs'].items(): print(f"{'':16s} {o:13s} {m['dice']:6.3f} {m['hd95']:8.1f} {m['abs_volume_error']:9.0%}")
    print_confusion(rows)
    if apart.any():
        s['apart'] = summary(all_rows[apart])
        print(f"\nreported apart, not in the means: {', '.join(all_rows[apart].case.unique())}, whose anatomy (label map) "
              f"trained this checkpoint; its image measures appearance only")
        print_rows(all_rows[apart], a.confusion)
    if views: s['views'] = views; print_views(views, s)
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(dict(checkpoint=str(a.checkpoint), data_dirs=[os.path.relpath(d) for d in dirs], mirror=a.mirror, machine=machine(),
                                                set_hu=dict(a.set_hu), seconds=round(seconds, 1), **s,
                                                rows=json.loads(measured.to_json(orient='records'))), indent=1))
    print(f"mean Dice over {len(ORGANS)} organs and {s['cases']} real cases: {s['mean']:.4f}")
    if a.floor is not None and s['mean'] < a.floor:
        print(f"FAIL: below the floor {a.floor}"); print('real-ct: 0 passed, 1 failed'); return 1
    if a.floor is not None: print(f"real-ct: 1 passed, 0 failed (floor {a.floor})")
    return 0


if __name__ == '__main__':
    sys.exit(main())
